"""Bounds of a date field: `min:` / `max:` written as a day, `today` or an expression.

A template says `max: today` for the date of something already done (the report's
date, an activity held), `min: 01/01/2020` for a fixed first day, or names another
field (`min: ngay_bat_dau`) or any expression giving a date. "today" is today in
Vietnam, or the store's own clock when the store checks a submission (the engine
is handed that day). The widget, the store and the import all check through
FormEngine, so the three agree on every bound.
"""
from __future__ import annotations

from datetime import date
from typing import AbstractSet, Any, Callable

from .expressions import compile_expression
from .scoring import FORM_FUNCTIONS
from .text import format_date, parse_date

__all__ = ["TODAY", "parse_bound", "check_bound_text", "date_bound_problem"]

TODAY = "today"


def parse_bound(text: str) -> date | str:
    """`today`, a fixed day (dd/mm/yyyy), else the text itself as an expression."""
    text = text.strip()
    if text.lower() == TODAY:
        return TODAY
    try:
        return parse_date(text)
    except ValueError:
        return text


def check_bound_text(text: str, known: AbstractSet[str]) -> str | None:
    """Why a date bound written in a template is unusable (in Vietnamese), or None."""
    bound = parse_bound(text)
    if bound == TODAY or isinstance(bound, date):
        return None
    try:
        expr = compile_expression(bound, extra_functions=FORM_FUNCTIONS)
    except ValueError as exc:  # ExpressionError
        return (f"{text!r} không phải ngày dd/mm/yyyy, không phải 'today' và không phải biểu thức hợp lệ: "
                f"{exc}")
    unknown = sorted(expr.names - known)
    if unknown:
        return f"biểu thức {text!r} dùng tên không có trong biểu mẫu: {', '.join(unknown)}"
    return None


def _day(value: Any) -> date | None:
    """A date from what an expression gave (a date, an ISO text), else None: the bound is not checked."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            return None
    return None


def _resolve(text: str, today: date, evaluate: Callable[[str], Any]) -> tuple[date | None, str]:
    """(the bound's day or None, how the message names it)."""
    bound = parse_bound(text)
    if bound == TODAY:
        return today, f"ngày hôm nay ({format_date(today)})"
    if isinstance(bound, date):
        return bound, f"ngày {format_date(bound)}"
    day = _day(evaluate(bound))
    return day, f"ngày {format_date(day)}" if day else ""


def date_bound_problem(low: str | None, high: str | None, value: str, today: date,
                       evaluate: Callable[[str], Any]) -> str | None:
    """Why the ISO date `value` is outside [low, high], in Vietnamese, or None.

    `evaluate` computes an expression bound in the form's context; a bound that gives
    no date (an empty field it names) is not checked.
    """
    day = date.fromisoformat(value)
    if high is not None:
        limit, named = _resolve(high, today, evaluate)
        if limit is not None and day > limit:
            return f"ngày {format_date(day)} không được sau {named}"
    if low is not None:
        limit, named = _resolve(low, today, evaluate)
        if limit is not None and day < limit:
            return f"ngày {format_date(day)} không được trước {named}"
    return None
