"""The one way text reaches HTML: every string shown in a page, a widget's HTML, a link or a file
name goes through `esc` (or `attr` for attribute values), so no stored or typed text can become
markup or script. Nothing else in the package builds HTML from text it did not write itself.
"""
from __future__ import annotations

import base64
import html
import re
from typing import Any

__all__ = ["esc", "attr", "safe_filename", "download_link", "XLSX", "DOCX"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_UNSAFE_NAME = re.compile(r"[^0-9A-Za-z._-]+")


def esc(value: Any) -> str:
    """Text as HTML text: <, >, &, quotes escaped; None is empty."""
    return "" if value is None else html.escape(str(value), quote=True)


def attr(value: Any) -> str:
    """Text as a double-quoted attribute value (the same escaping; a separate name says where it goes)."""
    return esc(value)


def safe_filename(name: str, default: str = "tep") -> str:
    """A download or file name of plain ASCII letters, digits, dot, dash and underscore."""
    cleaned = _UNSAFE_NAME.sub("-", name).strip(".-") or default
    return cleaned[:120]


def download_link(name: str, content: bytes, mime: str = XLSX, label: str | None = None,
                  css: str = "dv-download-link") -> str:
    """A link that downloads `content` as `name` from the page itself (a data: URL, no file on the server)."""
    shown = f"{label} ({name})" if label else name
    return (f'<a class="{attr(css)}" download="{attr(name)}" '
            f'href="data:{attr(mime)};base64,{base64.b64encode(content).decode()}">⬇ {esc(shown)}</a>')
