"""The Excel import reads typed numbers by the same rule as the widget and the store (issue 14, defect 5)."""
from __future__ import annotations

from datetime import datetime, timezone

import openpyxl
from bookkit import INPUT, blank, fill, keys
from samples import MODEL_INPUT, MODEL_ROWS, REPORT_INPUT, REPORT_ROWS, SELF_ASSESSMENT_INPUT

from danvan_kit.roundtrip import import_file
from danvan_kit.store import Store


def test_a_dot_before_three_digits_is_thousands_in_integer_and_decimal_cells_alike(catalog, store, books):
    report = catalog.form_for("2026-6t")
    answers = {**REPORT_INPUT, "so_luot_nguoi_tham_du": "3.200"}
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), report, answers, {"hoat_dong_noi_bat": REPORT_ROWS})
    assert import_file(catalog, store, path).problems == []
    rev = store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", submitted_only=True)
    assert rev.data["so_luot_nguoi_tham_du"] == 3200
    model = catalog.form_for("2026-dvk")
    rows = [{**MODEL_ROWS[0], "so_tien": "3.200"}, {**MODEL_ROWS[1], "so_tien": "3,2"}]
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-dvk", "mo-hinh.xlsx", item="1"), model, MODEL_INPUT,
                {"nguon_luc": rows})
    assert import_file(catalog, store, path).problems == []
    rev = store.latest(store.system_actor(), "XA-AN-PHU", "dan-van-kheo", "2026-dvk", item="1", submitted_only=True)
    assert [r["so_tien"] for r in rev.data["nguon_luc"]] == [3200.0, 3.2]
    assert rev.data["tong_kinh_phi"] == 3203.2


def test_a_comma_in_an_integer_cell_is_a_decimal_mark_and_refused_naming_the_cell(catalog, store, books):
    report = catalog.form_for("2026-6t")
    answers = {**REPORT_INPUT, "so_luot_nguoi_tham_du": "3,200"}
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t"), report, answers, {"hoat_dong_noi_bat": REPORT_ROWS})
    result = import_file(catalog, store, path)
    assert not result.stored
    assert any("phải là số nguyên" in str(p) and "3,200" in str(p) for p in result.problems)


def test_the_2027_blank_criteria_say_the_half_point_step_and_the_import_refuses_a_quarter(catalog, data_dir, books):
    store = Store.open(data_dir=data_dir, validator=catalog.validator,
                       clock=lambda: datetime(2027, 3, 1, 3, 0, tzinfo=timezone.utc))
    criteria = catalog.form_for("2027-tcd")
    path = blank(catalog, books, "XA-AN-PHU", "2027-tcd")
    ws = openpyxl.load_workbook(path)[INPUT]
    hint = " ".join(str(c.value) for c in ws[keys(ws)["tc_2_2"]] if c.value)
    assert "theo bước 0,5" in hint
    fill(path, criteria, {**SELF_ASSESSMENT_INPUT, "ngay_lap": "28/02/2027", "tc_2_2": "9,75"})
    result = import_file(catalog, store, path)
    assert not result.stored
    assert any("chỉ nhận số chẵn theo bước 0,5" in str(p) for p in result.problems), [str(p) for p in result.problems]
    store.close()
