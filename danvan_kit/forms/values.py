"""One typed value: parse what a person typed (or a cell held) for a field, and show it back.

`coerce_value` is the single parser of the live form, the engine, the store's check and
the Excel import; `display_value` writes a value the way staff read it.
"""
from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import Any, Mapping

from .numbers import format_number, parse_decimal, parse_integer
from .schema import FieldSpec
from .text import clean_text, format_date, parse_date, text_problem, to_nfc, unstorable_character

__all__ = ["coerce_value", "display_value", "DEFAULT_MAX_LENGTH"]

DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 20_000}
_YES = {"có", "co", "yes", "y", "true", "x", "1", "đúng"}
_NO = {"không", "khong", "no", "n", "false", "0", "sai"}


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "") or (isinstance(raw, (list, tuple)) and not raw)


def _coerce_file(f: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    out = []
    allowed = [a.strip().lower() for a in (f.accept or "").split(",") if a.strip()]
    for item in items:
        if not isinstance(item, Mapping) or "name" not in item:
            return None, "tệp đính kèm không hợp lệ"
        name = to_nfc(str(item["name"]))
        entry: dict[str, Any]
        if "content" in item:
            content = bytes(item["content"])
            entry = {"name": name, "size": len(content), "type": str(item.get("type") or ""),
                     "sha256": hashlib.sha256(content).hexdigest(),
                     "content_b64": base64.b64encode(content).decode("ascii")}
        else:  # already clean (a stored draft)
            entry = {k: item[k] for k in ("name", "size", "type", "sha256", "content_b64") if k in item}
        if allowed and not any(name.lower().endswith(ext) for ext in allowed):
            return None, f"tệp «{name}» không đúng loại cho phép ({', '.join(allowed)})"
        if entry.get("size", 0) > f.max_size_mb * 1024 * 1024:
            return None, (f"tệp «{name}» nặng {format_number(entry['size'] / 1048576, 1)} MB, "
                          f"vượt giới hạn {format_number(f.max_size_mb)} MB")
        out.append(entry)
    return out, None


def _broken_text(raw: Any) -> str | None:
    """A lone surrogate anywhere in a typed string (or a list of them, or a file's name), else None.

    Checked before parsing: a message quoting what was typed could not be stored or logged either.
    """
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    for item in items:
        text = item.get("name") if isinstance(item, Mapping) else item
        problem = unstorable_character(text) if isinstance(text, str) else None
        if problem:
            return problem
    return None


def coerce_value(f: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    """Parse one raw input for field `f`: (value, None) or (None, Vietnamese message)."""
    if _empty(raw) or f.type == "note":
        return None, None
    broken = _broken_text(raw) if f.type != "repeat" else None
    if broken:
        return None, broken
    t = f.type
    if t in ("text", "long_text"):
        value = clean_text(str(raw), multiline=(t == "long_text"))
        problem = text_problem(value, f.max_length or DEFAULT_MAX_LENGTH[t])
        return (None, problem) if problem else ((value or None), None)
    if t == "integer":
        if isinstance(raw, bool):
            return None, "phải là số nguyên"
        if isinstance(raw, int):
            return raw, None
        if isinstance(raw, float) and raw.is_integer():
            return int(raw), None
        try:
            return parse_integer(str(raw)), None
        except ValueError:
            return None, f"phải là số nguyên (đang nhập «{str(raw)[:40]}»)"
    if t == "decimal":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw), None
        try:
            return parse_decimal(str(raw)), None
        except ValueError:
            return None, f"phải là số, ví dụ 4,5 (đang nhập «{str(raw)[:40]}»)"
    if t == "date":
        try:
            d = raw if isinstance(raw, date) else parse_date(str(raw))
        except ValueError:
            return None, f"phải là ngày theo dạng dd/mm/yyyy (đang nhập «{str(raw)[:40]}»)"
        if not 1945 <= d.year <= 2100:
            return None, f"năm {d.year} không hợp lệ"
        return d.isoformat(), None
    if t == "yes_no":
        if isinstance(raw, bool):
            return raw, None
        key = to_nfc(str(raw)).strip().lower()
        if key in _YES:
            return True, None
        if key in _NO:
            return False, None
        return None, f"phải là Có hoặc Không (đang nhập «{str(raw)[:40]}»)"
    if t in ("select_one", "select_many"):
        by_key = {}
        for c in f.choices or []:
            by_key[c.value.lower()] = c.value
            by_key[to_nfc(c.label).strip().lower()] = c.value
        items = ([raw] if t == "select_one"
                 else list(raw) if isinstance(raw, (list, tuple)) else [x for x in str(raw).split(";")])
        out = []
        for item in items:
            choice = by_key.get(to_nfc(str(item)).strip().lower())
            if choice is None:
                return None, f"«{str(item)[:60]}» không phải một lựa chọn hợp lệ"
            if choice not in out:
                out.append(choice)
        return (out[0] if t == "select_one" else out), None
    if t == "file":
        return _coerce_file(f, raw)
    if t == "repeat":
        if not isinstance(raw, (list, tuple)) or not all(isinstance(r, Mapping) for r in raw):
            return None, "bảng dữ liệu không hợp lệ"
        return [dict(r) for r in raw], None
    return None, f"kiểu trường '{t}' chưa được hỗ trợ"


def display_value(f: FieldSpec, value: Any) -> str:
    """A value as staff read it: numbers 1.234,5; dates dd/mm/yyyy; choices by label."""
    if value is None:
        return ""
    if f.is_number:
        return format_number(value)
    if f.type == "date":
        return format_date(value)
    if f.type == "yes_no":
        return "Có" if value else "Không"
    labels = {c.value: c.label for c in f.choices or []}
    if f.type == "select_one":
        return labels.get(value, str(value))
    if f.type == "select_many":
        return "; ".join(labels.get(v, str(v)) for v in value)
    if f.type == "file":
        return "; ".join(item.get("name", "") for item in value)
    return str(value)


