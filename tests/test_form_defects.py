"""Defects found by filling real analysts' forms (issue 14), each through the widgets and the store's check."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import ipywidgets as w
import pytest
from samples import SELF_ASSESSMENT_INPUT

from danvan_kit.forms.engine import FormEngine
from danvan_kit.forms.loader import load_form
from danvan_kit.forms.template_error import TemplateError
from danvan_kit.store import Store, ValidationFailed
from danvan_kit.widgets import FormView

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 4, 28, 3, 0, tzinfo=timezone.utc)

FORM = """\
id: thu-loi
version: 1
title: Biểu thử các lỗi đã sửa
sections:
  - name: chung
    title: Chung
    fields:
      - {name: so_tiep_nhan, type: integer, label: Số đơn tiếp nhận}
      - {name: so_da_giai_quyet, type: integer, label: Số đơn đã giải quyết,
         constraint: so_da_giai_quyet <= so_tiep_nhan}
      - {name: so_nguoi, type: integer, label: Số người}
      - {name: kinh_phi, type: decimal, label: Kinh phí, unit: triệu đồng}
      - name: hoat_dong
        type: repeat
        label: Hoạt động
        min_rows: 1
        fields:
          - {name: ten, type: text, label: Tên hoạt động}
          - {name: so_tham_du, type: integer, label: Số người tham dự}
          - {name: dat, type: yes_no, label: Đạt (tự tính), calculation: so_tham_du >= 50}
          - {name: diem, type: decimal, label: Điểm (tự tính), calculation: so_tham_du / 10}
          - name: hinh_thuc
            type: select_one
            label: Hình thức
            choices: [{value: hop, label: Họp dân}, {value: khac, label: Khác}]
          - {name: ghi_ro, type: text, label: Ghi rõ hình thức khác, required: true, relevant: "hinh_thuc == 'khac'"}
      - {name: tong_diem, type: decimal, label: Tổng điểm các hoạt động, calculation: "sum_of(hoat_dong, 'diem')"}
      - {name: so_dat, type: integer, label: Số hoạt động đạt, calculation: "count_if(hoat_dong, 'dat', True)"}
"""


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "thu-loi.yaml"
    path.write_text(FORM, encoding="utf-8")
    return load_form(path)


@pytest.fixture
def checking_store(tmp_path, catalog):
    """A real store whose server-side check is the engine of `template` (as catalog.validator is for shipped forms)."""
    stores = []

    def open_with(template):
        engine = FormEngine.of(template)

        def validator(form_id, version, data, *, today=None):
            result = engine.validate(data, today=today)
            return result.data, list(result.errors)

        store = Store.open(data_dir=tmp_path / f"data{len(stores)}", validator=validator, clock=lambda: NOW)
        store.migrate()
        store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
        stores.append(store)
        return store

    yield open_with
    for store in stores:
        store.close()


def submit(store, data, attempt="a1"):
    """Submit as the system account under a shipped report's key (the store's check is the test form's)."""
    return store.submit(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", data, template_version=1,
                        attempt_id=attempt)


def stored(store):
    return store.latest(store.system_actor(), "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", submitted_only=True).data


def rows_of(view, name, rows):
    for row in rows:
        controls = view.controls[name].add_row()
        for sub, value in row.items():
            controls[sub].raw = value


# 1 -------------------------------------------------------------------------------------------
def test_a_total_over_a_repeats_calculated_column_agrees_with_the_stored_rows(form, checking_store):
    received = []
    view = FormView(form, on_submit=lambda data, attempt: received.append(data) or "Đã nộp.")
    rows_of(view, "hoat_dong", [{"ten": "Họp ấp 1", "so_tham_du": "80", "hinh_thuc": "hop"},
                                {"ten": "Họp ấp 2", "so_tham_du": "35", "hinh_thuc": "hop"},
                                {"ten": "Hội thi", "so_tham_du": "120", "hinh_thuc": "hop"}])
    assert "23,5" in view.controls["tong_diem"].input.value          # live: 8 + 3,5 + 12
    assert ">2<" in view.controls["so_dat"].input.value
    assert ">8<" in view.controls["hoat_dong"].rows[0]["diem"].input.value   # calculated cells shown live
    assert view.submit().ok
    data = received[0]
    assert [r["diem"] for r in data["hoat_dong"]] == [8.0, 3.5, 12.0] and data["tong_diem"] == 23.5
    assert [r["dat"] for r in data["hoat_dong"]] == [True, False, True] and data["so_dat"] == 2
    store = checking_store(form)
    submit(store, {"hoat_dong": [{"ten": "Họp", "so_tham_du": "80", "hinh_thuc": "hop"},
                                 {"ten": "Thi", "so_tham_du": "120", "hinh_thuc": "hop"}]})
    kept = stored(store)
    assert kept["tong_diem"] == sum(r["diem"] for r in kept["hoat_dong"]) == 20.0
    assert kept["so_dat"] == sum(1 for r in kept["hoat_dong"] if r["dat"]) == 2


