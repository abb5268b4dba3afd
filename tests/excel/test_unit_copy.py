"""A unit's own copy: the heading of its own body, every answer, signatures, one A4 width."""
from __future__ import annotations

from excelkit import load

from danvan_kit.catalog.letterhead import letterhead
from danvan_kit.excel import unit_copy_bytes


def _texts(ws):
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def test_a_units_copy_is_laid_out_to_print_and_sign(filled, books):
    ws = load(books.unit_copies["2026-6t"]).active
    rev = filled.store.submissions(filled.store.system_actor(), "2026-6t")[0]
    unit = filled.catalog.organisation.unit(rev.unit_code)
    texts = _texts(ws)
    body = letterhead(filled.catalog.organisation, unit.code)
    assert all(line in texts for line in body.issuer) and body.parent in texts   # the unit's own letterhead
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "(Biểu số 01/DVCQ)" in texts
    assert f"Số: {rev.data['so_ky_hieu']}" in texts
    assert rev.data["so_luot_nguoi_tham_du"] in texts and rev.data["ket_qua_dat_duoc"] in texts
    assert "NGƯỜI LẬP BIỂU" in texts and all(line in texts for line in body.signer) and rev.data["nguoi_lap"] in texts
    assert "Nơi nhận:" in texts and "- Phòng Nội vụ (để tổng hợp);" in texts
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert int(ws.page_setup.scale or 100) == 100 and ws.print_title_rows
    fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Times New Roman"}


def test_a_self_assessment_copy_shows_the_reviewers_adjusted_scores(filled, books):
    ws = load(books.unit_copies["2026-tcd"]).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    criterion = next(r for r in rows if isinstance(r[1], str) and r[1].startswith("2.2."))
    assert criterion[3] == 10 and criterion[5] == 6.0      # max, reviewer's score (the label spans B:C)
    assert any("Đã duyệt" in str(r[0]) for r in rows if r[0])


def test_the_copy_is_built_from_a_revision_alone_and_names_late_submission(filled):
    actor = filled.store.system_actor()
    late = next(r for r in filled.store.submissions(actor, "2026-6t") if r.unit_code in filled.late["2026-6t"])
    data = unit_copy_bytes(filled.catalog, late, unit=late.unit_code, period="2026-6t")
    assert data[:2] == b"PK"
    import io

    ws = load(io.BytesIO(data)).active
    assert any(isinstance(v, str) and f"trễ hạn {late.days_late} ngày" in v for v in _texts(ws))
