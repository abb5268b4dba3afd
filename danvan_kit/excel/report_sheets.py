"""Periodic report sheets: one per content area (units × figures, totals, checks) and the narratives."""
from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

from ..figures.deadlines import short_status
from ..figures.period import PeriodData
from ..figures.sums import (
    calculated_totals,
    content_sections,
    period_sums,
    ratio_pairs,
    unit_data,
)
from .chart_sheet import MAX_BARS, ChartSpec
from .columns import field_col, figure_fields
from .page import Heading, Styles
from .safe import SheetNames
from .table import Col, write_table

__all__ = ["write_report_sheets", "content_sections", "unit_data"]









def _base_cols() -> list[Col]:
    return [Col("STT", "center", 5, lambda r: r[0]),
            Col("Đơn vị", "text", 30, lambda r: r[1].name),
            Col("Tình trạng", "center", 12, lambda r: short_status(r[1]))]


def write_report_sheets(wb: Workbook, st: Styles, names: SheetNames, data: PeriodData,
                        charts: list[ChartSpec]) -> list[str]:
    """One sheet per content area, then the narratives; returns the sheet names."""
    form = data.form
    rows = [(i + 1, line) for i, line in enumerate(data.units)]
    get = lambda r: unit_data(r[1])  # noqa: E731
    pairs = ratio_pairs(form)
    calc = calculated_totals(form, period_sums(data))
    written, area_texts = [], []
    for section in content_sections(form):
        figures = [f for f in figure_fields(section.fields) if f.type not in ("long_text", "repeat")]
        area_texts += [f for f in section.fields if f.type in ("long_text", "repeat")]
        cols = _base_cols()
        index: dict[str, int] = {}
        for f in figures:
            col = field_col(f, get)
            if col.total == "value":
                v = calc.get(f.name)
                col.total_value = v / 100 if isinstance(v, (int, float)) else ""
            index[f.name] = len(cols)
            cols.append(col)
        for part, whole in pairs:
            if part in index and whole in index:
                cols[index[part]].warn_over = index[whole]
                cols.append(Col(f"Tỷ lệ (%) {form.field(part).label} / {form.field(whole).label}",
                                "pct", 16, ratio=(index[part], index[whole])))
        name = names.add(section.title)
        ws = wb.add_worksheet(name)
        heading = Heading.of(data, f"Tổng hợp: {section.title}")
        info = write_table(ws, st, cols, rows, heading=heading, freeze_col=3)
        written.append(name)
        key = next((f for f in figures if f.type == "integer" and f.required), None) or \
            next((f for f in figures if f.type == "integer"), None)
        if key is not None and len(rows) <= MAX_BARS and not any(c.kind == "bar" for c in charts):
            c = info.col(index[key.name])
            charts.append(ChartSpec(f"{key.label} ({key.unit})" if key.unit else key.label, name,
                                    (info.first_row, 1, info.last_row, 1), (info.first_row, c, info.last_row, c),
                                    kind="bar", y_title=key.unit))
    written += _narratives(wb, st, names, data, rows, get, area_texts)
    return written


def _narratives(wb: Workbook, st: Styles, names: SheetNames, data: PeriodData, rows: list, get: Any,
                area_texts: list) -> list[str]:
    form = data.form
    content = {s.name for s in content_sections(form)}
    general = [f for s in form.sections if s.name not in content and s.max_score is None
               for f in s.fields if f.type == "long_text"]
    written = []
    for title, fields in (("Đánh giá chung, phương hướng, kiến nghị", general),
                          ("Kết quả từng lĩnh vực", area_texts)):
        if not fields:
            continue
        cols = _base_cols() + [field_col(f, get) for f in fields]
        for c in cols[3:]:
            c.width = 48 if len(fields) <= 3 else 40
        name = names.add(title)
        ws = wb.add_worksheet(name)
        heading = Heading.of(data, f"Tổng hợp: {title}")
        write_table(ws, st, cols, rows, heading=heading, totals=False, freeze_col=3, landscape=True)
        written.append(name)
    return written
