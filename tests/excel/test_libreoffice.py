"""LibreOffice headless as an independent reader: PDF and CSV without error, the same figures.

Three conversions in all (PDF; CSV keeping our stored results; CSV recalculating
every formula), each over several workbooks, to keep the suite fast.
"""
from __future__ import annotations

import pytest
from excelfill import FORMULA_TEXT, PLUS_TEXT
from excelkit import number, read_csv


@pytest.fixture(scope="session")
def converted(books, libreoffice, tmp_path_factory):
    out = tmp_path_factory.mktemp("lo-out")
    pdf = [books.consolidated["2026-6t"], books.consolidated["2026-nam"], books.unit_copies["2026-6t"],
           books.unit_copies["2026-tcd"], books.province]
    runs = {"pdf": libreoffice.convert(pdf, "pdf", out / "pdf"),
            "cached": libreoffice.convert([books.consolidated["2026-nam"], books.consolidated["2026-6t"]], "csv",
                                          out / "cached", recalc=False),
            "recalc": libreoffice.convert([books.consolidated["2026-nam"], books.province], "csv", out / "recalc")}
    return out, pdf, runs


def _csv(folder, stem, sheet):
    return read_csv(folder / f"{stem}-{sheet}.csv")


def test_libreoffice_turns_the_workbooks_into_pdf_without_error(converted):
    out, sources, runs = converted
    for name, run in runs.items():
        assert run.returncode == 0, (name, run.stderr)
        assert "Error" not in run.stderr, run.stderr
    for src in sources:
        pdf = out / "pdf" / f"{src.stem}.pdf"
        assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


@pytest.mark.parametrize("mode", ["cached", "recalc"])
def test_the_csv_figures_and_totals_match_the_store(filled, converted, mode):
    out, _, _ = converted
    rows = _csv(out / mode, "tong-hop-2026-nam", "5. Tiếp công dân; giải quyết")
    head = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    headers = rows[head]
    c = headers.index("Số đơn khiếu nại tiếp nhận (đơn)")
    rate = next(i for i, h in enumerate(headers) if h.startswith("Tỷ lệ (%) Số đơn khiếu nại đã giải quyết"))
    settled = headers.index("Số đơn khiếu nại đã giải quyết (đơn)")
    total = next(r for r in rows if len(r) > 1 and r[1] == "Tổng cộng")
    subs = filled.store.submissions(filled.store.system_actor(), "2026-nam")
    received = sum(r.data["khieu_nai_tiep_nhan"] for r in subs)
    done = sum(r.data["khieu_nai_da_giai_quyet"] for r in subs)
    assert number(total[c]) == received and number(total[settled]) == done
    assert number(total[rate]) == pytest.approx(done / received, abs=0.0005)   # shown as 0.0%
    units = [r for r in rows[head + 2:] if r and r[0].isdigit()]
    assert len(units) == 25
    assert sum(number(r[c]) or 0 for r in units) == received


def test_the_recalculated_status_counts_and_class_counts_agree_with_the_stored_ones(converted):
    out, _, _ = converted
    for sheet in ("Tình hình nộp báo cáo", "Bảng điểm xếp loại"):
        cached = _csv(out / "cached", "tong-hop-2026-nam", sheet)
        recalc = _csv(out / "recalc", "tong-hop-2026-nam", sheet)
        assert cached == recalc, sheet
        assert any(r[1:3] == ["Chưa nộp", "2"] or r[1:3] == ["Chưa nộp", "3"] for r in cached if len(r) > 2)


def test_the_province_summary_csv_has_the_weighted_rates(filled, converted):
    out, _, _ = converted
    rows = _csv(out / "recalc", "bao-cao-tinh-2026", "Chỉ tiêu tổng hợp")
    subs = filled.store.submissions(filled.store.system_actor(), "2026-nam")
    dung, tre = (sum(r.data[k] for r in subs) for k in ("tthc_dung_han", "tthc_tre_han"))
    line = next(r for r in rows if len(r) > 4 and r[4].startswith("Tỷ lệ giải quyết đúng hạn"))
    assert number(line[7]) == round(100 * dung / (dung + tre), 1)   # the label spans E:F


def test_formula_looking_text_survives_libreoffice_as_typed(converted):
    out, _, _ = converted
    flat = [c for r in _csv(out / "cached", "tong-hop-2026-6t", "Đánh giá chung, phương hướng") for c in r]
    assert FORMULA_TEXT in flat and PLUS_TEXT in flat
    assert not any(c.startswith(("#NAME", "#VALUE", "Err:")) for c in flat)
