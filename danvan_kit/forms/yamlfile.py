"""Read a YAML template file into a pydantic model, with errors that name the file."""
from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .template_error import TemplateError, from_pydantic
from .text import to_nfc_deep

M = TypeVar("M", bound=BaseModel)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses templates ~10x faster


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file (UTF-8, text normalised to NFC); TemplateError on bad syntax."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(path, [("", f"tệp không phải UTF-8 ({exc.reason})")]) from None
    except OSError as exc:
        raise TemplateError(path, [("", f"không đọc được tệp: {exc.strerror}")]) from None
    try:
        data = yaml.load(raw, Loader=_LOADER)  # noqa: S506 - a safe loader, the C one when present
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        raise TemplateError(path, [(where, f"lỗi cú pháp YAML: {getattr(exc, 'problem', exc)}")]) from None
    return to_nfc_deep(data)


def load_model(path: str | Path, model: type[M], data: Any = None) -> M:
    """Validate YAML data (read from `path` unless given) as `model`."""
    if data is None:
        data = read_yaml(path)
    if not isinstance(data, dict):
        raise TemplateError(path, [("", "tệp phải là một bảng khóa: giá trị ở cấp ngoài cùng")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(path, exc, data) from None
