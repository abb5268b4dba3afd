"""A scored criterion row: label, maximum, self score, evidence, reviewer's score.

The reviewer's adjusted score (điểm thẩm định) is shown beside the unit's own
score and can never be typed over by the unit.
"""
from __future__ import annotations

from typing import Any, Callable

import ipywidgets as w

from ..forms.numbers import format_number
from ..forms.schema import FieldSpec
from ..markup import esc
from .field_control import HINT_STYLE, FieldControl
from .shared import fixed_layout, shared_style, static_html

__all__ = ["CriterionControl"]


class CriterionControl(FieldControl):
    """A FieldControl laid out as one line of a scoring sheet, plus an evidence note."""

    def __init__(self, spec: FieldSpec, on_change: Callable[[], None] | None = None,
                 reviewer_score: float | None = None):
        super().__init__(spec, on_change, compact=True, input_width="6em")
        self.input.placeholder = f"0–{format_number(spec.max_score)}"
        step = f"<br>bước {format_number(spec.step)}" if spec.step else ""
        self.reviewer = static_html(width="9em")
        self.set_reviewer_score(reviewer_score)
        self.label = static_html(f"{esc(spec.label)}", flex="1 1 auto")
        line = w.HBox([
            self.label,
            static_html(f'<span style="{HINT_STYLE}">tối đa {format_number(spec.max_score)}{step}</span>',
                        width="6em"),
            self.input,
            *([self.echo] if self.echo is not None else []),
            self.reviewer,
        ], layout=fixed_layout(align_items="center", width="100%"))
        parts: list[w.Widget] = [line]
        self.evidence: w.Textarea | None = None
        if spec.evidence:
            self.evidence = w.Textarea(placeholder="Minh chứng: số, ngày văn bản, tài liệu kèm theo…",
                                       layout=fixed_layout(width="98%", height="3.2em"), style=shared_style("text"))
            self.evidence.observe(lambda _c: self._on_change(), "value")
            parts.append(self.evidence)
        parts.append(self.error)
        self.container.children = parts
        self.container.add_class("dv-criterion")

    def set_texts(self, label: str, hint: str) -> None:
        self.label.value = esc(label)

    def set_reviewer_score(self, score: float | None) -> None:
        text = format_number(score) if score is not None else "—"
        self.reviewer.value = (f'<span style="{HINT_STYLE}" title="Điểm thẩm định của Phòng Nội vụ">'
                               f"Thẩm định: <b>{text}</b></span>")

    @property
    def evidence_raw(self) -> Any:
        return self.evidence.value if self.evidence is not None else None

    @evidence_raw.setter
    def evidence_raw(self, value: Any) -> None:
        if self.evidence is not None:
            self.evidence.value = "" if value is None else str(value)
