"""How each field type looks and is checked in the blank workbook: cell formats and Excel data validation.

The bounds are the engine's (numbers >= 0 unless `min`, `max` or `max_score`,
the default text lengths), so Excel stops most mistakes while the unit types,
and `danvan import` still re-checks everything with the engine.
"""
from __future__ import annotations

import math
from datetime import date
from typing import Any

from ..forms.bounds import TODAY, parse_bound
from ..forms.numbers import format_number
from ..forms.schema import FieldSpec
from ..forms.text import format_date
from ..forms.values import DEFAULT_MAX_LENGTH

__all__ = ["YES", "NO", "FORMATS", "INPUT_FORMAT", "cut", "data_validation"]

YES, NO = "Có", "Không"
_INPUT = {"bg_color": "#FFF2CC", "border": 1, "locked": False, "valign": "top"}
FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "text_wrap": True, "align": "center", "valign": "vcenter"},
    "code": {"italic": True, "align": "center"},
    "info": {"bold": True},
    "note": {"italic": True, "text_wrap": True, "valign": "top", "font_size": 11, "font_color": "#7F6000"},
    "th": {"bold": True, "border": 1, "bg_color": "#D9E1F2", "text_wrap": True, "align": "center", "valign": "vcenter"},
    "section": {"bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "vcenter"},
    "label": {"border": 1, "text_wrap": True, "valign": "top"},
    "group": {"bold": True, "border": 1, "text_wrap": True, "valign": "top"},
    "option": {"border": 1, "text_wrap": True, "valign": "top", "indent": 2},
    "rowno": {"border": 1, "align": "center", "valign": "top"},
    "hint": {"border": 1, "text_wrap": True, "valign": "top", "italic": True, "font_size": 10, "font_color": "#404040"},
    "unit": {"border": 1, "align": "center", "valign": "top", "font_size": 11},
    "calc": {"border": 1, "bg_color": "#EDEDED", "italic": True, "font_size": 10, "text_wrap": True, "valign": "top"},
    "key": {"font_size": 8, "font_color": "#808080"},
    "in_text": {**_INPUT, "num_format": "@"},
    "in_long": {**_INPUT, "num_format": "@", "text_wrap": True},
    "in_int": {**_INPUT, "num_format": "#,##0"},
    "in_dec": {**_INPUT, "num_format": "General"},
    # Dates are text cells: Excel with US regional settings would read 05/04/2026 as 4 May (silently) and
    # refuse 28/04/2026 as "not a date"; typed as text, the engine reads dd/mm/yyyy the same everywhere.
    "in_date": {**_INPUT, "num_format": "@", "align": "center"},
    "in_choice": {**_INPUT, "num_format": "@"},
}
INPUT_FORMAT = {"text": "in_text", "long_text": "in_long", "integer": "in_int", "decimal": "in_dec",
                 "date": "in_date", "select_one": "in_choice", "yes_no": "in_choice", "select_many": "in_long"}

def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number_rule(f: FieldSpec) -> tuple[float, float | None, str]:
    """(low, high, Vietnamese rule) — the same bounds the engine checks."""
    low = 0 if f.number_min is None else f.number_min
    high = f.number_max if f.number_max is not None else f.max_score
    what = "số nguyên" if f.type == "integer" else "số"
    rule = f"{what} từ {format_number(low)}" + (f" đến {format_number(high)}" if high is not None else " trở lên")
    if f.max_score is not None and f.max is None:
        rule += f" (điểm tối đa {format_number(high)})"
    if f.step is not None:
        rule += f", theo bước {format_number(f.step)}"
    return low, high, rule


_TITLES = {"integer": "Số nguyên", "decimal": "Số", "date": "Ngày (dd/mm/yyyy)", "text": "Văn bản",
           "long_text": "Văn bản", "yes_no": "Có hoặc Không", "select_one": "Chọn trong danh sách"}


def date_bounds_text(f: FieldSpec) -> str:
    """The hint's words for a date field's `min`/`max` when they are a day or `today` (the import checks all)."""
    parts = []
    for bound, word in ((f.min, "không trước"), (f.max, "không sau")):
        if isinstance(bound, str):
            day = parse_bound(bound)
            if day == TODAY:
                parts.append(f"{word} hôm nay")
            elif isinstance(day, date):
                parts.append(f"{word} {format_date(day)}")
    return f"; {', '.join(parts)}" if parts else ""


def data_validation(f: FieldSpec, list_source: str | None) -> tuple[dict[str, Any] | None, str]:
    """Excel data validation for an input cell of `f`, and a short rule text for the hint column."""
    t = f.type
    dv: dict[str, Any] | None = None
    rule = ""
    if f.is_number:
        low, high, rule = number_rule(f)
        kind = "integer" if t == "integer" else "decimal"
        if kind == "integer":
            low = math.ceil(low)
            high = math.floor(high) if high is not None else None
        low = int(low) if float(low).is_integer() else low
        high = int(high) if high is not None and float(high).is_integer() else high
        dv = {"validate": kind, "criteria": ">=", "value": low} if high is None else \
            {"validate": kind, "criteria": "between", "minimum": low, "maximum": high}
        rule = rule[0].upper() + rule[1:]
    elif t == "date":
        dv = {"validate": "length", "criteria": "between", "minimum": 8, "maximum": 10}
        rule = "Ngày dạng dd/mm/yyyy, ví dụ 28/04/2026" + date_bounds_text(f)
    elif t in ("text", "long_text"):
        limit = f.max_length or DEFAULT_MAX_LENGTH[t]
        dv = {"validate": "length", "criteria": "<=", "value": min(limit, 32_767)}
        rule = f"Tối đa {format_number(limit)} ký tự"
    elif t == "yes_no":
        dv = {"validate": "list", "source": [YES, NO]}
        rule = "Chọn Có hoặc Không"
    elif t == "select_one" and list_source:
        dv = {"validate": "list", "source": list_source}
        rule = "Chọn trong danh sách"
    if dv is not None:
        dv.update({"error_title": "Giá trị không hợp lệ", "error_type": "stop",
                   "error_message": cut(f"«{f.label}»: {rule[0].lower() + rule[1:]}.", 255),
                   "input_title": _TITLES.get(t, "Nhập tại đây"),
                   "input_message": cut(f"{rule}. {f.hint}".strip(), 255)})
    return dv, rule
