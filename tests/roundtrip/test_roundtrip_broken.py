"""Broken filled workbooks: each gives the right Vietnamese message naming file, sheet and cell, and stores nothing."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from bookkit import INPUT, blank, cell_of, edit, fill, keys, patch_xml, rewrite_part
from samples import MODEL_INPUT, MODEL_ROWS, REPORT_INPUT, SELF_ASSESSMENT_INPUT
from storedump import store_contents

from danvan_kit.roundtrip import import_file, import_path

PERIODS = ("2026-6t", "2026-tcd", "2026-dvk")


@dataclass
class Case:
    path: Path
    expected: str                       # the exact line printed for the (first) problem
    options: dict[str, Any] | None = None


def _report(catalog, books, name="bao-cao.xlsx", unit="XA-AN-PHU", **changes) -> Path:
    return fill(blank(catalog, books, unit, "2026-6t", name), catalog.form_for("2026-6t"), {**REPORT_INPUT, **changes})


def wrong_unit_option(catalog, books, store) -> Case:
    return Case(_report(catalog, books), "bao-cao.xlsx › meta › ô B3 › «Mã đơn vị»: tệp của đơn vị Xã An Phú "
                "(XA-AN-PHU), không phải đơn vị XA-MINH-TAM đã chọn khi nhập", {"unit_code": "XA-MINH-TAM"})


def wrong_unit_account(catalog, books, store) -> Case:
    other = store.create_account("xa-minh-tam", role="unit", unit_code="XA-MINH-TAM", passcode="mat-khau-dai-2")
    return Case(_report(catalog, books), "bao-cao.xlsx › meta › ô B3 › «Mã đơn vị»: tệp của đơn vị Xã An Phú "
                "(XA-AN-PHU); tài khoản xa-minh-tam chỉ được nhập báo cáo của đơn vị XA-MINH-TAM", {"actor": other})


def wrong_period_option(catalog, books, store) -> Case:
    return Case(_report(catalog, books), "bao-cao.xlsx › meta › ô B5 › «Mã kỳ báo cáo»: tệp của kỳ 2026-6t (Báo cáo "
                "6 tháng đầu năm 2026), không phải kỳ 2026-nam đã chọn khi nhập", {"period_id": "2026-nam"})


def text_in_a_number(catalog, books, store) -> Case:
    path = _report(catalog, books, so_cuoc_tuyen_truyen="mười hai")
    return Case(path, f"bao-cao.xlsx › Nhập liệu › ô {cell_of(path, 'so_cuoc_tuyen_truyen')} › «Số cuộc tuyên truyền, "
                "vận động Nhân dân»: phải là số nguyên (đang nhập «mười hai»)")


def a_deleted_row(catalog, books, store) -> Case:
    path = _report(catalog, books)
    edit(path, lambda wb: wb[INPUT].delete_rows(keys(wb[INPUT])["nguoi_lap"]))
    return Case(path, "bao-cao.xlsx › Nhập liệu › «Người lập biểu»: dòng nhập mục này đã bị xoá (không thấy mã "
                "«nguoi.lap» ở cột A ẩn); hãy khôi phục dòng hoặc chép số liệu sang mẫu mới")


def a_renamed_sheet(catalog, books, store) -> Case:
    path = _report(catalog, books)
    edit(path, lambda wb: setattr(wb[INPUT], "title", "Báo cáo xã"))
    return Case(path, "bao-cao.xlsx › Nhập liệu: không tìm thấy trang «Nhập liệu» (các trang đang có: «Báo cáo xã»): "
                "trang nhập liệu đã bị đổi tên hoặc xoá — hãy đặt lại đúng tên «Nhập liệu»")


def a_formula_in_a_cell(catalog, books, store) -> Case:
    path = _report(catalog, books, so_luot_nguoi_tham_du="=12*100")
    cell = cell_of(path, "so_luot_nguoi_tham_du")
    return Case(path, f"bao-cao.xlsx › Nhập liệu › ô {cell} › «Số lượt người tham dự»: ô {cell} chứa công thức; "
                "hãy nhập giá trị (gõ số liệu, không bắt đầu bằng dấu =)")


def a_text_file_named_xlsx(catalog, books, store) -> Case:
    path = books / "bao-cao.xlsx"
    path.write_text("Số cuộc tuyên truyền: 12\n", encoding="utf-8")
    return Case(path, "bao-cao.xlsx: không phải tệp Excel (.xlsx): hãy gửi lại đúng tệp mẫu đã tải bằng "
                "danvan blank-form")


def a_word_file_named_xlsx(catalog, books, store) -> Case:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    path = books / "bao-cao.xlsx"
    path.write_bytes(buffer.getvalue())
    return Case(path, "bao-cao.xlsx: không phải tệp Excel (.xlsx): có vẻ là tệp Word (.docx) được đổi đuôi")


def an_old_xls_file(catalog, books, store) -> Case:
    path = books / "bao-cao.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    return Case(path, "bao-cao.xls: không phải tệp Excel (.xlsx): đây là tệp Excel 97–2003 (.xls) hoặc tệp có đặt "
                "mật khẩu mở; hãy bỏ mật khẩu và lưu lại dạng Sổ làm việc Excel (.xlsx)")


def a_required_cell_left_empty(catalog, books, store) -> Case:
    path = _report(catalog, books, nguoi_lap=None)
    return Case(path, f"bao-cao.xlsx › Nhập liệu › ô {cell_of(path, 'nguoi_lap')} › «Người lập biểu»: chưa nhập — đây "
                "là mục bắt buộc")


def a_choice_not_in_the_list(catalog, books, store) -> Case:
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-dvk", "mo-hinh.xlsx"), catalog.form_for("2026-dvk"),
                {**MODEL_INPUT, "linh_vuc": "Du lịch"}, {"nguon_luc": MODEL_ROWS})
    return Case(path, f"mo-hinh.xlsx › Nhập liệu › ô {cell_of(path, 'linh_vuc')} › «Lĩnh vực»: «Du lịch» không phải "
                "một lựa chọn hợp lệ")


def a_nul_in_an_evidence_note(catalog, books, store) -> Case:
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-tcd", "tu-cham.xlsx"), catalog.form_for("2026-tcd"),
                {**SELF_ASSESSMENT_INPUT, "tc_1_1__evidence": "Kế hoạch số 12 NULHERE ngày 20/01"})
    patch_xml(path, "NULHERE", "_x0000_")
    return Case(path, f"tu-cham.xlsx › Nhập liệu › ô {cell_of(path, 'tc_1_1', 'D')} › «1.1. Ban hành kế hoạch thực "
                "hiện công tác dân vận chính quyền năm, kịp thời, đúng nội dung — minh chứng»: có ký tự điều khiển "
                "không in được (ví dụ ký tự NUL) — hãy gõ lại đoạn văn bản này")


def a_date_that_does_not_exist(catalog, books, store) -> Case:
    path = _report(catalog, books, ngay_bao_cao="31/02/2026")
    return Case(path, f"bao-cao.xlsx › Nhập liệu › ô {cell_of(path, 'ngay_bao_cao')} › «Ngày báo cáo»: phải là ngày "
                "theo dạng dd/mm/yyyy (đang nhập «31/02/2026»)")


def a_missing_meta_sheet(catalog, books, store) -> Case:
    path = _report(catalog, books)
    edit(path, lambda wb: wb.remove(wb["meta"]))
    return Case(path, "bao-cao.xlsx › meta: thiếu trang «meta» (trang ẩn ghi đơn vị, kỳ báo cáo và mẫu biểu): tệp "
                "không phải mẫu tạo bằng danvan blank-form hoặc đã bị chép sang sổ khác; hãy nhập số liệu vào "
                "mẫu mới tải")


def a_template_version_not_in_the_system(catalog, books, store) -> Case:
    path = _report(catalog, books)
    edit(path, lambda wb: setattr(wb["meta"]["B8"], "value", "7"))
    return Case(path, "bao-cao.xlsx › meta › ô B8 › «Phiên bản biểu mẫu»: mẫu biểu «bao-cao-dinh-ky» phiên bản «7» "
                "không có trong hệ thống; hãy tải mẫu mới bằng danvan blank-form")


def a_unit_not_in_the_tree(catalog, books, store) -> Case:
    path = _report(catalog, books)
    edit(path, lambda wb: setattr(wb["meta"]["B3"], "value", "XA-KHONG-CO"))
    return Case(path, "bao-cao.xlsx › meta › ô B3 › «Mã đơn vị»: không có đơn vị mã «XA-KHONG-CO» trong cây tổ chức")


def a_score_above_its_maximum(catalog, books, store) -> Case:
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-tcd", "tu-cham.xlsx"), catalog.form_for("2026-tcd"),
                {**SELF_ASSESSMENT_INPUT, "tc_1_1": 6})
    return Case(path, f"tu-cham.xlsx › Nhập liệu › ô {cell_of(path, 'tc_1_1')} › «1.1. Ban hành kế hoạch thực "
                "hiện công "
                "tác dân vận chính quyền năm, kịp thời, đúng nội dung»: vượt điểm tối đa 5")


def a_table_row_missing_its_required_column_after_an_empty_row(catalog, books, store) -> Case:
    rows = [MODEL_ROWS[0], None, {"so_tien": "300"}]
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-dvk", "mo-hinh.xlsx"), catalog.form_for("2026-dvk"),
                MODEL_INPUT, {"nguon_luc": rows})
    return Case(path, f"mo-hinh.xlsx › Nhập liệu › ô {cell_of(path, 'nguon_luc[3]')} › «Nguồn lực thực hiện, dòng 3: "
                "Nguồn»: chưa nhập — đây là mục bắt buộc")


def an_excel_error_value(catalog, books, store) -> Case:
    path = _report(catalog, books, ty_le_hai_long="#DIV/0!")
    cell = cell_of(path, "ty_le_hai_long")
    return Case(path, f"bao-cao.xlsx › Nhập liệu › ô {cell} › «Tỷ lệ người dân hài lòng»: ô {cell} có giá trị lỗi "
                "#DIV/0!; hãy nhập giá trị")


def a_rule_between_two_cells(catalog, books, store) -> Case:
    path = _report(catalog, books, khieu_nai_da_giai_quyet=9)
    return Case(path, f"bao-cao.xlsx › Nhập liệu › ô {cell_of(path, 'khieu_nai_da_giai_quyet')} › «Số đơn khiếu nại đã "
                "giải quyết»: Số đơn khiếu nại đã giải quyết không được lớn hơn số đơn tiếp nhận.")


SHEET = "xl/worksheets/sheet1.xml"   # the input sheet of a blank form


def _sheet_rows(extra: bytes) -> Callable[[bytes, Any], None]:
    """A part writer that appends `extra` to the sheet's rows."""
    def write(data: bytes, out: Any) -> None:
        head, tail = data.split(b"</sheetData>")
        out.write(head + extra + b"</sheetData>" + tail)
    return write


