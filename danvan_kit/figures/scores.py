"""The self-assessment scoreboard of a period: each unit's totals, class and rank.

The arithmetic is `forms.scoring.Scorer`'s (the same the live form shows); this
module only picks each unit's reviewed revision and ranks the units.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..forms.engine import FormEngine
from ..forms.schema import FormTemplate
from .period import PeriodData, UnitLine
from .sums import unit_data

__all__ = ["Score", "score_line", "period_scores", "NOT_SUBMITTED"]

NOT_SUBMITTED = "Chưa nộp"


@dataclass
class Score:
    """One unit's scores: per group, self total, reviewer total (None before review), class, rank."""

    groups: dict[str, float]
    self_total: float | None
    reviewer_total: float | None
    final: float | None
    label: str
    self_label: str
    eligible: bool
    rank: int | None = None


def score_line(form: FormTemplate, line: UnitLine) -> Score:
    """A unit's Score from its latest submission and the review of that very revision."""
    data = unit_data(line)
    if data is None:
        return Score({}, None, None, None, NOT_SUBMITTED, "", False)
    entry = next(e for e in line.entries if e.data is data)
    review = entry.current_review
    adjusted = (review.adjusted_scores or None) if review is not None else None
    s = FormEngine.of(form).scorer.score(data, adjusted)
    return Score(s.groups, s.self_total, s.reviewer_total, s.final, s.label, str(data.get("xep_loai") or ""),
                 s.eligible)


def _rank(scores: list[Score]) -> None:
    """Competition ranking (1, 2, 2, 4) by final total among units that can be classed."""
    ranked = sorted((s for s in scores if s.eligible and s.final is not None), key=lambda s: -(s.final or 0))
    for i, s in enumerate(ranked):
        s.rank = ranked[i - 1].rank if i and ranked[i - 1].final == s.final else i + 1


def period_scores(data: PeriodData) -> list[Score]:
    """Every unit's Score, ranked; computed once per PeriodData."""
    if "scores" not in data.cache:
        scores = [score_line(data.form, u) for u in data.units]
        _rank(scores)
        data.cache["scores"] = scores
    return data.cache["scores"]


