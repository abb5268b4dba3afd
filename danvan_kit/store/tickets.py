"""Page tickets: how a page's kernel learns who asked for it, without any secret in a URL.

The server's identity provider lets a page load in only with a live session; it then issues a
ticket bound to that session and hands it to the page's kernel in a request header (Voilà copies
it into the kernel's environment). The kernel redeems the ticket once, within a minute, for the
account and its session. A ticket is stored only as a hash; a used or stale one is worth nothing,
so a copy of it in a log, in Voilà's request-info cache or in a process listing opens nothing.
Mixed into Store.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from .accounts import row_to_account
from .sessions import within_working_day
from .tables import accounts, page_tickets, sessions

__all__ = ["TicketMethods", "TICKET_SECONDS"]

TICKET_SECONDS = 120     # a preheated page redeems it within a second; a cold kernel start in ~10 s
_MAX_CHARS = 128

_TICKET = (select(accounts, page_tickets.c.id.label("ticket_id"), page_tickets.c.created_at.label("issued"),
                  page_tickets.c.used_at, sessions.c.id.label("sid"), sessions.c.created_at.label("started"),
                  sessions.c.ended_at)
           .join(sessions, sessions.c.id == page_tickets.c.session_id)
           .join(accounts, accounts.c.id == sessions.c.account_id)
           .where(page_tickets.c.ticket_hash == bindparam("digest")))
_USE = update(page_tickets).where(page_tickets.c.id == bindparam("tid"), page_tickets.c.used_at.is_(None))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TicketMethods:
    """Issue (server) and redeem (kernel) one-use page tickets."""

    _write: Callable[..., Any]
    now: Callable[[], datetime]

    def issue_page_ticket(self, account: Any) -> str | None:
        """A fresh ticket for one page load by `account` as `session_account` just returned it (so the
        session was checked by that same call, not read again here); None without a session."""
        if account is None or account.session_id is None:
            return None
        ticket = secrets.token_urlsafe(32)
        now = self.now()

        def run(conn: Connection) -> None:
            conn.execute(page_tickets.insert().values(ticket_hash=_digest(ticket), session_id=account.session_id,
                                                      created_at=now, used_at=None))
            conn.execute(page_tickets.delete().where(page_tickets.c.created_at < now - timedelta(days=1)))
        self._write(run)
        return ticket

    def redeem_page_ticket(self, ticket: str | None) -> Any:
        """The account (with its session) a ticket was issued for, once; None for anything else."""
        if not ticket or len(ticket) > _MAX_CHARS or not ticket.isascii():
            return None
        now = self.now()

        def run(conn: Connection) -> Any:
            row = conn.execute(_TICKET, {"digest": _digest(ticket)}).first()
            if row is None or row.used_at is not None or now - row.issued > timedelta(seconds=TICKET_SECONDS):
                return None
            if conn.execute(_USE.values(used_at=now), {"tid": row.ticket_id}).rowcount != 1:
                return None                                   # redeemed by someone else meanwhile
            return row
        row = self._write(run)
        # the session must still be live: not ended, within its working day, its account active
        if row is None or row.ended_at is not None or not within_working_day(row.started, now) or not row.active:
            return None
        return replace(row_to_account(row), session_id=row.sid)