def rows_past_the_limit(catalog, books, store) -> Case:
    extra = b"".join(b'<row r="%d"/>' % r for r in range(200, 5_300))  # empty rows: a few kilobytes only
    path = rewrite_part(_report(catalog, books, "goc.xlsx"), books / "bao-cao.xlsx", SHEET, _sheet_rows(extra))
    return Case(path, "bao-cao.xlsx: trang tính số 1 dùng quá 5.000 dòng — một mẫu nhập liệu chỉ có vài trăm dòng; "
                      "hãy xoá các dòng thừa")


def a_cell_far_to_the_right(catalog, books, store) -> Case:
    extra = b'<row r="150"><c r="XFD150" t="inlineStr"><is><t>x</t></is></c></row>'
    path = rewrite_part(_report(catalog, books, "goc.xlsx"), books / "bao-cao.xlsx", SHEET, _sheet_rows(extra))
    return Case(path, "bao-cao.xlsx: trang tính số 1 có ô XFD150 nằm ngoài cột 100 — một mẫu nhập liệu chỉ dùng vài "
                      "cột; hãy xoá các cột thừa")


def nested_xml_entities(catalog, books, store) -> Case:
    laughs = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'

    def write(data: bytes, out: Any) -> None:
        out.write(laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", data).replace(b"</sheetData>", b"<row r='150'><c r='A150' "
                                                             b"t='inlineStr'><is><t>&b;</t></is></c></row></sheetData>"))
    path = rewrite_part(_report(catalog, books, "goc.xlsx"), books / "bao-cao.xlsx", SHEET, write)
    return Case(path, "bao-cao.xlsx: tệp chứa khai báo DOCTYPE, điều không bao giờ có trong tệp Excel thật")


