"""Tables of the store (SQLAlchemy 2 Core), as they are at the newest migration.

The migrations in danvan_kit/migrations/versions/ build exactly these tables;
tests compare the two. Nothing is ever updated in place except the small
counters on `submissions` (revision_count and the two "latest" pointers, kept
in the same transaction as the revision they point to), account passcodes and
the active flag, a session's last_seen and end, and a log-in attempt's `ok` once
its passcode checked out.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

__all__ = ["metadata", "units", "periods", "form_templates", "accounts", "submissions",
           "revisions", "audit_log", "reviews", "page_tickets", "sessions", "login_attempts", "UTCDateTime", "JSONDoc"]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive text) and PG (timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class _JSONDoc(TypeDecorator):
    """JSON text on SQLite, JSONB on PostgreSQL; Python None stays SQL NULL.

    A decorator rather than `JSON().with_variant(JSONB(), "postgresql")`: the variant needs
    PostgreSQL's dialect (about 2 MB, 40 modules) imported in every process that declares the
    tables on SQLite too (the desk's kernel, each command); this imports it only when a PostgreSQL
    engine asks. (A form page's kernel declares no tables: it asks its server, store/remote.py.)
    """

    impl = JSON(none_as_null=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))


JSONDoc = _JSONDoc()

units = Table(
    "units", metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("reports", Boolean, nullable=False),
    Column("reports_to", JSONDoc, nullable=False),
    Column("org_id", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

periods = Table(
    "periods", metadata,
    Column("id", String(40), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", String(300), nullable=False),
    Column("form_id", String(64), nullable=False),
    Column("due", Date, nullable=False),
    Column("opens", Date, nullable=True),  # NULL (loaded before 0004): 01/01 of `year`
)

form_templates = Table(
    "form_templates", metadata,
    Column("form_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("source_text", Text, nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("unit_code", String(40), ForeignKey("units.code"), nullable=True),
    Column("passcode_hash", String(300), nullable=True),
    Column("display_name", String(200), nullable=False),
    Column("hub_user", String(200), nullable=True, unique=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", String(40), ForeignKey("units.code"), nullable=False),
    Column("form_id", String(64), nullable=False),
    Column("period_id", String(40), ForeignKey("periods.id"), nullable=False),
    Column("item", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revision_count", Integer, nullable=False),
    Column("last_revision_id", Integer, nullable=True),
    Column("last_submitted_revision_id", Integer, nullable=True),
    UniqueConstraint("unit_code", "form_id", "period_id", "item"),
    Index(None, "period_id"),
)

revisions = Table(
    "revisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("data", JSONDoc, nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("author", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("on_time", Boolean, nullable=True),
    Column("days_late", Integer, nullable=False),
    Column("attempt_id", String(100), nullable=True, unique=True),
    UniqueConstraint("submission_id", "number"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=True),
    Column("action", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("unit_code", String(40), nullable=True),
    Column("form_id", String(64), nullable=True),
    Column("period_id", String(40), nullable=True),
    Column("item", String(200), nullable=True),
    Column("revision_id", Integer, nullable=True),
    Column("detail", Text, nullable=False),
    # Added by migration 0002.
    Index(None, "at"),
    Index(None, "actor"),
    # Added by migration 0003: the client address of log-ins and log-outs.
    Column("client", String(64), nullable=True),
)

# Added by migration 0002: append-only review events by Phòng Nội vụ.
reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("revision_id", Integer, ForeignKey("revisions.id"), nullable=False),
    Column("state", String(24), nullable=False),
    Column("comment", Text, nullable=False),
    Column("reviewer", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("adjusted_scores", JSONDoc, nullable=True),
    Index(None, "submission_id"),
)

# Added by migration 0003: log-in sessions. Only the sha256 of a token is kept; the token
# itself lives in the person's cookie and nowhere else.
sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("end_reason", String(16), nullable=True),
    Column("client", String(64), nullable=False),
    Column("user_agent", String(300), nullable=False),
    Index(None, "account_id"),
)

# Added by migration 0003: every log-in attempt, the shared memory of the throttle (all kernels
# and server processes count the same rows). `login` is the name as typed (normalised), known or not.
login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("login", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
    Index(None, "login", "at"),
    Index(None, "client", "at"),
)

# Added by migration 0003: one-use page tickets (only their hashes) that tell a page's kernel
# which session asked for the page (see store/tickets.py).
page_tickets = Table(
    "page_tickets", metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_hash", String(64), nullable=False, unique=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Index(None, "created_at"),
)
