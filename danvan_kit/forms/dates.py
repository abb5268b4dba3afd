"""Dates inside expressions: a date field's value is an ISO text ("2026-04-28"); these functions read
it, count days and months, move a date and write it dd/mm/yyyy (the expression language's date helpers)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping

from .text import format_date as format_day

__all__ = ["DATE_FUNCTIONS", "to_date"]


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def to_date(x: Any) -> date | None:
    """A date from a date/datetime value or an ISO text ('2024-03-15', '2024-03-15T08:00')."""
    if isinstance(x, date):
        return x.date() if isinstance(x, datetime) else x
    return date.fromisoformat(x.strip()[:10]) if isinstance(x, str) else None


def _fn_year(d: Any) -> Any:
    day = to_date(d)
    return day.year if day else None


def _fn_days_between(a: Any, b: Any) -> Any:
    """Days from a to b (b - a)."""
    da, db = to_date(a), to_date(b)
    return (db - da).days if da and db else None


def _fn_add_days(d: Any, n: Any) -> Any:
    """The day `n` days after `d` (before, when n < 0), as an ISO date like a date field's value."""
    day = to_date(d)
    return (day + timedelta(days=int(n))).isoformat() if day and _is_num(n) and abs(n) <= 100_000 else None


def _fn_add_months(d: Any, n: Any) -> Any:
    """The same day `n` months later (the month's last day when it is shorter: 31/01 + 1 -> 28/02)."""
    day = to_date(d)
    if not day or not isinstance(n, int) or isinstance(n, bool) or abs(n) > 1200:
        return None
    months = day.year * 12 + day.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last)).isoformat()


def _fn_months_between(a: Any, b: Any) -> Any:
    """Whole months from a to b (b - a), as people count them: 15/01 -> 14/03 is 1, -> 15/03 is 2."""
    da, db = to_date(a), to_date(b)
    if not (da and db):
        return None
    months = (db.year - da.year) * 12 + db.month - da.month
    if months > 0 and db.day < da.day:
        months -= 1
    elif months < 0 and db.day > da.day:
        months += 1
    return months


def _fn_format_date(d: Any) -> Any:
    """A date as dd/mm/yyyy text."""
    day = to_date(d)
    return format_day(day.isoformat()) if day else None



DATE_FUNCTIONS: Mapping[str, Callable] = {
    "year": _fn_year,
    "days_between": _fn_days_between,
    "add_days": _fn_add_days,
    "add_months": _fn_add_months,
    "months_between": _fn_months_between,
    "format_date": _fn_format_date,
}