def a_file_over_20_mb(catalog, books, store) -> Case:
    path = books / "bao-cao.xlsx"
    with path.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: nothing to read, and the reader must not read it
    return Case(path, "bao-cao.xlsx: tệp nặng 21 MB, vượt giới hạn 20 MB của một mẫu nhập liệu")


CASES: dict[str, Callable[..., Case]] = {f.__name__: f for f in (
    wrong_unit_option, wrong_unit_account, wrong_period_option, text_in_a_number, a_deleted_row, a_renamed_sheet,
    a_formula_in_a_cell, a_text_file_named_xlsx, a_word_file_named_xlsx, an_old_xls_file, a_required_cell_left_empty,
    a_choice_not_in_the_list, a_nul_in_an_evidence_note, a_date_that_does_not_exist, a_missing_meta_sheet,
    a_template_version_not_in_the_system, a_unit_not_in_the_tree, a_score_above_its_maximum,
    a_table_row_missing_its_required_column_after_an_empty_row, an_excel_error_value, a_rule_between_two_cells,
    rows_past_the_limit, a_cell_far_to_the_right, nested_xml_entities, a_file_over_20_mb,
)}


@pytest.mark.parametrize("name", list(CASES))
def test_a_broken_workbook_names_file_sheet_cell_and_rule_and_stores_nothing(name, catalog, store, books, data_dir):
    case = CASES[name](catalog, books, store)
    before = store_contents(data_dir)
    result = import_file(catalog, store, case.path, **(case.options or {}))
    lines = [str(p) for p in result.problems]
    assert not result.ok and not result.stored
    assert lines[0] == case.expected, "\n".join(lines)
    actor = store.system_actor()
    assert all(store.submissions(actor, period) == [] for period in PERIODS)
    assert store.items(actor, "XA-AN-PHU", "dan-van-kheo", "2026-dvk") == []
    assert store_contents(data_dir) == before


