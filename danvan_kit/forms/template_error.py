"""Error types shared by the package.

TemplateError is raised for a broken template file (analysts edit YAML), and
always names the file, the field and what is wrong, in Vietnamese.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

# Pydantic error types -> Vietnamese explanations (fallback: pydantic's own text).
_PYDANTIC_VI = {
    "missing": "thiếu mục bắt buộc",
    "missing_argument": "thiếu mục bắt buộc",
    "extra_forbidden": "mục không được biết đến (gõ sai tên?)",
    "unexpected_keyword_argument": "mục không được biết đến (gõ sai tên?)",
    "literal_error": "giá trị không hợp lệ",
    "enum": "giá trị không hợp lệ",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "string_type": "phải là chuỗi ký tự",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "dataclass_type": "phải là một bảng khóa: giá trị",
    "tuple_type": "phải là một danh sách",
    "int_from_float": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "string_pattern_mismatch": "sai định dạng",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải từ {ge} trở lên",
    "less_than_equal": "không được lớn hơn {le}",
    "too_short": "cần ít nhất {min_length} mục",
    "too_long": "có nhiều nhất {max_length} mục",
    "string_too_short": "cần ít nhất {min_length} ký tự",
    "string_too_long": "dài nhất {max_length} ký tự",
}


class TemplateError(ValueError):
    """A template file (form, organisation tree, calendar) is invalid.

    `problems` is a list of (field, message) pairs; str() gives one line per
    problem, each starting with the file name.
    """

    def __init__(self, path: str | Path | None, problems: Iterable[tuple[str, str]]):
        self.path = str(path) if path is not None else "<template>"
        self.problems = list(problems)
        lines = [f"{self.path}: {field}: {msg}" if field else f"{self.path}: {msg}"
                 for field, msg in self.problems]
        super().__init__("\n".join(lines))


def _loc_to_text(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic location into 'sections[1].fields[2] (so_cuoc).type'."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}]"]
            try:
                node = node[item]
                if isinstance(node, dict) and ("name" in node or "code" in node):
                    parts[-1] += f" ({node.get('name') or node.get('code')})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            parts.append("from" if item == "from_" else str(item))   # a class band's `from_` is `from` in the file
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _number(value: Any) -> Any:
    """A limit as written: 0 rather than 0.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def from_pydantic(path: str | Path | None, exc: Any, data: Any) -> TemplateError:
    """Convert a pydantic ValidationError into a TemplateError in Vietnamese."""
    problems = []
    for err in exc.errors():
        loc = tuple(x for x in err.get("loc", ())
                    if not (isinstance(x, str) and "[" in x and x.startswith(("function", "tagged"))))
        etype = err.get("type", "")
        if etype == "value_error":
            msg = str(err.get("ctx", {}).get("error", err.get("msg")))
        else:
            msg = _PYDANTIC_VI.get(etype, err.get("msg", "không hợp lệ"))
            if "{" in msg:   # a limit named in the message, e.g. "cần ít nhất 1 ký tự"
                try:
                    msg = msg.format_map({k: _number(v) for k, v in err.get("ctx", {}).items()})
                except KeyError:
                    msg = err.get("msg", "không hợp lệ")
            if etype in ("literal_error", "enum") and "ctx" in err:
                msg += f" (cho phép: {err['ctx'].get('expected')})"
            if "input" in err and etype not in ("missing",) and not isinstance(err["input"], (dict, list)):
                msg += f"; đang ghi: {err['input']!r}"
        problems.append((_loc_to_text(loc, data), msg))
    return TemplateError(path, problems)
