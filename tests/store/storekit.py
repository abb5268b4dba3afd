"""Shared helpers of the store tests: paths, the three forms as tuples, a movable clock, a synthetic tree."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, text

from danvan_kit.catalog.organisation import Organisation, Unit

ROOT = Path(__file__).resolve().parents[2]
ORG_PATH = ROOT / "templates" / "organisation" / "hon-quan-2023.yaml"
CALENDAR_PATH = ROOT / "templates" / "periods" / "lich-bao-cao.yaml"
PG_URL = os.environ.get("DANVAN_TEST_PG_URL")
PG_SKIP_REASON = "PostgreSQL tests were not run (set DANVAN_TEST_PG_URL)"

# Forms as (id, version, title, source_text): the store does not need the catalog.
FORMS = [
    ("bao-cao-dinh-ky", 1, "Báo cáo định kỳ công tác dân vận chính quyền", "id: bao-cao-dinh-ky\nversion: 1\n"),
    ("tu-cham-diem", 1, "Tự chấm điểm, xếp loại", "id: tu-cham-diem\nversion: 1\n"),
    ("dan-van-kheo", 1, "Đăng ký mô hình Dân vận khéo", "id: dan-van-kheo\nversion: 1\n"),
]
VN = timezone(timedelta(hours=7))
REPORT = ("bao-cao-dinh-ky", "2026-6t")  # due 05/05/2026



def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL database: its public schema dropped and created again."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class Clock:
    """A clock tests can move; starts on 20/04/2026 10:00 Vietnam time."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 4, 20, 10, 0, tzinfo=VN)

    def __call__(self) -> datetime:
        return self.moment

    def set_local(self, y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> None:
        self.moment = datetime(y, m, d, hh, mm, tzinfo=VN)



def synthetic_organisation(n: int) -> Organisation:
    """A tree with `n` communes (the load test wants 40 units, the shipped tree has 25)."""
    units = [Unit(code="HUB", name="Phòng Nội vụ thử", kind="district_office")]
    units += [Unit(code=f"XA-{i:02d}", name=f"Xã Thử {i:02d}", kind="commune", reports_to=("HUB",))
              for i in range(n)]
    return Organisation(id="thu-tai", name="Cây thử tải", place="Thử", hub="HUB", units=tuple(units))
