"""The period figures: one period read from the store once (`gather`), and what is computed from
it — sums, scores, on-time status, indicators and the same period last year.

Computed once per period and shared by the Excel writer, the desk and `analysis.frames`;
nothing here imports an Excel or Word library.
"""
from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "PeriodData": "period", "UnitLine": "period", "Entry": "period", "gather": "period",
    "Indicator": "indicators", "compute_indicators": "indicators",
    "Score": "scores", "period_scores": "scores",
    "period_sums": "sums", "unit_data": "sums",
    "Compared": "compare", "year_on_year": "compare",
    "deadline_label": "deadlines", "short_status": "deadlines",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