# 2 -------------------------------------------------------------------------------------------
def test_min_rows_one_refuses_an_empty_table_without_required(form, checking_store):
    assert not form.field("hoat_dong").required
    view = FormView(form)
    result = view.submit()
    assert not result.ok
    assert [(e.field, e.message) for e in result.errors] == [("hoat_dong", "cần ít nhất 1 dòng")]
    assert "cần ít nhất 1 dòng" in view.controls["hoat_dong"].error.value
    store = checking_store(form)
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"so_nguoi": "3"})
    assert refused.value.errors == ["«Hoạt động»: cần ít nhất 1 dòng"]
    with pytest.raises(ValidationFailed):
        submit(store, {"hoat_dong": [{}, {"ten": ""}]}, attempt="a2")   # rows left empty are no rows


# 3 -------------------------------------------------------------------------------------------
def test_relevance_inside_repeat_rows_hides_and_shows_cells_while_typing(form, checking_store):
    view = FormView(form)
    rows_of(view, "hoat_dong", [{"ten": "Họp", "so_tham_du": "10", "hinh_thuc": "hop"},
                                {"ten": "Khác", "so_tham_du": "10"}])
    first, second = view.controls["hoat_dong"].rows
    assert first["ghi_ro"].container.layout.visibility == "hidden"
    assert second["ghi_ro"].container.layout.visibility == "hidden"   # no answer yet: not relevant
    second["hinh_thuc"].raw = "khac"
    assert second["ghi_ro"].container.layout.visibility is None        # shown at once, no submit needed
    assert first["ghi_ro"].container.layout.visibility == "hidden"
    second["ghi_ro"].raw = "Hội thi văn nghệ"
    second["hinh_thuc"].raw = "hop"
    assert second["ghi_ro"].container.layout.visibility == "hidden"
    result = view.submit()
    assert result.ok and result.data["hoat_dong"][1]["ghi_ro"] is None  # hidden cells are not kept
    store = checking_store(form)
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"hoat_dong": [{"ten": "Khác", "hinh_thuc": "khac"}]})
    assert refused.value.errors == ["«Hoạt động, dòng 1: Ghi rõ hình thức khác»: chưa nhập — đây là mục bắt buộc"]


# 4 -------------------------------------------------------------------------------------------
def test_a_constraint_without_a_message_reads_as_plain_vietnamese_naming_the_other_field(form, checking_store):
    view = FormView(form)
    view.controls["so_tiep_nhan"].raw = "5"
    view.controls["so_da_giai_quyet"].raw = "7"
    rows_of(view, "hoat_dong", [{"ten": "Họp"}])
    result = view.submit()
    assert [str(e) for e in result.errors] == [
        "«Số đơn đã giải quyết»: không được lớn hơn «Số đơn tiếp nhận»"]
    assert "so_da_giai_quyet" not in view.summary.value and "&lt;=" not in view.summary.value
    store = checking_store(form)
    with pytest.raises(ValidationFailed) as refused:
        submit(store, {"so_tiep_nhan": 5, "so_da_giai_quyet": 7, "hoat_dong": [{"ten": "Họp"}]})
    assert refused.value.errors == ["«Số đơn đã giải quyết»: không được lớn hơn «Số đơn tiếp nhận»"]


