"""`analysis.totals` on a real store: counts summed, percentages averaged, rates recomputed from the
sums, yes/no answers counted, and every total equal to the consolidated workbook's indicator."""
from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from samples import MODEL_INPUT, MODEL_ROWS, REPORT_INPUT, SELF_ASSESSMENT_INPUT

from danvan_kit import analysis
from danvan_kit.analysis import frames, totals
from danvan_kit.figures.indicators import compute_indicators
from danvan_kit.figures.period import gather
from danvan_kit.figures.sums import calculated_totals, period_sums
from danvan_kit.forms.engine import validate_submission
from danvan_kit.store import Store

ROOT = Path(__file__).resolve().parent.parent

# Three communes' annual reports. An Phú types the sample answers; Tân Quan is smaller and slower
# on administrative procedures (75 % on time) and did not spread Chỉ thị 33; Đông Nơ ran no survey.
AN_PHU = REPORT_INPUT
TAN_QUAN = dict(REPORT_INPUT, pho_bien_chi_thi_33=False, so_cuoc_tuyen_truyen="30", ty_le_hai_long="80",
                tthc_tiep_nhan="400", tthc_truc_tuyen="100", tthc_dung_han="300", tthc_tre_han="100")
DONG_NO = dict(REPORT_INPUT, co_khao_sat_hai_long=False, so_cuoc_tuyen_truyen="20")


@pytest.fixture
def store(tmp_path, catalog):
    store = Store.open(data_dir=tmp_path, validator=catalog.validator,
                       clock=lambda: datetime(2026, 11, 5, 3, 0, tzinfo=timezone.utc))
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    attempts = iter(range(1, 1000))

    def submit(unit, period, raw, item=""):
        form = catalog.form_for(period)
        result = validate_submission(form, raw)
        assert result.ok, result.errors
        store.submit(store.system_actor(), unit, form.id, period, result.data, template_version=form.version,
                     attempt_id=f"analysis-{next(attempts)}", item=item)

    for unit, raw in (("XA-AN-PHU", AN_PHU), ("XA-TAN-QUAN", TAN_QUAN), ("XA-DONG-NO", DONG_NO)):
        submit(unit, "2026-nam", raw)
    submit("XA-AN-PHU", "2026-tcd", SELF_ASSESSMENT_INPUT)                        # 87.5 points
    submit("XA-TAN-QUAN", "2026-tcd", dict(SELF_ASSESSMENT_INPUT, tc_2_2="4"))    # 83.5 points
    submit("XA-AN-PHU", "2026-dvk", dict(MODEL_INPUT, nguon_luc=MODEL_ROWS), item="1")   # 2 090,5 triệu
    submit("XA-AN-PHU", "2026-dvk", dict(MODEL_INPUT, so_nguoi_huong_loi="200",
                                         nguon_luc=[{"nguon": "ngan_sach", "so_tien": "100"}]), item="2")
    submit("XA-DONG-NO", "2026-dvk", dict(MODEL_INPUT, so_nguoi_huong_loi="75",
                                          nguon_luc=[{"nguon": "nhan_dan", "so_tien": "12,5"}]), item="1")
    yield store
    store.close()


@pytest.fixture
def report(store, catalog):
    return frames("2026-nam", store=store, catalog=catalog)["so_lieu"]


def test_each_numeric_column_carries_its_aggregation_rule(report, catalog):
    rules = report.attrs["rules"]
    form = catalog.form_for("2026-nam")
    assert set(rules) == {f.name for f in form.all_fields() if f.type in ("integer", "decimal", "yes_no")}
    assert rules["so_cuoc_tuyen_truyen"] == rules["tthc_tiep_nhan"] == "sum"
    assert rules["ty_le_hai_long"] == "mean"
    assert rules["tthc_ty_le_dung_han"] == rules["ty_le_giai_quyet_don"] == rules["khieu_nai_dang_giai_quyet"] == "calc"
    assert rules["pho_bien_chi_thi_33"] == rules["co_khao_sat_hai_long"] == "count_yes"
    assert "ma" not in rules and "so_ky_hieu" not in rules and "ngay_bao_cao" not in rules
    assert list(report.columns[:3]) == ["ma", "don_vi", "muc"]


def test_counts_and_amounts_are_summed(report):
    total = totals(report)
    assert total["so_cuoc_tuyen_truyen"] == 12 + 30 + 20
    assert total["tthc_tiep_nhan"] == 1840 + 400 + 1840
    assert total["kien_nghi_tiep_nhan"] == 3 * 38


def test_a_percentage_typed_by_the_units_is_averaged_over_the_units_that_gave_one(report):
    total = totals(report)
    assert total["ty_le_hai_long"] == pytest.approx((92.5 + 80) / 2)    # not 172,5 (sum), not 57,5 (over 3)
    assert report["ty_le_hai_long"].isna().sum() == 1                     # Đông Nơ ran no survey


