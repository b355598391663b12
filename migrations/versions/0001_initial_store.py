"""Initial store: published versions, submissions, users, audit log.

Revision ID: 0001_initial_store
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial_store"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    state = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("current_version", sa.Integer, nullable=True),
        sa.Column("current_label", sa.String(40), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_store_state"),
    )
    # The one row every publish locks; it exists before any data so that seeding is locked like a publish.
    op.bulk_insert(state, [{"id": 1, "current_version": None, "current_label": None, "updated_at": None}])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("council_id", sa.String(16), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", Timestamp, nullable=True),
        sa.Column("last_sign_in_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "versions",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(254), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=True),
        sa.Column("restored_from", sa.Integer, nullable=True),
        sa.Column("partnership_count", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("number", name="pk_versions"),
        sa.UniqueConstraint("label", name="uq_versions_label"),
    )
    op.create_table(
        "version_partnerships",
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("partnership_id", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("version", "partnership_id", name="pk_version_partnerships"),
        sa.ForeignKeyConstraint(
            ["version"], ["versions.number"], ondelete="CASCADE", name="fk_version_partnerships_version_versions"
        ),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("submitted_by", sa.String(254), nullable=False),
        sa.Column("scope_council_id", sa.String(16), nullable=True),
        sa.Column("withdraw_missing", sa.Boolean, nullable=False),
        sa.Column("base_version", sa.Integer, nullable=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_rows", sa.Integer, nullable=False),
        sa.Column("fixes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(254), nullable=True),
        sa.Column("decided_at", Timestamp, nullable=True),
        sa.Column("decision_comment", sa.Text, nullable=False, server_default=""),
        sa.Column("published_version", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
    )
    op.create_index("ix_submissions_status", "submissions", ["status"])
    op.create_table(
        "submission_changes",
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("partnership_id", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("row", sa.Integer, nullable=True),
        sa.Column("matched_by", sa.String(8), nullable=True),
        sa.Column("record", sa.JSON, nullable=True),
        sa.Column("base_record", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("submission_id", "partnership_id", name="pk_submission_changes"),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            ondelete="CASCADE",
            name="fk_submission_changes_submission_id_submissions",
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor", sa.String(254), nullable=True),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=True),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("file_name", sa.Text, nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("counts", sa.JSON, nullable=True),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "submission_changes",
        "submissions",
        "version_partnerships",
        "versions",
        "users",
        "store_state",
    ):
        op.drop_table(table)
