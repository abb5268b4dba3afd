"""Phòng Nội vụ's review of submissions: received, sent back with a comment, approved, with
reviewer scores kept beside the unit's own. Mixed into Store (uses its transactions, access
rules and audit), as accounts are.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from ..forms.text import to_nfc
from . import writes
from .audit import Key, record
from .errors import Refused, StoreError, ValidationFailed
from .tables import reviews, revisions, submissions
from .types import REVIEW_STATES, Account, ReviewInfo

__all__ = ["ReviewMethods", "review_info", "period_reviews"]


def _to_review(row: Row, number: int) -> ReviewInfo:
    return ReviewInfo(state=row.state, comment=row.comment, reviewer=row.reviewer, at=row.at,
                      adjusted_scores=row.adjusted_scores, revision_number=number)


def review_info(conn: Connection, key: Key) -> ReviewInfo | None:
    """The latest review of one submission."""
    q = (select(reviews, revisions.c.number).join(submissions, submissions.c.id == reviews.c.submission_id)
         .join(revisions, revisions.c.id == reviews.c.revision_id)
         .where(writes._key_clause(key)).order_by(reviews.c.id.desc()).limit(1))
    row = conn.execute(q).first()
    return _to_review(row, row.number) if row else None


def period_reviews(conn: Connection, period_id: str, only: list[str] | None) -> dict[tuple[str, str], ReviewInfo]:
    """The latest review of every submission of a period, keyed (unit code, item), in one query."""
    q = (select(reviews, revisions.c.number, submissions.c.unit_code, submissions.c.item)
         .join(submissions, submissions.c.id == reviews.c.submission_id)
         .join(revisions, revisions.c.id == reviews.c.revision_id)
         .where(submissions.c.period_id == period_id).order_by(reviews.c.id))
    if only is not None:
        q = q.where(submissions.c.unit_code.in_(only))
    return {(row.unit_code, row.item): _to_review(row, row.number) for row in conn.execute(q)}


class ReviewMethods:
    """Review reads and writes, mixed into Store."""

    _write: Callable[..., Any]
    _key: Callable[..., Key]
    _guarded_read: Callable[..., Any]
    _resolve: Callable[..., Any]
    _allowed: Callable[..., bool]
    _denied: Callable[..., Any]
    _check_key: Callable[..., Any]
    _period: Callable[..., Any]
    now: Callable[[], datetime]

    def review_state(self, actor: Account, unit_code: str, form_id: str, period_id: str, *,
                     item: str = "") -> ReviewInfo | None:
        """The latest review of one submission (its unit or an analyst)."""
        key = self._key(unit_code, form_id, period_id, item)
        return self._guarded_read(actor, "review_state", key, unit_code, lambda conn, who: review_info(conn, key))

    def reviews(self, actor: Account, period_id: str) -> dict[tuple[str, str], ReviewInfo]:
        """Latest review per (unit code, item) of a period; a unit account sees only its own."""
        def run(conn: Connection, who: Account) -> dict[tuple[str, str], ReviewInfo]:
            self._period(conn, period_id)
            return period_reviews(conn, period_id, None if who.role == "analyst" else [who.unit_code or ""])
        return self._guarded_read(actor, "review_state", None, None, run, own_rows=True)

    def review(self, actor: Account, unit_code: str, form_id: str, period_id: str, *, state: str,
               comment: str = "", adjusted_scores: dict[str, float] | None = None, item: str = "") -> None:
        """Record Phòng Nội vụ's review of the latest submitted revision (analysts only)."""
        key = self._key(unit_code, form_id, period_id, item)
        comment = to_nfc(comment or "").strip()
        problems = []
        if state not in REVIEW_STATES:
            problems.append(f"Trạng thái duyệt {state!r} không hợp lệ (chọn: {', '.join(REVIEW_STATES)})")
        if state == "needs_correction" and not comment:
            problems.append("Yêu cầu chỉnh sửa phải kèm nhận xét để đơn vị biết cần sửa gì")
        scores = None
        if adjusted_scores is not None:
            try:
                scores = {to_nfc(str(k)): float(v) for k, v in adjusted_scores.items()}
            except (TypeError, ValueError, AttributeError):
                scores = None
            if scores is None or not all(math.isfinite(v) for v in scores.values()):
                problems.append("Điểm thẩm định phải là các số")
        now = self.now()

        def run(conn: Connection) -> Any:
            who = self._resolve(conn, actor)
            if not self._allowed(who, unit_code, analyst_only=True):
                err = self._denied(actor, "review", unit_code)
                record(conn, now, actor.login, "review", "denied", key, detail=str(err))
                return Refused(err)
            bad = self._check_key(conn, key, None) or (ValidationFailed(problems) if problems else None)
            sub = None if bad else writes.lock_submission(conn, key, now)
            if sub is not None and sub.last_submitted_revision_id is None:
                bad = StoreError("Đơn vị chưa nộp báo cáo này nên chưa thể duyệt")
            if bad is not None:
                record(conn, now, actor.login, "review", "invalid", key, detail=str(bad))
                return Refused(bad)
            assert sub is not None  # refused above otherwise
            conn.execute(reviews.insert().values(
                submission_id=sub.id, revision_id=sub.last_submitted_revision_id, state=state, comment=comment,
                reviewer=who.login, at=now, adjusted_scores=scores))
            record(conn, now, who.login, "review", "ok", key, sub.last_submitted_revision_id, detail=state)
        self._write(run)

