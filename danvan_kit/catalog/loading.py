"""Everything under templates/: the organisation tree, the calendar and the forms.

The catalog is what the store loads on `danvan init`, what the app renders, and
what `danvan templates check` validates before an edited template goes live.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from ..forms.engine import FormEngine
from ..forms.loader import load_form
from ..forms.schema import FormTemplate
from ..forms.template_error import TemplateError
from ..settings import templates_root
from .calendar import Calendar, Period, load_calendar
from .organisation import Organisation, load_organisation

__all__ = ["Catalog", "load_catalog", "check_templates", "templates_root", "DEFAULT_ORG"]

DEFAULT_ORG = "hon-quan-2023.yaml"


def _org_path(root: Path, org: str | Path | None) -> Path:
    org = org or os.environ.get("DANVAN_ORG")
    if org:
        path = Path(org)
        return path if path.exists() or path.is_absolute() else root / "organisation" / path
    return root / "organisation" / DEFAULT_ORG


@dataclass(frozen=True)
class Catalog:
    """The loaded templates; forms are kept in every version."""

    root: Path
    organisation: Organisation
    calendar: Calendar
    forms: tuple[FormTemplate, ...]

    def form(self, form_id: str, version: int | None = None) -> FormTemplate:
        """A form by id (latest version unless `version` is given); KeyError if unknown."""
        matches = [f for f in self.forms if f.id == form_id and (version is None or f.version == version)]
        if not matches:
            raise KeyError(f"{form_id}@{version}" if version else form_id)
        return max(matches, key=lambda f: f.version)

    def form_for(self, period: Period | str) -> FormTemplate:
        """The form version a period uses: the newest whose applies_from <= the period's year."""
        if isinstance(period, str):
            period = self.calendar.get(period)
        usable = [f for f in self.forms if f.id == period.form and (f.applies_from or 0) <= period.year]
        if not usable:
            raise KeyError(f"không có biểu mẫu {period.form!r} dùng cho năm {period.year}")
        return max(usable, key=lambda f: ((f.applies_from or 0), f.version))

    def engine(self, form_id: str, version: int | None = None) -> FormEngine:
        """The one compiled engine of a form version (shared by the page, the store and the import)."""
        return FormEngine.of(self.form(form_id, version))

    def validator(self, form_id: str, version: int, data: Mapping[str, Any], *,
                  today: date | None = None) -> tuple[dict | None, list[Any]]:
        """The store's server-side check: (clean data, []) or (None, FieldErrors naming each field).

        `today` is the store's own day (its clock), what a date bound `today` means.
        """
        try:
            engine = self.engine(form_id, version)
        except KeyError:
            return None, [f"Không có biểu mẫu {form_id} phiên bản {version}."]
        result = engine.validate(data, today=today)
        return result.data, list(result.errors)


def _load_forms(root: Path) -> tuple[list[FormTemplate], list[TemplateError]]:
    forms, errors = [], []
    seen: dict[tuple[str, int], str] = {}
    for path in sorted((root / "forms").glob("*.y*ml")):
        try:
            form = load_form(path)
        except TemplateError as exc:
            errors.append(exc)
            continue
        key = (form.id, form.version)
        if key in seen:
            errors.append(TemplateError(path, [("version", f"biểu mẫu {form.id} phiên bản {form.version} "
                                                           f"đã có trong {seen[key]}; hãy tăng version")]))
            continue
        seen[key] = path.name
        forms.append(form)
    return forms, errors


def check_templates(root: str | Path | None = None, org: str | Path | None = None) -> list[TemplateError]:
    """Every problem in the templates folder (empty list: all good)."""
    root = Path(root) if root else templates_root()
    errors: list[TemplateError] = []
    forms, form_errors = _load_forms(root)
    errors.extend(form_errors)
    for path in sorted((root / "organisation").glob("*.y*ml")):
        try:
            load_organisation(path)
        except TemplateError as exc:
            errors.append(exc)
    calendar_path = root / "periods" / "lich-bao-cao.yaml"
    try:
        calendar = load_calendar(calendar_path)
    except TemplateError as exc:
        errors.append(exc)
        return errors
    catalog_forms = tuple(forms)
    for period in calendar.periods:
        usable = [f for f in catalog_forms if f.id == period.form and (f.applies_from or 0) <= period.year]
        if not usable:
            errors.append(TemplateError(calendar_path, [
                (f"kỳ {period.id} (form)", f"không có biểu mẫu '{period.form}' dùng được cho năm {period.year}")]))
    return errors


def load_catalog(root: str | Path | None = None, org: str | Path | None = None) -> Catalog:
    """Load the whole templates folder; raises the first TemplateError found."""
    root = Path(root) if root else templates_root()
    forms, errors = _load_forms(root)
    if errors:
        raise errors[0]
    organisation = load_organisation(_org_path(root, org))
    calendar = load_calendar(root / "periods" / "lich-bao-cao.yaml")
    catalog = Catalog(root, organisation, calendar, tuple(forms))
    for period in calendar.periods:
        try:
            catalog.form_for(period)
        except KeyError as exc:
            raise TemplateError(root / "periods" / "lich-bao-cao.yaml",
                                [(f"kỳ {period.id} (form)", exc.args[0])]) from None
    return catalog
