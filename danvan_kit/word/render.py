"""Render one Word template with a context of prepared values (docxtpl, strict and escaping).

Autoescaping is on and every value is already `text.plain`, so the context is data, never template
source; the tags run in Jinja's sandbox (no attribute like `__class__`, whoever edited the file).
Undefined names are errors (StrictUndefined), so a misspelt tag in an edited template is
found by `danvan templates check` instead of printing nothing. Any template error becomes a
TemplateError naming the file and the tag, in Vietnamese.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..forms.template_error import TemplateError
from .templates import WordTemplate, check_package

__all__ = ["render", "render_bytes"]

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_ENGLISH = [
    (re.compile(r"unexpected end of template.*'(end\w+)'"), "thiếu thẻ đóng {{% {0} %}}"),
    (re.compile(r"unexpected end of template"), "thiếu thẻ đóng của một vòng lặp hay điều kiện"),
    (re.compile(r"Encountered unknown tag '(\w+)'.*'(end\w+)'"), "gặp thẻ {{% {0} %}} khi còn chờ {{% {1} %}}"),
    (re.compile(r"Encountered unknown tag '(\w+)'"), "thẻ lạ {{% {0} %}}"),
    (re.compile(r"access to attribute '([^']+)' .* is unsafe"), "thẻ dùng '{0}', không được phép trong mẫu văn bản"),
    (re.compile(r"'([^']+)' is undefined"), "tên '{0}' không có trong dữ liệu của văn bản"),
    (re.compile(r"has no attribute '([^']+)'"), "không có mục '{0}' trong dữ liệu của văn bản"),
]


def _vietnamese(exc: Exception) -> str:
    message = str(exc)
    for pattern, text in _ENGLISH:
        m = pattern.search(message)
        if m:
            return text.format(*m.groups())
    return "thẻ viết sai cú pháp"


def _tags(path: Path) -> list[str]:
    """Every tag of the template as docxtpl sees it (Word's run splits removed)."""
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(path))
    doc.render_init()
    return _TAG.findall(re.sub(r"<[^>]+>", "", doc.patch_xml(doc.get_xml())))


def _tag_of(exc: Exception, path: Path) -> str:
    """The tag the error is about: one naming the unknown or missing name, else the one at the error's line."""
    for name in re.findall(r"'([^']+)'", str(exc)):
        word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        found = [t for t in _tags(path) if word.search(t)]
        if found:
            return found[0]
    lines = [str(x) for x in getattr(exc, "docx_context", None) or []]
    for line in lines[3:4] + lines:  # docxtpl keeps 3 lines before the error's line
        found = _TAG.findall(line)
        blocks = [t for t in found if t.startswith("{%")]
        if found:  # a paragraph tag joins the line of the paragraph before it: the block tag is the suspect
            return (blocks or found)[-1] if isinstance(exc, jinja2.TemplateSyntaxError) else found[0]
    return ""


def render(template: WordTemplate, context: dict[str, Any], target: Any) -> None:
    """Render `template` with `context` into `target` (a path or a binary stream)."""
    from docxtpl import DocxTemplate

    check_package(template.path)
    # Sandboxed: the tags come from a .docx anyone with the templates folder can edit
    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        doc = DocxTemplate(str(template.path))
        doc.render(context, jinja_env=env)
    except (jinja2.TemplateError, TypeError, ValueError, KeyError) as exc:
        tag = _tag_of(exc, template.path)
        where = f"thẻ {tag}" if tag else "nội dung mẫu"
        raise TemplateError(template.path, [(where, _vietnamese(exc))]) from exc
    except Exception as exc:  # a package python-docx cannot read (docx.opc errors, lxml, zip)
        raise TemplateError(template.path, [("", f"không mở được mẫu văn bản Word ({type(exc).__name__})")]) from exc
    doc.save(target)


def render_bytes(template: WordTemplate, context: dict[str, Any]) -> bytes:
    """The rendered document as bytes (for a download or an atomic write by the caller)."""
    buffer = io.BytesIO()
    render(template, context, buffer)
    return buffer.getvalue()
