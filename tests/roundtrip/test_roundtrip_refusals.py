"""`danvan import` refuses what the browser form refuses: broken text and dates after today (naming the cell),
and a period before its opening day (naming the meta cell, the period and the day); nothing is stored."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from bookkit import blank, cell_of, fill
from click.testing import CliRunner
from samples import REPORT_INPUT

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.cli.roundtrip import import_
from danvan_kit.roundtrip import import_file
from danvan_kit.store import Store

ROOT = Path(__file__).resolve().parents[2] / "templates"
VN = timezone(timedelta(hours=7))


@pytest.fixture
def april_store(data_dir, catalog):
    """The initialised store, its clock on 28/04/2026 10:00 in Vietnam."""
    s = Store.open(data_dir=data_dir, validator=catalog.validator,
                   clock=lambda: datetime(2026, 4, 28, 10, 0, tzinfo=VN))
    yield s
    s.close()


def nothing_stored(store: Store, *periods: str) -> bool:
    actor = store.system_actor()
    return all(store.submissions(actor, p) == [] and store.status(actor, p)[0].state == "not_started"
               for p in periods)


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_workbook_of_next_years_report_is_refused_naming_the_period_and_its_opening_day(
        catalog, april_store, books, dry_run):
    path = fill(blank(catalog, books, "XA-AN-PHU", "2027-nam", "nam-2027.xlsx"), catalog.form_for("2027-nam"),
                dict(REPORT_INPUT, ngay_bao_cao="28/04/2026"))
    result = import_file(catalog, april_store, path, dry_run=dry_run)
    assert [str(p) for p in result.problems] == [
        "nam-2027.xlsx › meta › ô B5 › «Mã kỳ báo cáo»: Kỳ «Báo cáo năm 2027» chưa mở: từ ngày 01/01/2027 mới nộp "
        "báo cáo được cho kỳ này."]
    assert not result.stored and nothing_stored(april_store, "2027-nam")


@pytest.mark.parametrize("answers,key,message", [
    ({"ngay_bao_cao": "29/04/2026"}, "ngay_bao_cao",
     "«Ngày báo cáo»: ngày 29/04/2026 không được sau ngày hôm nay (28/04/2026)"),
    ({"ket_qua_dat_duoc": "Giải quyết \u202e001 hồ sơ"}, "ket_qua_dat_duoc",
     "«Kết quả đạt được»: có ký tự điều khiển hướng chữ (U+202E) dùng để ngụy trang văn bản; hãy xóa rồi gõ lại"),
])
def test_a_cell_the_form_would_refuse_is_refused_by_the_import_naming_the_cell(
        catalog, april_store, books, answers, key, message):
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t", "bao-cao.xlsx"), catalog.form_for("2026-6t"),
                {**REPORT_INPUT, **answers})
    result = import_file(catalog, april_store, path)
    assert [str(p) for p in result.problems] == [f"bao-cao.xlsx › Nhập liệu › ô {cell_of(path, key)} › {message}"]
    assert nothing_stored(april_store, "2026-6t")


def test_an_activity_dated_after_today_is_refused_at_its_row(catalog, april_store, books):
    rows = [{"ngay": "15/03/2026", "noi_dung": "Hội nghị", "so_nguoi": "40"},
            {"ngay": "01/01/2099", "noi_dung": "Hội nghị năm 2099", "so_nguoi": "45"}]
    path = fill(blank(catalog, books, "XA-AN-PHU", "2026-6t", "bao-cao.xlsx"), catalog.form_for("2026-6t"),
                REPORT_INPUT, {"hoat_dong_noi_bat": rows})
    result = import_file(catalog, april_store, path)
    assert [str(p) for p in result.problems] == [
        f"bao-cao.xlsx › Nhập liệu › ô {cell_of(path, 'hoat_dong_noi_bat[2]')} › «Các hoạt động tuyên truyền nổi "
        "bật, dòng 2: Ngày»: ngày 01/01/2099 không được sau ngày hôm nay (28/04/2026)"]
    assert nothing_stored(april_store, "2026-6t")


def test_danvan_import_refuses_a_period_that_has_not_opened_and_exits_with_1(tmp_path, books):
    """The command line, on the real clock: a calendar with the year 2100 keeps the test true for decades."""
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    path = root / "periods" / "lich-bao-cao.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("years: [2025, 2026, 2027]",
                                                             "years: [2025, 2026, 2027, 2100]"), encoding="utf-8")
    far = load_catalog(root)
    data = tmp_path / "data"
    with Store.open(data_dir=data, validator=far.validator) as store:
        store.migrate()
        store.load_reference(far.organisation, far.calendar, far.forms)
    book = fill(blank(far, books, "XA-AN-PHU", "2100-6t", "6t-2100.xlsx"), far.form_for("2100-6t"), REPORT_INPUT)
    group = click.Group("danvan")
    group.add_command(import_)
    result = CliRunner().invoke(group, ["import", str(book), "--data-dir", str(data)],
                                env={"DANVAN_DB_URL": "", "DANVAN_TEMPLATES": str(root)})
    assert result.exit_code == 1, result.output
    assert ("6t-2100.xlsx › meta › ô B5 › «Mã kỳ báo cáo»: Kỳ «Báo cáo 6 tháng đầu năm 2100» chưa mở: từ ngày "
            "01/01/2100 mới nộp báo cáo được cho kỳ này.") in result.stderr
    assert "1 tệp: 0 đã lưu, 1 bị từ chối" in result.stdout
    with Store.open(data_dir=data) as store:
        assert nothing_stored(store, "2100-6t")
