"""Fixtures for testing Riskshare and its policy plugins, shipped as a pytest plugin.

Policy plugins' own test suites reuse these (the ``pytest11`` entry point loads them), so
every plugin is tested against the real app, over HTTP, on PostgreSQL with row-level
security, the way the core is.

Each test gets its own tenant, so tests never see each other's rows and need no cleanup.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from riskshare.testing.client import ApiClient
from riskshare.testing.databases import postgres_database, sqlite_database

BACKENDS = ("postgres", "sqlite")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("riskshare")
    group.addoption(
        "--rs-pg-admin-url",
        default=os.environ.get(
            "RISKSHARE_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL URL of a superuser, to create the throwaway test database",
    )


@pytest.fixture(scope="session")
def rs_pg_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated PostgreSQL database; the URL connects as the RLS-bound app role."""
    with postgres_database(request.config.getoption("--rs-pg-admin-url")) as url:
        yield url


@pytest.fixture(scope="session")
def rs_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory.mktemp("sqlite") / "riskshare.db")


@pytest.fixture(scope="session")
def rs_plugins() -> list[tuple[str, object]]:
    """Plugins registered directly besides the installed ones; override in a conftest."""
    return []


def _make_app(url: str, key_dir: Path, plugins: list[tuple[str, object]]) -> Any:
    from riskshare.app import create_app
    from riskshare.config import Settings

    settings = Settings(
        mode="test",
        database_url=url,
        auth="dev",
        dev_key_path=key_dir / "dev-key.pem",
        instance_path=key_dir,
    )
    return create_app(settings, extra_plugins=plugins)


@pytest.fixture(scope="session", params=BACKENDS)
def rs_app_any(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, rs_plugins: list
) -> Iterator[Any]:
    """The app on each backend in turn (tests using it run twice)."""
    url = request.getfixturevalue("rs_pg_url" if request.param == "postgres" else "rs_sqlite_url")
    app = _make_app(url, tmp_path_factory.mktemp(f"keys-{request.param}"), rs_plugins)
    yield app
    app.extensions["riskshare"].db.dispose()


@pytest.fixture(scope="session")
def rs_app(
    rs_pg_url: str, tmp_path_factory: pytest.TempPathFactory, rs_plugins: list
) -> Iterator[Any]:
    """The app on PostgreSQL, as in production."""
    app = _make_app(rs_pg_url, tmp_path_factory.mktemp("keys"), rs_plugins)
    yield app
    app.extensions["riskshare"].db.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def rs_demo_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The app on a fresh database of each backend with the embedded demo loaded twice (the
    demo uses fixed tenant slugs; the second load must add nothing)."""
    from riskshare.demo import load_demo

    directory = tmp_path_factory.mktemp(f"demo-{request.param}")

    def run(url: str) -> Iterator[Any]:
        app = _make_app(url, directory, [])
        load_demo(app)
        load_demo(app)
        yield app
        app.extensions["riskshare"].db.dispose()

    if request.param == "sqlite":
        yield from run(sqlite_database(directory / "riskshare.db"))
    else:
        with postgres_database(request.config.getoption("--rs-pg-admin-url")) as url:
            yield from run(url)


@pytest.fixture(scope="session")
def rs_live(rs_app: Any) -> Iterator[Any]:
    """A real threaded HTTP server around ``rs_app`` (PostgreSQL), for simultaneous
    requests: ``api.live(rs_live, "finance")`` calls it as a user of the test's tenant."""
    from riskshare.testing.live import live_server

    with live_server(rs_app) as server:
        yield server


_tenant_numbers = itertools.count(1)


def _api(app: Any) -> Iterator[ApiClient]:
    tenant = f"t{uuid.uuid4().hex[:8]}{next(_tenant_numbers)}"
    client = ApiClient(app, tenant)
    client.onboard()
    yield client
    app.extensions["riskshare"].clock.pin(None)


@pytest.fixture
def api(rs_app: Any) -> Iterator[ApiClient]:
    """A client bound to a fresh tenant on PostgreSQL; ``api.as_(role)`` picks the caller."""
    yield from _api(rs_app)


@pytest.fixture
def api_any(rs_app_any: Any) -> Iterator[ApiClient]:
    """Like ``api``, on PostgreSQL and on SQLite."""
    yield from _api(rs_app_any)


@pytest.fixture
def other_api(rs_app: Any) -> Iterator[ApiClient]:
    """A second tenant on the same app, for isolation tests."""
    yield from _api(rs_app)


def today(api: ApiClient, day: dt.date) -> None:
    api.app.extensions["riskshare"].clock.pin(day)


__all__ = ["ApiClient", "sa", "today"]
