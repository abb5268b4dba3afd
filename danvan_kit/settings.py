"""Where the app keeps its things and what time it is in Vietnam: one home for each.

The data folder, the shared output folder and the Vietnam clock are read here
and nowhere else, so a kernel, the background worker and the CLI always agree.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

__all__ = ["VN_TZ", "local_date", "today_vn", "data_dir", "output_dir", "templates_root", "PROJECT_ROOT",
           "ENV_NAMES"]

# The checkout: notebooks/, templates/ and voila.json live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Vietnam: UTC+7 all year, no daylight saving time.
VN_TZ = timezone(timedelta(hours=7), "ICT")

# Settings a child process (Voilà kernel, background worker) must inherit.
ENV_NAMES = ("DANVAN_DATA_DIR", "DANVAN_DB_URL", "DANVAN_TEMPLATES", "DANVAN_ORG", "DANVAN_OUTPUT_DIR")


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
