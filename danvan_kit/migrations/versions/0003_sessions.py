"""The door: log-in sessions and one-use page tickets (only hashes), log-in attempts, client in the audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("end_reason", sa.String(16), nullable=True),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_sessions_account_id_accounts"),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
    )
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_login_at", "login_attempts", ["login", "at"])
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client", "at"])
    op.add_column("audit_log", sa.Column("client", sa.String(64), nullable=True))
    op.create_table(
        "page_tickets",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("ticket_hash", sa.String(64), nullable=False),
        sa.Column("session_id", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_page_tickets"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name="fk_page_tickets_session_id_sessions"),
        sa.UniqueConstraint("ticket_hash", name="uq_page_tickets_ticket_hash"),
    )
    op.create_index("ix_page_tickets_created_at", "page_tickets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_page_tickets_created_at", table_name="page_tickets")
    op.drop_table("page_tickets")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("client")
    op.drop_index("ix_login_attempts_client_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_login_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_sessions_account_id", table_name="sessions")
    op.drop_table("sessions")
