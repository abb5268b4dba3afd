"""Everything under templates/ as one loaded object: the organisation tree, the calendar of
reporting periods and every version of every form."""
from __future__ import annotations

from .calendar import PERIOD_KINDS, Calendar, Period, load_calendar
from .letterhead import Letterhead, letterhead, official_date
from .loading import DEFAULT_ORG, Catalog, check_templates, load_catalog, templates_root
from .organisation import Organisation, Unit, load_organisation

__all__ = ["Catalog", "load_catalog", "check_templates", "templates_root", "DEFAULT_ORG",
           "Organisation", "Unit", "load_organisation", "Calendar", "Period", "load_calendar", "PERIOD_KINDS",
           "Letterhead", "letterhead", "official_date"]
