"""LibreOffice headless as an independent reader: every kind of document converts to PDF, its text
is there (pdftotext), pages are numbered from page 2, and page images go to test-artifacts/word/."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from wordfill import HOSTILE

from danvan_kit.catalog.letterhead import NATIONAL_NAME

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "word"
KINDS = {"unit": "bao-cao-don-vi", "district": "bao-cao-tong-hop", "notice": "thong-bao-ket-qua",
         "reminder": "cong-van-don-doc"}
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")


@pytest.fixture(scope="session")
def pdfs(docs, libreoffice, tmp_path_factory):
    if not POPPLER:
        pytest.skip("poppler-utils (pdftotext, pdftoppm) not found: the PDFs were not read (apt install poppler-utils)")
    src = tmp_path_factory.mktemp("word-src")
    paths = []
    for kind, name in KINDS.items():
        paths.append(src / f"{name}.docx")
        shutil.copy(getattr(docs, kind), paths[-1])
    out = tmp_path_factory.mktemp("word-pdf")
    run = libreoffice.convert(paths, "pdf", out)
    assert run.returncode == 0, run.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name in KINDS.values():
        for old in ARTIFACTS.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(out / f"{name}.pdf"),
                        str(ARTIFACTS / name)], check=True, timeout=120)
    return out


def _text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


@pytest.mark.parametrize("kind", list(KINDS))
def test_libreoffice_converts_each_kind_of_document_to_pdf_with_its_heading(pdfs, kind):
    pdf = pdfs / f"{KINDS[kind]}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = " ".join(_text(pdf, 1).split())
    assert NATIONAL_NAME in text and "Độc lập - Tự do - Hạnh phúc" in text and "Nơi nhận" in " ".join(
        _text(pdf).split())
    assert sorted(p.name for p in ARTIFACTS.glob(f"{KINDS[kind]}-*.png"))


def test_the_pdf_pages_are_numbered_from_page_two_only(pdfs):
    pdf = pdfs / "bao-cao-tong-hop.pdf"
    first, second = _text(pdf, 1).strip().splitlines(), _text(pdf, 2).strip().splitlines()
    assert first[0].strip() != "1"
    assert second[0].strip() == "2"


def test_the_pdf_keeps_the_figures_and_the_hostile_text_as_typed(pdfs, docs):
    unit = " ".join(_text(pdfs / "bao-cao-don-vi.pdf").split())
    assert "Số: 58/BC-UBND" in unit and "1.250" in unit and "92,5" in unit
    assert " ".join(HOSTILE.split()) in unit
