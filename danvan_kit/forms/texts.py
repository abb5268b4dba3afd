"""Labels, hints and notes that show other answers: "Tổng điểm tự chấm: {score_total()} — xếp loại {classify()}".

A `{…}` in a field's label or hint, or in a section's title or hint, is an expression
of the form's language (a field name, or any expression) shown with the answer it
gives, the way staff read it (1.234,5; dd/mm/yyyy; a choice's label; Có/Không), and
"…" while it has no value. `{{` and `}}` write a brace. The loader checks every
reference like any expression; the live form re-renders them as answers change; the
store's messages name a field by its rendered label; the Excel blank form, which
cannot compute, shows a referenced field by its label and an expression as "…".
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any, Callable, Mapping

from .numbers import format_number
from .schema import FieldSpec, FormTemplate
from .text import format_date

__all__ = ["references", "has_references", "render_text", "static_text", "static_copy", "shown"]

_OPEN, _CLOSE = "\x00", "\x01"
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMPTY = "…"


def _protect(text: str) -> str:
    return text.replace("{{", _OPEN).replace("}}", _CLOSE)


def _restore(text: str) -> str:
    return text.replace(_OPEN, "{").replace(_CLOSE, "}")


def references(text: str | None) -> list[str]:
    """The expressions referenced in `text` (empty for plain text)."""
    return [m.strip() for m in _PLACEHOLDER.findall(_protect(text))] if text else []


def has_references(text: str | None) -> bool:
    return bool(text) and "{" in text and bool(references(text))  # type: ignore[operator]


def shown(value: Any, spec: FieldSpec | None = None) -> str:
    """A value as staff read it inside a sentence."""
    from .values import display_value  # local: values imports schema only, but keep this module light

    if value is None or value == "" or value == []:
        return EMPTY
    if spec is not None:
        return display_value(spec, value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, date):
        return format_date(value.isoformat())
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return format_date(value)
        except ValueError:
            return value
    if isinstance(value, (list, tuple)):
        return "; ".join(shown(v) for v in value)
    return str(value)


def render_text(text: str, evaluate: Callable[[str], Any], fields: Mapping[str, FieldSpec]) -> str:
    """`text` with each `{expr}` replaced by its value (a bare field name shows like that field)."""
    if not has_references(text):
        return text

    def one(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        return shown(evaluate(expr), fields.get(expr))

    return _restore(_PLACEHOLDER.sub(one, _protect(text)))


def static_text(text: str, labels: Mapping[str, str]) -> str:
    """For a sheet that cannot compute: a referenced field as «its label», any other expression as "…"."""
    if not has_references(text):
        return text

    def one(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        return f"«{labels[expr]}»" if expr in labels else EMPTY

    return _restore(_PLACEHOLDER.sub(one, _protect(text)))


def static_copy(form: FormTemplate) -> FormTemplate:
    """A copy of `form` whose labels, hints and titles carry no reference (for the Excel blank form)."""
    bare = {f.name: _restore(_PLACEHOLDER.sub(EMPTY, _protect(f.label))) for f in form.all_fields()}
    labels = {f.name: static_text(f.label, bare) for f in form.all_fields()}

    def field(f: FieldSpec) -> FieldSpec:
        update: dict[str, Any] = {"label": static_text(f.label, labels), "hint": static_text(f.hint, labels)}
        if f.fields:
            update["fields"] = [field(sub) for sub in f.fields]
        return replace(f, **update)

    sections = [replace(s, title=static_text(s.title, labels), hint=static_text(s.hint, labels),
                        fields=[field(f) for f in s.fields]) for s in form.sections]
    return replace(form, sections=sections)
