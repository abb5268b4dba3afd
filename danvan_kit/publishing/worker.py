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

from filelock import FileLock, Timeout

from .pending import PENDING_DIR, STARTING, WORKER_LOCK, dirty_periods

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


def _wait_for_stale(out_dir: Path, retries: int, delay: float) -> None:
    """Retry latest copies held open in Excel, but go back to work as soon as a request arrives."""
    from .publish import export_lock, retry_stale

    for _ in range(retries):
        with export_lock(out_dir):
            if not retry_stale(out_dir):
                return
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            if dirty_periods(out_dir):
                return
            time.sleep(min(1.0, delay))


def run(out_dir: Path, *, retries: int = 10, retry_delay: float = 30.0) -> int:
    """Drain the markers; returns the number of workbooks rebuilt."""
    from ..catalog.loading import load_catalog
    from ..store import Store
    from .export import export_period

    lock = FileLock(str(out_dir / WORKER_LOCK), timeout=0)
    (out_dir / STARTING).unlink(missing_ok=True)  # started: requests now rely on the lock alone
    built = 0
    while True:
        try:
            lock.acquire()
        except Timeout:
            return built  # another worker is draining; it will see our markers
        failed: set[str] = set()
        try:
            catalog = load_catalog()
            with Store.open() as store:
                while claimed := _claim(out_dir):
                    todo = list(dict.fromkeys(p for c in claimed for p in affected_periods(catalog, c)))
                    for period_id in todo:
                        try:
                            report = export_period(catalog, store, period_id, out_dir=out_dir)
                            built += 1
                            for problem in report.all_problems:
                                log.warning("%s: %s", period_id, problem)
                        except Exception:  # noqa: BLE001 - marked again below for the next run
                            log.exception("export of %s failed", period_id)
                            failed.add(period_id)
                    for period_id in claimed:
                        _done(out_dir, period_id)
            _wait_for_stale(out_dir, retries, retry_delay)
        finally:
            lock.release()
        for period_id in failed:
            (out_dir / PENDING_DIR / period_id).touch()
        if failed or not dirty_periods(out_dir):
            return built


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations are not this log's story
    from ..settings import output_dir

    out = Path(os.environ.get("DANVAN_OUTPUT_DIR") or output_dir())
    retries = int(os.environ.get("DANVAN_EXPORT_RETRIES", "10"))
    delay = float(os.environ.get("DANVAN_EXPORT_RETRY_DELAY", "30"))
    sys.exit(0 if run(out, retries=retries, retry_delay=delay) >= 0 else 1)


if __name__ == "__main__":
    main()
