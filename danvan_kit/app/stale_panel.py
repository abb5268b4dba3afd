"""The panel a window shows when another window saved the same report first.

The store refuses a write based on an older revision (never merged silently).
This panel says so, offers to load the latest revision, and then lists what
this window had typed that differs from it, so nothing is retyped blind.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping

import ipywidgets as w

from ..forms.schema import FieldSpec, FormTemplate
from ..forms.text import format_date
from ..forms.values import display_value
from ..markup import esc

__all__ = ["StalePanel", "typed_differences"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Kept in view at the bottom of the window wherever the person is in a long form; a long
# list of typed text scrolls inside the panel instead of covering the form.
_CSS = ("<style>.dv-stale { position: sticky; bottom: 0; z-index: 5; background: #fffdf5; "
        "max-height: 40vh; overflow-y: auto; box-shadow: 0 -2px 6px rgba(0,0,0,.15); }</style>")
_BOX = "background:#fff4ce;border:1px solid #c77700;padding:6px 10px;border-radius:4px;margin:0.4em 0"


def _shown(spec: FieldSpec, value: Any) -> str:
    """A typed value as text: drafts keep numbers and dates as typed, so strings stay as they are."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, str):  # typed text; a stored date is ISO, a typed one dd/mm/yyyy
        return format_date(value) if spec.type == "date" and _ISO_DATE.match(value) else value
    if spec.type == "repeat" and isinstance(value, list):
        columns = {c.name: c for c in spec.fields or []}
        rows = []
        for n, row in enumerate(value, 1):
            cells = [f"{columns[k].label}: {_shown(columns[k], v)}" for k, v in (row or {}).items()
                     if k in columns and _shown(columns[k], v)]
            rows.append(f"dòng {n} — " + "; ".join(cells))
        return " | ".join(rows)
    try:
        return display_value(spec, value)
    except (TypeError, ValueError, AttributeError):
        return str(value)


def typed_differences(template: FormTemplate, base: Mapping[str, Any], typed: Mapping[str, Any],
                      latest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field label, what this window typed) for each field it changed since `base` that the latest lacks.

    Fields the window left as it found them are not listed: offering the old text back
    would invite copying it over the other window's newer text.
    """
    out = []
    for spec in template.all_fields():
        mine = _shown(spec, typed.get(spec.name))
        if mine and mine != _shown(spec, base.get(spec.name)) and mine != _shown(spec, latest.get(spec.name)):
            out.append((spec.label, mine))
    return out


class StalePanel(w.VBox):
    """Hidden until `show(message)`; its button calls `reload()` (the page reloads the form)."""

    def __init__(self, reload: Callable[[], None]):
        self.message = w.HTML()
        self.reload_button = w.Button(description="Tải bản mới nhất", icon="refresh", button_style="warning",
                                      layout=w.Layout(width="auto"))
        self.reload_button.add_class("dv-reload-latest")
        self.reload_button.on_click(lambda _b: reload())
        self.typed = w.HTML()
        super().__init__([w.HTML(_CSS), self.message, self.reload_button, self.typed],
                         layout=w.Layout(display="none"))
        self.add_class("dv-stale")
        self.shown = False  # while True the page does not autosave (every save would be refused)

    def show(self, message: str) -> None:
        self.message.value = f'<div class="dv-stale-message" style="{_BOX}">{esc(message)}</div>'
        self.reload_button.layout.display = None
        self.typed.value = ""
        self.layout.display = None
        self.shown = True

    def show_typed(self, template: FormTemplate, base: Mapping[str, Any], typed: Mapping[str, Any],
                   latest: Mapping[str, Any]) -> None:
        """After the reload: keep what this window typed in view, field by field."""
        rows = typed_differences(template, base, typed, latest)
        self.message.value = (f'<div class="dv-stale-message" style="{_BOX}">Đã tải bản mới nhất. '
                              + ("Dưới đây là nội dung cửa sổ này đã gõ nhưng chưa được lưu: chép sang ô "
                                 "tương ứng nếu vẫn cần.</div>" if rows else
                                 "Nội dung cửa sổ này đã gõ không khác bản mới nhất.</div>"))
        items = "".join(f'<tr><th style="text-align:left;padding-right:1em;vertical-align:top">{esc(label)}</th>'
                        f'<td style="white-space:pre-wrap">{esc(value)}</td></tr>' for label, value in rows)
        self.typed.value = f'<table class="dv-typed">{items}</table>' if rows else ""
        self.reload_button.layout.display = "none"
        self.layout.display = None
        self.shown = False

    def clear(self) -> None:
        """Hide everything: a form was (re)loaded; the page shows typed text again after a reload."""
        self.message.value = self.typed.value = ""
        self.layout.display = "none"
        self.shown = False
