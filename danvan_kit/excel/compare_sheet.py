"""The same period last year beside this one ("So sánh cùng kỳ"), as the desk shows it.

The comparison itself is `figures.compare.year_on_year`; this only lays it out.
"""
from __future__ import annotations

from xlsxwriter.workbook import Workbook

from ..figures.compare import Compared, year_on_year
from ..figures.period import PeriodData
from .page import Heading, Styles
from .safe import SheetNames
from .table import Col, write_table

__all__ = ["write_compare_sheet", "COMPARE_SHEET"]

COMPARE_SHEET = "So sánh cùng kỳ năm trước"


def _number(value: object) -> object:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def write_compare_sheet(wb: Workbook, st: Styles, names: SheetNames, data: PeriodData) -> str | None:
    """Every indicator now, in the same period last year and the change; None when last year is not at hand."""
    if data.previous is None:
        return None
    compared = [c for c in year_on_year(data) if not c.heading]
    rows = [(i + 1, c) for i, c in enumerate(compared)]

    def item(r: tuple[int, Compared]) -> Compared:
        return r[1]

    cols = [Col("STT", "center", 5, lambda r: r[0]),
            Col("Chỉ tiêu", "text", 52, lambda r: item(r).indicator.label),
            Col("Đơn vị tính", "center", 10, lambda r: item(r).indicator.unit),
            Col(data.period.title, "dec", 14, lambda r: _number(item(r).value)),
            Col(data.previous.period.title, "dec", 14, lambda r: _number(item(r).last)),
            Col("Tăng (+), giảm (−)", "dec", 12, lambda r: _number(item(r).change))]
    name = names.add(COMPARE_SHEET)
    ws = wb.add_worksheet(name)
    write_table(ws, st, cols, rows, heading=Heading.of(data, "So sánh với cùng kỳ năm trước"), totals=False,
                freeze_col=2)
    return name
