"""`danvan templates check` for the Word templates: every version of every kind is rendered
against sample data made from the forms, and any template error names the file and the tag."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..figures.period import Entry, PeriodData, UnitLine
from ..forms.schema import FieldSpec, FormTemplate
from ..forms.template_error import TemplateError
from .render import render
from .templates import WordTemplate, word_templates

__all__ = ["check_word_templates", "sample_period"]

SAMPLE_NARRATIVE = "Nội dung mẫu có {{ thẻ }} và {% if %} do người dùng gõ.\nĐoạn thứ hai."
_AT = datetime(2026, 4, 20, 9, tzinfo=timezone(timedelta(hours=7)))


def _sample(f: FieldSpec) -> Any:
    if f.calculation:
        return None
    if f.type == "integer":
        return 3
    if f.type == "decimal":
        return 90.5 if f.unit.strip() == "%" else 1.5
    if f.type == "yes_no":
        return True
    if f.type == "date":
        return "2026-04-20"
    if f.type == "select_one":
        return f.choices[0].value if f.choices else None
    if f.type == "select_many":
        return [f.choices[0].value] if f.choices else []
    if f.type == "text":
        return "Mẫu"
    if f.type == "long_text":
        return SAMPLE_NARRATIVE
    if f.type == "repeat":
        return [{s.name: _sample(s) for s in f.fields or []}]
    return None


def sample_data(form: FormTemplate) -> dict[str, Any]:
    """A plausible answer to every field of `form` (for rendering the templates, not for storing)."""
    return {f.name: v for f in form.all_fields() if (v := _sample(f)) is not None}


def sample_period(catalog: Any, period: Any) -> PeriodData:
    """A period with one unit that reported and one that did not, without a store."""
    form = catalog.form_for(period)
    units = catalog.organisation.reporting_units()[:2]
    lines = [UnitLine(units[0].code, units[0].name, None,
                      [Entry(units[0].code, "", sample_data(form), form.version, _AT, True, 0, 1)])]
    lines += [UnitLine(u.code, u.name) for u in units[1:]]
    return PeriodData(period=period, form=form, units=lines, parent="", issuer="", place=catalog.organisation.place,
                      today=date(period.year, 12, 1), forms={form.version: form})


def _period_for(catalog: Any, template: WordTemplate) -> Any:
    kind = {"thong-bao-ket-qua": "self_assessment"}.get(template.kind, "annual")
    periods = [p for p in catalog.calendar.periods if p.kind == kind]
    return min(periods, key=lambda p: (p.year < template.applies_from, abs(p.year - template.applies_from)))


def _context(catalog: Any, template: WordTemplate) -> dict[str, Any]:
    from .district_report import district_report_context
    from .notices import reminder_context, results_notice_context
    from .unit_report import unit_report_context

    period = _period_for(catalog, template)
    data = sample_period(catalog, period)
    when = data.today
    if template.kind == "bao-cao-don-vi":
        entry = data.units[0].entries[0]
        return unit_report_context(catalog, data.form, entry.data, unit_code=entry.unit_code, period=period)
    if template.kind == "thong-bao-ket-qua":
        return results_notice_context(catalog, data, when=when)
    if template.kind == "cong-van-don-doc":
        return reminder_context(catalog, data, when=when)
    return district_report_context(catalog, data, when=when)


def check_word_templates(root: str | Path | None = None) -> list[TemplateError]:
    """Every problem of templates/van-ban (empty: all render). Forms that fail to load are reported elsewhere."""
    from ..catalog.loading import load_catalog

    try:
        templates = word_templates(root)
    except TemplateError as exc:
        return [exc]
    try:
        catalog = load_catalog(root)
    except (TemplateError, OSError):
        return []  # check_templates names the broken form, organisation or calendar
    problems = []
    for template in templates:
        try:
            render(template, _context(catalog, template), io.BytesIO())
        except TemplateError as exc:
            problems.append(exc)
    return problems
