"""Reports from the public (suggestions for the reviewers' queue) and the log of reminders sent to councils.

Revision ID: 0004_reports_and_reminders
Revises: 0003_change_read_from
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_reports_and_reminders"
down_revision = "0003_change_read_from"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("client_key", sa.String(64), nullable=False),
        sa.Column("about", sa.String(24), nullable=False),
        sa.Column("council_id", sa.String(16), nullable=True),
        sa.Column("partnership_id", sa.String(80), nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("source_url", sa.Text, nullable=False, server_default=""),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(254), nullable=True),
        sa.Column("decided_at", Timestamp, nullable=True),
        sa.Column("decision_comment", sa.Text, nullable=False, server_default=""),
        sa.Column("submission_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_suggestions"),
    )
    op.create_index("ix_suggestions_status", "suggestions", ["status"])
    op.create_index("ix_suggestions_client_key", "suggestions", ["client_key", "created_at"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("council_id", sa.String(16), nullable=False),
        sa.Column("sent_at", Timestamp, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
    )
    op.create_index("ix_reminders_council_id", "reminders", ["council_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_reminders_council_id", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_suggestions_client_key", table_name="suggestions")
    op.drop_index("ix_suggestions_status", table_name="suggestions")
    op.drop_table("suggestions")
