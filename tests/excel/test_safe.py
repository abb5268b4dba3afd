"""Safe writing: hostile text stays text, Excel's limits are handled instead of crashing."""
from __future__ import annotations

import openpyxl

from danvan_kit.excel.safe import (
    MAX_CELL_CHARS,
    SheetNames,
    fit_cell,
    new_workbook,
    write_text,
)

HOSTILE = ['=HYPERLINK("http://x","bấm")', "+1+1", "-2+3", "@SUM(A1)", "http://example.com", "0123",
           "1.234,5", "=1/0"]


def test_sheet_names_are_cut_to_31_characters_cleaned_and_unique_ignoring_case():
    names = SheetNames()
    got = [names.add(x) for x in ["1. Công tác tuyên truyền, vận động, triển khai văn bản", "Tổng hợp [6/2026]*?",
                                  "tổng hợp [6/2026]*?", "History", "", "'Báo cáo'", "a" * 40, "A" * 40]]
    assert all(len(n) <= 31 for n in got)
    assert not any(ch in n for n in got for ch in "[]:*?/\\")
    assert len({n.casefold() for n in got}) == len(got)
    assert got[0] == "1. Công tác tuyên truyền, vận"
    assert got[3] != "History" and got[4] == "Trang" and got[5] == "Báo cáo"


def test_a_cell_longer_than_32767_characters_is_cut_with_a_note(tmp_path):
    text = "Nội dung rất dài. " * 3000
    cut = fit_cell(text)
    assert len(cut) == MAX_CELL_CHARS and cut.endswith("bản đầy đủ ở kho dữ liệu]")
    assert "văn bản dài 54.000 ký tự, vượt giới hạn" in cut   # dots group thousands; the comma stays a comma
    assert fit_cell("ngắn") == "ngắn"
    path = tmp_path / "dai.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet(SheetNames().add("x" * 50))
    write_text(ws, 0, 0, text)
    wb.close()
    assert openpyxl.load_workbook(path).active["A1"].value == cut


def test_text_that_looks_like_formulas_links_or_numbers_reads_back_exactly(tmp_path):
    path = tmp_path / "hostile.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("Văn bản")
    for i, text in enumerate(HOSTILE):
        write_text(ws, i, 0, text)
        ws.write(i, 1, text)  # even the generic write() keeps text: the workbook options forbid conversions
    wb.close()
    back = openpyxl.load_workbook(path).active
    for i, text in enumerate(HOSTILE):
        for col in (1, 2):
            cell = back.cell(i + 1, col)
            assert cell.value == text and cell.data_type == "s" and cell.hyperlink is None
