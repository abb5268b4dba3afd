"""The write path: append a revision exactly once, inside one transaction.

Numbering is safe under concurrency: on SQLite the whole transaction holds the
write lock (BEGIN IMMEDIATE); on PostgreSQL the submission row is locked
(SELECT ... FOR UPDATE) before the next number is taken. A submit carries a
client-made attempt id under a UNIQUE constraint, inserted with ON CONFLICT
DO NOTHING: a lost race makes the transaction re-run and find the original.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from ..text import to_nfc_deep
from .audit import Key
from .engine import RetryTransaction, dumps
from .reference import dialect_insert
from .schema import revisions, submissions

__all__ = ["find_attempt", "lock_submission", "append_revision", "last_revision", "REVISION_COLUMNS",
           "prepare_data"]

REVISION_COLUMNS = (
    revisions.c.id, revisions.c.number, revisions.c.kind, revisions.c.data, revisions.c.template_version,
    revisions.c.author, revisions.c.created_at, revisions.c.on_time, revisions.c.days_late,
    revisions.c.attempt_id, submissions.c.unit_code, submissions.c.form_id, submissions.c.period_id,
    submissions.c.item,
)


def _key_clause(key: Key):
    return ((submissions.c.unit_code == key.unit_code) & (submissions.c.form_id == key.form_id)
            & (submissions.c.period_id == key.period_id) & (submissions.c.item == key.item))


def find_attempt(conn: Connection, attempt_id: str) -> Row | None:
    """The revision already made by this attempt id, with its submission key."""
    q = (select(*REVISION_COLUMNS).join(submissions, submissions.c.id == revisions.c.submission_id)
         .where(revisions.c.attempt_id == attempt_id))
    return conn.execute(q).first()


def lock_submission(conn: Connection, key: Key, now: datetime) -> Row:
    """Get or create the submission row and lock it for this transaction."""
    conn.execute(dialect_insert(conn, submissions).values(
        unit_code=key.unit_code, form_id=key.form_id, period_id=key.period_id, item=key.item,
        created_at=now, revision_count=0,
    ).on_conflict_do_nothing(index_elements=["unit_code", "form_id", "period_id", "item"]))
    q = select(submissions.c.id, submissions.c.revision_count, submissions.c.last_revision_id,
               submissions.c.last_submitted_revision_id).where(_key_clause(key))
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    return conn.execute(q).one()


def last_revision(conn: Connection, revision_id: int | None) -> Row | None:
    if revision_id is None:
        return None
    q = (select(*REVISION_COLUMNS).join(submissions, submissions.c.id == revisions.c.submission_id)
         .where(revisions.c.id == revision_id))
    return conn.execute(q).first()


def append_revision(conn: Connection, sub: Row, *, kind: str, data: dict[str, Any], template_version: int,
                    author: str, now: datetime, on_time: bool | None, days_late: int,
                    attempt_id: str | None) -> int:
    """Insert revision number N+1 of the locked submission `sub`; returns its id."""
    number = sub.revision_count + 1
    values = dict(submission_id=sub.id, number=number, kind=kind, data=data,
                  template_version=template_version, author=author, created_at=now,
                  on_time=on_time, days_late=days_late, attempt_id=attempt_id)
    stmt = dialect_insert(conn, revisions).values(**values)
    if attempt_id is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["attempt_id"])
    new_id = conn.execute(stmt.returning(revisions.c.id)).scalar()
    if new_id is None:  # another transaction committed this attempt id first
        raise RetryTransaction(attempt_id)
    changes: dict[str, Any] = dict(revision_count=number, last_revision_id=new_id)
    if kind == "submitted":
        changes["last_submitted_revision_id"] = new_id
    conn.execute(update(submissions).where(submissions.c.id == sub.id).values(**changes))
    return new_id


def prepare_data(data: Any, max_bytes: int) -> tuple[dict[str, Any], str | None]:
    """NFC, JSON-safe, under the size limit: the data exactly as it will be read back, or a problem."""
    if not isinstance(data, dict):
        return {}, "Dữ liệu báo cáo phải là một bảng khóa: giá trị (dict)"
    try:
        text = dumps(to_nfc_deep(data))
    except (TypeError, ValueError) as exc:
        return {}, f"Dữ liệu có giá trị không lưu được (chỉ chữ, số, đúng/sai, danh sách): {exc}"
    if "\\u0000" in text:
        return {}, "Dữ liệu có ký tự NUL (\\0), không lưu được"
    if len(text.encode("utf-8")) > max_bytes:
        return {}, f"Dữ liệu quá lớn (giới hạn {max_bytes // (1024 * 1024)} MB)"
    return json.loads(text), None
