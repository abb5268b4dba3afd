"""Every workbook kind printed as an officer would print it: LibreOffice to PDF, read back with poppler.

One LibreOffice run converts them all (the consolidated workbook of each period kind,
a unit's copy of each form, a commune's copy with a 20 000-character narrative, a district
office's copy, the province summary and a roll-up). The PDFs are read with
`pdftotext -bbox-layout`: a word's box is about 1.3 × its font size, so 11.7 pt is 9-point
text. Page images go to test-artifacts/print/ for a person to look at.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest
from excelfill import TODAY
from excelkit import load
from pdfkit import FOOTER, PDFTOPPM, PDFTOTEXT, POPPLER_SKIP, nospace, overlaps, page_images, read_pdf

from danvan_kit.catalog.letterhead import NATIONAL_NAME, PARTY_NAME, letterhead
from danvan_kit.excel import roll_up, unit_copy_bytes, write_consolidated

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "print"
SMALLEST_BOX = 11.7   # points: 9-point Times New Roman (Liberation Serif) in pdftotext's boxes
NARRATIVE_CHARS = 20_000


def _narrative() -> str:
    """A long, varied Vietnamese text, every sentence different, with paragraphs."""
    sentences, i = [], 0
    while sum(len(s) + 1 for s in sentences) < NARRATIVE_CHARS:
        i += 1
        sentences.append(f"Câu {i}: tại ấp {i % 17 + 1}, cán bộ đã vận động {i * 7} hộ dân hiến đất, mở rộng đường "
                         f"giao thông nông thôn và công khai dự toán ở nhà văn hóa ấp (đợt {i % 5 + 1}).")
        if i % 25 == 0:
            sentences[-1] += "\n"
    text = " ".join(sentences).replace("\n ", "\n")[:NARRATIVE_CHARS].rstrip() + " Hết."
    return unicodedata.normalize("NFC", text)


def _copy(filled, folder: Path, name: str, rev, period: str) -> Path:
    path = folder / f"{name}.xlsx"
    path.write_bytes(unit_copy_bytes(filled.catalog, rev, unit=rev.unit_code, period=period))
    return path


@pytest.fixture(scope="session")
def printed(filled, books, libreoffice, tmp_path_factory):
    if not (PDFTOTEXT and PDFTOPPM):
        pytest.skip(POPPLER_SKIP)
    folder = tmp_path_factory.mktemp("print")
    org = filled.catalog.organisation
    subs = filled.store.submissions(filled.store.system_actor(), "2026-6t")
    commune = next(r for r in subs if org.unit(r.unit_code).kind == "commune")
    offices = [r for r in subs if org.unit(r.unit_code).kind == "district_office" and r.unit_code != org.hub]
    office = next((r for r in offices if r.unit_code == "PTP"), offices[0])
    long = dataclasses.replace(commune, data={**commune.data, "ket_qua_dat_duoc": _narrative()})
    extra = {"commune": _copy(filled, folder, "ban-cua-xa", long, "2026-6t"),
             "office": _copy(filled, folder, "ban-cua-phong", office, "2026-6t")}
    extra["roll_up"] = folder / "tong-hop-nhieu-don-vi.xlsx"
    # eight bodies and the total: too wide for one page, so it prints in blocks that repeat STT and Chỉ tiêu
    roll_up([books.consolidated["2026-nam"], books.province] * 4, extra["roll_up"], parent="Ủy ban nhân dân tỉnh",
            issuer="Sở Nội vụ", place="Đồng Xoài", today=TODAY)
    data = books.data["2026-6t"]   # one unit's "Phương hướng" as long as the commune's narrative
    line = next(u for u in data.units if u.entries)
    entry = dataclasses.replace(line.entries[0], data={**line.entries[0].data, "phuong_huong": _narrative()})
    units = [dataclasses.replace(u, entries=[entry]) if u is line else u for u in data.units]
    extra["long_6t"] = folder / "tong-hop-2026-6t-dai.xlsx"
    write_consolidated(dataclasses.replace(data, units=units, cache={}), extra["long_6t"])
    kinds = {f"consolidated {p}": books.consolidated[p] for p in books.consolidated if p != "2026-6t"}
    kinds["consolidated 2026-6t (long narrative)"] = extra["long_6t"]
    kinds |= {f"unit copy {p}": books.unit_copies[p] for p in books.unit_copies}
    kinds |= {"commune copy (long narrative)": extra["commune"], "district office copy": extra["office"],
              "province summary": books.province, "roll-up": extra["roll_up"]}
    out = folder / "pdf"
    run = libreoffice.convert(list(kinds.values()), "pdf", out)
    assert run.returncode == 0, run.stderr
    pdfs = {kind: out / f"{path.stem}.pdf" for kind, path in kinds.items()}
    pages = {kind: read_pdf(pdf) for kind, pdf in pdfs.items()}
    return {"xlsx": kinds, "pdf": pdfs, "pages": pages, "commune": commune, "office": office, "filled": filled}


def _where(kind: str, page, text: str = "") -> str:
    return f"{kind}, trang {page.number}: {text}"


def test_every_workbook_kind_prints_no_text_smaller_than_9_points(printed):
    small = []
    for kind, pages in printed["pages"].items():
        assert pages, kind
        for page in pages:
            small += [(_where(kind, page, w.text), round(w.height, 1)) for w in page.words if w.height < SMALLEST_BOX]
    assert small == []


def test_no_two_text_boxes_overlap_on_any_page(printed):
    found = []
    for kind, pages in printed["pages"].items():
        for page in pages:
            found += [_where(kind, page, f"{a.text!r} / {b.text!r}") for a, b in overlaps(page)]
    assert found == []


def _repeated_and_closing_words(xlsx: Path, org) -> set[str]:
    """Words of the repeated header rows and of the signature block, '(1)'-style column numbers included."""
    words: set[str] = set()
    for body in (letterhead(org, u.code) for u in org.units):
        for line in (*body.signer, *body.recipients, "NGƯỜI LẬP BIỂU (Ký, ghi rõ họ tên) (Ký tên, đóng dấu) Nơi nhận:"):
            words |= set(line.split()) | {"-"}
    for ws in load(xlsx).worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if ws.print_title_rows:
            first, last = (int(x) for x in re.findall(r"\d+", ws.print_title_rows))
            for row in rows[first - 1:last]:
                words |= {w for v in row if isinstance(v, str) for w in v.split()}
        at = next((i for i, row in enumerate(rows) if "NGƯỜI LẬP BIỂU" in row), None)
        if at is not None:
            for row in rows[at:]:
                words |= {w for v in row if isinstance(v, str) for w in v.split()}
    return words


def test_no_page_is_blank_or_holds_only_header_or_signature_lines(printed):
    org = printed["filled"].catalog.organisation
    bad = []
    for kind, pages in printed["pages"].items():
        stock = _repeated_and_closing_words(printed["xlsx"][kind], org)
        for page in pages:
            body = [w.text for line in page.lines if not FOOTER.match(" ".join(w.text for w in line)) for w in line]
            if not body:
                bad.append(_where(kind, page, "trang trắng"))
            elif all(w in stock for w in body):
                bad.append(_where(kind, page, " ".join(body)[:120]))
    assert bad == [], "\n".join(bad)


def test_a_20000_character_narrative_prints_whole_in_the_units_copy(printed):
    narrative = _narrative()
    assert len(narrative) >= NARRATIVE_CHARS
    stock = {"STT", "Nội", "dung", "Đơn", "vị", "tính", "Kết", "quả", "(1)", "(2)", "(3)", "(4)"}
    pages = printed["pages"]["commune copy (long narrative)"]
    start = next(w for page in pages for w in page.words if w.text == "Câu")   # the narrative's left edge
    kept = []
    for page in pages:   # top to bottom, left to right; the numbering column and the footer left out
        for line in sorted(page.lines, key=lambda ws: (round(ws[0].y0), ws[0].x0)):
            words = [w for w in line if w.x0 >= start.x0 - 2]
            if not words or FOOTER.match(" ".join(w.text for w in line)) or all(w.text in stock for w in words):
                continue
            kept.append(" ".join(w.text for w in words))
    assert nospace(narrative) in nospace("".join(kept))


def test_a_consolidated_cell_too_long_for_a_row_says_so_and_the_appendix_prints_it_whole(printed):
    pages = printed["pages"]["consolidated 2026-6t (long narrative)"]
    lines = [t for page in pages for t in page.line_texts() if not FOOTER.match(t)]
    text = nospace(" ".join(lines))
    assert nospace("(xem toàn văn ở trang «Phụ lục», mục 1)") in text
    assert nospace(_narrative()) in text


def _first_page(printed, kind: str) -> str:
    return " ".join(printed["pages"][kind][0].line_texts())


def _all_text(printed, kind: str) -> str:
    return " ".join(t for page in printed["pages"][kind] for t in page.line_texts())


def test_each_copy_shows_its_own_issuing_body_place_and_signer(printed):
    org = printed["filled"].catalog.organisation
    commune, office = printed["commune"], printed["office"]
    cases = {"commune copy (long narrative)": letterhead(org, commune.unit_code),
             "district office copy": letterhead(org, office.unit_code),
             "consolidated 2026-nam": letterhead(org)}
    for kind, body in cases.items():
        top, text = _first_page(printed, kind), _all_text(printed, kind)
        for line in ((body.parent,) if body.parent else ()) + body.issuer:
            assert line in top, (kind, line)
        assert f"{body.place}, ngày" in top, kind
        assert all(line in text for line in body.signer), kind
        assert "Nơi nhận:" in text, kind
    for kind, rev in (("commune copy (long narrative)", commune), ("district office copy", office)):
        number = letterhead(org, rev.unit_code).number_line(rev.data["so_ky_hieu"])
        assert nospace(number) in nospace(_first_page(printed, kind)), kind
    hub_top = _first_page(printed, "consolidated 2026-nam").split()
    assert "Số:" in hub_top and "/BC-PNV" in hub_top   # a number to fill in by hand
    commune_top = _first_page(printed, "commune copy (long narrative)")
    assert "UBND HUYỆN" not in commune_top and "Hớn Quản, ngày" not in commune_top
    assert letterhead(org, commune.unit_code).issuer[0] == "ỦY BAN NHÂN DÂN"
    assert "TRƯỞNG PHÒNG" in _all_text(printed, "consolidated 2026-nam")


def test_the_national_name_prints_on_one_line(printed):
    for kind, pages in printed["pages"].items():
        lines = pages[0].line_texts()
        assert NATIONAL_NAME in lines or PARTY_NAME in lines, (kind, lines[:6])


def test_the_consolidated_report_compares_with_the_same_period_last_year(printed):
    text = _all_text(printed, "consolidated 2026-nam")
    assert "SO SÁNH VỚI CÙNG KỲ NĂM TRƯỚC" in text and "Báo cáo năm 2025" in text


def test_a_roll_up_too_wide_for_a_page_prints_in_blocks_that_each_name_the_indicators(printed):
    pages = printed["pages"]["roll-up"]
    label = "Số cuộc tuyên truyền, vận động Nhân dân"
    with_totals = [p for p in pages if "Tổng cộng" in p.line_texts()]   # the last block's pages
    assert with_totals and all("Chỉ tiêu" in p.line_texts() for p in with_totals)
    assert len([p for p in pages if any(t.startswith(label) for t in p.line_texts())]) >= 2


def test_page_images_of_every_kind_are_saved(printed):
    for kind, pdf in printed["pdf"].items():
        images = page_images(pdf, ARTIFACTS)
        assert len(images) == len(printed["pages"][kind]), kind
        assert all(p.stat().st_size > 1000 for p in images), kind
