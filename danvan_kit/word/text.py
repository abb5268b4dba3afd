"""Text that goes into a Word document as text, never as template source or markup.

docxtpl renders Jinja over the document's XML. A value reaches the XML only through
`plain`: NFC, XML-escaped, with the few characters docxtpl itself rewrites after rendering
(`_` of its "{_{" guards, tab and line end) written as character references,
so "{{ x }}", "{% if %}", "<w:fldSimple>" or "{_{" typed into a narrative prints exactly as typed,
and no field code or markup can come from submitted text.
"""
from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from ..forms.text import to_nfc

__all__ = ["plain", "paragraphs", "split_first"]

# XML 1.0 forbids these; the forms refuse them on input, so this only guards other sources.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_REWRITTEN = {"_": "&#95;", "\t": "&#9;", "\n": "&#10;"}
_REWRITTEN_RE = re.compile("[_\t\n]")


def plain(value: Any) -> Markup:
    """`value` as text for a docxtpl context: escaped once, safe from docxtpl's own rewriting."""
    text = _NOT_XML.sub("\ufffd", to_nfc("" if value is None else str(value)))
    escaped = str(escape(text))
    return Markup(_REWRITTEN_RE.sub(lambda m: _REWRITTEN[m.group()], escaped))


def paragraphs(value: Any) -> list[Markup]:
    """A narrative as its paragraphs (one per typed line, blank lines dropped), each `plain`."""
    if value is None:
        return []
    lines = to_nfc(str(value)).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [plain(line.strip()) for line in lines if line.strip()]


def split_first(value: Any) -> tuple[Markup, list[Markup]]:
    """(first paragraph, the others) of a narrative."""
    parts = paragraphs(value)
    return (parts[0], parts[1:]) if parts else (plain(""), [])
