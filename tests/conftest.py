"""Shared fixtures: the shipped catalog, and the app on a real SQLite store (sample answers live in samples.py)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from danvan_kit.app.context import App
from danvan_kit.catalog.loading import Catalog, load_catalog
from danvan_kit.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(ROOT / "templates")


NOW = datetime(2026, 4, 28, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hớn Quản, a week before 05/05


@pytest.fixture
def clock() -> dict:
    state = {"now": NOW}
    return state


@pytest.fixture
def app(tmp_path, catalog, clock):
    store = Store.open(data_dir=tmp_path, validator=catalog.validator, clock=lambda: clock["now"])
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="an-phu-2026")
    store.create_account("xa-tan-quan", role="unit", unit_code="XA-TAN-QUAN", passcode="tan-quan-2026")
    store.create_account("phongnoivu", role="analyst", unit_code=None, passcode="noi-vu-2026")
    yield App(catalog=catalog, store=store, data=tmp_path, export_on_submit=False)
    store.close()
