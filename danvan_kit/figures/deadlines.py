"""Where a unit stands against the deadline: on time, late (by how many days) or missing."""
from __future__ import annotations

from .period import UnitLine

__all__ = ["ON_TIME", "LATE", "MISSING", "deadline_label", "short_status"]

ON_TIME, LATE, MISSING = "Đúng hạn", "Trễ hạn", "Chưa nộp"


def deadline_label(line: UnitLine) -> str:
    """ON_TIME, LATE or MISSING for a unit's first submission of the period."""
    s = line.status
    if s is None:
        return ON_TIME if any(e.on_time for e in line.entries) else (LATE if line.entries else MISSING)
    if s.submitted_at is None:
        return MISSING
    return ON_TIME if s.on_time else LATE


def short_status(line: UnitLine) -> str:
    """One cell saying where a unit stands: 'Đúng hạn', 'Trễ 3 ngày', 'Chưa nộp', 'Cần chỉnh sửa'."""
    label = deadline_label(line)
    if line.status is not None and line.status.state == "needs_correction":
        return "Cần chỉnh sửa"
    if label == LATE:
        days = line.status.days_late if line.status is not None else max(e.days_late for e in line.entries)
        return f"Trễ {days} ngày"
    return label


