"""FormView: any template rendered as an ipywidgets form that staff fill in.

Everything a person can do in the browser is a Python call here (set a
control's `raw`, call `submit()`), so the behaviour is tested without a browser.
Callbacks receive clean data; their failures become a Vietnamese message on the
form, never a traceback (that goes to the server log).
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as w

from ..forms.engine import FieldError, FormEngine, FormState, ValidationResult
from ..forms.numbers import format_number
from ..forms.schema import FormTemplate
from ..forms.values import coerce_value
from ..markup import esc
from .criterion import CriterionControl
from .field_control import ERROR_STYLE, HINT_STYLE, FieldControl
from .repeat import RepeatControl
from .shared import fixed_layout, static_html

__all__ = ["FormView", "UserFacingError"]

log = logging.getLogger(__name__)

# Jupyter's default monospace font draws Vietnamese tone marks badly; boxes must not overflow.
STYLE = """<style>
.dv-form textarea, .dv-form input[type=text], .dv-root textarea, .dv-root input[type=text] {
  font-family: inherit; font-size: 14px; }
.dv-form .widget-textarea, .dv-form .widget-text { max-width: 100%; box-sizing: border-box; }
</style>"""

GENERIC_FAILURE = ("Chưa lưu được do lỗi hệ thống. Nội dung bạn nhập vẫn còn trên màn hình; "
                   "vui lòng bấm lại sau ít phút hoặc báo Phòng Nội vụ.")


def _title_html(title: str) -> str:
    return f'<h3 style="margin:0.8em 0 0.4em">{esc(title)}</h3>'


def _hint_html(hint: str) -> str:
    return f'<span style="{HINT_STYLE}">{esc(hint)}</span>'


class UserFacingError(Exception):
    """Raise from a callback to show its (Vietnamese) message on the form as it is.

    `field_errors` (FieldErrors, e.g. from the store's own check) are marked beside
    their fields, exactly as the form's own check marks them.
    """

    def __init__(self, message: str, field_errors: Sequence[FieldError] = ()):
        super().__init__(message)
        self.field_errors = list(field_errors)


SubmitCallback = Callable[[dict, str], "str | None"]


class FormView(w.VBox):
    """A whole form. `on_submit(clean_data, attempt_id)` may return a confirmation text.

    `on_save_draft(raw_data)` receives what was typed, even if not yet valid;
    `on_change(view)` fires on every edit (the app debounces autosave with it).
    `reviewer_scores` shows the reviewer's adjusted score beside each criterion.
    """

    def __init__(self, template: FormTemplate, data: Mapping[str, Any] | None = None, *,
                 on_submit: SubmitCallback | None = None,
                 on_save_draft: Callable[[dict], "str | None"] | None = None,
                 on_change: Callable[["FormView"], None] | None = None,
                 reviewer_scores: Mapping[str, float] | None = None,
                 review_comment: str | None = None, readonly: bool = False,
                 submit_label: str = "Nộp báo cáo"):
        self.template = template
        self.engine = FormEngine.of(template)
        self.on_submit, self.on_save_draft, self.on_change = on_submit, on_save_draft, on_change
        self._loading = False
        self._checked = False  # after the first submit attempt, errors follow every edit
        self._editing: str | None = None  # the field being typed in; it is "left" when another is edited
        self._left: set[str] = set()
        self._last_inputs: dict[str, Any] = {}
        self._busy = False
        self._attempt: tuple[str, str] | None = None
        self.last_result: ValidationResult | None = None
        self.controls: dict[str, FieldControl | RepeatControl] = {}
        self._section_boxes: dict[str, w.VBox] = {}
        self._subtotals: dict[str, w.HTML] = {}
        self._titles: dict[str, tuple[w.HTML, w.HTML | None]] = {}
        self._group_boxes: dict[str, w.VBox] = {}
        scores = dict(reviewer_scores or {})

        self.summary = w.HTML(layout=w.Layout(display="none"))
        self.status = w.HTML()
        self.review_note = w.HTML(layout=w.Layout(display="none"))
        self.submit_button = w.Button(description=submit_label, button_style="primary", icon="paper-plane",
                                      layout=w.Layout(width="auto"))
        self.draft_button = w.Button(description="Lưu nháp", icon="save", layout=w.Layout(width="auto"))
        self.submit_button.on_click(lambda _b: self.submit())
        self.draft_button.on_click(lambda _b: self.save_draft())
        self.submit_button.add_class("dv-submit")
        self.draft_button.add_class("dv-save-draft")

        sections = []
        for section in template.sections:
            title = static_html(_title_html(section.title))
            parts: list[w.Widget] = [title]
            hint = static_html(_hint_html(section.hint)) if section.hint else None
            if hint is not None:
                parts.append(hint)
            self._titles[section.name] = (title, hint)
            groups = {g.name: g for g in section.groups}
            box_of: dict[str, w.VBox] = {}
            for spec in section.fields:
                if spec.group and spec.group not in box_of:  # a group: its questions in one titled block
                    group = groups[spec.group]
                    head = [static_html(f'<h4 style="margin:0.6em 0 0.3em">{esc(group.title)}</h4>')]
                    if group.hint:
                        head.append(static_html(_hint_html(group.hint)))
                    box_of[spec.group] = self._group_boxes[spec.group] = w.VBox(
                        head, layout=w.Layout(border_left="3px solid #dde5ee", padding="0 0 0 0.8em"))
                    self._group_boxes[spec.group].add_class(f"dv-group-{spec.group}")
                    parts.append(box_of[spec.group])
                if spec.type == "repeat":
                    control: FieldControl | RepeatControl = RepeatControl(spec, self._changed)
                elif spec.max_score is not None:
                    control = CriterionControl(spec, self._changed, scores.get(spec.name))
                else:
                    control = FieldControl(spec, self._changed)
                self.controls[spec.name] = control
                if spec.group:
                    box_of[spec.group].children += (control.container,)
                else:
                    parts.append(control.container)
            if section.max_score is not None:
                self._subtotals[section.name] = static_html()
                parts.append(self._subtotals[section.name])
            box = w.VBox(parts, layout=w.Layout(border_bottom="1px solid #ddd", padding="0 0 0.5em 0"))
            box.add_class(f"dv-section-{section.name}")
            self._section_boxes[section.name] = box
            sections.append(box)

        header = [static_html(STYLE + f'<h2 style="margin:0.2em 0">{esc(template.title)}</h2>')]
        if template.code:
            header.append(static_html(f'<span style="{HINT_STYLE}">{esc(template.code)}</span>'))
        if template.example:
            header.append(static_html('<div style="background:#fff4ce;padding:4px 8px;border-radius:3px">'
                                 "Bộ tiêu chí mẫu, có thể chỉnh sửa — chưa phải tiêu chí chính thức của tỉnh.</div>"))
        if template.description:
            header.append(static_html(f'<p style="{HINT_STYLE}">{esc(template.description)}</p>'))
        actions = w.HBox([self.draft_button, self.submit_button], layout=fixed_layout(margin="1em 0"))
        super().__init__(header + [self.review_note, self.summary] + sections + [actions, self.status])
        self.add_class("dv-form")
        if review_comment:
            self.show_review_comment(review_comment)
        if data:
            self.load(data)
        else:
            self.load({f.name: f.default for f in template.all_fields() if f.default is not None})
        if readonly:
            self.set_readonly(True)

    # -- values --------------------------------------------------------
    def inputs(self) -> dict[str, Any]:
        """What was entered, as entered (uploads still carry their bytes)."""
        out: dict[str, Any] = {}
        for name, control in self.controls.items():
            spec = control.spec
            if spec.calculation or spec.type == "note":
                continue
            out[name] = control.raw
            if isinstance(control, CriterionControl) and control.evidence is not None:
                out[spec.evidence_name] = control.evidence_raw
        return out

    def raw(self) -> dict[str, Any]:
        """What was typed, JSON-ready (a draft): numbers and dates stay as typed.

        An attachment that cannot be kept (wrong kind, too large) is left out of
        the draft; submit() reports it.
        """
        out = self.inputs()
        for name, control in self.controls.items():
            if control.spec.type == "file":
                value, _err = coerce_value(control.spec, out[name])
                out[name] = value or []
        return out

    def load(self, data: Mapping[str, Any]) -> None:
        """Fill the form from stored data (a draft or a submitted revision)."""
        self._loading = True
        try:
            for name, control in self.controls.items():
                try:
                    control.raw = data.get(name)
                    if isinstance(control, CriterionControl):
                        control.evidence_raw = data.get(control.spec.evidence_name)
                except Exception:  # a stored draft must always open; one odd value stays empty
                    log.exception("could not show stored value of %s", name)
        finally:
            self._loading = False
        self._last_inputs = self.inputs()
        self.refresh()

    def refresh(self, state: FormState | None = None) -> FormState:
        """Show calculations, relevance and section subtotals (computed now unless `state` is given)."""
        state = state or self.engine.compute(self.inputs(), live=True)
        tables = {name: c for name, c in self.controls.items() if isinstance(c, RepeatControl)}
        resized = [name for name, wanted in state.row_count.items() if tables[name].follow_count(wanted)]
        if resized:  # rows came or went: their cells are part of the state
            state = self.engine.compute(self.inputs(), live=True)
        for _ in range(3):  # a filtered list may clear an answer that filters the next list
            loading, self._loading = self._loading, True
            try:
                cleared = [name for name, allowed in state.choices.items()
                           if isinstance(self.controls[name], FieldControl)
                           and self.controls[name].set_choices(allowed)]  # type: ignore[union-attr]
            finally:
                self._loading = loading
            if not cleared:
                break
            state = self.engine.compute(self.inputs(), live=True)
        for name, control in self.controls.items():
            control.set_visible(state.visible.get(name, True))
            if isinstance(control, FieldControl):
                control.show_computed(state.values.get(name))
            else:
                control.show_rows(state.rows.get(name, []), state.row_visible.get(name, []))
        for key, (label, hint) in self.engine.texts(state).items():
            if key.startswith("section:"):
                title_html, hint_html = self._titles[key.removeprefix("section:")]
                title_html.value = _title_html(label)
                if hint_html is not None:
                    hint_html.value = _hint_html(hint)
            elif key in self.controls:
                self.controls[key].set_texts(label, hint)
        for name, box in self._group_boxes.items():
            box.layout.display = None if state.group_visible.get(name, True) else "none"
        for section in self.template.sections:
            self._section_boxes[section.name].layout.display = None if state.section_visible[section.name] else "none"
            if section.name in self._subtotals:  # a score its own rule refuses is never counted
                got = sum(state.values.get(f.name) or 0 for f in section.fields
                          if f.max_score is not None and f.name not in state.refused)
                self._subtotals[section.name].value = (
                    f'<div style="text-align:right"><b>Điểm phần này: {format_number(got)} / '
                    f"{format_number(section.max_score)}</b></div>")
        return state

    def _changed(self) -> None:
        if self._loading:
            return
        inputs = self.inputs()
        self._note_left(inputs)
        state = self.engine.compute(inputs, live=True)  # once per edit: shown, and reused by the check
        self.refresh(state)
        if self._checked:
            self.validate(inputs, state)
        else:
            self.show_left_errors(state)
        if self.on_change is not None:
            try:
                self.on_change(self)
            except Exception:  # autosave must never break typing
                log.exception("on_change failed")

    def _note_left(self, inputs: Mapping[str, Any]) -> None:
        """The field whose input changed is being typed in; the one typed in before it was left
        (the kernel hears no blur event: moving on to edit another field is how leaving shows)."""
        edited = [name.split("__")[0] for name, value in inputs.items() if self._last_inputs.get(name) != value]
        self._last_inputs = dict(inputs)
        if edited and edited[0] != self._editing:
            if self._editing is not None:
                self._left.add(self._editing)
            self._editing = edited[0]

    def show_left_errors(self, state: FormState) -> None:
        """Before a submit attempt: beside each field that was left, its own rule's message (unreadable
        text, range, step, its constraint); nothing beside the field still being typed in."""
        for name, control in self.controls.items():
            message = None
            if name in self._left and state.visible.get(name, True):
                own = [e.message for e in state.errors if e.field.split("__")[0] == name]
                message = "; ".join(own) or state.refused.get(name) or state.unmet.get(name)
            control.set_error(message)

    # -- checks and actions -------------------------------------------
    def validate(self, inputs: Mapping[str, Any] | None = None, state: FormState | None = None) -> ValidationResult:
        """Check everything; show each error beside its field and a summary at the top."""
        result = self.engine.validate(self.inputs() if inputs is None else inputs, state)
        self.last_result = result
        self.show_errors(result.errors)
        return result

    def show_errors(self, errors: Sequence[FieldError]) -> None:
        """Mark each error beside its field (and row) and list them at the top; no errors clears both."""
        by_field: dict[str, str] = {}
        for err in errors:
            by_field.setdefault(err.field, err.message)
        for name, control in self.controls.items():
            messages = [by_field.get(name), by_field.get(control.spec.evidence_name)]
            control.set_error("; ".join(m for m in messages if m) or None)
            if isinstance(control, RepeatControl):
                control.set_row_errors(by_field)
        if errors:
            items = "".join(f"<li>{esc(str(e))}</li>" for e in errors[:30])
            more = f"<li>… và {len(errors) - 30} lỗi khác</li>" if len(errors) > 30 else ""
            self.summary.value = (f'<div class="dv-error-summary" style="{ERROR_STYLE};border:1px solid #b00020;'
                                  f'padding:6px 10px;border-radius:4px"><b>Còn {len(errors)} mục cần sửa '
                                  f"trước khi nộp:</b><ul style='margin:0.3em 0'>{items}{more}</ul></div>")
            self.summary.layout.display = None
        else:
            self.summary.value = ""
            self.summary.layout.display = "none"

    def attempt_id(self, data: Mapping[str, Any]) -> str:
        """The same id for the same data: a double click or a retry makes one revision.

        Clean data always lists the template's fields in the template's order, so its
        repr is a stable fingerprint (no JSON encoding on the submit path).
        """
        fingerprint = hashlib.sha256(repr(sorted(data.items())).encode("utf-8")).hexdigest()
        if self._attempt is None or self._attempt[0] != fingerprint:
            self._attempt = (fingerprint, uuid.uuid4().hex)
        return self._attempt[1]

    def submit(self) -> ValidationResult:
        """Validate; when valid, hand the clean data to `on_submit` and confirm."""
        if self._busy:
            return self.last_result or ValidationResult(None, [])
        self._busy = True
        self.submit_button.disabled = True
        try:
            self._checked = True
            result = self.validate()
            if not result.ok:
                self.set_status("Chưa nộp được: vui lòng sửa các mục được đánh dấu ⚠.", kind="error")
                return result
            assert result.data is not None  # result.ok
            message = None
            if self.on_submit is not None:
                try:
                    message = self.on_submit(result.data, self.attempt_id(result.data))
                except UserFacingError as exc:
                    if exc.field_errors:
                        self.show_errors(exc.field_errors)
                    self.set_status(str(exc), kind="error")
                    return ValidationResult(None, list(exc.field_errors) or result.errors)
                except Exception:
                    log.exception("submit failed for form %s", self.template.id)
                    self.set_status(GENERIC_FAILURE, kind="error")
                    return ValidationResult(None, result.errors)
            self.set_status(message or "Đã kiểm tra xong: biểu mẫu hợp lệ.", kind="ok")
            return result
        finally:
            self._busy = False
            self.submit_button.disabled = False

    def save_draft(self) -> dict[str, Any]:
        """Hand what was typed to `on_save_draft` (no validation: a draft may be incomplete)."""
        data = self.raw()
        if self.on_save_draft is not None:
            try:
                message = self.on_save_draft(data)
            except UserFacingError as exc:
                self.set_status(str(exc), kind="error")
                return data
            except Exception:
                log.exception("draft save failed for form %s", self.template.id)
                self.set_status(GENERIC_FAILURE, kind="error")
                return data
            self.set_status(message or "Đã lưu nháp.", kind="ok")
        return data

    # -- presentation --------------------------------------------------
    def set_status(self, text: str, kind: str = "info") -> None:
        colour = {"ok": "#1b5e20", "error": "#b00020"}.get(kind, "#333")
        self.status.value = f'<div class="dv-status dv-status-{kind}" style="color:{colour}">{esc(text)}</div>'

    def show_review_comment(self, comment: str) -> None:
        self.review_note.value = ('<div class="dv-review-comment" style="background:#fdecea;padding:6px 10px;'
                                  'border-radius:4px"><b>Phòng Nội vụ đề nghị chỉnh sửa:</b> '
                                  f"{esc(comment)}</div>")
        self.review_note.layout.display = None

    def set_readonly(self, readonly: bool) -> None:
        for control in self.controls.values():
            control.set_disabled(readonly)
        self.submit_button.layout.display = "none" if readonly else None
        self.draft_button.layout.display = "none" if readonly else None
