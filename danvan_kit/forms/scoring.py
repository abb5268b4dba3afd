"""Scores of a self-assessment: the form functions, the ineligibility rule and the class.

One home for scoring: the live form, the store's check, the scoreboard in the
workbooks and the desk all call `Scorer`, which evaluates `scoring.ineligible_when`
with the same form functions that `danvan templates check` accepted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .schema import FormTemplate

__all__ = ["FORM_FUNCTIONS", "Scorer", "SubmissionScore", "as_number"]

# Functions a form's expressions may call on top of the safe builtins.
FORM_FUNCTIONS = ("score_total", "section_score", "classify", "choice_label", "option")


def as_number(value: Any) -> float | None:
    """A real number as float (bools and text are not numbers)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass
class SubmissionScore:
    """One submission's scores: per criteria group, the unit's own total, the reviewer's total
    (None before review), the final total, its class and whether the unit can be classed."""

    groups: dict[str, float]
    self_total: float
    reviewer_total: float | None
    final: float
    label: str
    eligible: bool


class Scorer:
    """The scoring of one form version; `compile` is the engine's expression cache."""

    def __init__(self, template: FormTemplate, compile: Callable[[str], Any]):
        self.template = template
        scoring = template.scoring
        self._rule = compile(scoring.ineligible_when) if scoring and scoring.ineligible_when else None
        self._groups = [s for s in template.sections if any(f.max_score is not None for f in s.fields)]

    def functions(self, values: Mapping[str, Any], visible: Mapping[str, bool] | None = None) -> dict[str, Any]:
        """score_total(), section_score(name) and classify(total) over `values` (hidden fields count 0)."""
        tpl = self.template
        shown = visible or {}

        def num(name: str) -> float:
            return (as_number(values.get(name)) or 0.0) if shown.get(name, True) else 0.0

        def score_total() -> float:
            return round(sum(num(f.name) for f in tpl.score_fields()), 6)

        def section_score(name: str) -> float:
            section = next((s for s in tpl.sections if s.name == name), None)
            if section is None:
                return 0.0
            return round(sum(num(f.name) for f in section.fields if f.max_score is not None), 6)

        functions: dict[str, Any] = {"score_total": score_total, "section_score": section_score}

        def classify(*total: float | None) -> str | None:
            """The class of `total`, or of the whole score when called as classify()."""
            if self._rule is not None and self._rule.evaluate(values, functions) is True:
                return tpl.scoring.ineligible_label if tpl.scoring else None
            return tpl.classify(total[0] if total else score_total())

        functions["classify"] = classify
        return functions

    def ineligible(self, values: Mapping[str, Any]) -> bool:
        """True when `scoring.ineligible_when` holds for these values."""
        return self._rule is not None and self._rule.evaluate(values, self.functions(values)) is True

    def score(self, data: Mapping[str, Any], adjusted: Mapping[str, float] | None = None) -> SubmissionScore:
        """Totals and class of a stored submission; reviewer-adjusted scores replace the unit's own."""
        tpl = self.template
        scored = tpl.score_fields()
        own = {f.name: as_number(data.get(f.name)) or 0.0 for f in scored}
        self_total = round(sum(own.values()), 6)
        final_values = dict(data)
        reviewer_total = None
        if adjusted:
            final_values.update({k: v for k, v in adjusted.items() if k in own})
            reviewer_total = round(sum(as_number(final_values.get(n)) or 0.0 for n in own), 6)
        final = reviewer_total if reviewer_total is not None else self_total
        ineligible = self.ineligible(final_values)
        label = (tpl.scoring.ineligible_label if ineligible and tpl.scoring else tpl.classify(final)) or ""
        groups = {s.name: round(sum(as_number(data.get(f.name)) or 0.0 for f in s.fields if f.max_score), 6)
                  for s in self._groups}
        return SubmissionScore(groups, self_total, reviewer_total, final, label, not ineligible)
