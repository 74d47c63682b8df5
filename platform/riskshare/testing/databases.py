"""Throwaway databases for tests: a migrated PostgreSQL database and a SQLite file."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

APP_ROLE = os.environ.get("RISKSHARE_DB_APP_ROLE", "riskshare_app")


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """Create a database, migrate it as the owner, yield a URL for the app role, drop it."""
    from riskshare.migrations import upgrade

    name = f"riskshare_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        owner_url = make_url(admin_url).set(database=name)
        upgrade(owner_url.render_as_string(hide_password=False))
        app_url = owner_url.set(
            username=APP_ROLE, password=os.environ.get("RISKSHARE_DB_APP_PASSWORD")
        )
        yield app_url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_database(path: Path) -> str:
    from riskshare.migrations import upgrade

    url = f"sqlite:///{path}"
    upgrade(url)
    return url
