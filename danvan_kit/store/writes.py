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

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Row

from ..forms.text import to_nfc_deep, unstorable_in
from .audit import Key
from .engine import RetryTransaction, dumps
from .reference import dialect_insert
from .tables import revisions, submissions
from .types import Revision

__all__ = ["find_attempt", "lock_submission", "create_submission", "append_revision", "last_revision",
           "REVISION_COLUMNS", "prepare_data"]

REVISION_COLUMNS = (
    revisions.c.id, revisions.c.number, revisions.c.kind, revisions.c.data, revisions.c.template_version,
    revisions.c.author, revisions.c.created_at, revisions.c.on_time, revisions.c.days_late,
    revisions.c.attempt_id, submissions.c.unit_code, submissions.c.form_id, submissions.c.period_id,
    submissions.c.item,
)


def _key_clause(key: Key):
    return ((submissions.c.unit_code == key.unit_code) & (submissions.c.form_id == key.form_id)
            & (submissions.c.period_id == key.period_id) & (submissions.c.item == key.item))


# Statements built once: the write path runs them for every autosave and submit.
_BY_KEY = ((submissions.c.unit_code == bindparam("k_unit")) & (submissions.c.form_id == bindparam("k_form"))
           & (submissions.c.period_id == bindparam("k_period")) & (submissions.c.item == bindparam("k_item")))
_SELECT_SUB = select(submissions.c.id, submissions.c.revision_count, submissions.c.last_revision_id,
                     submissions.c.last_submitted_revision_id).where(_BY_KEY)
_SELECT_SUB_FOR_UPDATE = _SELECT_SUB.with_for_update()
_REVISION_JOIN = revisions.join(submissions, submissions.c.id == revisions.c.submission_id)
_FIND_ATTEMPT = select(*REVISION_COLUMNS).select_from(_REVISION_JOIN).where(
    revisions.c.attempt_id == bindparam("attempt"))
_REVISION_BY_ID = select(*REVISION_COLUMNS).select_from(_REVISION_JOIN).where(revisions.c.id == bindparam("rid"))
_INSERT_REVISION = revisions.insert().returning(revisions.c.id)
_UPDATE_SUB = {
    kind: update(submissions).where(submissions.c.id == bindparam("sid")).values(
        revision_count=bindparam("n"), last_revision_id=bindparam("rid"),
        **({"last_submitted_revision_id": bindparam("rid")} if kind == "submitted" else {}))
    for kind in ("draft", "submitted")
}
_DIALECT_STATEMENTS: dict[str, tuple[Any, Any]] = {}


def _dialect_statements(conn: Connection) -> tuple[Any, Any]:
    """(insert submission ON CONFLICT DO NOTHING, insert revision ON CONFLICT (attempt_id) DO NOTHING), RETURNING id."""
    name = conn.dialect.name
    if name not in _DIALECT_STATEMENTS:
        _DIALECT_STATEMENTS[name] = (
            dialect_insert(conn, submissions).on_conflict_do_nothing(
                index_elements=["unit_code", "form_id", "period_id", "item"]).returning(submissions.c.id),
            dialect_insert(conn, revisions).on_conflict_do_nothing(index_elements=["attempt_id"])
            .returning(revisions.c.id),
        )
    return _DIALECT_STATEMENTS[name]


def find_attempt(conn: Connection, attempt_id: str) -> Row | None:
    """The revision already made by this attempt id, with its submission key."""
    return conn.execute(_FIND_ATTEMPT, {"attempt": attempt_id}).first()


def lock_submission(conn: Connection, key: Key, now: datetime) -> Row:
    """Get or create the submission row and lock it for this transaction (FOR UPDATE on PostgreSQL)."""
    params = {"k_unit": key.unit_code, "k_form": key.form_id, "k_period": key.period_id, "k_item": key.item}
    query = _SELECT_SUB_FOR_UPDATE if conn.dialect.name == "postgresql" else _SELECT_SUB
    row = conn.execute(query, params).first()
    if row is None:
        _insert_submission(conn, key, now)  # None when a concurrent transaction made it: read that one
        row = conn.execute(query, params).one()
    return row


def create_submission(conn: Connection, key: Key, now: datetime) -> None:
    """Create the submission row of a new key; RetryTransaction when another transaction took it."""
    if _insert_submission(conn, key, now) is None:
        raise RetryTransaction(key.item)


def _insert_submission(conn: Connection, key: Key, now: datetime) -> int | None:
    """Insert the submission row of `key`: its id, or None when the key exists (ON CONFLICT DO NOTHING).

    The returned id, not rowcount, tells: rowcount let conflicting inserts through on PostgreSQL (a test saw it).
    """
    insert_sub, _ = _dialect_statements(conn)
    return conn.execute(insert_sub, dict(unit_code=key.unit_code, form_id=key.form_id, period_id=key.period_id,
                                         item=key.item, created_at=now, revision_count=0)).scalar()


def last_revision(conn: Connection, revision_id: int | None) -> Row | None:
    if revision_id is None:
        return None
    return conn.execute(_REVISION_BY_ID, {"rid": revision_id}).first()


def append_revision(conn: Connection, sub: Row, key: Key, *, kind: str, data: dict[str, Any],
                    template_version: int, author: str, now: datetime, on_time: bool | None, days_late: int,
                    attempt_id: str | None) -> Revision:
    """Insert revision number N+1 of the locked submission `sub`."""
    number = sub.revision_count + 1
    values = dict(submission_id=sub.id, number=number, kind=kind, data=data,
                  template_version=template_version, author=author, created_at=now,
                  on_time=on_time, days_late=days_late, attempt_id=attempt_id)
    stmt = _INSERT_REVISION if attempt_id is None else _dialect_statements(conn)[1]
    new_id = conn.execute(stmt, values).scalar()
    if new_id is None:  # another transaction committed this attempt id first
        raise RetryTransaction(attempt_id)
    conn.execute(_UPDATE_SUB[kind], {"sid": sub.id, "n": number, "rid": new_id})
    return Revision(id=new_id, number=number, kind=kind, data=data,  # type: ignore[arg-type]
                    template_version=template_version, author=author, created_at=now, on_time=on_time,
                    days_late=days_late, unit_code=key.unit_code, form_id=key.form_id,
                    period_id=key.period_id, item=key.item, attempt_id=attempt_id)


def prepare_data(data: Any, max_bytes: int) -> tuple[dict[str, Any], str | None]:
    """NFC, JSON-safe, under the size limit: the data exactly as it will be read back, or a problem."""
    if not isinstance(data, dict):
        return {}, "Dữ liệu báo cáo phải là một bảng khóa: giá trị (dict)"
    broken = unstorable_in(data)  # a draft is not checked by the form: say which field, not "lỗi hệ thống"
    if broken:
        return {}, f"Trường «{broken[0]}»: {broken[1]}"
    try:
        text = dumps(to_nfc_deep(data))
    except (TypeError, ValueError) as exc:
        return {}, f"Dữ liệu có giá trị không lưu được (chỉ chữ, số, đúng/sai, danh sách): {exc}"
    if "\\u0000" in text:
        return {}, "Dữ liệu có ký tự NUL (\\0), không lưu được"
    if len(text.encode("utf-8")) > max_bytes:
        return {}, f"Dữ liệu quá lớn (giới hạn {max_bytes // (1024 * 1024)} MB)"
    return json.loads(text), None
