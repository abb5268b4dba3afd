"""Initial store: units, periods, form templates, accounts, submissions, revisions, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("reports", sa.Boolean, nullable=False),
        sa.Column("reports_to", _json(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_units"),
    )
    op.create_table(
        "periods",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_periods"),
    )
    op.create_table(
        "form_templates",
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("form_id", "version", name="pk_form_templates"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=True),
        sa.Column("passcode_hash", sa.String(300), nullable=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("hub_user", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"], name="fk_accounts_unit_code_units"),
        sa.UniqueConstraint("login", name="uq_accounts_login"),
        sa.UniqueConstraint("hub_user", name="uq_accounts_hub_user"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("period_id", sa.String(40), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revision_count", sa.Integer, nullable=False),
        sa.Column("last_revision_id", sa.Integer, nullable=True),
        sa.Column("last_submitted_revision_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"], name="fk_submissions_unit_code_units"),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name="fk_submissions_period_id_periods"),
        sa.UniqueConstraint("unit_code", "form_id", "period_id", "item",
                            name="uq_submissions_unit_code_form_id_period_id_item"),
    )
    op.create_index("ix_submissions_period_id", "submissions", ["period_id"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("on_time", sa.Boolean, nullable=True),
        sa.Column("days_late", sa.Integer, nullable=False),
        sa.Column("attempt_id", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_revisions"),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name="fk_revisions_submission_id_submissions"),
        sa.UniqueConstraint("submission_id", "number", name="uq_revisions_submission_id_number"),
        sa.UniqueConstraint("attempt_id", name="uq_revisions_attempt_id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=True),
        sa.Column("form_id", sa.String(64), nullable=True),
        sa.Column("period_id", sa.String(40), nullable=True),
        sa.Column("item", sa.String(200), nullable=True),
        sa.Column("revision_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )


def downgrade() -> None:
    for table in ("audit_log", "revisions", "submissions", "accounts", "form_templates", "periods", "units"):
        op.drop_table(table)
