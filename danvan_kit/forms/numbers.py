"""Numbers as Vietnamese staff type and read them: 1.234 (thousands), 4,5 (decimal)."""
from __future__ import annotations

import math
import re

__all__ = ["parse_integer", "parse_decimal", "format_number"]

_GROUPED = re.compile(r"^[+-]?\d{1,3}([.,\s]\d{3})+$", re.ASCII)
LIMIT = 10**12


def _squash(text: str) -> str:
    return text.strip().replace("\u00a0", " ").replace("\u202f", " ")


def parse_integer(text: str) -> int:
    """'1.234', '1 234', '1234' -> 1234; ValueError for anything else (e.g. '1,5', 'abc')."""
    s = _squash(text)
    if _GROUPED.match(s):
        s = re.sub(r"[.,\s]", "", s)
    if not re.fullmatch(r"[+-]?\d{1,13}", s, re.ASCII):
        raise ValueError(text)
    value = int(s)
    if abs(value) > LIMIT:
        raise ValueError(text)
    return value


def parse_decimal(text: str) -> float:
    """'4,5' or '4.5' -> 4.5; '1.234,5' -> 1234.5; ValueError otherwise."""
    s = _squash(text).replace(" ", "")
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".") if s.count(",") == 1 else s.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s, re.ASCII):
        raise ValueError(text)
    value = float(s)
    if not math.isfinite(value) or abs(value) > LIMIT:
        raise ValueError(text)
    return value


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
