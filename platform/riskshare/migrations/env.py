"""Alembic environment, run by ``riskshare.migrations`` (configuration built in code).

Online runs on PostgreSQL hold an advisory lock for their whole length, so a deploy job and
pods starting at the same time migrate one after the other: the later ones wait, then find
the version table at the heads and do nothing (as Warehouse's ``migrations/env.py``).
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import Connection

from riskshare.migrations import autogen

config = context.config

# Any constant works as long as every deployment uses the same one.
LOCK_KEY = "hashtext('riskshare.migrations')"


def _options() -> dict[str, Any]:
    return {
        "target_metadata": autogen.target_metadata(),
        "transaction_per_migration": True,
        **autogen.context_options(config.attributes.get("include_tables")),
    }


def run_migrations_offline() -> None:
    """Emit SQL instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_locked(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        # SQLite serialises writers on the file; there are no concurrent deploys to order.
        context.configure(connection=connection, **_options())
        with context.begin_transaction():
            context.run_migrations()
        return

    if connection.in_transaction():
        # The caller's transaction spans the run: a transaction-level lock lasts as long.
        connection.execute(text(f"SELECT pg_advisory_xact_lock({LOCK_KEY})"))
        context.configure(connection=connection, **_options())
        with context.begin_transaction():
            context.run_migrations()
        return

    # A session-level lock outlives the per-revision commits (and any autocommit block a
    # revision opens), so no other run slips in between two revisions.
    connection.execute(text(f"SELECT pg_advisory_lock({LOCK_KEY})"))
    connection.commit()
    try:
        context.configure(connection=connection, **_options())
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if not connection.invalidated:
            if connection.in_transaction():
                connection.rollback()
            connection.execute(text(f"SELECT pg_advisory_unlock({LOCK_KEY})"))
            connection.commit()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_locked(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None, "riskshare.migrations sets sqlalchemy.url before running Alembic"
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run_locked(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
