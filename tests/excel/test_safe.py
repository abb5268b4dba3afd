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


def test_formulas_are_stored_exactly_as_xlsxwriter_itself_would_store_them(tmp_path):
    from xlsxwriter.worksheet import Worksheet

    wb = new_workbook(tmp_path / "f.xlsx")
    ws = wb.add_worksheet("F")
    plain = ['=IF(N(E12)>0,D12/E12,"")', "=SUM(D13:D3312)", '=IF(COUNT(D13:D3312)>0,AVERAGE(D13:D3312),"")',
             '=COUNTIF(E13:E40,"Có")', "=COUNTA(B13:B40)", "=AND(ISNUMBER($D13),$D13>N($E13))", "SUM(A1:A2)"]
    newer = ["=XLOOKUP(A1,B1:B9,C1:C9)", "=FILTER(A1:A9,B1:B9>0)", "=SUM(UNIQUE(A1:A9))", "=_xlfn.STDEV.S(A1:A9)",
             "{=SUM(A1:A9*B1:B9)}", '=IF(A1>0,SORT(B1:B9),"")', '=COUNTIF(A1:A9,"Yếu(x)")', "=LAMBDA(x,x+1)(2)"]
    for formula in plain + newer:
        assert ws._prepare_formula(formula) == Worksheet._prepare_formula(ws, formula), formula
    assert ws._prepare_formula("=XLOOKUP(A1,B1:B9,C1:C9)") == "_xlfn.XLOOKUP(A1,B1:B9,C1:C9)"
    ws.write_formula(0, 0, '=IF(N(B1)>0,A1/B1,"")', None, 0.5)
    wb.close()
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx")["F"]
    assert sheet["A1"].value == '=IF(N(B1)>0,A1/B1,"")'


def test_a_cell_is_written_by_its_column_kind_with_one_rule_for_tables_and_single_cells(tmp_path):
    from datetime import date, datetime
    from decimal import Decimal

    from danvan_kit.excel.page import Styles
    from danvan_kit.excel.table import cell_writer, write_value

    values = [None, "", "chữ", 3, 2.5, True, date(2026, 5, 5), datetime(2026, 11, 10, 8, 30), Decimal("1.5"), "=1+1"]
    kinds = ["int", "dec", "text", "date", "center"]
    path = tmp_path / "kinds.xlsx"
    wb = new_workbook(path)
    st = Styles(wb)
    table, single = wb.add_worksheet("bang"), wb.add_worksheet("o")
    for c, kind in enumerate(kinds):
        write = cell_writer(table, st, kind)
        for r, v in enumerate(values):
            write(r, c, v)
            write_value(single, st, r, c, kind, v)
    wb.close()
    book = openpyxl.load_workbook(path)
    got = [[cell.value for cell in row] for row in book["bang"].iter_rows(max_row=len(values), max_col=len(kinds))]
    assert got == [[cell.value for cell in row]
                   for row in book["o"].iter_rows(max_row=len(values), max_col=len(kinds))]
    by_kind = {kind: [row[c] for row in got] for c, kind in enumerate(kinds)}
    assert by_kind["int"][:5] == [None, None, "chữ", 3, 2.5] and by_kind["int"][5] == "True"
    assert by_kind["text"][3] == "3" and by_kind["text"][9] == "=1+1"    # a number in a text column stays text
    assert by_kind["date"][6] == datetime(2026, 5, 5) and by_kind["date"][7] == datetime(2026, 11, 10, 8, 30)
    assert by_kind["int"][6] == "2026-05-05" and by_kind["dec"][8] == "1.5"   # a date or Decimal elsewhere: text
    assert by_kind["center"][3] == 3
