"""The "Dân vận khéo" register: one row per registered model, then the models' descriptions."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook

from ..figures.period import PeriodData
from .chart_sheet import ChartSpec
from .columns import field_col, figure_fields
from .page import Heading, Styles
from .safe import SheetNames
from .table import Col, write_table

__all__ = ["write_register_sheets"]


def write_register_sheets(wb: Workbook, st: Styles, names: SheetNames, data: PeriodData,
                          charts: list[ChartSpec]) -> list[str]:
    """'Sổ đăng ký mô hình' (short fields, totals) and 'Nội dung mô hình' (long descriptions)."""
    form = data.form
    rows = [(i + 1, line, entry) for i, (line, entry) in enumerate(data.entries)]
    get = lambda r: r[2].data  # noqa: E731
    fields = figure_fields(form.all_fields())
    short = [f for f in fields if f.type not in ("long_text", "repeat")]
    long = [f for f in fields if f.type in ("long_text", "repeat")]
    base = [Col("STT", "center", 5, lambda r: r[0]), Col("Đơn vị đăng ký", "text", 26, lambda r: r[1].name)]
    written = []
    title = short[0] if short else None
    for sheet, chosen, extra in (("Sổ đăng ký mô hình Dân vận khéo", short, []),
                                 ("Nội dung mô hình Dân vận khéo", long, [title] if title else [])):
        if not chosen:
            continue
        cols = base + [field_col(f, get) for f in extra + chosen]
        name = names.add(sheet)
        ws = wb.add_worksheet(name)
        heading = Heading.of(data, sheet)
        write_table(ws, st, cols, rows, heading=heading, totals=chosen is short, freeze_col=2 + len(extra),
                    landscape=True)
        written.append(name)
    return written
