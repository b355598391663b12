"""Alembic environment: migrations run on the connection `sharedmap.publishing.db.migrate` hands over, or the URL."""

from __future__ import annotations

from alembic import context

from sharedmap.publishing.db import create_store_engine, lock_for_migration, metadata, transaction


def run_on(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    # `alembic ...` from a shell: the configured store (SHAREDMAP_DATABASE_URL), locked as the app does it.
    with transaction(create_store_engine(), write=True) as shell_connection:
        lock_for_migration(shell_connection)
        run_on(shell_connection)
