"""The background exporter: `python -m danvan_kit.publishing.worker` (started by request_export).

Takes the worker lock (one worker at a time), then repeatedly claims every
dirty marker, rebuilds those periods (and the annual workbook that shows them)
under the export lock, and exits when nothing is left. Latest copies held open
in Excel are retried for a while before it gives up (the next run retries too).
"""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .pending import PENDING_DIR, STARTING, WORKER_LOCK, dirty_periods

SHARED_WORKER_LOCK = "danvan-export-worker"  # the database-wide worker lock (PostgreSQL)

__all__ = ["run", "main", "affected_periods"]

log = logging.getLogger("danvan_kit.publishing.worker")


def affected_periods(catalog, period_id: str) -> list[str]:
    """The period itself and, for scores and models, the annual workbook of the same year that shows them."""
    try:
        period = catalog.calendar.get(period_id)
    except KeyError:
        return []
    return [p.id for p in catalog.calendar.shown_in(period)]


def _claim(out_dir: Path) -> list[str]:
    """Rename markers to .working (a request arriving now makes a fresh marker and another round)."""
    folder = out_dir / PENDING_DIR
    claimed = []
    for period_id in dirty_periods(out_dir):
        marker, working = folder / period_id, folder / f"{period_id}.working"
        try:
            if marker.exists():
                os.replace(marker, working)
            claimed.append(period_id)
        except OSError:
            continue
    return claimed


def _done(out_dir: Path, period_id: str) -> None:
    (out_dir / PENDING_DIR / f"{period_id}.working").unlink(missing_ok=True)


def _wait_for_stale(out_dir: Path, retries: int, delay: float, engine: Any) -> None:
    """Retry latest copies held open in Excel, but go back to work as soon as a request arrives."""
    from .publish import export_lock, retry_stale

    for _ in range(retries):
        with export_lock(out_dir, engine=engine):
            if not retry_stale(out_dir):
                return
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            if dirty_periods(out_dir):
                return
            time.sleep(min(1.0, delay))


def _drain(catalog: Any, store: Any, out_dir: Path, failed: set[str]) -> int:
    """Claim every marker and rebuild what it asks for, until none is left; returns workbooks built."""
    from .export import export_period

    built = 0
    while claimed := _claim(out_dir):
        todo = list(dict.fromkeys(p for c in claimed for p in affected_periods(catalog, c)))
        for period_id in todo:
            started = time.monotonic()
            try:
                report = export_period(catalog, store, period_id, out_dir=out_dir)
                built += 1
                log.info("export worker: %s rebuilt in %.1f s (%s)", period_id, time.monotonic() - started,
                         report.newest.name if report.newest else "")
                for problem in report.all_problems:
                    log.warning("%s: %s", period_id, problem)
            except Exception:  # noqa: BLE001 - marked again below for the next run
                log.exception("export of %s failed", period_id)
                failed.add(period_id)
        for period_id in claimed:
            _done(out_dir, period_id)
    return built


def run(out_dir: Path, *, retries: int = 10, retry_delay: float = 30.0) -> int:
    """Drain the markers; returns the number of workbooks rebuilt.

    One worker at a time per output folder: the folder's file lock (processes of one host),
    and with PostgreSQL the database-wide WORKER_LOCK too (servers on other hosts sharing
    the folder), so a marker is claimed, and its period rebuilt, by exactly one worker.
    """
    from ..catalog.loading import load_catalog
    from ..store import Store
    from ..store.engine import shared_lock

    lock = FileLock(str(out_dir / WORKER_LOCK), timeout=0)
    (out_dir / STARTING).unlink(missing_ok=True)  # started: requests now rely on the lock alone
    built = 0
    catalog = load_catalog()
    with Store.open() as store:
        while True:
            try:
                lock.acquire()
            except Timeout:
                return built  # another worker is draining; it will see our markers
            failed: set[str] = set()
            try:
                with shared_lock(store.engine, SHARED_WORKER_LOCK, wait=False) as held:
                    if not held:
                        log.info("export worker: another server's worker is draining %s", out_dir)
                        return built  # it looks for markers again after letting go, as we do below
                    built += _drain(catalog, store, out_dir, failed)
                    _wait_for_stale(out_dir, retries, retry_delay, store.engine)
            finally:
                lock.release()
            for period_id in failed:
                (out_dir / PENDING_DIR / period_id).touch()
            if failed or not dirty_periods(out_dir):
                return built


def main() -> None:
    """Log to the data folder's logs/app.log, beside the app (stderr, kept in .export.log of the
    output folder, only catches what fails before logging is set up)."""
    from ..settings import output_dir, setup_app_log

    setup_app_log()

    out = Path(os.environ.get("DANVAN_OUTPUT_DIR") or output_dir())
    retries = int(os.environ.get("DANVAN_EXPORT_RETRIES", "10"))
    delay = float(os.environ.get("DANVAN_EXPORT_RETRY_DELAY", "30"))
    sys.exit(0 if run(out, retries=retries, retry_delay=delay) >= 0 else 1)


if __name__ == "__main__":
    main()
