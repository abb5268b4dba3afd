"""The same period last year ("cùng kỳ năm trước"): each indicator now, then, and the change.

One home for the comparison the desk shows and the workbooks and Word reports print.
`gather(..., with_previous=True)` reads last year's period into `PeriodData.previous`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .indicators import Indicator, compute_indicators, is_number
from .period import PeriodData

__all__ = ["Compared", "year_on_year"]


@dataclass(frozen=True)
class Compared:
    """One indicator of the period beside the same period last year."""

    indicator: Indicator
    value: Any          # this period's total (first column of the indicator)
    last: Any           # last year's, None when last year has no such indicator or no period
    change: float | None   # value - last, when both are numbers

    @property
    def heading(self) -> bool:
        return self.indicator.rule == "heading"


def _first(ind: Indicator) -> Any:
    return ind.values[0] if ind.values else None


def year_on_year(data: PeriodData) -> list[Compared]:
    """Every indicator of `data` with last year's value (from `data.previous`) and the change."""
    old: dict[str, Any] = {}
    if data.previous is not None:
        old = {i.key: _first(i) for i in compute_indicators(data.previous)}
    out = []
    for ind in compute_indicators(data):
        value, last = _first(ind), old.get(ind.key)
        change = value - last if is_number(value) and is_number(last) else None
        out.append(Compared(ind, value, last, change))
    return out