def test_a_renamed_input_sheet_gives_that_one_message_and_no_missing_answers(catalog, store, books):
    case = a_renamed_sheet(catalog, books, store)
    result = import_file(catalog, store, case.path)
    assert [str(p) for p in result.problems] == [case.expected]
    assert (result.unit_code, result.period_id) == ("XA-AN-PHU", "2026-6t")


def test_a_copied_row_is_reported_with_both_row_numbers(catalog, store, books):
    path = _report(catalog, books)
    first = int(cell_of(path, "nguoi_lap")[1:])

    def copy_row(wb: Any) -> None:
        ws = wb[INPUT]
        row = ws.max_row + 2
        ws.cell(row, 1).value = "nguoi.lap"
        ws.cell(row, 3).value = "Người khác"
    edit(path, copy_row)
    result = import_file(catalog, store, path)
    copied = [str(p) for p in result.problems]
    assert len(copied) == 1 and copied[0].startswith("bao-cao.xlsx › Nhập liệu › ô A")
    assert f"trùng mã «nguoi.lap» với dòng {first}" in copied[0]
    assert store.submissions(store.system_actor(), "2026-6t") == []


def test_a_file_with_many_problems_lists_them_all_in_sheet_order(catalog, store, books):
    path = _report(catalog, books, nguoi_lap=None, so_cuoc_tuyen_truyen="mười hai", so_luot_nguoi_tham_du="=1+1",
                   de_xuat_kien_nghi="Kiến nghị 😀")
    result = import_file(catalog, store, path)
    rows = [int(p.cell[1:]) for p in result.problems]
    assert len(rows) == 4 and rows == sorted(rows)
    assert [p.field for p in result.problems] == ["nguoi_lap", "so_cuoc_tuyen_truyen", "so_luot_nguoi_tham_du",
                                                  "de_xuat_kien_nghi"]
    assert "biểu tượng cảm xúc" in result.problems[-1].message


def test_a_formula_in_a_table_cell_is_refused_at_that_cell(catalog, store, books):
    rows = [{"ngay": "15/03/2026", "noi_dung": "Hội nghị", "so_nguoi": "=40+45"}]
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t", "bao-cao.xlsx"), catalog.form_for("2026-6t"),
                REPORT_INPUT, {"hoat_dong_noi_bat": rows})
    result = import_file(catalog, store, path)
    cell = "E" + cell_of(path, "hoat_dong_noi_bat[1]")[1:]
    assert [str(p) for p in result.problems] == [
        f"bao-cao.xlsx › Nhập liệu › ô {cell} › «Các hoạt động tuyên truyền nổi bật, dòng 1: Số người tham dự»: "
        f"ô {cell} chứa công thức; hãy nhập giá trị (gõ số liệu, không bắt đầu bằng dấu =)"]


