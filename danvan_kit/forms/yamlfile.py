"""Read a YAML template file into one of the template types, with errors that name the file.

A template is plain data written by an analyst: it is refused before parsing
when larger than MAX_TEMPLATE_BYTES, and refused at the first anchor (&name)
or alias (*name), since nested aliases ("billion laughs") make a few hundred
bytes expand into gigabytes once the data is walked.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from .template_error import TemplateError, from_pydantic
from .text import to_nfc_deep

M = TypeVar("M")
MAX_TEMPLATE_BYTES = 1024 * 1024  # the largest shipped template is 13 KB


_ADAPTERS: dict[Any, Any] = {}


def _adapter(model: Any) -> Any:
    """pydantic's checker of one template type (built once; pydantic is imported only to read a file)."""
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        from pydantic import TypeAdapter

        adapter = _ADAPTERS[model] = TypeAdapter(model)
    return adapter


@cache
def _loader() -> Any:
    """PyYAML's safe loader, the C one when present (libyaml parses templates ~10x faster); imported when
    a file is read, so a page's kernel, handed its templates by the server, never imports PyYAML."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _first_anchor(raw: str) -> Any | None:
    """The first parser event that defines an anchor or uses an alias, else None (no '&': no anchor at all)."""
    import yaml

    if "&" not in raw:  # an alias needs an anchor, and an undefined alias is a syntax error of yaml.load
        return None
    for event in yaml.parse(raw, Loader=_loader()):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return event
    return None


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file (UTF-8, text normalised to NFC); TemplateError on bad syntax."""
    import yaml

    path = Path(path)
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_TEMPLATE_BYTES + 1)
        raw = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(content) <= MAX_TEMPLATE_BYTES:
            raise TemplateError(path, [("", f"tệp không phải UTF-8 ({exc.reason})")]) from None
        raw = ""
    except OSError as exc:
        raise TemplateError(path, [("", f"không đọc được tệp: {exc.strerror}")]) from None
    if len(content) > MAX_TEMPLATE_BYTES:
        raise TemplateError(path, [("", f"tệp lớn hơn {MAX_TEMPLATE_BYTES // 1024} KB, quá lớn đối với một mẫu "
                                        "khai báo")])
    try:
        anchor = _first_anchor(raw)
        if anchor is not None:
            mark = anchor.start_mark
            raise TemplateError(path, [(f"dòng {mark.line + 1}, cột {mark.column + 1}",
                                        "mẫu không được dùng neo (&) hay bí danh (*) của YAML; hãy viết đầy đủ "
                                        "từng mục")])
        data = yaml.load(raw, Loader=_loader())  # noqa: S506 - a safe loader, the C one when present
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        raise TemplateError(path, [(where, f"lỗi cú pháp YAML: {getattr(exc, 'problem', exc)}")]) from None
    return to_nfc_deep(data)


def load_model(path: str | Path, model: type[M], data: Any = None) -> M:
    """Validate YAML data (read from `path` unless given) as `model`, a dataclass of forms/filetypes.py."""
    from pydantic import ValidationError

    if data is None:
        data = read_yaml(path)
    if not isinstance(data, dict):
        raise TemplateError(path, [("", "tệp phải là một bảng khóa: giá trị ở cấp ngoài cùng")])
    try:
        return _adapter(model).validate_python(data)
    except ValidationError as exc:
        raise from_pydantic(path, exc, data) from None
