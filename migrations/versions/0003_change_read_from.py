"""A staged change keeps the text each of its figures was read from, so the reviewer sees "£1,200,000 annual
(read from '£1.2m annual')" and not only the figure.

Revision ID: 0003_change_read_from
Revises: 0002_record_constraints
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_change_read_from"
down_revision = "0002_record_constraints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submission_changes", sa.Column("read_from", sa.JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("submission_changes", "read_from")  # SQLite 3.35+ drops a column in place, triggers kept
