"""The audit log: one row per write and per refused attempt, written by the store itself."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .tables import audit_log
from .types import AuditEntry

__all__ = ["Key", "record", "read_audit"]


_INSERT = audit_log.insert()


class Key(NamedTuple):
    """What a submission is filed under."""

    unit_code: str
    form_id: str
    period_id: str
    item: str = ""


def record(conn: Connection, at: datetime, actor: str | None, action: str, outcome: str,
           key: Key | None = None, revision_id: int | None = None, detail: str = "",
           client: str | None = None) -> None:
    """Append one audit entry in the caller's transaction; `client` is the address a log-in came from."""
    conn.execute(_INSERT, dict(
        at=at, actor=(actor or None) and actor[:64], action=action, outcome=outcome,
        unit_code=key.unit_code[:40] if key else None, form_id=key.form_id[:64] if key else None,
        period_id=key.period_id[:40] if key else None, item=key.item[:200] if key else None,
        revision_id=revision_id, detail=detail, client=(client or None) and client[:64],
    ))


def read_audit(conn: Connection, limit: int, unit_code: str | None = None,
               outcome: str | None = None) -> list[AuditEntry]:
    """Newest first."""
    q = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if unit_code is not None:
        q = q.where(audit_log.c.unit_code == unit_code)
    if outcome is not None:
        q = q.where(audit_log.c.outcome == outcome)
    return [AuditEntry(id=r.id, at=r.at, actor=r.actor, action=r.action, outcome=r.outcome,
                       unit_code=r.unit_code, form_id=r.form_id, period_id=r.period_id, item=r.item,
                       revision_id=r.revision_id, detail=r.detail, client=r.client)
            for r in conn.execute(q)]
