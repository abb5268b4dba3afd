"""The consolidated workbook read back with openpyxl: every unit, every figure, totals, checks, layout."""
from __future__ import annotations

import re
import zipfile

import pytest
from excelfill import FORMULA_TEXT, PLUS_TEXT
from excelkit import column, find_sheet, load, read_table

from danvan_kit.figures.sums import content_sections
from danvan_kit.forms.text import vn_sort_key


def _submitted(filled, period):
    return {r.unit_code: r for r in filled.store.submissions(filled.store.system_actor(), period)}


def test_the_status_sheet_lists_every_unit_in_vietnamese_order_submitted_or_not(filled, books):
    ws = find_sheet(load(books.consolidated["2026-6t"]), "Tình hình nộp")
    t = read_table(ws)
    names = [r[1] for r in t.rows]
    units = filled.catalog.organisation.reporting_units()
    assert names == [u.name for u in units] == sorted(names, key=vn_sort_key)
    by_name = {u.name: u.code for u in units}
    deadline, late = column(t, "Đúng hạn / trễ hạn"), column(t, "Số ngày trễ")
    for row in t.rows:
        code = by_name[row[1]]
        if code in filled.missing["2026-6t"]:
            assert row[deadline] == "Chưa nộp" and row[column(t, "Nộp lần đầu")] is None
        elif code in filled.late["2026-6t"]:
            assert row[deadline] == "Trễ hạn" and row[late] >= 1
        else:
            assert row[deadline] == "Đúng hạn" and row[late] is None
    corrected = next(r for r in t.rows if by_name[r[1]] == filled.correction)
    assert corrected[column(t, "Kết quả duyệt")] == "Cần chỉnh sửa"
    assert "rà soát" in corrected[column(t, "Nhận xét")]
    values = [r[:3] for r in ws.iter_rows(min_row=t.first + len(t.rows), values_only=True) if r[1]]
    counts = {r[1]: r[2] for r in values if isinstance(r[2], int)}
    assert counts["Chưa nộp"] == 2 and counts["Đã nộp nhưng trễ hạn"] == 4
    assert counts["Số đơn vị phải báo cáo"] == 25 and counts["Đã nộp đúng hạn"] == 19


def test_each_content_area_has_every_unit_and_totals_equal_to_the_submissions(filled, books):
    wb = load(books.consolidated["2026-6t"])
    subs = _submitted(filled, "2026-6t")
    form = filled.catalog.form_for("2026-6t")
    sections = content_sections(form)
    assert [s.name for s in sections] == ["tuyen_truyen", "phoi_hop", "dan_chu", "cai_cach_hanh_chinh",
                                         "tiep_dan", "kiem_tra"]
    for section in sections:
        ws = find_sheet(wb, section.title[:12])
        t = read_table(ws)
        assert len(t.rows) == 25
        for f in section.fields:
            if f.type != "integer":
                continue
            c = t.headers.index(f"{f.label} ({f.unit})")
            expected = sum(r.data.get(f.name) or 0 for r in subs.values())
            assert sum(r[c] or 0 for r in t.rows) == expected, f.name
            assert t.totals[c] == expected, f.name


