"""Who may read what danvan writes: the data folder 0700, the store and its -wal/-shm 0600, the output folder
0700 and its workbooks 0600 — unless an operator shared the output folder on purpose, which its files follow."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.publishing import export_period
from danvan_kit.publishing.pending import mark_dirty
from danvan_kit.store import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask of a default Linux account (files 0644, folders 0755 unless danvan says otherwise)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _store(catalog, data: Path) -> Store:
    store = Store.open(data_dir=data, validator=catalog.validator)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    return store


def test_a_new_store_folder_is_0700_and_the_store_its_wal_and_shm_are_0600(tmp_path, catalog, monkeypatch):
    monkeypatch.delenv("DANVAN_DB_URL", raising=False)
    data = tmp_path / "data"
    store = _store(catalog, data)
    try:
        files = sorted(p.name for p in data.iterdir())
        assert files == ["danvan.sqlite3", "danvan.sqlite3-shm", "danvan.sqlite3-wal"]  # open: WAL in use
        assert mode(data) == 0o700
        assert {name: mode(data / name) for name in files} == {name: 0o600 for name in files}
    finally:
        store.close()


def test_an_existing_store_keeps_the_mode_its_operator_gave_it(tmp_path, catalog):
    data = tmp_path / "data"
    _store(catalog, data).close()
    os.chmod(data / "danvan.sqlite3", 0o640)
    _store(catalog, data).close()
    assert mode(data / "danvan.sqlite3") == 0o640


def test_an_export_creates_its_folders_0700_and_every_workbook_0600(tmp_path, catalog):
    out = tmp_path / "data" / "xuat-excel"
    with _store(catalog, tmp_path / "store") as store:
        report = export_period(catalog, store, "2026-6t", out_dir=out)
    assert report.newest.exists() and report.others[0].newest.exists()
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name: mode(p) for p in folders} == {p.name: 0o700 for p in folders}
    assert len([p for p in files if p.suffix == ".xlsx"]) == 4  # two latest copies, two dated versions
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_an_output_folder_shared_with_a_group_on_purpose_shares_its_workbooks_with_that_group(tmp_path, catalog):
    out = tmp_path / "chia-se"
    out.mkdir(mode=0o750)
    os.chmod(out, 0o750)
    with _store(catalog, tmp_path / "store") as store:
        export_period(catalog, store, "2026-6t", out_dir=out)
        export_period(catalog, store, "2026-6t", out_dir=out)  # a second run replaces the latest copies
    assert mode(out) == 0o750 and mode(out / "phien-ban") == 0o750
    workbooks = list(out.rglob("*.xlsx"))
    assert len(workbooks) == 6 and {mode(p) for p in workbooks} == {0o640}


def test_a_submit_before_any_export_creates_the_output_folder_0700(tmp_path):
    out = tmp_path / "data" / "xuat-excel"
    mark_dirty(out, "2026-6t")
    assert mode(tmp_path / "data") == 0o700 and mode(out) == 0o700 and mode(out / ".cho-xuat") == 0o700