def test_a_constraint_that_cannot_be_said_plainly_needs_a_message_when_the_template_loads(tmp_path):
    path = tmp_path / "khong-noi-duoc.yaml"
    path.write_text(FORM.replace("constraint: so_da_giai_quyet <= so_tiep_nhan}",
                                 "constraint: not (so_da_giai_quyet > so_tiep_nhan)}"), encoding="utf-8")
    with pytest.raises(TemplateError) as refused:
        load_form(path)
    assert "trường 'so_da_giai_quyet' (constraint_message)" in str(refused.value)
    assert "hãy ghi constraint_message" in str(refused.value)


# 5 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed,integer,decimal,shown", [
    ("3.200", 3200, 3200.0, "= 3\u202f200"), ("1.234.567", 1234567, 1234567.0, "= 1\u202f234\u202f567"),
    ("3 200", 3200, 3200.0, "= 3\u202f200"), ("4,5", None, 4.5, "= 4,5"), ("3,200", None, 3.2, "= 3,2"),
])
def test_one_number_rule_for_integer_and_decimal_fields_with_the_reading_shown_beside_the_box(
        form, checking_store, typed, integer, decimal, shown):
    view = FormView(form)
    for name in ("so_nguoi", "kinh_phi"):
        view.controls[name].raw = typed
    assert shown in view.controls["kinh_phi"].echo.value
    if integer is not None:
        assert shown in view.controls["so_nguoi"].echo.value
    else:
        assert view.controls["so_nguoi"].echo.layout.display == "none"   # not a whole number: no reading
    rows_of(view, "hoat_dong", [{"ten": "Họp"}])
    result = view.submit()
    if integer is None:
        assert [e.field for e in result.errors] == ["so_nguoi"]
        assert "phải là số nguyên" in result.errors[0].message
        view.controls["so_nguoi"].raw = ""
        result = view.submit()
    assert result.ok and result.data["kinh_phi"] == decimal
    if integer is not None:
        assert result.data["so_nguoi"] == integer
    store = checking_store(form)
    submit(store, {"kinh_phi": typed, "hoat_dong": [{"ten": "Họp"}]})
    assert stored(store)["kinh_phi"] == decimal


def test_plain_digits_need_no_reading_beside_the_box(form):
    view = FormView(form)
    view.controls["so_nguoi"].raw = "3200"
    assert view.controls["so_nguoi"].echo.layout.display == "none"


# 6 -------------------------------------------------------------------------------------------
def test_the_2027_criteria_score_by_half_points_and_refuse_quarter_points(catalog):
    v2 = catalog.form_for("2027-tcd")
    assert v2.version == 2 and all(f.step == 0.5 for f in v2.score_fields())
    assert catalog.form_for("2026-tcd").version == 1 and all(f.step is None for f in catalog.form("tu-cham-diem", 1)
                                                             .score_fields())
    view = FormView(v2)
    for name, value in SELF_ASSESSMENT_INPUT.items():
        if name.endswith("__evidence"):
            view.controls[name.removesuffix("__evidence")].evidence_raw = value
        else:
            view.controls[name].raw = value
    view.controls["tc_2_2"].raw = "9,75"
    result = view.submit()
    assert [str(e) for e in result.errors] == [
        "«2.2. Đăng ký, xây dựng và nhân rộng mô hình “Dân vận khéo”»: chỉ nhận số chẵn theo bước 0,5 "
        "(ví dụ 9,5 hoặc 10)"]
    view.controls["tc_2_2"].raw = "9,5"
    assert view.submit().ok
    assert "bước 0,5" in view.controls["tc_2_2"].container.children[0].children[1].value


def test_the_store_refuses_a_quarter_point_on_the_2027_criteria_and_keeps_2026_as_it_was(tmp_path, catalog):
    store = Store.open(data_dir=tmp_path, validator=catalog.validator, clock=lambda: NOW)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    clean_v1 = catalog.engine("tu-cham-diem", 1).validate({**SELF_ASSESSMENT_INPUT, "tc_2_2": "9,75"}).data
    assert clean_v1 is not None and clean_v1["tc_2_2"] == 9.75         # 2026 data keeps its version's rule
    with pytest.raises(ValidationFailed) as refused:
        store.submit(store.system_actor(), "XA-AN-PHU", "tu-cham-diem", "2026-tcd", clean_v1,
                     template_version=2, attempt_id="q")
    assert any("chỉ nhận số chẵn theo bước 0,5" in e for e in refused.value.errors)
    store.submit(store.system_actor(), "XA-AN-PHU", "tu-cham-diem", "2026-tcd", clean_v1, template_version=1,
                 attempt_id="v1")
    store.close()


