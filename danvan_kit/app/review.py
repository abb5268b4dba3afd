"""Review by Phòng Nội vụ: read a unit's submission, adjust scores beside the unit's own, decide.

States follow ODK Central: received, needs correction (with a comment the
unit sees in its form), approved. The store records who decided and when.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as w

from ..forms.numbers import format_number, parse_decimal
from ..markup import esc
from ..widgets import FormView

__all__ = ["ReviewPanel"]

DECISIONS = {"received": "Đã tiếp nhận", "needs_correction": "Yêu cầu chỉnh sửa", "approved": "Duyệt"}
DONE_STATES = ("submitted", "needs_correction", "approved")


class ReviewPanel(w.VBox):
    """Pick a unit that has submitted, read its form, adjust scores, record a decision."""

    def __init__(self, app, account, period, on_done: Callable[[], None] | None = None, status=None):
        """`status`: the period's status rows when the caller has just read them (saves a query)."""
        from ..store import STATUS_LABELS

        self.app, self.account, self.period = app, account, period
        self.on_done = on_done or (lambda: None)
        status = status if status is not None else app.store.status(account, period.id)
        rows = [r for r in status if r.state in DONE_STATES]
        self.unit_pick = w.Dropdown(description="Đơn vị", style={"description_width": "8em"},
                                    options=[(f"{r.unit_name} — {STATUS_LABELS.get(r.state, r.state)}", r.unit_code)
                                             for r in rows], value=None, layout=w.Layout(width="40em"))
        self.item_pick = w.Dropdown(description="Mô hình", style={"description_width": "8em"},
                                    layout=w.Layout(display="none"))
        self.view_box = w.VBox()
        self.scores: dict[str, w.Text] = {}
        self.score_box = w.VBox()
        self.comment = w.Textarea(placeholder="Nhận xét gửi đơn vị (bắt buộc khi yêu cầu chỉnh sửa)",
                                  layout=w.Layout(width="98%", height="5em"))
        self.buttons = {state: w.Button(description=label, layout=w.Layout(width="auto"),
                                        button_style="success" if state == "approved" else
                                        ("warning" if state == "needs_correction" else ""))
                        for state, label in DECISIONS.items()}
        for state, button in self.buttons.items():
            button.on_click(lambda _b, state=state: self.decide(state))
            button.add_class(f"dv-review-{state}")
        self.message = w.HTML()
        self.decision_box = w.VBox([self.score_box, self.comment, w.HBox(list(self.buttons.values())), self.message],
                                   layout=w.Layout(display="none"))
        empty = w.HTML("<p>Chưa có đơn vị nào nộp trong kỳ này.</p>" if not rows else "")
        super().__init__([empty, self.unit_pick, self.item_pick, self.view_box, self.decision_box])
        self.add_class("dv-review")
        self.unit_pick.observe(lambda _c: self._unit_changed(), "value")
        self.item_pick.observe(lambda _c: self.show(), "value")

    @property
    def item(self) -> str:
        return self.item_pick.value or "" if self.period.per_item else ""

    def _unit_changed(self) -> None:
        if self.period.per_item and self.unit_pick.value:
            items = self.app.store.items(self.account, self.unit_pick.value, self.period.form, self.period.id)
            self.item_pick.options = [(f"Mô hình số {i}", i) for i in items]
            self.item_pick.layout.display = None
        self.show()

    def select(self, unit_code: str, item: str = "") -> None:
        self.unit_pick.value = unit_code
        if item:
            self.item_pick.value = item

    def show(self) -> None:
        """Load the chosen unit's latest submitted revision (read-only) and its last review."""
        unit = self.unit_pick.value
        if not unit:
            return
        key = (self.account, unit, self.period.form, self.period.id)
        revision = self.app.store.latest(*key, item=self.item, submitted_only=True)
        if revision is None:
            self.view_box.children = [w.HTML("<p>Đơn vị chưa nộp bản nào.</p>")]
            self.decision_box.layout.display = "none"
            return
        review = self.app.store.review_state(*key, item=self.item)
        template = self.template = self.app.catalog.form(self.period.form, revision.template_version)
        adjusted = (review.adjusted_scores or {}) if review else {}
        self.view_box.children = [FormView(template, data=revision.data, readonly=True, reviewer_scores=adjusted)]
        self.scores = {}
        lines = []
        for spec in template.score_fields():
            own = revision.data.get(spec.name)
            box = w.Text(value=format_number(adjusted.get(spec.name, own)), layout=w.Layout(width="6em"))
            box.add_class(f"dv-adjust-{spec.name}")
            self.scores[spec.name] = box
            lines.append(w.HBox([w.HTML(f"{esc(spec.label)} — đơn vị tự chấm <b>{format_number(own)}</b>"
                                        f" / {format_number(spec.max_score)}", layout=w.Layout(flex="1 1 auto")),
                                 box]))
        self.score_box.children = ([w.HTML("<b>Điểm thẩm định</b> (để nguyên nếu đồng ý với điểm tự chấm)")] + lines
                                   if lines else [])
        self.comment.value = review.comment if review else ""
        self.message.value = (f"Lần duyệt gần nhất: {DECISIONS.get(review.state, review.state)} bởi {review.reviewer}"
                              if review else "")
        self.decision_box.layout.display = None

    def _adjusted(self) -> tuple[dict[str, float] | None, list[str]]:
        if not self.scores:
            return None, []
        template = self.template
        values, problems = {}, []
        for name, box in self.scores.items():
            spec = template.field(name)
            try:
                value = parse_decimal(box.value)
            except ValueError:
                problems.append(f"«{spec.label}»: điểm thẩm định phải là số (đang nhập «{box.value}»)")
                continue
            if not 0 <= value <= spec.max_score:
                problems.append(f"«{spec.label}»: điểm thẩm định phải từ 0 đến {format_number(spec.max_score)}")
            values[name] = value
        return values, problems

    def decide(self, state: str) -> bool:
        """Record the decision for the shown unit; Vietnamese message either way."""
        from ..store import StoreError

        adjusted, problems = self._adjusted()
        if problems:
            self.message.value = f'<span style="color:#b00020">{"<br>".join(map(esc, problems))}</span>'
            return False
        try:
            self.app.store.review(self.account, self.unit_pick.value, self.period.form, self.period.id, state=state,
                                  comment=self.comment.value, adjusted_scores=adjusted, item=self.item)
        except StoreError as exc:
            errors = getattr(exc, "errors", None)
            text = "; ".join(errors) if errors else str(exc)
            self.message.value = f'<span style="color:#b00020">{esc(text)}</span>'
            return False
        self.message.value = f'<span class="dv-review-done" style="color:#1b5e20">Đã ghi: {DECISIONS[state]}.</span>'
        self.on_done()
        return True
