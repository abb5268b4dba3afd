"""The "Phụ lục" sheet: texts too long for a printed cell, each whole, over as many rows as it needs.

A table cell prints at most one row of 409 pt; `table.write_table` keeps the start of a longer
text in its cell, says where the rest is, and collects the whole text in `Styles.appendix`.
"""
from __future__ import annotations

from xlsxwriter.workbook import Workbook

from .page import Heading, Styles, write_heading
from .print_rule import LINE_HEIGHT, PrintPlan, apply_print, fit_height, split_text, text_lines
from .safe import SheetNames, write_text
from .table import APPENDIX_SHEET

__all__ = ["write_appendix_sheet"]

_WIDTHS = [32.0, 48.0]   # 488 pt, portrait A4 at full size; two columns for the heading's two halves
_WIDTH = sum(_WIDTHS)
_PLAN = PrintPlan(False, 100, ((0, 1),), 0)


def write_appendix_sheet(wb: Workbook, st: Styles, names: SheetNames, heading: Heading) -> str | None:
    """Write every collected text under its number; None when nothing was too long."""
    if not st.appendix:
        return None
    name = names.add(APPENDIX_SHEET)
    ws = wb.add_worksheet(name)
    for c, w in enumerate(_WIDTHS):
        ws.set_column(c, c, w)
    row = write_heading(ws, st, heading, _WIDTHS)
    keep = []
    for title, text in st.appendix:
        ws.merge_range(row, 0, row, 1, "", st["section"])
        write_text(ws, row, 0, title, st["section"])
        height = fit_height(title, _WIDTH * 0.9)
        if height:
            ws.set_row(row, height)
        keep.append((row, row + 1))   # a title never ends a page
        row += 1
        for piece in split_text(text, _WIDTH):
            ws.merge_range(row, 0, row, 1, "", st["long"])
            write_text(ws, row, 0, piece, st["long"])
            ws.set_row(row, LINE_HEIGHT * text_lines(piece, _WIDTH))
            row += 1
        row += 1
    apply_print(ws, _PLAN, header=None, last_row=row, ncols=2, keep=keep)
    return name