def test_a_folder_of_broken_files_stores_nothing_and_reports_each_file(catalog, store, books):
    _report(catalog, books, "a.xlsx", nguoi_lap=None)
    (books / "b.xlsx").write_text("not excel", encoding="utf-8")
    report = import_path(catalog, store, books)
    assert (report.stored, report.refused) == (0, 2)
    assert [p.file for p in report.problems] == ["a.xlsx", "b.xlsx"]
    assert store.submissions(store.system_actor(), "2026-6t") == []


# ---- bombs: small files that unpack into gigabytes or a million rows ------------------------------------------

@pytest.fixture(scope="module")
def bombs(tmp_path_factory, catalog) -> Path:
    """cell.xlsx: an 800 MB cell in about 800 KB; rows.xlsx: a million rows in about 5 MB (the issue's two files)."""
    folder = tmp_path_factory.mktemp("bombs")
    good = blank(catalog, folder, "XA-AN-PHU", "2026-6t", "goc.xlsx")  # as written: its text in sharedStrings.xml

    def huge_cell(data: bytes, out: Any) -> None:
        out.write(data.split(b"</sst>")[0] + b"<si><t>")
        chunk = b"A" * 1024 * 1024
        for _ in range(800):
            out.write(chunk)
        out.write(b"</t></si></sst>")

    def million_rows(data: bytes, out: Any) -> None:
        head, tail = data.split(b"</sheetData>")
        out.write(head)
        for start in range(1_000, 1_001_000, 10_000):
            out.write(b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r)
                               for r in range(start, start + 10_000)))
        out.write(b"</sheetData>" + tail)

    rewrite_part(good, folder / "cell.xlsx", "xl/sharedStrings.xml", huge_cell)
    rewrite_part(good, folder / "rows.xlsx", SHEET, million_rows)
    good.unlink()
    return folder


@pytest.mark.parametrize("name,expected", [
    ("cell.xlsx", "cell.xlsx: khi giải nén, phần chữ của các ô nặng 800 MB, vượt giới hạn 8 MB (một ô hoặc một "
                  "trang chứa quá nhiều dữ liệu); hãy gửi lại đúng tệp mẫu đã điền"),
    ("rows.xlsx", "rows.xlsx: khi giải nén, trang tính số 1 nặng 46 MB, vượt giới hạn 8 MB (một ô hoặc một trang "
                  "chứa quá nhiều dữ liệu); hãy gửi lại đúng tệp mẫu đã điền"),
])
def test_an_xlsx_bomb_is_refused_naming_the_file_within_2_s(bombs, name, expected, catalog, store, data_dir):
    assert (bombs / name).stat().st_size < 5 * 1024 * 1024
    before = store_contents(data_dir)
    started = time.monotonic()
    result = import_file(catalog, store, bombs / name)
    elapsed = time.monotonic() - started
    assert [str(p) for p in result.problems] == [expected]
    assert elapsed < 2.0, f"refused after {elapsed:.2f} s"
    assert store_contents(data_dir) == before


# Starts the command from a small process and writes the command's peak RSS (kB) to a file. Not
# straight from pytest: Linux counts the memory of the process a child was forked from in the child's
# ru_maxrss (recorded at exec), so a child of a large test process would report the test's size.
_PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[2:]); "
         "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
         "sys.exit(done.returncode)")


def test_danvan_import_of_the_bombs_peaks_under_200_mb_and_stores_nothing(bombs, data_dir):
    """The real command in its own process; its peak memory read from the kernel (getrusage)."""
    before = store_contents(data_dir)
    env = {k: v for k, v in os.environ.items() if k != "DANVAN_DB_URL"}
    log, peak = bombs.parent / "import.log", bombs.parent / "import.peak"
    with log.open("wb") as out:
        child = subprocess.run([sys.executable, "-c", _PEAK, str(peak), sys.executable, "-m", "danvan_kit",
                                "import", str(bombs), "--data-dir", str(data_dir)],
                               stdout=out, stderr=subprocess.STDOUT, env=env, timeout=120)
    output = log.read_text(encoding="utf-8")
    peak_mb = int(peak.read_text()) / 1024  # kilobytes on Linux
    assert child.returncode == 1, output
    assert "cell.xlsx: khi giải nén" in output and "rows.xlsx: khi giải nén" in output
    assert "2 tệp: 0 đã lưu, 2 bị từ chối" in output
    assert peak_mb < 200, f"peak {peak_mb:.0f} MB"
    assert store_contents(data_dir) == before