def test_totals_recompute_a_rate_from_the_summed_figures_not_the_mean(report, store, catalog):
    total = totals(report)
    on_time, late = 1795 + 300 + 1795, 12 + 100 + 12
    assert total["tthc_ty_le_dung_han"] == round(100 * on_time / (on_time + late), 1) == 96.9
    rates = report.set_index("ma")["tthc_ty_le_dung_han"]
    assert rates.to_dict() == {"XA-AN-PHU": 99.3, "XA-TAN-QUAN": 75.0, "XA-DONG-NO": 99.3}
    assert round(rates.mean(), 1) == 91.2                                   # a mean of rates: not the total
    data = gather(catalog, store, "2026-nam", with_companions=False)
    assert total["tthc_ty_le_dung_han"] == calculated_totals(data.form, period_sums(data))["tthc_ty_le_dung_han"]
    assert total["khieu_nai_dang_giai_quyet"] == 3 * (7 - 6)


def test_a_yes_no_question_counts_the_units_answering_co(report):
    total = totals(report)
    assert total["pho_bien_chi_thi_33"] == 2          # Tân Quan answered "Không"
    assert total["co_khao_sat_hai_long"] == 2         # Đông Nơ answered "Không"
    assert total["co_quy_che_dan_chu"] == 3


def test_a_subset_of_the_rows_is_totalled_on_its_own_sums(report):
    total = totals(report[report["ma"] != "XA-TAN-QUAN"])
    assert total["so_cuoc_tuyen_truyen"] == 12 + 20
    assert total["tthc_ty_le_dung_han"] == round(100 * 3590 / 3614, 1) == 99.3
    assert total["ty_le_hai_long"] == 92.5
    assert math.isnan(totals(report.iloc[:0])["tthc_ty_le_dung_han"])   # no rows: no rate, not 0 %


def test_every_numeric_total_equals_the_consolidated_workbooks_indicator(store, catalog):
    indicators = {i.key: i for i in compute_indicators(gather(catalog, store, "2026-nam"))}
    checked = 0
    for period, prefix in (("2026-nam", ""), ("2026-dvk", "dvk__")):
        so_lieu = frames(period, store=store, catalog=catalog)["so_lieu"]
        for name, value in totals(so_lieu).items():
            rule = so_lieu.attrs["rules"][name]
            ind = indicators[f"{name}__co" if rule == "count_yes" else f"{prefix}{name}"]
            expected = ind.values[0]
            if rule == "mean":                      # the workbook shows a mean to 2 decimals
                assert ind.rule == "mean" and round(value, 2) == expected, name
            elif rule == "calc":                    # same expression, evaluated on the same sums
                assert ind.rule == f"calc:{catalog.form_for(period).field(name).calculation}", name
                assert value == expected, name
            else:
                assert ind.rule == "sum" and value == pytest.approx(expected), name
            checked += 1
    assert checked == 38 + 2


def test_a_calculated_amount_read_from_a_table_is_summed_as_stored(store, catalog):
    models = frames("2026-dvk", store=store, catalog=catalog)["so_lieu"]
    assert models.attrs["rules"] == {"so_nguoi_huong_loi": "sum", "tong_kinh_phi": "sum"}
    total = totals(models)
    assert total["tong_kinh_phi"] == pytest.approx(850 + 1240.5 + 100 + 12.5)
    assert total["so_nguoi_huong_loi"] == 1320 + 200 + 75


def test_self_assessment_scores_are_averaged(store, catalog):
    data = frames("2026-tcd", store=store, catalog=catalog)
    rules, total = data["so_lieu"].attrs["rules"], totals(data["so_lieu"])
    assert rules["tc_2_2"] == rules["tong_diem"] == "mean" and rules["co_vi_pham_nghiem_trong"] == "count_yes"
    assert total["tc_2_2"] == (8 + 4) / 2
    assert total["tong_diem"] == (87.5 + 83.5) / 2 == data["diem"]["tu_cham"].mean()
    assert total["co_vi_pham_nghiem_trong"] == 0


def test_the_totals_carry_the_vietnamese_labels_and_the_rules(report):
    total = totals(report)
    assert total.attrs["labels"]["tthc_tiep_nhan"] == "Số hồ sơ thủ tục hành chính tiếp nhận"
    assert total.rename(total.attrs["labels"])["Số hồ sơ thủ tục hành chính tiếp nhận"] == 4080
    assert total.attrs["rules"] == report.attrs["rules"]


def test_the_rules_are_plain_data_and_survive_a_frame_read_back_in_another_session(report, monkeypatch):
    json.dumps(report.attrs)                            # to_parquet writes attrs as JSON
    copy = pickle.loads(pickle.dumps(report))
    monkeypatch.setattr(analysis, "_FORMS", {})         # a new session: the form comes from the templates
    monkeypatch.setenv("DANVAN_TEMPLATES", str(ROOT / "templates"))
    assert totals(copy)["tthc_ty_le_dung_han"] == 96.9


def test_importing_the_analysis_module_does_not_import_pandas():
    code = "import sys, danvan_kit.analysis; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
