"""The unit's written report for a periodic report period, drafted from its latest submission.

Sections follow the form's content areas (the plan's section II): choices and yes/no answers as
sentences, figures in a small table, the repeated rows as a table, then the narratives; the
closing parts (kết quả, tồn tại, nguyên nhân, phương hướng, đề xuất) under their own titles.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..catalog.letterhead import letterhead
from ..figures.period import document_date
from ..figures.sums import content_sections
from ..forms.schema import FieldSpec, FormTemplate
from ..forms.values import display_value
from .render import render_bytes
from .templates import template_for
from .text import paragraphs, plain
from .wording import DIRECTIVE, bare_label, heading_context, lower_first, period_phrase, subject

__all__ = ["unit_report_context", "unit_report_bytes"]

_SENTENCE_TYPES = ("yes_no", "select_one", "select_many", "text", "date")


def _sentence(f: FieldSpec, value: Any) -> Any:
    shown = display_value(f, value)
    return plain(f"- {bare_label(f.label)}: {shown}.") if shown else None


def _repeat_table(f: FieldSpec, rows: list[dict]) -> dict[str, Any]:
    subs = list(f.fields or [])
    headers = [s.label for s in subs[:2]] + ["; ".join(s.label for s in subs[2:])]
    out = []
    for i, row in enumerate(rows, 1):
        cells = [display_value(s, row.get(s.name)) for s in subs]
        cells = (cells[:2] + ["; ".join(c for c in cells[2:] if c)] + ["", "", ""])[:3]
        out.append({"no": i, "cells": [plain(c) for c in cells]})
    return {"title": plain(f"{f.label}:"), "headers": [plain(h) for h in (headers + ["", "", ""])[:3]], "rows": out}


def _section(s: Any, data: dict) -> dict[str, Any]:
    sentences: list[Any] = []
    rows: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []
    narrative: list[Any] = []
    for f in s.fields:
        value = data.get(f.name)
        if f.is_number:
            rows.append({"no": len(rows) + 1, "label": plain(f.label), "unit": plain(f.unit),
                         "value": plain(display_value(f, value))})
        elif f.type in _SENTENCE_TYPES:
            line = _sentence(f, value)
            if line:
                sentences.append(line)
        elif f.type == "repeat" and value:
            tables.append(_repeat_table(f, value))
        elif f.type == "long_text":
            narrative += paragraphs(value)
    return {"title": plain(s.title), "sentences": sentences, "rows": rows, "tables": tables,
            "narrative": narrative}


def unit_report_context(catalog: Any, form: FormTemplate, data: dict, *, unit_code: str, period: Any,
                        submitted_at: datetime | None = None) -> dict[str, Any]:
    """Every tag of the unit report template, from one submission's data (values already `plain`)."""
    lh = letterhead(catalog.organisation, unit_code)
    figures = content_sections(form)
    closing = []
    for s in form.sections:
        if s in figures:
            continue
        for f in s.fields:
            if f.type == "long_text" and paragraphs(data.get(f.name)):
                closing.append({"title": plain(f.label), "paragraphs": paragraphs(data.get(f.name))})
    title = subject(period)
    return {
        **heading_context(lh, lh.number_line(data.get("so_ky_hieu")), document_date(data, submitted_at)),
        "subject": plain(title),
        "subject_lower": plain(lower_first(title)),
        "unit_name": plain(lh.name),
        "opening": plain(f"Thực hiện {DIRECTIVE}, {lh.name} báo cáo kết quả thực hiện công tác dân vận chính "
                         f"quyền {period_phrase(period)} như sau:"),
        "sections": [_section(s, data) for s in figures],
        "closing": closing,
    }


def unit_report_bytes(catalog: Any, revision: Any, *, unit_code: str, period: Any, root: Any = None) -> bytes:
    """The unit report of one submitted revision, rendered with the template of the period's year."""
    period = catalog.calendar.get(period) if isinstance(period, str) else period
    form = catalog.form(revision.form_id or period.form, revision.template_version)
    context = unit_report_context(catalog, form, revision.data or {}, unit_code=unit_code, period=period,
                                  submitted_at=getattr(revision, "created_at", None))
    return render_bytes(template_for("bao-cao-don-vi", period.year, root or catalog.root), context)
