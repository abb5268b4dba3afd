"""Labels, hints and notes that show other answers (issue 14, XLSForm feature 1), through the widgets,
the store's check, the Excel blank form and the XLSForm import."""
from __future__ import annotations

from dataclasses import asdict, replace

import openpyxl
import pytest
from samples import SELF_ASSESSMENT_INPUT

from danvan_kit.forms.loader import load_form
from danvan_kit.forms.template_error import TemplateError
from danvan_kit.roundtrip.xlsform_export import xlsform_bytes
from danvan_kit.roundtrip.xlsform_import import read_xlsform
from danvan_kit.widgets import FormView

FORM = """\
id: tham-chieu
version: 1
title: Biểu thử tham chiếu
sections:
  - name: chung
    title: "Đơn vị {ten_don_vi}"
    fields:
      - {name: ten_don_vi, type: text, label: Tên đơn vị}
      - name: loai
        type: select_one
        label: Loại đơn vị
        choices: [{value: xa, label: Xã}, {value: thi_tran, label: Thị trấn}]
      - {name: so_ho, type: integer, label: "Số hộ của {ten_don_vi} ({loai})", hint: "Năm trước: {so_ho_cu} hộ"}
      - {name: so_ho_cu, type: integer, label: Số hộ năm trước}
      - {name: ngay, type: date, label: Ngày khảo sát}
      - name: tom_tat
        type: note
        label: Tóm tắt
        hint: "{ten_don_vi}: {so_ho} hộ, tăng {so_ho - so_ho_cu} so với năm trước, ngày {ngay}"
      - {name: so_ho_ngheo, type: integer, label: "Số hộ nghèo của {ten_don_vi}", constraint: so_ho_ngheo <= so_ho}
"""


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "tham-chieu.yaml"
    path.write_text(FORM, encoding="utf-8")
    return load_form(path)


def test_labels_hints_notes_and_titles_show_the_answers_as_they_are_typed(form):
    view = FormView(form)
    note = view.controls["tom_tat"].input
    assert "…: … hộ" in note.value                      # nothing typed yet
    view.controls["ten_don_vi"].raw = "Xã An Phú"
    view.controls["loai"].raw = "xa"
    view.controls["so_ho"].raw = "1.250"
    view.controls["so_ho_cu"].raw = "1200"
    view.controls["ngay"].raw = "05/03/2026"
    assert "Xã An Phú: 1.250 hộ, tăng 50 so với năm trước, ngày 05/03/2026" in note.value
    assert "Số hộ của Xã An Phú (Xã)" in view.controls["so_ho"].error.value    # a choice shows by its label
    assert "Năm trước: 1.200 hộ" in view.controls["so_ho"].error.value
    assert "Đơn vị Xã An Phú" in view._titles["chung"][0].value
    view.controls["ten_don_vi"].raw = "<script>x</script>"
    assert "<script>" not in note.value and "&lt;script&gt;" in note.value


def test_the_store_check_names_a_field_by_its_label_as_rendered(form):
    from danvan_kit.forms.engine import FormEngine

    result = FormEngine.of(form).validate({"ten_don_vi": "Xã Tân Quan", "so_ho": "100", "so_ho_ngheo": "120"})
    assert [str(e) for e in result.errors] == [
        "«Số hộ nghèo của Xã Tân Quan»: không được lớn hơn «Số hộ của Xã Tân Quan (…)»"]


def test_a_reference_to_an_unknown_field_is_refused_when_the_template_loads(tmp_path):
    path = tmp_path / "sai.yaml"
    path.write_text(FORM.replace("Năm trước: {so_ho_cu} hộ", "Năm trước: {so_ho_nam_truoc} hộ"), encoding="utf-8")
    with pytest.raises(TemplateError) as refused:
        load_form(path)
    assert "trường 'so_ho' (hint)" in str(refused.value) and "so_ho_nam_truoc" in str(refused.value)


def test_the_2027_criteria_note_repeats_the_total_and_the_class_while_scoring(catalog):
    view = FormView(catalog.form_for("2027-tcd"))
    for name, value in SELF_ASSESSMENT_INPUT.items():
        if not name.endswith("__evidence"):
            view.controls[name].raw = value
    assert "Tổng điểm tự chấm: 87,5 / 100 — xếp loại Tốt" in view.controls["tom_tat"].input.value
    view.controls["tc_2_2"].raw = "12"                    # over its maximum: not counted
    assert "Tổng điểm tự chấm: 79,5 / 100 — xếp loại Khá" in view.controls["tom_tat"].input.value


def test_the_excel_blank_form_names_referenced_fields_by_label_and_the_xlsform_keeps_the_references(
        form, tmp_path, catalog):
    from danvan_kit.catalog.loading import Catalog
    from danvan_kit.roundtrip import blank_form_bytes

    as_report = replace(form, id="bao-cao-dinh-ky", version=9, applies_from=2026)
    test_catalog = Catalog(catalog.root, catalog.organisation, catalog.calendar, (*catalog.forms, as_report))
    path = tmp_path / "trang.xlsx"
    path.write_bytes(blank_form_bytes(test_catalog, "XA-AN-PHU", "2026-6t"))
    text = " ".join(str(c.value) for row in openpyxl.load_workbook(path)["Nhập liệu"].iter_rows() for c in row
                    if c.value)
    assert "Số hộ của «Tên đơn vị» («Loại đơn vị»)" in text and "{" not in text
    result = read_xlsform("tham-chieu.xlsx", xlsform_bytes(form))
    assert result.ok and asdict(result.form) == asdict(form)
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(xlsform_bytes(form)))["survey"]
    labels = [r[2] for r in sheet.iter_rows(values_only=True)]
    assert "Số hộ của ${ten_don_vi} (${loai})" in labels          # XLSForm's own way of writing it
