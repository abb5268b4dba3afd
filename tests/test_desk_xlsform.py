"""Forms edited in Excel from the desk, driven through its widgets (issue 14)."""
from __future__ import annotations

import io
import shutil
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from danvan_kit.app.context import App
from danvan_kit.app.desk import DeskView
from danvan_kit.catalog.loading import load_catalog
from danvan_kit.forms.loader import load_form
from danvan_kit.store import Store

ROOT = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def app(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    catalog = load_catalog(root)
    store = Store.open(data_dir=tmp_path, validator=catalog.validator,
                       clock=lambda: datetime(2026, 11, 5, 3, 0, tzinfo=timezone.utc))
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    store.create_account("phongnoivu", role="analyst", unit_code=None, passcode="mat-khau-1")
    store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="mat-khau-1")
    yield App(catalog=catalog, store=store, data=tmp_path, export_on_submit=False)
    store.close()


def edited(content: bytes, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def set_setting(wb, key, value):
    ws = wb["settings"]
    ws.cell(2, [c.value for c in ws[1]].index(key) + 1).value = value


def test_an_analyst_downloads_a_form_edits_it_and_keeps_it_as_the_next_version_only_once_it_passes(app):
    analyst, _ = app.login("phongnoivu", "mat-khau-1")
    panel = DeskView(app, analyst).form_excel
    panel.form_pick.value = "bao-cao-dinh-ky"
    content = panel.download()
    assert "bieu-mau-bao-cao-dinh-ky-v1.xlsx" in panel.link.value
    forms = app.catalog.root / "forms"
    before = sorted(p.name for p in forms.iterdir())

    panel.check(("bao-cao.xlsx", content))                      # unchanged: version 1 exists already
    assert "phiên bản 1 đã có" in panel.result.value and panel.save_button.disabled

    def broken(wb):
        set_setting(wb, "version", 2)
        ws = wb["survey"]
        ws.cell(5, 1).value = "geopoint"
    panel.check(("bao-cao.xlsx", edited(content, broken)))
    assert "chưa lưu được" in panel.result.value and "ô A5" in panel.result.value and "geopoint" in panel.result.value
    assert panel.save_button.disabled and panel.save() is None
    assert sorted(p.name for p in forms.iterdir()) == before       # nothing written

    def next_version(wb):
        set_setting(wb, "version", 2)
        set_setting(wb, "applies_from", 2027)
    panel.check(("bao-cao.xlsx", edited(content, next_version)))
    assert "hợp lệ" in panel.result.value and not panel.save_button.disabled
    saved = panel.save()
    assert saved.version == 2 and "Đã lưu" in panel.result.value
    assert "templates" not in panel.result.value and ".yaml" not in panel.result.value
    new = load_form(forms / "bao-cao-dinh-ky-v2.yaml")
    assert asdict(new) == {**asdict(app.catalog.form("bao-cao-dinh-ky")), "version": 2,
                                "applies_from": 2027}
    assert load_catalog(app.catalog.root).form_for("2027-nam").version == 2


def test_a_unit_account_cannot_use_the_panel_even_if_it_reaches_it(app):
    from danvan_kit.app.form_excel_panel import FormExcelPanel

    unit, _ = app.login("xa-an-phu", "mat-khau-1")
    panel = FormExcelPanel(app, unit)
    assert panel.download() is None and panel.link.value == ""
    assert panel.check(("x.xlsx", b"")) is None
    assert "dv-xlsform" not in panel.result.value and panel.result.value
