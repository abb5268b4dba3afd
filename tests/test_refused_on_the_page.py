"""Through the app's pages, as a unit uses them: unopened periods are not offered, and broken text or a
date after today is refused on the form naming the field, with nothing stored."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from samples import REPORT_INPUT, fill

from danvan_kit.app.context import App
from danvan_kit.app.form_page import FormPage
from danvan_kit.app.home import HomeView
from danvan_kit.catalog.loading import load_catalog
from danvan_kit.store import Store

ROOT = Path(__file__).resolve().parent.parent / "templates"
VN = timezone(timedelta(hours=7))


@pytest.fixture
def clock():
    return {"now": datetime(2026, 4, 28, 10, 0, tzinfo=VN)}


def make_app(tmp_path, catalog, clock) -> App:
    store = Store.open(data_dir=tmp_path, validator=catalog.validator, clock=lambda: clock["now"])
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="an-phu-2026")
    store.create_account("phongnoivu", role="analyst", unit_code=None, passcode="noi-vu-2026")
    return App(catalog=catalog, store=store, data=tmp_path, export_on_submit=False)


@pytest.fixture
def app(tmp_path, catalog, clock):
    app = make_app(tmp_path, catalog, clock)
    yield app
    app.store.close()


@pytest.fixture
def late_opening_app(tmp_path, clock):
    """The shipped templates, with the 2026 model registration opening on 01/05."""
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    path = root / "periods" / "lich-bao-cao.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "overrides: {}", "overrides:\n  2026:\n    dvk: {opens: 01/05}"), encoding="utf-8")
    app = make_app(tmp_path / "data", load_catalog(root), clock)
    yield app
    app.store.close()


def held(app: App) -> list:
    """Every revision of XA-AN-PHU's six-month report, as the analyst reads them."""
    analyst = app.store.system_actor()
    return app.store.history(analyst, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")


def test_a_unit_is_not_offered_next_years_periods_even_by_editing_the_link(app):
    unit, _ = app.login("xa-an-phu", "an-phu-2026")
    page = FormPage(app, unit, "bao-cao-dinh-ky", {"ky": "2027-nam"})
    offered = [value for _title, value in page.period_pick.options]
    assert offered == ["2025-6t", "2025-nam", "2026-6t", "2026-nam"]
    assert page.period.id == FormPage(app, unit, "bao-cao-dinh-ky", {}).period.id == "2025-nam"  # not the link's
    analyst, _ = app.login("phongnoivu", "noi-vu-2026")
    ahead = FormPage(app, analyst, "bao-cao-dinh-ky", {"ky": "2027-nam"})
    assert ahead.period.id == "2027-nam" and "2027-6t" in [v for _t, v in ahead.period_pick.options]


def test_the_home_page_lists_a_period_for_units_only_from_its_opening_day(late_opening_app, clock):
    app = late_opening_app
    unit, _ = app.login("xa-an-phu", "an-phu-2026")
    analyst, _ = app.login("phongnoivu", "noi-vu-2026")
    assert 'data-period="2026-dvk"' not in HomeView(app, unit).children[0].value
    assert 'data-period="2026-dvk"' in HomeView(app, analyst).children[0].value
    assert "2026-dvk" not in [v for _t, v in FormPage(app, unit, "dan-van-kheo", {}).period_pick.options]
    clock["now"] = datetime(2026, 5, 1, 7, 0, tzinfo=VN)
    unit, _ = app.login("xa-an-phu", "an-phu-2026")                      # a new working day, a new log-in
    assert 'data-period="2026-dvk"' in HomeView(app, unit).children[0].value
    assert FormPage(app, unit, "dan-van-kheo", {"ky": "2026-dvk"}).period.id == "2026-dvk"


def test_a_draft_with_a_broken_character_is_refused_on_the_page_naming_the_field(app):
    unit, _ = app.login("xa-an-phu", "an-phu-2026")
    page = FormPage(app, unit, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    fill(page.view, dict(REPORT_INPUT, nguoi_lap="Nguyễn Thị\ud83d Hồng Nhung"))
    page.view.draft_button.click()
    status = page.view.status.value
    assert "dv-status-error" in status and "lỗi hệ thống" not in status
    assert "«nguoi_lap»: có ký tự hỏng (U+D83D" in status
    assert held(app) == []
    page.view.submit_button.click()                                      # the form's own check names the label
    assert "⚠" in page.view.controls["nguoi_lap"].error.value
    assert "«Người lập biểu»: có ký tự hỏng (U+D83D" in page.view.summary.value
    assert held(app) == []


def test_a_report_dated_after_the_stores_today_is_marked_beside_its_field(app, clock):
    clock["now"] = datetime(2026, 4, 27, 16, 0, tzinfo=VN)               # the day before the sample's date
    unit, _ = app.login("xa-an-phu", "an-phu-2026")
    page = FormPage(app, unit, "bao-cao-dinh-ky", {"ky": "2026-6t"})
    fill(page.view, REPORT_INPUT)
    result = page.view.submit()
    assert not result.ok
    assert "«Ngày báo cáo»: ngày 28/04/2026 không được sau ngày hôm nay (27/04/2026)" in page.view.status.value
    assert "không được sau ngày hôm nay" in page.view.controls["ngay_bao_cao"].error.value
    assert held(app) == []
