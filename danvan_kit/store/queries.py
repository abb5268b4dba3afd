"""Read-only queries: revisions, history, items, review state, period status, consolidation."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from ..forms.text import vn_sort_key
from .audit import Key
from .reference import PeriodRef, UnitRef
from .tables import reviews, revisions, submissions
from .types import Revision, StatusRow
from .writes import REVISION_COLUMNS, _key_clause, last_revision

__all__ = ["to_revision", "latest", "history", "items", "status_rows", "latest_submitted"]


def to_revision(row: Row) -> Revision:
    return Revision(id=row.id, number=row.number, kind=row.kind, data=row.data,
                    template_version=row.template_version, author=row.author, created_at=row.created_at,
                    on_time=row.on_time, days_late=row.days_late, unit_code=row.unit_code,
                    form_id=row.form_id, period_id=row.period_id, item=row.item, attempt_id=row.attempt_id)


def _submission(conn: Connection, key: Key) -> Row | None:
    return conn.execute(select(submissions).where(_key_clause(key))).first()


def latest(conn: Connection, key: Key, submitted_only: bool) -> Revision | None:
    sub = _submission(conn, key)
    if sub is None:
        return None
    row = last_revision(conn, sub.last_submitted_revision_id if submitted_only else sub.last_revision_id)
    return to_revision(row) if row else None


def history(conn: Connection, key: Key) -> list[Revision]:
    q = (select(*REVISION_COLUMNS).join(submissions, submissions.c.id == revisions.c.submission_id)
         .where(_key_clause(key)).order_by(revisions.c.number))
    return [to_revision(r) for r in conn.execute(q)]


def items(conn: Connection, unit_code: str, form_id: str, period_id: str) -> list[str]:
    q = select(submissions.c.item).where(submissions.c.unit_code == unit_code,
                                         submissions.c.form_id == form_id,
                                         submissions.c.period_id == period_id)
    return sorted((r.item for r in conn.execute(q)), key=lambda item: (len(item), item))  # by number


def _item_state(sub: Row, review: Row | None) -> str:
    if sub.last_submitted_revision_id is None:
        return "draft" if sub.revision_count else "not_started"
    if review is not None and review.revision_id == sub.last_submitted_revision_id \
            and review.state in ("needs_correction", "approved"):
        return review.state
    return "submitted"


def _unit_state(states: list[str]) -> str:
    for state in ("needs_correction", "submitted", "approved", "draft"):
        if state in states:
            return state
    return "not_started"


def status_rows(conn: Connection, period: PeriodRef, unit_list: list[UnitRef], today: date) -> list[StatusRow]:
    """One row per unit in `unit_list`, in Vietnamese alphabetical order of name."""
    codes = [u.code for u in unit_list]
    subs = conn.execute(select(submissions).where(submissions.c.period_id == period.id,
                                                  submissions.c.form_id == period.form_id,
                                                  submissions.c.unit_code.in_(codes))).all()
    sub_ids = [s.id for s in subs]
    first: dict[int, Row] = {}
    last_at: dict[int, Any] = {}
    if sub_ids:
        q = (select(revisions.c.submission_id, revisions.c.created_at, revisions.c.on_time,
                    revisions.c.days_late)
             .where(revisions.c.submission_id.in_(sub_ids), revisions.c.kind == "submitted")
             .order_by(revisions.c.number))
        for r in conn.execute(q):
            first.setdefault(r.submission_id, r)
            last_at[r.submission_id] = r.created_at
    last_review: dict[int, Row] = {}
    if sub_ids:
        for r in conn.execute(select(reviews).where(reviews.c.submission_id.in_(sub_ids))
                              .order_by(reviews.c.id)):
            last_review[r.submission_id] = r
    by_unit: dict[str, list[Row]] = {}
    for s in subs:
        by_unit.setdefault(s.unit_code, []).append(s)
    rows = []
    for unit in sorted(unit_list, key=lambda u: vn_sort_key(u.name)):
        mine = by_unit.get(unit.code, [])
        firsts = sorted((first[s.id] for s in mine if s.id in first), key=lambda r: r.created_at)
        unit_reviews = sorted((last_review[s.id] for s in mine if s.id in last_review), key=lambda r: r.id)
        if firsts:
            submitted_at, on_time, days_late = firsts[0].created_at, firsts[0].on_time, firsts[0].days_late
        else:
            overdue = max(0, (today - period.due).days)
            submitted_at, on_time, days_late = None, (False if overdue else None), overdue
        lasts = [last_at[s.id] for s in mine if s.id in last_at]
        rows.append(StatusRow(
            unit_code=unit.code, unit_name=unit.name,
            state=_unit_state([_item_state(s, last_review.get(s.id)) for s in mine]),  # type: ignore[arg-type]
            submitted_at=submitted_at, on_time=on_time, days_late=days_late,
            review_state=unit_reviews[-1].state if unit_reviews else None,
            revision_count=sum(s.revision_count for s in mine),
            last_submitted_at=max(lasts) if lasts else None,
            items=tuple(sorted((s.item for s in mine if s.item), key=lambda item: (len(item), item))),
        ))
    return rows


def latest_submitted(conn: Connection, period_id: str, unit_codes: list[str] | None,
                     names: dict[str, str]) -> list[Revision]:
    """The latest submitted revision of every unit/item in a period (what counts)."""
    q = (select(*REVISION_COLUMNS).join(submissions, submissions.c.last_submitted_revision_id == revisions.c.id)
         .where(submissions.c.period_id == period_id))
    if unit_codes is not None:
        q = q.where(submissions.c.unit_code.in_(unit_codes))
    found = [to_revision(r) for r in conn.execute(q)]
    return sorted(found, key=lambda r: (vn_sort_key(names.get(r.unit_code, r.unit_code)), vn_sort_key(r.item)))
