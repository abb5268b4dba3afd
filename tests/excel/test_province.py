"""The province summary and the roll-up of several bodies' workbooks, read back with openpyxl."""
from __future__ import annotations

import pytest
from excelfill import TODAY, fill_store

from danvan_kit.excel import build_consolidated, read_indicators, roll_up


def _values(path):
    source, period, rows = read_indicators(path)
    return source, period, {i.key: i.values[0] for i in rows}, {i.key: i for i in rows}


def test_the_province_summary_carries_the_years_figures_scores_and_models(filled, books):
    source, period, values, _ = _values(books.province)
    assert source == "Ủy ban nhân dân huyện Hớn Quản" and period == "Báo cáo năm 2026"
    subs = filled.store.submissions(filled.store.system_actor(), "2026-nam")
    assert values["status__units"] == 25 and values["status__submitted"] == 23 == len(subs)
    assert values["tthc_tiep_nhan"] == sum(r.data["tthc_tiep_nhan"] for r in subs)
    dung = sum(r.data["tthc_dung_han"] for r in subs)
    tre = sum(r.data["tthc_tre_han"] for r in subs)
    assert values["tthc_ty_le_dung_han"] == round(100 * dung / (dung + tre), 1)
    assert values["tcd__submitted"] == 22 and values["tcd__khong_du_dieu_kien_xep_loai"] == 1
    assert values["dvk__models"] == len(filled.store.submissions(filled.store.system_actor(), "2026-dvk"))


@pytest.fixture(scope="session")
def second_district(catalog, tmp_path_factory):
    folder = tmp_path_factory.mktemp("district-2")
    other = fill_store(catalog, folder, seed=7)
    path = folder / "tong-hop-2026-nam.xlsx"
    build_consolidated(catalog, other.store, "2026-nam", path, today=TODAY)
    other.store.close()
    return path


def test_a_roll_up_of_two_districts_adds_figures_and_recomputes_rates(books, second_district, tmp_path):
    out = tmp_path / "tinh.xlsx"
    problems = roll_up([books.consolidated["2026-nam"], second_district], out, issuer="Sở Nội vụ",
                       parent="Ủy ban nhân dân tỉnh", place="Đồng Nai", today=TODAY)
    assert problems == []
    _, _, a, rows_a = _values(books.consolidated["2026-nam"])
    _, _, b, rows_b = _values(second_district)
    source, _, total, rows = _values(out)
    assert source == "Sở Nội vụ"
    assert total["tthc_tiep_nhan"] == a["tthc_tiep_nhan"] + b["tthc_tiep_nhan"]
    assert total["status__units"] == 50
    done = a["khieu_nai_da_giai_quyet"] + b["khieu_nai_da_giai_quyet"]
    got = a["khieu_nai_tiep_nhan"] + b["khieu_nai_tiep_nhan"]
    assert total["khieu_nai_da_giai_quyet__ty_le"] == round(100 * done / got, 1)   # not the mean of two rates
    na, nb = rows_a["ty_le_hai_long"].ns[0], rows_b["ty_le_hai_long"].ns[0]
    assert rows["ty_le_hai_long"].ns[0] == na + nb > 0   # a mean is weighted by how many units answered
    assert total["ty_le_hai_long"] == pytest.approx(
        round((a["ty_le_hai_long"] * na + b["ty_le_hai_long"] * nb) / (na + nb), 2))
    from excelkit import load

    ws = load(out)["Chỉ tiêu tổng hợp"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "__key__")
    assert header[7:] == ("Ủy ban nhân dân huyện Hớn Quản", "Ủy ban nhân dân huyện Hớn Quản", "Tổng cộng")
    assert ws.column_dimensions["A"].hidden and ws.print_title_rows


def test_a_roll_up_of_roll_ups_serves_the_level_above(books, second_district, tmp_path):
    first, second = tmp_path / "vung-1.xlsx", tmp_path / "vung-2.xlsx"
    roll_up([books.consolidated["2026-nam"], second_district], first, issuer="Vùng 1", today=TODAY)
    roll_up([books.province], second, issuer="Vùng 2", today=TODAY)
    roll_up([first, second], tmp_path / "ca-nuoc.xlsx", issuer="Bộ Nội vụ", today=TODAY)
    _, _, top, _ = _values(tmp_path / "ca-nuoc.xlsx")
    _, _, a, _ = _values(books.consolidated["2026-nam"])
    _, _, b, _ = _values(second_district)
    assert top["so_cuoc_tuyen_truyen"] == 2 * a["so_cuoc_tuyen_truyen"] + b["so_cuoc_tuyen_truyen"]


def test_a_roll_up_warns_about_mixed_periods_and_refuses_a_foreign_file(books, tmp_path):
    problems = roll_up([books.consolidated["2026-6t"], books.consolidated["2026-nam"]], tmp_path / "x.xlsx")
    assert problems and "kỳ báo cáo khác nhau" in problems[0]
    with pytest.raises(ValueError, match="unit-copy.xlsx"):
        foreign = tmp_path / "unit-copy.xlsx"
        foreign.write_bytes(books.unit_copies["2026-6t"].read_bytes())
        roll_up([foreign], tmp_path / "y.xlsx")
