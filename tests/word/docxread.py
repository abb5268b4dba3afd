"""Reading the documents back with python-docx only (independent of how they were written)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_doc(path: Path) -> Any:
    return docx.Document(str(path))


def blocks(doc: Any) -> list[Any]:
    """Body paragraphs and tables in document order."""
    out: list[Any] = []
    for child in doc.element.body.iterchildren():
        if child.tag == f"{W}p":
            out.append(Paragraph(child, doc))
        elif child.tag == f"{W}tbl":
            out.append(Table(child, doc))
    return out


def all_paragraphs(doc: Any) -> list[Any]:
    """Every paragraph, those inside table cells included."""
    out = []
    for b in blocks(doc):
        if isinstance(b, Table):
            for row in b.rows:
                for cell in row.cells:
                    out.extend(cell.paragraphs)
        else:
            out.append(b)
    return out


def body_texts(doc: Any) -> list[str]:
    return [p.text for p in all_paragraphs(doc)]


def tables(doc: Any) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def figure_rows(doc: Any) -> list[list[str]]:
    """Rows of the bordered tables (the heading and signature tables have no TT column)."""
    return [row for t in tables(doc) if t and t[0] and t[0][0] == "TT" for row in t[1:]]


def run_font(run: Any, paragraph: Any) -> tuple[str | None, float | None]:
    """The run's font name and size in points, falling back to the paragraph's style and Normal."""
    name, size = run.font.name, run.font.size
    style = paragraph.style
    while style is not None and (name is None or size is None):
        name = name or style.font.name
        size = size or style.font.size
        style = style.base_style
    return name, (size.pt if size is not None else None)
