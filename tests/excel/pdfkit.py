"""Reading a PDF independently of the writer: poppler's `pdftotext -bbox-layout` word boxes, `pdftoppm` images."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
POPPLER_SKIP = "poppler-utils (pdftotext, pdftoppm) not found: apt install poppler-utils"
_NS = "{http://www.w3.org/1999/xhtml}"
FOOTER = re.compile(r"^Trang \d+/\d+$")


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[list[Word]]

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line]

    def line_texts(self) -> list[str]:
        return [" ".join(w.text for w in line) for line in self.lines]


def read_pdf(pdf: Path) -> list[Page]:
    """Every page's lines of words with their boxes (points, origin top left), text in NFC."""
    html = pdf.with_suffix(".bbox.html")
    subprocess.run([PDFTOTEXT, "-bbox-layout", str(pdf), str(html)], check=True, capture_output=True, timeout=120)
    root = ET.parse(html).getroot()
    pages = []
    for i, page in enumerate(root.iter(f"{_NS}page")):
        lines = []
        for line in page.iter(f"{_NS}line"):
            words = [Word(unicodedata.normalize("NFC", w.text or ""), float(w.get("xMin")), float(w.get("yMin")),
                          float(w.get("xMax")), float(w.get("yMax"))) for w in line.iter(f"{_NS}word")]
            if words:
                lines.append(words)
        pages.append(Page(i + 1, float(page.get("width")), float(page.get("height")), lines))
    return pages


INK = 0.12   # pdftotext's box spans the font's whole ascent and descent (≈1.3 × its size), taller than
#             the line pitch of single-spaced text (≈1.1 ×): the inked part is this much smaller each side


def overlaps(page: Page, tolerance: float = 0.6) -> list[tuple[Word, Word]]:
    """Pairs of words whose inked boxes overlap by more than `tolerance` points both ways."""
    words = sorted(page.words, key=lambda w: w.x0)
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if b.x0 >= a.x1 - tolerance:
                break
            top = max(a.y0 + INK * a.height, b.y0 + INK * b.height)
            bottom = min(a.y1 - INK * a.height, b.y1 - INK * b.height)
            if min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance and bottom - top > tolerance:
                found.append((a, b))
    return found


def page_images(pdf: Path, folder: Path, resolution: int = 45) -> list[Path]:
    """Every page as a small PNG named after the PDF (for a person to look at)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    subprocess.run([PDFTOPPM, "-png", "-r", str(resolution), str(pdf), str(folder / pdf.stem)], check=True,
                   capture_output=True, timeout=300)
    return sorted(folder.glob(f"{pdf.stem}-*.png"))


def nospace(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))
