"""One input control per template field, built from ipywidgets.

Numbers and dates are typed into text boxes on purpose: the browser's number and
date inputs silently drop what they cannot parse, while staff must be told
("phải là số nguyên") — and dates must read dd/mm/yyyy whatever the browser's
locale. A control exposes `raw` (what was typed) and shows its own error.
"""
from __future__ import annotations

from typing import Any, Callable

import ipywidgets as w

from ..forms.numbers import format_number, format_understood
from ..forms.schema import FieldSpec
from ..forms.text import format_date
from ..forms.values import coerce_value
from ..markup import esc
from .shared import fixed_layout, hidden_html, shared_style, static_html

__all__ = ["FieldControl", "label_html", "to_display"]

ERROR_STYLE = "color:#b00020;font-size:0.92em"
HINT_STYLE = "color:#555;font-size:0.9em"
_NUMBER_WIDTH = "12em"


def label_html(f: FieldSpec, label: str | None = None) -> str:
    star = ' <span style="color:#b00020" title="Bắt buộc">*</span>' if f.required else ""
    return f"<b>{esc(f.label if label is None else label)}</b>{star}"


def to_display(f: FieldSpec, value: Any) -> Any:
    """A stored value (clean or draft) as the text a control shows."""
    if value is None:
        return None
    if f.is_number and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    if f.type == "date" and isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return format_date(value)
        except ValueError:  # a draft keeps what was typed, e.g. "2026-13-01": show it as typed
            return value
    return value


