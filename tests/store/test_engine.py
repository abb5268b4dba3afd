"""Engine set-up: SQLite pragmas, the write lock taken up front, retries that hide 'database is locked'."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from storekit import REPORT

from danvan_kit.store import Account, Store, StoreBusy, StoreError
from danvan_kit.store.engine import resolve_url, run_with_retry

FORM, PERIOD = REPORT


def _sqlite_only(store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas and locks")


def test_sqlite_uses_wal_full_sync_and_a_long_busy_timeout(store):
    _sqlite_only(store)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_write_transaction_holds_the_lock_from_its_first_statement_and_readers_still_read(store, unit_a):
    _sqlite_only(store)
    store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"v": 1}, template_version=1, attempt_id="w")
    other = sqlite3.connect(store.engine.url.database, timeout=0, isolation_level=None)
    with store.engine.begin() as conn:
        conn.execute(text("SELECT 1"))  # a read only: the lock is already held (BEGIN IMMEDIATE)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        assert store.latest(unit_a, "XA-AN-PHU", FORM, PERIOD).data == {"v": 1}  # WAL: readers go on
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def _locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_transient_errors_are_retried_quietly():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return "đã lưu"

    assert run_with_retry(flaky, first_delay=0.001) == "đã lưu" and len(calls) == 3


def test_a_store_that_stays_busy_says_so_in_vietnamese_without_database_is_locked():
    def always_locked():
        raise _locked()

    with pytest.raises(StoreBusy) as err:
        run_with_retry(always_locked, attempts=3, first_delay=0.001)
    assert "locked" not in str(err.value) and "bận" in str(err.value)


def test_other_database_errors_are_not_retried():
    calls = []

    def broken():
        calls.append(1)
        raise IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("NOT NULL constraint failed"))

    with pytest.raises(IntegrityError):
        run_with_retry(broken, first_delay=0.001)
    assert len(calls) == 1


def test_the_url_comes_from_the_argument_then_the_environment_then_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("DANVAN_DB_URL", "postgresql+psycopg:///tu-bien-moi-truong")
    assert resolve_url("sqlite:///ro-rang.db") == "sqlite:///ro-rang.db"
    assert resolve_url() == "postgresql+psycopg:///tu-bien-moi-truong"
    monkeypatch.delenv("DANVAN_DB_URL")
    monkeypatch.setenv("DANVAN_DATA_DIR", str(tmp_path / "du-lieu"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'du-lieu' / 'danvan.sqlite3'}"
    assert resolve_url(data_dir=tmp_path / "khac") == f"sqlite:///{tmp_path / 'khac' / 'danvan.sqlite3'}"


def test_importing_the_store_does_not_import_pandas():
    code = "import sys, danvan_kit.store, danvan_kit.cli; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_store_that_was_never_initialised_says_to_run_danvan_init(db_url):
    with Store.open(db_url) as store:
        with pytest.raises(StoreError, match="danvan init"):
            store.status(Account(id=1, login="ai-do", role="analyst", unit_code=None), "2026-6t")
