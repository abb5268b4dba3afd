"""Periodic report sheets: one per content area (units × figures, totals, checks) and the narratives."""
from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

from ..schema import FormTemplate, Section
from .fields import calculated_totals, field_col, figure_fields, is_percent, ratio_pairs
from .layout import Heading, Styles
from .model import PeriodData, UnitLine
from .safe import SheetNames
from .status import ChartSpec, short_status
from .table import Col, write_table

__all__ = ["write_report_sheets", "content_sections", "unit_data"]

_NUMERIC = ("integer", "decimal", "yes_no")


def content_sections(form: FormTemplate) -> list[Section]:
    """Sections carrying figures (numbers or yes/no): the plan's content areas."""
    return [s for s in form.sections if any(f.type in _NUMERIC for f in s.fields) and s.max_score is None]


def unit_data(line: UnitLine) -> dict | None:
    """The data of a unit's main (item-less) submission."""
    for e in line.entries:
        if not e.item:
            return e.data
    return line.entries[0].data if line.entries else None


def _sums(data: PeriodData) -> dict[str, Any]:
    sums: dict[str, Any] = {}
    for f in data.form.all_fields():
        if f.is_number and not is_percent(f) and not f.calculation:
            values = [d.get(f.name) for d in (unit_data(u) for u in data.units) if d]
            sums[f.name] = sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    return sums


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
    calc = calculated_totals(form, _sums(data))
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
                cols.append(Col(f"Tỷ lệ (%) {form.field(part).label[:60]} / {form.field(whole).label[:60]}",
                                "pct", 14, ratio=(index[part], index[whole])))
        name = names.add(section.title)
        ws = wb.add_worksheet(name)
        heading = Heading(data.parent, data.issuer, f"Tổng hợp: {section.title}", data.period.title,
                          form.code, data.place, data.today)
        info = write_table(ws, st, cols, rows, heading=heading, freeze_col=3)
        written.append(name)
        key = next((f for f in figures if f.type == "integer" and f.required), None) or \
            next((f for f in figures if f.type == "integer"), None)
        if key is not None and len(rows) <= 60 and not any(c.kind == "bar" for c in charts):
            c = index[key.name]
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
        heading = Heading(data.parent, data.issuer, f"Tổng hợp: {title}", data.period.title, form.code,
                          data.place, data.today)
        write_table(ws, st, cols, rows, heading=heading, totals=False, freeze_col=3, landscape=True)
        written.append(name)
    return written
