"""A repeat group: a small table whose rows staff add and remove."""
from __future__ import annotations

from typing import Any, Callable

import ipywidgets as w

from ..forms.schema import FieldSpec
from ..markup import esc
from .field_control import ERROR_STYLE, HINT_STYLE, FieldControl, label_html
from .shared import fixed_layout, hidden_html, static_html

__all__ = ["RepeatControl"]


class RepeatControl:
    """Rows of compact FieldControls, one column per sub-field, with add/remove buttons."""

    def __init__(self, spec: FieldSpec, on_change: Callable[[], None] | None = None):
        self.spec = spec
        self._on_change = on_change or (lambda: None)
        self.rows: list[dict[str, FieldControl]] = []
        self._row_boxes: list[w.HBox] = []
        self.body = w.VBox()
        self.add_button = w.Button(description="+ Thêm dòng", layout=w.Layout(width="auto"))
        self.add_button.on_click(lambda _b: self.add_row())
        self.error = hidden_html()
        columns = [static_html(label_html(sub), **self._cell_css(sub)) for sub in spec.fields or []]
        header = w.HBox(columns + [static_html("", width="5em")], layout=fixed_layout(grid_gap="0.5em"))
        self.title = static_html(label_html(spec))
        self.hint = static_html(f'<span style="{HINT_STYLE}">{esc(spec.hint)}</span>')
        parts: list[w.Widget] = [self.title] + ([self.hint] if spec.hint else [])
        if spec.repeat_count:  # the rows follow a count typed elsewhere: no add button
            self.add_button.layout.display = "none"
        parts += [header, self.body, self.add_button, self.error]
        self.container = w.VBox(parts, layout=w.Layout(margin="0 0 0.8em 0"))
        self.container.add_class("dv-repeat")
        self.container.add_class(f"dv-field-{spec.name}")

    @staticmethod
    def _cell_css(sub: FieldSpec) -> dict[str, str]:
        narrow = sub.type in ("integer", "decimal", "date", "yes_no")
        return {"width": "12em" if narrow else "auto", "flex": "0 0 auto" if narrow else "1 1 0"}

    @classmethod
    def _cell_layout(cls, sub: FieldSpec) -> w.Layout:
        """A row cell's own layout (its visibility follows the row's answers)."""
        return w.Layout(**cls._cell_css(sub))

    def add_row(self, values: dict[str, Any] | None = None, notify: bool = True) -> dict[str, FieldControl]:
        """Append a row (optionally filled); refused silently past max_rows."""
        if len(self.rows) >= self.spec.max_rows:
            return {}
        controls = {sub.name: FieldControl(sub, self._on_change, compact=True) for sub in self.spec.fields or []}
        for name, control in controls.items():
            control.container.layout = self._cell_layout(control.spec)
            if values and name in values:
                control.raw = values[name]
        remove = w.Button(description="Xoá dòng", layout=w.Layout(width="5em",
                                                              display="none" if self.spec.repeat_count else None))
        box = w.HBox([c.container for c in controls.values()] + [remove], layout=fixed_layout(grid_gap="0.5em"))
        remove.on_click(lambda _b, box=box: self.remove_row(self._row_boxes.index(box)))
        self.rows.append(controls)
        self._row_boxes.append(box)
        self.body.children = tuple(self._row_boxes)
        self.add_button.disabled = len(self.rows) >= self.spec.max_rows
        if notify:
            self._on_change()
        return controls

    def remove_row(self, index: int) -> None:
        del self.rows[index]
        del self._row_boxes[index]
        self.body.children = tuple(self._row_boxes)
        self.add_button.disabled = False
        self._on_change()

    @property
    def raw(self) -> list[dict[str, Any]]:
        return [{name: c.raw for name, c in row.items() if not c.spec.calculation} for row in self.rows]

    @raw.setter
    def raw(self, rows: list[dict[str, Any]] | None) -> None:
        self.rows, self._row_boxes = [], []
        self.body.children = ()
        for values in rows or []:
            self.add_row(values, notify=False)

    def follow_count(self, wanted: int) -> bool:
        """Add or drop rows at the end so there are `wanted` (a repeat_count table); True when rows changed."""
        changed = False
        while len(self.rows) < wanted and len(self.rows) < self.spec.max_rows:
            self.add_row(notify=False)
            changed = True
        while len(self.rows) > wanted:
            del self.rows[-1]
            del self._row_boxes[-1]
            changed = True
        if changed:
            self.body.children = tuple(self._row_boxes)
        return changed

    def show_rows(self, rows: list[dict[str, Any]], shown: list[dict[str, bool]]) -> None:
        """Live state of each row (index as on screen): computed cells, and cells their relevance hides
        (kept in place, invisible, so the columns stay aligned)."""
        for index, row in enumerate(self.rows):
            values = rows[index] if index < len(rows) else {}
            visible = shown[index] if index < len(shown) else {}
            for sub, control in row.items():
                control.show_computed(values.get(sub))
                control.container.layout.visibility = None if visible.get(sub, True) else "hidden"

    def set_texts(self, label: str, hint: str) -> None:
        """Show a label and hint that reference other answers, rendered for the answers now."""
        self.title.value = label_html(self.spec, label)
        self.hint.value = f'<span style="{HINT_STYLE}">{esc(hint)}</span>'

    def set_row_errors(self, errors: dict[str, str]) -> None:
        """Errors keyed like 'name[2].sub' (rows counted from 1 among non-empty rows)."""
        filled = [i for i, row in enumerate(self.raw) if any(v not in (None, "", []) for v in row.values())]
        for index, row in enumerate(self.rows):
            number = filled.index(index) + 1 if index in filled else None
            for sub, control in row.items():
                key = f"{self.spec.name}[{number}].{sub}" if number else None
                control.set_error(errors.get(key) if key else None)

    def set_error(self, message: str | None) -> None:
        self.error.value = f'<span style="{ERROR_STYLE}">⚠ {esc(message)}</span>' if message else ""
        self.error.layout.display = None if message else "none"

    def set_visible(self, visible: bool) -> None:
        self.container.layout.display = None if visible else "none"

    def set_disabled(self, disabled: bool) -> None:
        self.add_button.disabled = disabled
        for row in self.rows:
            for control in row.values():
                control.set_disabled(disabled)