def test_a_step_the_maximum_cannot_reach_is_refused_when_the_template_loads(tmp_path):
    path = tmp_path / "buoc.yaml"
    path.write_text(FORM.replace("{name: kinh_phi, type: decimal,", "{name: kinh_phi, type: decimal, max: 10, "
                                 "step: 0.3,"), encoding="utf-8")
    with pytest.raises(TemplateError) as refused:
        load_form(path)
    assert "trường 'kinh_phi' (step): max 10 không chia hết cho bước 0.3" in str(refused.value)


# 7 -------------------------------------------------------------------------------------------
def test_a_score_over_its_maximum_is_flagged_when_left_and_never_counted_in_the_totals(catalog):
    view = FormView(catalog.form("tu-cham-diem", 1))
    view.controls["tc_1_1"].raw = "7"
    assert view.controls["tc_1_1"].error.layout.display == "none"      # still typing in it: no message yet
    assert "Điểm phần này: 0 / 20" in view._subtotals["nhom_1"].value
    view.controls["tc_1_2"].raw = "5"                                   # moved on: tc_1_1 was left
    assert "vượt điểm tối đa 5" in view.controls["tc_1_1"].error.value
    assert view.controls["tc_1_1"].error.layout.display is None
    assert "Điểm phần này: 5 / 20" in view._subtotals["nhom_1"].value    # 7 is not counted
    assert view.controls["tong_diem"].input.value.count(">5<") == 1
    view.controls["tc_1_1"].raw = "4"
    view.controls["tc_1_3"].raw = "1"
    assert view.controls["tc_1_1"].error.layout.display == "none"
    assert "Điểm phần này: 10 / 20" in view._subtotals["nhom_1"].value


def test_a_field_left_unreadable_or_against_its_constraint_says_so_before_any_submit(form):
    view = FormView(form)
    view.controls["so_nguoi"].raw = "ba"
    view.controls["so_tiep_nhan"].raw = "5"
    assert "phải là số nguyên" in view.controls["so_nguoi"].error.value
    view.controls["so_da_giai_quyet"].raw = "9"
    view.controls["kinh_phi"].raw = "1"
    assert "không được lớn hơn «Số đơn tiếp nhận»" in view.controls["so_da_giai_quyet"].error.value
    assert view.summary.layout.display == "none"                        # no submit yet: no summary


# 8 -------------------------------------------------------------------------------------------
def _html(widget) -> str:
    out = [getattr(widget, "value", "") if isinstance(widget, (w.HTML, w.Label)) else ""]
    out += [getattr(widget, "placeholder", "") or "", getattr(widget, "description", "") or ""]
    for child in getattr(widget, "children", ()):
        out.append(_html(child))
    return "\n".join(str(x) for x in out)


@pytest.mark.parametrize("form_id", ["bao-cao-dinh-ky", "tu-cham-diem", "dan-van-kheo"])
def test_no_file_path_reaches_a_form_page(catalog, form_id):
    text = _html(FormView(catalog.form(form_id)))
    for leak in ("templates/", ".yaml", ".py", "/work/", "version"):
        assert leak not in text, leak


def test_no_page_text_names_a_file_or_speaks_english():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                for leak in ("templates/", ".yaml", ".py", "form", "page", "the "):
                    assert leak not in text, (path.name, leak)


def test_only_the_live_form_leaves_refused_values_out_totals_of_summed_figures_keep_them(catalog):
    engine = FormEngine.of(catalog.form("tu-cham-diem", 1))
    summed = {"tc_1_1": 37.5, "tc_1_2": 40}          # 25 units' scores added up: beyond one unit's maximum
    assert engine.compute(summed).values["tong_diem"] == 77.5
    assert engine.compute(summed, live=True).values["tong_diem"] == 0
    assert engine.compute(summed, live=True).refused == {"tc_1_1": "vượt điểm tối đa 5", "tc_1_2": "vượt điểm tối đa 5"}
