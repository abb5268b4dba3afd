"""Numbers as Vietnamese staff type and read them: one rule for every field, the widget, the store and the import.

The rule (`parse_number`):
- a comma is the decimal mark: "4,5" is 4.5 and "3,200" is 3.2;
- a dot followed by exactly three digits separates thousands: "3.200" is 3200 in an
  integer field and in a decimal field alike, "1.234.567,5" is 1234567.5;
- a dot followed by any other number of digits is a decimal point (a phone keypad's
  "4.5" or "9.75"), allowed once and never together with a comma;
- spaces (also no-break ones) between groups of three digits separate thousands.
What the box understood is shown next to it (`format_understood`: "= 3 200") so a
misreading is visible before submit.
"""
from __future__ import annotations

import math
import re

__all__ = ["parse_number", "parse_integer", "parse_decimal", "format_number", "format_understood",
           "is_multiple"]

LIMIT = 10**12
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_SPACE_GROUPED = re.compile(r"^[+-]?\d{1,3}(\s\d{3})+([,.]\d+)?$", re.ASCII)
_DOT_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$", re.ASCII)
_PLAIN = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$", re.ASCII)


def parse_number(text: str) -> float | int:
    """What a Vietnamese typist meant (see the module's rule): an int when there is no decimal part.

    ValueError for anything else, e.g. "1,234.5" (a comma and a decimal point), "4,5,6", "abc".
    """
    s = _SPACES.sub(" ", text.strip())
    if _SPACE_GROUPED.match(s):
        s = s.replace(" ", "")
    if " " in s:
        raise ValueError(text)
    if _DOT_GROUPED.match(s):
        s = s.replace(".", "")
    if not _PLAIN.match(s):
        raise ValueError(text)
    s = s.replace(",", ".")
    if "." not in s:
        if len(s.lstrip("+-")) > 13:
            raise ValueError(text)
        whole = int(s)
        if abs(whole) > LIMIT:
            raise ValueError(text)
        return whole
    value = float(s)
    if not math.isfinite(value) or abs(value) > LIMIT:
        raise ValueError(text)
    return value


def parse_integer(text: str) -> int:
    """'1.234', '3.200', '1 234', '1234' -> an int; ValueError for anything else (e.g. '1,5', '1.23', 'abc')."""
    value = parse_number(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(text)
        return int(value)
    return value


def parse_decimal(text: str) -> float:
    """'4,5' or '4.5' -> 4.5; '3.200' -> 3200.0; '1.234,5' -> 1234.5; ValueError otherwise."""
    return float(parse_number(text))


def format_number(value: float | int | None, decimals: int | None = None) -> str:
    """1234.5 -> '1.234,5' (Vietnamese grouping); integers without decimals."""
    if value is None:
        return ""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_understood(value: float | int | None) -> str:
    """How a box understood a typed number, grouped by spaces so it cannot be misread: 3200 -> '3 200',
    3.2 -> '3,2', 1234.5 -> '1 234,5'."""
    if value is None:
        return ""
    decimals = 0 if float(value).is_integer() else 6
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


def is_multiple(value: float, step: float) -> bool:
    """True when `value` is a whole number of `step`s (9,5 of 0,5 yes; 9,75 no), to a millionth."""
    count = value / step
    return abs(count - round(count)) < 1e-6
