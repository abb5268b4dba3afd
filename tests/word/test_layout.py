"""Decree 30/2020 presentation, read back with python-docx: A4, margins, Times New Roman 11–14 pt,
the heading lines where the appendix puts them, page numbers from page 2."""
from __future__ import annotations

import pytest
from docxread import W, all_paragraphs, blocks, open_doc, tables

from danvan_kit.catalog.letterhead import MOTTO, NATIONAL_NAME, letterhead

KINDS = ["unit", "district", "notice", "reminder"]
MM = 36000  # EMU per millimetre


def _path(docs, kind):
    return getattr(docs, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_is_a4_with_the_decrees_margins(docs, kind):
    for section in open_doc(_path(docs, kind)).sections:
        assert (round(section.page_width / MM), round(section.page_height / MM)) == (210, 297)
        assert 20 <= round(section.top_margin / MM) <= 25 and 20 <= round(section.bottom_margin / MM) <= 25
        assert 30 <= round(section.left_margin / MM) <= 35 and 15 <= round(section.right_margin / MM) <= 20


@pytest.mark.parametrize("kind", KINDS)
def test_every_run_is_times_new_roman_between_11_and_14_points_and_the_body_is_13_or_14(docs, kind):
    from docxread import run_font

    doc = open_doc(_path(docs, kind))
    seen = 0
    body_sizes = set()
    for p in all_paragraphs(doc):
        for run in p.runs:
            if not run.text.strip():
                continue
            name, size = run_font(run, p)
            assert name == "Times New Roman", run.text
            assert size is not None and 11 <= size <= 14, (run.text, size)
            seen += 1
    for b in blocks(doc):
        if hasattr(b, "runs") and len(b.text) > 120:   # the long paragraphs of the body
            body_sizes |= {run_font(r, b)[1] for r in b.runs if r.text.strip()}
    assert seen > 20 and body_sizes and body_sizes <= {13.0, 14.0}


@pytest.mark.parametrize("kind", KINDS)
def test_the_heading_has_issuer_left_and_national_name_motto_place_and_date_right(docs, kind, catalog):
    doc = open_doc(_path(docs, kind))
    unit = "XA-AN-PHU" if kind == "unit" else None
    lh = letterhead(catalog.organisation, unit)
    left, right = doc.tables[0].rows[0].cells
    left_lines = [p.text for p in left.paragraphs if p.text.strip() and set(p.text) != {"_"}]
    assert left_lines[:len(lh.issuer) + bool(lh.parent)] == ([lh.parent] if lh.parent else []) + list(lh.issuer)
    issuer_runs = [p.runs[0] for p in left.paragraphs if p.text in lh.issuer]
    assert issuer_runs and all(r.bold for r in issuer_runs)
    number = next(t for t in left_lines if t.startswith("Số:"))
    assert number == {"unit": "Số: 58/BC-UBND", "district": "Số:      /BC-PNV", "notice": "Số:      /TB-PNV",
                      "reminder": "Số:      /PNV"}[kind]    # a công văn carries the body's symbol alone
    right_lines = [p for p in right.paragraphs if p.text.strip() and set(p.text) != {"_"}]
    assert right_lines[0].text == NATIONAL_NAME == NATIONAL_NAME.upper() and right_lines[0].runs[0].bold
    assert right_lines[1].text == MOTTO and right_lines[1].runs[0].bold
    dated = right_lines[2]
    assert dated.text.startswith(f"{lh.place}, ngày ") and dated.runs[0].italic


def test_the_unit_report_is_dated_by_its_own_report_date_and_titled_by_the_period(docs):
    texts = [p.text for p in open_doc(docs.unit).paragraphs]
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện công tác dân vận chính quyền năm 2026" in texts
    right = open_doc(docs.unit).tables[0].rows[0].cells[1]
    assert "An Phú, ngày 19 tháng 11 năm 2026" in [p.text for p in right.paragraphs]


def test_the_six_month_report_is_titled_six_months(docs):
    assert "Kết quả thực hiện công tác dân vận chính quyền 6 tháng đầu năm 2026" in \
        [p.text for p in open_doc(docs.district_6t).paragraphs]


@pytest.mark.parametrize("kind", KINDS)
def test_nơi_nhận_and_the_signer_close_the_document(docs, kind, catalog):
    doc = open_doc(_path(docs, kind))
    lh = letterhead(catalog.organisation, "XA-AN-PHU" if kind == "unit" else None)
    left, right = doc.tables[-1].rows[0].cells
    lines = [p.text for p in left.paragraphs if p.text]
    assert lines[0] == "Nơi nhận:" and left.paragraphs[0].runs[0].bold and left.paragraphs[0].runs[0].italic
    assert lines[1:] == [f"- {r}" for r in lh.recipients]
    signer = [p.text for p in right.paragraphs if p.text.strip()]
    assert signer[:len(lh.signer)] == list(lh.signer)
    assert tables(doc)[-1] is not None


@pytest.mark.parametrize("kind", KINDS)
def test_pages_are_numbered_from_page_two(docs, kind):
    section = open_doc(_path(docs, kind)).sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header.is_linked_to_previous is False or not \
        "".join(p.text for p in section.first_page_header.paragraphs).strip()
    first = section.first_page_header._element.xml if not section.first_page_header.is_linked_to_previous else ""
    assert "PAGE" not in first
    default = section.header._element.xml
    assert "PAGE" in "".join(t.text or "" for t in section.header._element.iter(f"{W}instrText"))
    assert 'w:fldCharType="begin"' in default
