"""With PostgreSQL, workbook rebuilds are coordinated through the database: servers on other hosts
sharing the output folder never write a workbook at once, and a requested rebuild is done once."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from storekit import PG_SKIP_REASON, PG_URL, reset_postgres

from danvan_kit.publishing import export_period
from danvan_kit.publishing.pending import PENDING_DIR, dirty_periods, mark_dirty
from danvan_kit.publishing.publish import EXPORT_LOCK
from danvan_kit.publishing.worker import SHARED_WORKER_LOCK, run
from danvan_kit.store import Store
from danvan_kit.store.engine import make_engine, shared_lock

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)]


@pytest.fixture
def pg_store(catalog, monkeypatch):
    reset_postgres(PG_URL)
    monkeypatch.setenv("DANVAN_DB_URL", PG_URL)
    store = Store.open(PG_URL, validator=catalog.validator)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    yield store
    store.close()


def _waiting_for_advisory_lock(engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                      "AND NOT granted")).scalar())


def _until(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def test_a_worker_leaves_the_queue_to_the_other_hosts_worker_and_each_request_is_built_once(
        pg_store, tmp_path, monkeypatch):
    out = tmp_path / "shared"
    monkeypatch.setenv("DANVAN_OUTPUT_DIR", str(out))
    mark_dirty(out, "2026-6t")
    other_host = make_engine(PG_URL)
    try:
        with shared_lock(other_host, SHARED_WORKER_LOCK) as held:   # another server's worker is draining
            assert held
            assert run(out, retries=0) == 0                        # so this one builds nothing ...
            assert dirty_periods(out) == ["2026-6t"]               # ... and claims nothing
            assert not (out / "tong-hop-2026-6t.xlsx").exists()
        assert run(out, retries=0) == 1                            # once it let go: built exactly once
        assert dirty_periods(out) == [] and not any((out / PENDING_DIR).iterdir())
        assert (out / "tong-hop-2026-6t.xlsx").exists()
        assert run(out, retries=0) == 0                            # nothing left to build twice
    finally:
        other_host.dispose()


def test_an_export_waits_while_another_host_writes_the_workbooks(pg_store, catalog, tmp_path):
    out = tmp_path / "shared"
    other_host = make_engine(PG_URL)
    done: list = []
    try:
        with shared_lock(other_host, EXPORT_LOCK):
            writer = threading.Thread(target=lambda: done.append(
                export_period(catalog, pg_store, "2026-6t", out_dir=out)))
            writer.start()
            _until(lambda: _waiting_for_advisory_lock(other_host), 30, "the export to wait for the lock")
            assert writer.is_alive() and not (out / "tong-hop-2026-6t.xlsx").exists()
        writer.join(60)
        assert done and done[0].latest == out / "tong-hop-2026-6t.xlsx" and done[0].latest.exists()
    finally:
        other_host.dispose()


def test_idle_connections_are_given_back_to_postgresql(pg_store, monkeypatch):
    monkeypatch.setenv("DANVAN_PG_IDLE_SECONDS", "1")
    store = Store.open(PG_URL)
    try:
        pid = store._read(lambda conn: conn.execute(text("SELECT pg_backend_pid()")).scalar())
        alive = lambda: pg_store._read(lambda conn: conn.execute(  # noqa: E731
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar())
        assert alive() == 1
        _until(lambda: alive() == 0, 10, "PostgreSQL to close the idle connection")
        assert store.status(store.system_actor(), "2026-6t")       # the next call reconnects by itself
    finally:
        store.close()