class FieldControl:
    """The widgets of one field: label, hint, input, unit and an inline error.

    `on_change` is called with no argument whenever the person edits the value.
    """

    def __init__(self, spec: FieldSpec, on_change: Callable[[], None] | None = None, compact: bool = False,
                 input_width: str | None = None):
        self.spec = spec
        self._input_width = input_width   # a criterion's narrow box; else by type (shared layouts: set once)
        self._on_change = on_change or (lambda: None)
        self._files: list[dict] = []
        # One HTML widget carries label, hint and error: every widget costs a model in the browser.
        self._compact = compact
        self._message: str | None = None
        self._head = "" if compact else self._head_html(spec.label, spec.hint)
        self.error = static_html(self._head) if not compact else hidden_html()
        self.input = self._make_input()
        # A number box says what it understood ("= 3 200") so a misreading shows before submit.
        self.echo = hidden_html() if spec.is_number and not spec.calculation else None
        parts: list[w.Widget] = [] if compact else [self.error]
        row = [self.input] + ([self.echo] if self.echo is not None else [])
        if spec.unit and not compact:
            row.append(static_html(f'<span style="{HINT_STYLE}">{esc(spec.unit)}</span>'))
        if spec.type == "file":
            row += [self._clear, self._file_list]
        parts.append(w.HBox(row, layout=fixed_layout(align_items="center")) if len(row) > 1 else self.input)
        if compact:
            parts.append(self.error)
        self.container = w.VBox(parts, layout=w.Layout(margin="0 0 0.6em 0"))
        self.container.add_class("dv-field")
        self.container.add_class(f"dv-field-{spec.name}")

    def _head_html(self, label: str, hint: str) -> str:
        return label_html(self.spec, label) + (f'<br><span style="{HINT_STYLE}">{esc(hint)}</span>' if hint else "")

    def set_texts(self, label: str, hint: str) -> None:
        """Show a label and hint that reference other answers, rendered for the answers now."""
        if self.spec.type == "note":
            self.input.value = f'<div style="{HINT_STYLE}">{esc(hint)}</div>'
        if not self._compact:
            self._head = self._head_html(label, hint)
            self.set_error(self._message)

    # -- construction -------------------------------------------------
    def _make_input(self) -> w.Widget:
        f = self.spec
        full = fixed_layout(width=self._input_width or "98%")  # 100% plus the widget's margin overflows the page
        short = fixed_layout(width=self._input_width or _NUMBER_WIDTH)
        text_style = shared_style("text")
        if f.calculation:  # read-only: shows what the engine computed, never edited
            return static_html(self._calc_html(None))
        if f.type == "text":
            widget = w.Text(layout=full, style=text_style)
        elif f.type == "long_text":
            widget = w.Textarea(layout=fixed_layout(width="98%", height="6em"), style=text_style)
        elif f.type in ("integer", "decimal"):
            widget = w.Text(placeholder="0" if f.type == "integer" else "0,0", layout=short, style=text_style)
        elif f.type == "date":
            widget = w.Text(placeholder="dd/mm/yyyy", layout=short, style=text_style)
        elif f.type == "select_one":
            # "" (not None) for the prompt: a None value shows an empty box instead of "— Chọn —"
            options = [("— Chọn —", "")] + [(c.label, c.value) for c in f.choices or []]
            widget = w.Dropdown(options=options, value="", layout=w.Layout(width="max-content"))
        elif f.type == "select_many":
            self._checks = {c.value: w.Checkbox(description=c.label, value=False, indent=False,
                                                layout=w.Layout(width="auto"))
                            for c in f.choices or []}
            for box in self._checks.values():
                box.observe(self._changed, "value")
            return w.VBox(list(self._checks.values()))
        elif f.type == "yes_no":
            widget = w.RadioButtons(options=[("Có", True), ("Không", False)], value=None,
                                    layout=w.Layout(width="max-content"))
        elif f.type == "note":
            return static_html(f'<div style="{HINT_STYLE}">{esc(f.hint)}</div>')
        elif f.type == "file":
            widget = w.FileUpload(accept=f.accept or "", multiple=True, description="Chọn tệp")
            self._file_list = w.HTML()
            self._clear = w.Button(description="Bỏ tệp", layout=w.Layout(width="auto"))
            self._clear.on_click(lambda _b: self._clear_files())
        else:  # repeat is built by RepeatControl
            raise ValueError(f.type)
        widget.observe(self._changed, "value")
        return widget

    def _calc_html(self, value: Any) -> str:
        shown = to_display(self.spec, value)
        text = esc(str(shown)) if shown not in (None, "") else "—"
        unit = f" {esc(self.spec.unit)}" if self.spec.unit and shown not in (None, "") else ""
        return f'<span class="dv-calc" style="padding:2px 8px;background:#eef3f8;border-radius:3px">{text}{unit}</span>'

    def _show_understood(self) -> None:
        """'= 3 200' beside a number typed with a separator; nothing for plain digits or unreadable text."""
        if self.echo is None:
            return
        text = str(self.input.value or "")
        value, err = coerce_value(self.spec, text)
        shown = value is not None and err is None and any(c in text for c in ".,  \u202f")
        self.echo.value = (f'<span class="dv-understood" style="{HINT_STYLE}">= {esc(format_understood(value))}</span>'
                           if shown else "")
        self.echo.layout.display = None if shown else "none"

    def _changed(self, _change: Any = None) -> None:
        self._show_understood()
        if self.spec.type == "file" and self.input.value:
            self._files = list(self.input.value)
            self._file_list.value = self._files_html()
        self._on_change()

    def _clear_files(self) -> None:
        self._files = []
        self.input.value = ()
        self._file_list.value = ""
        self._on_change()

    def _files_html(self) -> str:
        names = ", ".join(esc(str(item.get("name", ""))) for item in self._files)
        return f'<span style="{HINT_STYLE}">{names}</span>' if names else ""

    # -- value ---------------------------------------------------------
    @property
    def raw(self) -> Any:
        """What the person entered, unparsed (strings for numbers and dates)."""
        f = self.spec
        if f.calculation or f.type == "note":
            return None
        if f.type == "select_many":
            return [v for v, box in self._checks.items() if box.value]
        if f.type == "file":
            return list(self._files)
        if f.type == "select_one":
            return self.input.value or None
        return self.input.value

    @raw.setter
    def raw(self, value: Any) -> None:
        f = self.spec
        if f.calculation or f.type == "note":
            return
        if f.type == "select_many":
            chosen = set(value or [])
            for v, box in self._checks.items():
                box.value = v in chosen
        elif f.type == "file":
            self._files = list(value or [])
            self._file_list.value = self._files_html()
        elif f.type == "select_one":
            valid = {opt[1] for opt in self.input.options}
            self.input.value = value if value in valid else ""
        elif f.type == "yes_no":
            self.input.value = value if value in (True, False) else None
        else:
            shown = to_display(f, value)
            self.input.value = "" if shown is None else str(shown)
            self._show_understood()

    def set_choices(self, allowed: list[str]) -> bool:
        """Offer only the options a choice_filter keeps; an answer no longer offered is cleared (True then)."""
        f = self.spec
        labels = {c.value: c.label for c in f.choices or []}
        if f.type == "select_one":
            options = [("— Chọn —", "")] + [(labels[v], v) for v in allowed if v in labels]
            if list(self.input.options) == options:
                return False
            before = self.input.value
            self.input.options = options
            self.input.value = before if before in allowed else ""
            return self.input.value != before
        if f.type == "select_many":
            cleared = False
            for value, box in self._checks.items():
                offered = value in allowed
                box.layout.display = None if offered else "none"
                if not offered and box.value:
                    box.value, cleared = False, True
            return cleared
        return False

    def show_computed(self, value: Any) -> None:
        if self.spec.calculation:
            self.input.value = self._calc_html(value)

    def set_error(self, message: str | None) -> None:
        self._message = message
        text = f'<span class="dv-error" style="{ERROR_STYLE}">⚠ {esc(message)}</span>' if message else ""
        if self._head:
            self.error.value = self._head + (f"<br>{text}" if text else "")
        else:
            self.error.value = text
            self.error.layout.display = None if message else "none"

    def set_visible(self, visible: bool) -> None:
        self.container.layout.display = None if visible else "none"

    def set_disabled(self, disabled: bool) -> None:
        widgets = [*self._checks.values()] if self.spec.type == "select_many" else [self.input]
        if self.spec.type == "file":
            widgets.append(self._clear)
        for widget in widgets:
            if hasattr(widget, "disabled"):
                widget.disabled = disabled
