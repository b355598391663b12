"""The store refuses what must never be published, whatever the code above it does: partnership ids and names of
bounded length without NUL, records of bounded size whose money figures are finite numbers from £0 to £100bn.

SQLite cannot add a CHECK to an existing table, nor put a subquery in one, so it gets triggers; PostgreSQL gets
CHECK constraints (NOT VALID: rows written before this migration are not re-checked, every new one is). PostgreSQL
itself refuses NUL in text and Infinity/NaN in JSON.

Revision ID: 0002_record_constraints
Revises: 0001_initial_store
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0002_record_constraints"
down_revision = "0001_initial_store"
branch_labels = None
depends_on = None

MAX_ID, MAX_NAME, MAX_RECORD, MAX_AMOUNT = 80, 300, 200_000, 100_000_000_000
TABLES = {"version_partnerships": ("record",), "submission_changes": ("record", "base_record")}
REFUSAL = "sharedmap: the store refused a partnership record (constraint ck_record)"


def _sqlite_condition(columns: tuple[str, ...]) -> str:
    checks = [
        f"length(NEW.partnership_id) > {MAX_ID}",
        f"length(NEW.name) > {MAX_NAME}",
        "instr(NEW.partnership_id, char(0)) > 0",
        "instr(NEW.name, char(0)) > 0",
    ]
    for column in columns:
        value = f"NEW.{column}"
        checks.append(
            f"({value} IS NOT NULL AND (length({value}) > {MAX_RECORD} OR instr({value}, char(0)) > 0 "
            f"OR instr({value}, '\\u0000') > 0 OR CASE WHEN json_valid({value}) THEN EXISTS ("
            f"SELECT 1 FROM json_each({value}, '$.savings') WHERE json_type(value, '$.amount_gbp') "
            f"NOT IN ('integer', 'real') OR json_extract(value, '$.amount_gbp') < 0 "
            f"OR json_extract(value, '$.amount_gbp') > {MAX_AMOUNT}) ELSE 1 END))"
        )
    return " OR ".join(checks)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in TABLES.items():
            for event in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER ck_{table}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN {_sqlite_condition(columns)} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                )
        return
    for table, columns in TABLES.items():
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_id CHECK (char_length(partnership_id) <= {MAX_ID})"
            " NOT VALID"
        )
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_name CHECK (char_length(name) <= {MAX_NAME}) NOT VALID"
        )
        for column in columns:
            path = '$.savings[*].amount_gbp ? (@.type() != "number" || @ < 0 || @ > ' + str(MAX_AMOUNT) + ")"
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{column} CHECK ({column} IS NULL OR ("
                f"octet_length({column}::text) <= {MAX_RECORD} AND "
                f"NOT jsonb_path_exists({column}::jsonb, '{path}'))) NOT VALID"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS ck_{table}_{event}")
        return
    for table, columns in TABLES.items():
        for suffix in ("id", "name", *columns):
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_{suffix}")
