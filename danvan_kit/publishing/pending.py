"""Export requests from the app: mark the period dirty and make sure one worker is running.

`request_export` is called right after a successful submit. It only touches
a marker file and, when no worker holds the worker lock, starts a detached
`python -m danvan_kit.publishing.worker`; it never raises and takes a few
milliseconds. The worker coalesces every marker present when it looks, so a
burst of submissions costs one or two rebuilds, not one per submission.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from .. import settings

__all__ = ["request_export", "mark_dirty", "dirty_periods", "PENDING_DIR", "WORKER_LOCK"]

PENDING_DIR = ".cho-xuat"
WORKER_LOCK = ".danvan-worker.lock"
STARTING = ".danvan-worker.starting"   # a worker was just started and has not taken its lock yet
STARTING_TTL = 30.0
log = logging.getLogger(__name__)


def _out_dir(data_dir: Path | None) -> Path:
    from ..settings import output_dir

    return output_dir(data_dir).resolve()


def mark_dirty(out_dir: Path, period_id: str) -> None:
    folder = settings.private_dir(out_dir / PENDING_DIR, like=settings.private_dir(out_dir))
    safe = "".join(ch for ch in period_id if ch.isalnum() or ch in "-_")
    (folder / safe).touch()


def dirty_periods(out_dir: Path) -> list[str]:
    folder = out_dir / PENDING_DIR
    if not folder.is_dir():
        return []
    names = {p.name.removesuffix(".working") for p in folder.iterdir() if not p.name.startswith(".")}
    return sorted(names)


def worker_running(out_dir: Path) -> bool:
    from filelock import FileLock, Timeout

    lock = FileLock(str(out_dir / WORKER_LOCK), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


def _claim_start(out_dir: Path) -> bool:
    """True for exactly one caller in a burst: it creates the 'starting' file (stale after 30 s)."""
    import time

    path = out_dir / STARTING
    for _ in range(2):
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return True
        except FileExistsError:
            try:
                if time.time() - path.stat().st_mtime < STARTING_TTL:
                    return False
                path.unlink()
            except FileNotFoundError:
                continue
    return False


def request_export(period_id: str, *, data_dir: Path | None = None) -> None:
    """Mark `period_id` for regeneration and start a background worker if none runs. Never raises."""
    try:
        out = _out_dir(data_dir)
        mark_dirty(out, period_id)
        if worker_running(out) or not _claim_start(out):
            return
        env = dict(os.environ)  # the settings of ENV_NAMES travel with it
        folder = settings.data_dir(data_dir)
        env["DANVAN_DATA_DIR"] = str(folder)
        env["DANVAN_OUTPUT_DIR"] = str(out)
        with open(out / ".export.log", "ab") as errors:
            subprocess.Popen([sys.executable, "-m", "danvan_kit.publishing.worker"], env=env, cwd=str(folder.parent),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                             start_new_session=True, close_fds=True)
    except Exception:  # noqa: BLE001 - the submission is saved; the workbook can be rebuilt with `danvan export`
        log.exception("could not request the Excel export of %s", period_id)
