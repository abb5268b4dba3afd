"""From form fields to table columns: kinds, values as Excel wants them, and reader's checks.

Percentages are stored 0–100 in submissions and written as fractions with a
percent format. Pairs "a <= b" found in the form's constraints (settled ≤
received) get a computed percentage column and a highlight when a > b.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from ..figures.sums import is_percent
from ..forms.schema import FieldSpec
from ..forms.values import display_value
from .table import Col

__all__ = ["field_kind", "field_value", "field_col", "figure_fields"]





def field_kind(f: FieldSpec) -> str:
    if is_percent(f):
        return "pct"
    if f.type == "integer":
        return "int"
    if f.type == "decimal":
        return "dec"
    if f.type == "date":
        return "date"
    if f.type in ("yes_no",):
        return "center"
    if f.type in ("long_text", "repeat"):
        return "long"
    return "text"


def field_value(f: FieldSpec, value: Any) -> Any:
    """A stored value as a cell value: numbers stay numbers, dates become dates, the rest readable text."""
    if value is None:
        return None
    if f.is_number:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        return value / 100 if is_percent(f) else value
    if f.type == "date":
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    if f.type == "repeat":
        return "\n".join("; ".join(display_value(sub, row.get(sub.name)) for sub in f.fields or []
                                   if row.get(sub.name) not in (None, ""))
                         for row in value if isinstance(row, dict))
    if f.type == "file":
        return "; ".join(str(item.get("name", "")) for item in value if isinstance(item, dict))
    return display_value(f, value)


def _width(f: FieldSpec) -> float:
    if f.type in ("long_text", "repeat"):
        return 45
    if f.type in ("text", "select_one", "select_many"):
        return 22
    return 13


def field_col(f: FieldSpec, get_data: Callable[[Any], dict | None], *, header: str | None = None) -> Col:
    """A column showing field `f` of each row's data; numbers are summed, percentages averaged."""
    kind = field_kind(f)
    unit = f" ({f.unit})" if f.unit and not is_percent(f) else (" (%)" if is_percent(f) else "")

    def get(row: Any) -> Any:
        data = get_data(row)
        return None if data is None else field_value(f, data.get(f.name))

    total = ""
    if f.type == "integer" or (f.type == "decimal" and not is_percent(f)):
        total = "sum"
    elif is_percent(f):
        total = "value" if f.calculation else "mean"
    elif f.type == "yes_no":
        total = "count"
    return Col(header=(header or f.label) + unit, kind=kind, width=_width(f), get=get, total=total,
               count_of="Có" if f.type == "yes_no" else "")




def figure_fields(fields: list[FieldSpec]) -> list[FieldSpec]:
    """Fields shown in a figures table (no files, notes or free text that belongs to narratives)."""
    return [f for f in fields if f.type not in ("note", "file")]


