"""Where the app keeps its things, what time it is in Vietnam, how long a log-in lasts: one home for each.

The data folder, the shared output folder (and who may read them), the Vietnam
clock and the log-in policy (session lifetime, throttle, lockout) are read here
and nowhere else, so a kernel, the server, the background worker and the CLI
always agree.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

__all__ = ["VN_TZ", "local_date", "today_vn", "data_dir", "output_dir", "templates_root", "PROJECT_ROOT",
           "setup_app_log", "ENV_NAMES", "PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "private_dir", "file_mode_in",
           "fsync_dir",
           "session_idle_minutes", "SESSION_HOURS", "SESSION_IDLE_MINUTES", "SESSION_TOUCH_SECONDS",
           "LOGIN_WINDOW_MINUTES", "LOGIN_FREE_FAILURES", "LOGIN_MAX_WAIT_SECONDS", "LOGIN_LOCK_AFTER",
           "CLIENT_LOCK_AFTER", "LOCKOUT_MINUTES"]

# The checkout: notebooks/, templates/ and voila.json live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Vietnam: UTC+7 all year, no daylight saving time.
VN_TZ = timezone(timedelta(hours=7), "ICT")

# Settings a child process (Voilà kernel, background worker) must inherit.
ENV_NAMES = ("DANVAN_DATA_DIR", "DANVAN_DB_URL", "DANVAN_TEMPLATES", "DANVAN_ORG", "DANVAN_OUTPUT_DIR",
             "DANVAN_SESSION_IDLE_MINUTES")

# Who may read what danvan writes: the store holds passcode hashes and every report. A folder danvan
# creates (data, output) is 0700 and its files 0600; a folder that already exists keeps its mode, and the
# files danvan writes in it are readable by whoever may read the folder (see file_mode_in): an operator
# shares the output folder on purpose with chgrp + chmod g+rx, never by accident.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

# The door: how long a log-in lasts, how wrong passcodes are slowed down and when they lock.
# store/sessions.py applies these numbers (counted in the database, so every kernel and every
# server process shares them); nothing else repeats them.
SESSION_HOURS = 10           # a session ends a working day after its log-in, whatever happens
SESSION_IDLE_MINUTES = 60    # ... or this long after its last page (env DANVAN_SESSION_IDLE_MINUTES)
SESSION_TOUCH_SECONDS = 60   # a session's last_seen is written at most this often
LOGIN_WINDOW_MINUTES = 15    # a failed log-in counts for this long
LOGIN_FREE_FAILURES = 2      # failures in the window answered without delay; then 1, 2, 4, 8 s ...
LOGIN_MAX_WAIT_SECONDS = 8   # ... and never more than this
LOGIN_LOCK_AFTER = 5         # failures for one login in the window that lock that login
CLIENT_LOCK_AFTER = 20       # failures from one client address in the window that lock that address
LOCKOUT_MINUTES = 15         # how long a lockout lasts (not less than the window: see store/sessions.py)


def local_date(moment: datetime) -> date:
    """The Vietnam calendar date of an aware datetime (deadlines are local dates)."""
    return moment.astimezone(VN_TZ).date()


def today_vn() -> date:
    """Today's date in Vietnam, whatever the server's time zone."""
    return datetime.now(VN_TZ).date()


def data_dir(explicit: str | Path | None = None) -> Path:
    """`explicit`, else DANVAN_DATA_DIR, else ./data — as an absolute path."""
    return Path(explicit or os.environ.get("DANVAN_DATA_DIR") or "data").resolve()


def templates_root() -> Path:
    """`DANVAN_TEMPLATES`, else the project's templates/ folder."""
    env = os.environ.get("DANVAN_TEMPLATES")
    return Path(env) if env else PROJECT_ROOT / "templates"


def output_dir(explicit_data_dir: str | Path | None = None) -> Path:
    """DANVAN_OUTPUT_DIR, else <data dir>/xuat-excel (the shared output folder)."""
    env = os.environ.get("DANVAN_OUTPUT_DIR")
    if env:
        return Path(env)
    return data_dir(explicit_data_dir) / "xuat-excel"


def private_dir(path: Path, like: Path | None = None) -> Path:
    """Create folder `path` (mode 0700, or the mode of the folder `like`) unless it exists; returns it.

    Missing parents are created 0700 too (e.g. the data folder around the output folder); an existing
    folder is left as it is.
    """
    if not path.is_dir():
        mode = (like.stat().st_mode & 0o777) if like is not None and like.is_dir() else PRIVATE_DIR_MODE
        if path.parent != path:
            private_dir(path.parent)
        try:
            path.mkdir(mode=mode)
        except FileExistsError:
            return path
        os.chmod(path, mode)  # mkdir's mode passes through the umask; a shared mode of `like` must not
    return path


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk, so a file renamed into it survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; os.replace is enough there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def file_mode_in(folder: Path) -> int:
    """0600, plus read for the group (and others) when `folder` grants them read: a share is the folder's choice."""
    try:
        return PRIVATE_FILE_MODE | (folder.stat().st_mode & 0o044)
    except OSError:
        return PRIVATE_FILE_MODE


def session_idle_minutes() -> int:
    """DANVAN_SESSION_IDLE_MINUTES, else SESSION_IDLE_MINUTES: a session unused this long has ended."""
    raw = os.environ.get("DANVAN_SESSION_IDLE_MINUTES", "").strip()
    if not raw:
        return SESSION_IDLE_MINUTES
    try:
        minutes = int(raw)
    except ValueError:
        minutes = 0
    if minutes < 1:
        raise ValueError(f"DANVAN_SESSION_IDLE_MINUTES phải là một số phút nguyên dương, không phải {raw!r}")
    return minutes


def setup_app_log(folder: Path | None = None) -> None:
    """Send danvan_kit's log records to <data dir>/logs/app.log (rotated), the one server-side log
    of the app's kernels and of the export worker; the folder is 0700 (logs name accounts and clients)."""
    import logging
    from logging.handlers import RotatingFileHandler

    package = logging.getLogger("danvan_kit")
    if any(getattr(h, "_danvan", False) for h in package.handlers):
        return
    try:
        folder = private_dir((folder or data_dir()) / "logs")
        handler: logging.Handler = RotatingFileHandler(folder / "app.log", maxBytes=5_000_000, backupCount=5,
                                                       encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    handler._danvan = True  # type: ignore[attr-defined]
    package.addHandler(handler)
    package.setLevel(logging.INFO)
    package.propagate = False
