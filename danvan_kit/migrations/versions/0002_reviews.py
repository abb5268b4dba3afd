"""Review by Phòng Nội vụ (append-only review events) and audit log indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("revision_id", sa.Integer, nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("adjusted_scores",
                  sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql"),
                  nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name="fk_reviews_submission_id_submissions"),
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"], name="fk_reviews_revision_id_revisions"),
    )
    op.create_index("ix_reviews_submission_id", "reviews", ["submission_id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_reviews_submission_id", table_name="reviews")
    op.drop_table("reviews")
