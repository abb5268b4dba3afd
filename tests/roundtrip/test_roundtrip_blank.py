"""The blank workbook: what a unit sees (locked labels, validated yellow cells) and what import relies on."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import datetime, timezone

import openpyxl
import pytest
from bookkit import INPUT, blank, fill, keys
from samples import REPORT_INPUT

from danvan_kit.roundtrip import (
    BlankFormError,
    blank_form_bytes,
    default_filename,
    import_file,
)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _book(catalog, unit="XA-AN-PHU", period="2026-6t", **kw):
    return openpyxl.load_workbook(io.BytesIO(blank_form_bytes(catalog, unit, period, **kw)))


def _validation(ws, cell):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{cell}: {len(found)} validations"
    return found[0]


@pytest.fixture(scope="module")
def report(catalog):
    return _book(catalog)


@pytest.fixture(scope="module")
def report_sheet(report):
    return report[INPUT], keys(report[INPUT])


def test_the_input_sheet_comes_first_and_the_lists_and_meta_sheets_are_hidden(report):
    assert report.sheetnames == ["Nhập liệu", "Danh sách", "meta"]
    assert [ws.sheet_state for ws in report.worksheets] == ["visible", "hidden", "veryHidden"]
    assert report.active.title == "Nhập liệu"


def test_the_meta_sheet_names_unit_period_form_and_template_version(catalog):
    wb = _book(catalog, "XA-MINH-TAM", "2026-tcd", now=datetime(2026, 10, 1, 8, tzinfo=timezone.utc))
    meta = {r[0].value: r[1].value for r in wb["meta"].iter_rows(min_row=2, max_col=2)}
    assert meta == {"format": "danvan-blank-form/1", "unit_code": "XA-MINH-TAM", "unit_name": "Xã Minh Tâm",
                    "period_id": "2026-tcd",
                    "period_title": "Tự chấm điểm, xếp loại công tác dân vận chính quyền năm 2026",
                    "form_id": "tu-cham-diem", "template_version": "1", "item": None, "input_sheet": "Nhập liệu",
                    "created": "2026-10-01T08:00:00+00:00"}
    assert wb["meta"].protection.sheet


def test_the_heading_names_the_unit_and_the_period_in_times_new_roman(report_sheet):
    ws, _ = report_sheet
    texts = [ws.cell(r, 2).value for r in range(1, 6)]
    assert "Đơn vị: Xã An Phú (mã XA-AN-PHU)" in texts
    assert "Kỳ báo cáo: Báo cáo 6 tháng đầu năm 2026 (mã 2026-6t) — hạn nộp 05/05/2026" in texts
    assert ws.cell(1, 2).font.name == "Times New Roman" and ws.cell(1, 2).font.bold


def test_labels_are_locked_inputs_unlocked_and_the_sheet_protected_without_a_password(report_sheet):
    ws, at = report_sheet
    row = at["so_cuoc_tuyen_truyen"]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.cell(row, 2).value == "Số cuộc tuyên truyền, vận động Nhân dân *"
    assert ws.cell(row, 2).protection.locked and not ws.cell(row, 3).protection.locked
    assert ws.cell(row, 4).value == "cuộc" and ws.cell(row, 4).protection.locked
    assert ws.column_dimensions["A"].hidden
    assert ws.cell(row, 3).font.name == "Times New Roman"


def test_numbers_get_whole_or_decimal_ranges_from_the_template(report_sheet):
    ws, at = report_sheet
    count = _validation(ws, f"C{at['so_cuoc_tuyen_truyen']}")
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    rate = _validation(ws, f"C{at['ty_le_hai_long']}")
    assert (rate.type, rate.operator, rate.formula1, rate.formula2) == ("decimal", None, "0", "100")  # None: between
    assert rate.error == "«Tỷ lệ người dân hài lòng»: số từ 0 đến 100."


def test_dates_text_lengths_and_yes_no_are_validated(report_sheet):
    ws, at = report_sheet
    day = _validation(ws, f"C{at['ngay_bao_cao']}")  # text, so no regional setting turns 05/04 into 4 May
    assert (day.type, day.formula1, day.formula2, day.promptTitle) == ("textLength", "8", "10", "Ngày (dd/mm/yyyy)")
    assert day.prompt == ("Ngày dạng dd/mm/yyyy, ví dụ 28/04/2026; không sau hôm nay. "  # the form's max: today
                          "Dạng dd/mm/yyyy, ví dụ 28/04/2026")
    assert day.error == "«Ngày báo cáo»: ngày dạng dd/mm/yyyy, ví dụ 28/04/2026; không sau hôm nay."
    assert ws.cell(at["ngay_bao_cao"], 3).number_format == "@"
    length = _validation(ws, f"C{at['so_ky_hieu']}")
    assert (length.type, length.operator, length.formula1) == ("textLength", "lessThanOrEqual", "60")
    yes_no = _validation(ws, f"C{at['pho_bien_chi_thi_33']}")
    assert (yes_no.type, yes_no.formula1) == ("list", '"Có,Không"')


def test_a_multiple_choice_gets_one_yes_no_row_per_option(report_sheet):
    ws, at = report_sheet
    rows = [at[f"hinh_thuc_tuyen_truyen={v}"] for v in ("hoi_nghi", "truyen_thanh", "mang_xa_hoi", "pano", "khac")]
    assert rows == list(range(rows[0], rows[0] + 5)) and rows[0] == at["hinh_thuc_tuyen_truyen"] + 1
    assert ws.cell(rows[0], 2).value == "– Hội nghị, họp dân"
    assert _validation(ws, f"C{rows[0]}").formula1 == '"Có,Không"'


def test_a_repeat_group_is_a_table_of_at_most_twenty_empty_rows_under_its_headers(report_sheet, catalog):
    ws, at = report_sheet
    rows = [k for k in at if k.startswith("hoat_dong_noi_bat[")]
    assert len(rows) == 20  # max_rows is 30: capped
    header = at["hoat_dong_noi_bat[1]"] - 1
    assert [ws.cell(header, c).value for c in range(2, 6)] == [
        "Dòng", "Ngày *", "Nội dung *", "Số người tham dự (người)"]
    first = at["hoat_dong_noi_bat[1]"]
    assert _validation(ws, f"C{first}").type == "textLength" and _validation(ws, f"E{first}").type == "whole"
    assert "cần nhiều hơn hãy nhập trên trang web" in ws.cell(at["hoat_dong_noi_bat"], 5).value


def test_calculated_and_file_fields_are_shown_locked_and_never_read(report_sheet):
    ws, at = report_sheet
    assert "tthc_ty_le_dung_han" not in at and "van_ban_da_ky" not in at
    calc = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Tỷ lệ giải quyết đúng hạn (tự tính)")
    assert ws.cell(calc, 3).value == "(tự tính)" and ws.cell(calc, 3).protection.locked
    notes = [ws.cell(r, 2).value or "" for r in range(1, 8)]
    assert any("«Bản chụp báo cáo đã ký (nếu có)»" in n and "không nộp được qua Excel" in n for n in notes)


def test_criteria_show_their_maximum_and_take_evidence_beside_the_score(catalog):
    wb = _book(catalog, period="2026-tcd")
    ws, at = wb[INPUT], keys(wb[INPUT])
    row = at["tc_2_2"]
    score = _validation(ws, f"C{row}")
    assert (score.type, score.formula1, score.formula2) == ("decimal", "0", "10")
    assert not ws.cell(row, 4).protection.locked and _validation(ws, f"D{row}").type == "textLength"
    assert ws.cell(row, 5).value.startswith("Tối đa 10 điểm.")


def test_choice_lists_live_on_the_hidden_sheet_so_long_labels_with_commas_work(catalog):
    wb = _book(catalog, period="2026-dvk")
    ws, at = wb[INPUT], keys(wb[INPUT])
    dv = _validation(ws, f"C{at['linh_vuc']}")
    assert dv.type == "list" and dv.formula1 == "'Danh sách'!$A$2:$A$8"
    assert [c.value for (c,) in wb["Danh sách"].iter_rows(min_row=2, max_col=1)] == [
        "Kinh tế", "Văn hóa – xã hội", "Quốc phòng – an ninh", "Xây dựng hệ thống chính trị",
        "Xây dựng nông thôn mới", "Cải cách hành chính", "Lĩnh vực khác"]
    first, last = (_validation(ws, f"C{at[f'nguon_luc[{i}]']}") for i in (1, 20))
    assert first.formula1 == last.formula1 == "'Danh sách'!$C$2:$C$5"  # one list column for all 20 rows
    assert "Mô hình: đánh số khi nhập vào hệ thống" in ws.cell(4, 2).value


def test_blank_form_refuses_unknown_units_periods_and_units_that_do_not_report(catalog):
    cases = {("XA-KHONG-CO", "2026-6t", ""): "không có đơn vị mã 'XA-KHONG-CO' trong cây tổ chức",
             ("UBND-HUYEN", "2026-6t", ""): "không phải đơn vị nộp báo cáo",
             ("XA-AN-PHU", "2026-9t", ""): "không có kỳ báo cáo '2026-9t'",
             ("XA-AN-PHU", "2026-6t", "2"): "kỳ 2026-6t không chia theo mô hình: bỏ --item"}
    for (unit, period, item), message in cases.items():
        with pytest.raises(BlankFormError, match=message):
            blank_form_bytes(catalog, unit, period, item=item)


def test_the_default_file_name_carries_unit_period_and_model_number():
    assert default_filename("XA-AN-PHU", "2026-6t") == "mau-nhap-lieu-XA-AN-PHU-2026-6t.xlsx"
    assert default_filename("XA-AN-PHU", "2026-dvk", "3") == "mau-nhap-lieu-XA-AN-PHU-2026-dvk-mo-hinh-3.xlsx"


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) not found: the LibreOffice re-save test was not run")
def test_a_workbook_filled_and_saved_again_by_libreoffice_still_imports(catalog, store, books, tmp_path):
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t", "bao-cao.xlsx"), catalog.form_for("2026-6t"),
                REPORT_INPUT)
    out = tmp_path / "lo"
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
                           "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    resaved = out / "bao-cao.xlsx"
    assert done.returncode == 0 and resaved.exists(), done.stderr
    result = import_file(catalog, store, resaved)
    assert result.problems == [] and result.stored


@pytest.mark.parametrize("period", ["2026-6t", "2026-tcd", "2026-dvk"])
def test_no_key_in_column_a_contains_an_underscore_that_libreoffice_could_decode(catalog, period):
    ws = _book(catalog, period=period)[INPUT]
    written = [c.value for (c,) in ws.iter_rows(min_col=1, max_col=1) if c.value]
    assert len(written) > 20 and not any("_" in key for key in written)
    assert "hinh.thuc.tuyen.truyen=mang.xa.hoi" in written or period != "2026-6t"
