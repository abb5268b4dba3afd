"""Write a form template as an XLSForm-style workbook that Phòng Nội vụ edits in Excel.

The sheets and columns are described in `xlsform_sheets`; `xlsform_import` reads the
same workbook back into the same template (the round trip is tested on every shipped form).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..excel.safe import new_workbook, write_text
from ..forms.bounds import parse_bound
from ..forms.schema import FieldSpec, FormTemplate, Section
from .blank import write_bytes_atomic
from .xlsform_sheets import (
    CHOICE_COLUMNS,
    CHOICES,
    CLASS_COLUMNS,
    CLASSES,
    SETTINGS,
    SETTINGS_COLUMNS,
    SURVEY,
    SURVEY_COLUMNS,
    TYPE_OUT,
    YES_NO_CHOICES,
    YES_NO_LIST,
    filter_to_xlsform,
    text_to_xlsform,
    to_xlsform,
)

__all__ = ["xlsform_bytes", "write_xlsform"]


def _number(value: float | None) -> Any:
    """5.0 -> 5 so the cell reads as staff wrote it; None stays empty."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


class _Survey:
    """The survey rows and choice lists of one template."""

    def __init__(self, form: FormTemplate):
        self.names = {f.name for f in form.all_fields()} | {
            sub.name for f in form.all_fields() for sub in f.fields or []}
        self.rows: list[dict[str, Any]] = []
        self.choices: list[tuple[str, str, str, dict[str, Any]]] = []
        self.yes_no = False
        for section in form.sections:
            self._section(section)

    def expr(self, text: str | None) -> str | None:
        return to_xlsform(text, self.names) if text else None

    def text(self, text: str | None) -> str | None:
        return text_to_xlsform(text, self.names) if text else None

    def _section(self, s: Section) -> None:
        self.rows.append({"type": "begin_group", "name": s.name, "label": self.text(s.title), "hint": self.text(s.hint),
                          "relevant": self.expr(s.relevant), "max_score": _number(s.max_score)})
        groups = {g.name: g for g in s.groups}
        open_group = None
        for f in s.fields:
            if f.group != open_group:
                if open_group is not None:
                    self.rows.append({"type": "end_group", "name": open_group})
                if f.group is not None:
                    g = groups[f.group]
                    self.rows.append({"type": "begin_group", "name": g.name, "label": self.text(g.title),
                                      "hint": self.text(g.hint), "relevant": self.expr(g.relevant)})
                open_group = f.group
            self._field(f)
        if open_group is not None:
            self.rows.append({"type": "end_group", "name": open_group})
        self.rows.append({"type": "end_group", "name": s.name})

    def _bound(self, f: FieldSpec, bound: float | str | None) -> Any:
        if isinstance(bound, str):
            return self.expr(bound) if isinstance(parse_bound(bound), str) and bound.strip().lower() != "today" \
                else bound
        return _number(bound)

    def _field(self, f: FieldSpec) -> None:
        if f.type == "repeat":
            self.rows.append({**self._common(f), "type": "begin_repeat", "min_rows": f.min_rows or None,
                              "max_rows": f.max_rows, "repeat_count": self.expr(f.repeat_count)})
            for sub in f.fields or []:
                self._field(sub)
            self.rows.append({"type": "end_repeat", "name": f.name})
            return
        kind = TYPE_OUT[f.type]
        if f.type == "yes_no":
            kind += f" {YES_NO_LIST}"
            self.yes_no = True
        elif f.choices is not None:
            kind += f" {f.name}"
            self.choices += [(f.name, c.value, c.label, c.properties) for c in f.choices]
        row = {**self._common(f), "type": kind,
               "appearance": "multiline" if f.type == "long_text" else None,
               "calculation": self.expr(f.calculation), "default": f.default,
               "unit": f.unit or None, "min": self._bound(f, f.min), "max": self._bound(f, f.max),
               "step": _number(f.step), "max_length": f.max_length, "max_score": _number(f.max_score),
               "evidence": "yes" if f.evidence else None,
               "choice_filter": filter_to_xlsform(f.choice_filter, self.names) if f.choice_filter else None}
        if f.type == "file":
            row.update({"accept": f.accept, "max_size_mb": _number(f.max_size_mb)})
        self.rows.append(row)

    def _common(self, f: FieldSpec) -> dict[str, Any]:
        return {"name": f.name, "label": self.text(f.label), "hint": self.text(f.hint),
                "required": "yes" if f.required else None, "required_message": f.required_message,
                "constraint": self.expr(f.constraint), "constraint_message": f.constraint_message,
                "relevant": self.expr(f.relevant)}


def _settings(form: FormTemplate, survey: _Survey) -> dict[str, Any]:
    scoring = form.scoring
    return {"form_id": form.id, "version": form.version, "form_title": form.title,
            "applies_from": form.applies_from, "code": form.code or None, "description": form.description or None,
            "example": "yes" if form.example else None,
            "total_max": _number(scoring.total_max) if scoring else None,
            "ineligible_when": survey.expr(scoring.ineligible_when) if scoring else None,
            "ineligible_label": scoring.ineligible_label if scoring else None}


def _sheet(book: Any, name: str, columns: tuple[str, ...], rows: list[dict[str, Any]], bold: Any) -> None:
    ws = book.add_worksheet(name)
    for col, header in enumerate(columns):
        ws.write_string(0, col, header, bold)
        ws.set_column(col, col, 40 if header in ("label", "hint", "constraint", "relevant", "calculation",
                                                 "description", "form_title") else 14)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for col, header in enumerate(columns):
            value = row.get(header)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if isinstance(value, (int, float)):
                ws.write_number(r, col, value)
            else:
                write_text(ws, r, col, str(value))  # never a formula or a link, whatever the text


def xlsform_bytes(form: FormTemplate) -> bytes:
    """The workbook of `form` (survey, choices, settings and, when it is scored, xep_loai)."""
    survey = _Survey(form)
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    bold = book.add_format({"bold": True})
    _sheet(book, SURVEY, SURVEY_COLUMNS, survey.rows, bold)
    Row = tuple[str, str, str, dict[str, Any]]
    yes_no: list[Row] = [(YES_NO_LIST, v, label, {}) for v, label in YES_NO_CHOICES] if survey.yes_no else []
    choices = yes_no + survey.choices
    keys = tuple(sorted({k for *_rest, props in choices for k in props}))
    _sheet(book, CHOICES, CHOICE_COLUMNS + keys,
           [{**dict(zip(CHOICE_COLUMNS, c[:3])), **c[3]} for c in choices], bold)
    _sheet(book, SETTINGS, SETTINGS_COLUMNS, [_settings(form, survey)], bold)
    if form.scoring:
        bands = [{"label": b.label, "from": _number(b.from_), "below": _number(b.below)}
                 for b in form.scoring.classes]
        _sheet(book, CLASSES, CLASS_COLUMNS, bands, bold)
    book.close()
    return buffer.getvalue()


def write_xlsform(form: FormTemplate, target: str | Path) -> Path:
    """Write `form`'s workbook to `target` (atomic: a temporary file renamed over it)."""
    target = Path(target)
    write_bytes_atomic(target, xlsform_bytes(form))
    return target
