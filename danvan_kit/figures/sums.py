"""Sums of a period: which sections carry figures, a unit's main data, the totals of every
number field, and calculated rates recomputed from those totals (not a mean of rates).

Percentages are stored 0–100. Pairs "a <= b" found in the form's constraints (settled ≤
received) give the part/whole rates the workbooks and reports show.
"""
from __future__ import annotations

import re
from typing import Any

__all__ = ["content_sections", "unit_data", "period_sums", "is_percent", "ratio_pairs",
           "calculated_totals"]

from ..forms.schema import FieldSpec, FormTemplate, Section
from .period import PeriodData, UnitLine

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


def period_sums(data: PeriodData) -> dict[str, Any]:
    """Sum of every plain number field over the units' main submissions (computed once per PeriodData)."""
    if "sums" in data.cache:
        return data.cache["sums"]
    sums: dict[str, Any] = {}
    data.cache["sums"] = sums
    for f in data.form.all_fields():
        if f.is_number and not is_percent(f) and not f.calculation:
            values = [d.get(f.name) for d in (unit_data(u) for u in data.units) if d]
            sums[f.name] = sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    return sums


_PAIR = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*<=\s*([a-z][a-z0-9_]*)\s*$")


def is_percent(f: FieldSpec) -> bool:
    return f.type == "decimal" and f.unit.strip() == "%"


def ratio_pairs(form: FormTemplate) -> list[tuple[str, str]]:
    """(part, whole) pairs from constraints written exactly "part <= whole" between number fields."""
    numbers = {f.name for f in form.all_fields() if f.is_number and not is_percent(f)}
    pairs = []
    for f in form.all_fields():
        m = _PAIR.match(f.constraint or "")
        if m and m.group(1) in numbers and m.group(2) in numbers:
            pairs.append((m.group(1), m.group(2)))
    return pairs


def calculated_totals(form: FormTemplate, sums: dict[str, Any]) -> dict[str, Any]:
    """Calculated fields evaluated on the summed figures (a weighted rate, not a mean of rates)."""
    from ..forms.engine import FormEngine

    state = FormEngine.of(form).compute(sums)
    return {f.name: state.values.get(f.name) for f in form.all_fields() if f.calculation and f.is_number}