def test_every_total_formula_carries_the_value_we_computed(books):
    formulas, values = load(books.consolidated["2026-nam"], data_only=False), load(books.consolidated["2026-nam"])
    checked = 0
    for ws in formulas.worksheets:
        wv = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=SUM("):
                    a, b = re.match(r"=SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", cell.value).groups()
                    total = sum(v for r in wv[f"{a}:{b}"] for v in [r[0].value] if isinstance(v, (int, float)))
                    assert wv[cell.coordinate].value == pytest.approx(total), (ws.title, cell.coordinate)
                    checked += 1
                elif isinstance(cell.value, str) and cell.value.startswith("=") and '""' not in cell.value:
                    assert wv[cell.coordinate].value is not None, (ws.title, cell.coordinate)
    assert checked > 20


def test_settled_over_received_is_a_computed_rate_per_unit_and_in_total(filled, books):
    ws = find_sheet(load(books.consolidated["2026-6t"]), "5. Tiếp công dân")
    t = read_table(ws)
    received, settled = column(t, "Số đơn khiếu nại tiếp nhận"), column(t, "Số đơn khiếu nại đã giải quyết")
    rate = next(i for i, h in enumerate(t.headers) if h.startswith("Tỷ lệ (%) Số đơn khiếu nại đã giải quyết"))
    for row in t.rows:
        if row[received]:
            assert row[settled] <= row[received]
            assert row[rate] == pytest.approx(row[settled] / row[received])
    assert t.totals[rate] == pytest.approx(t.totals[settled] / t.totals[received])
    rules = ws.conditional_formatting
    assert any(">" in r.formula[0] for cf in rules for r in cf.rules), "a > b is highlighted"
    overall = column(t, "Tỷ lệ giải quyết đơn thư")
    subs = _submitted(filled, "2026-6t").values()
    done = sum(r.data[k] for r in subs
               for k in ("khieu_nai_da_giai_quyet", "to_cao_da_giai_quyet", "kien_nghi_da_giai_quyet"))
    got = sum(r.data[k] for r in subs for k in ("khieu_nai_tiep_nhan", "to_cao_tiep_nhan", "kien_nghi_tiep_nhan"))
    assert t.totals[overall] == pytest.approx(round(100 * done / got, 1) / 100)   # a weighted rate, not a mean


def test_text_that_looks_like_a_formula_or_a_link_stays_exactly_as_typed(filled, books):
    wb = load(books.consolidated["2026-6t"], data_only=False)
    ws = find_sheet(wb, "Đánh giá chung")
    cells = [c for row in ws.iter_rows() for c in row if c.value in (FORMULA_TEXT, PLUS_TEXT)]
    assert {c.value for c in cells} == {FORMULA_TEXT, PLUS_TEXT}
    assert all(c.data_type == "s" and c.hyperlink is None for c in cells)


def test_the_scoreboard_has_groups_self_and_reviewer_totals_class_rank_and_counts(filled, books):
    ws = find_sheet(load(books.consolidated["2026-tcd"]), "Bảng điểm")
    t = read_table(ws)
    subs = _submitted(filled, "2026-tcd")
    by_name = {u.name: u.code for u in filled.catalog.organisation.reporting_units()}
    own, reviewed = column(t, "Tổng điểm tự chấm"), column(t, "Tổng điểm thẩm định")
    label, rank = column(t, "Xếp loại"), column(t, "Xếp hạng")
    assert [h for h in t.headers if "tối đa" in h][:2] == ["I (tối đa 20)", "II (tối đa 20)"]
    form = filled.catalog.form_for("2026-tcd")
    finals = {}
    for row in t.rows:
        code = by_name[row[1]]
        if code not in subs:
            assert row[label] == "Chưa nộp" and row[own] is None
            continue
        data = subs[code].data
        assert row[own] == pytest.approx(data["tong_diem"])
        if code in filled.adjusted:
            adj = filled.adjusted[code]
            expected = sum(adj.get(f.name, data[f.name]) for f in form.score_fields())
            assert row[reviewed] == pytest.approx(expected)
        else:
            assert row[reviewed] is None
        final = row[reviewed] if row[reviewed] is not None else row[own]
        if code == filled.ineligible:
            assert row[label] == "Không đủ điều kiện xếp loại" and row[rank] is None
        else:
            assert row[label] == form.classify(final)
            finals[code] = (final, row[rank])
    for final, r in finals.values():
        assert r == 1 + sum(1 for f, _ in finals.values() if f > final)
    after = [r for r in ws.iter_rows(min_row=t.first + len(t.rows) + 1, values_only=True)]
    counts = {r[1]: r[2] for r in after if isinstance(r[2], int)}
    assert sum(counts.values()) == 25 and counts["Chưa nộp"] == 3
    assert counts["Không đủ điều kiện xếp loại"] == 1


def test_the_dan_van_kheo_register_lists_every_registered_model(filled, books):
    wb = load(books.consolidated["2026-dvk"])
    t = read_table(find_sheet(wb, "Sổ đăng ký"))
    subs = filled.store.submissions(filled.store.system_actor(), "2026-dvk")
    assert len(t.rows) == len(subs) > 15
    assert sorted(r[column(t, "Tên mô hình")] for r in t.rows) == sorted(r.data["ten_mo_hinh"] for r in subs)
    assert t.totals[column(t, "Số người được hưởng lợi")] == sum(r.data["so_nguoi_huong_loi"] for r in subs)
    assert "Nội dung mô hình Dân vận khéo" in wb.sheetnames


def test_the_annual_workbook_carries_the_years_scores_and_models_and_native_charts(books):
    wb = load(books.consolidated["2026-nam"])
    for prefix in ("Tình hình nộp", "1. Công tác", "Đánh giá chung", "Bảng điểm", "Sổ đăng ký", "Chỉ tiêu tổng hợp",
                   "Biểu đồ"):
        find_sheet(wb, prefix)
    with zipfile.ZipFile(books.consolidated["2026-nam"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 3
    with zipfile.ZipFile(books.consolidated["2026-6t"]) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) >= 2


def test_every_sheet_prints_as_an_official_document(books):
    wb = load(books.consolidated["2026-nam"], data_only=False)
    for ws in wb.worksheets:
        cells = {c.coordinate: c.value for row in ws.iter_rows(max_row=8) for c in row if c.value}
        text = " ".join(str(v) for v in cells.values())
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        assert "PHÒNG NỘI VỤ" in text and "Hớn Quản, ngày 20 tháng 11 năm 2026" in text
        assert "Số:      /BC-PNV" in text and "UBND HUYỆN HỚN QUẢN" in text
        assert ws.page_setup.paperSize == 9
        if ws.max_column > 8:
            assert ws.page_setup.orientation == "landscape", ws.title   # wide tables
        # a fixed scale that keeps 11-point text at 9 pt or more, never fit-to-width shrinking
        assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage), ws.title
        assert 84 <= int(ws.page_setup.scale or 100) <= 100, ws.title
        if ws.title == "Biểu đồ":
            continue
        assert ws.merged_cells.ranges, "merged heading"
        assert ws.print_title_rows, "header rows repeat on every page"
        assert ws.freeze_panes
        assert any(c.value == "NGƯỜI LẬP BIỂU" for row in ws.iter_rows() for c in row)
        assert any(c.value == "TRƯỞNG PHÒNG" for row in ws.iter_rows() for c in row)
        assert any(c.value == "Nơi nhận:" for row in ws.iter_rows() for c in row)
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Times New Roman"}, (ws.title, fonts)
    t = read_table(find_sheet(wb, "4. Cải cách"))
    assert find_sheet(wb, "4. Cải cách").auto_filter.ref
    formats = {find_sheet(wb, "4. Cải cách").cell(t.first, c + 1).number_format for c in range(len(t.headers))}
    assert "#,##0" in formats and "0.0%" in formats


def test_dates_are_real_dates_shown_as_dd_mm_yyyy(books):
    ws = find_sheet(load(books.consolidated["2026-6t"]), "Tình hình nộp")
    t = read_table(ws)
    c = column(t, "Nộp lần đầu")
    cell = next(ws.cell(t.first + i, c + 1) for i, r in enumerate(t.rows) if r[c] is not None)
    assert cell.is_date and cell.number_format == "dd/mm/yyyy hh:mm"
    t = read_table(find_sheet(load(books.consolidated["2026-dvk"]), "Sổ đăng ký"))
    ws = find_sheet(load(books.consolidated["2026-dvk"]), "Sổ đăng ký")
    start = ws.cell(t.first, column(t, "Thời gian bắt đầu") + 1)
    assert start.is_date and start.number_format == "dd/mm/yyyy" and start.value.strftime("%d/%m/%Y") == "01/03/2026"
