"""Fixtures for testing Riskshare and its policy plugins, shipped as a pytest plugin.

Policy plugins' own test suites reuse these (the ``pytest11`` entry point loads them), so
every plugin is tested against the real app, over HTTP, on PostgreSQL with row-level
security, the way the core is.

Each test gets its own tenant, so tests never see each other's rows and need no cleanup.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from riskshare.testing.client import ApiClient, today
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "hooks(*names): the test exercises these policy hooks (riskshare_...) through the"
        " app; it fails unless an implementation of each answers while it runs",
    )


@pytest.fixture(autouse=True)
def _rs_hooks_answered(request: pytest.FixtureRequest) -> Iterator[None]:
    """Holds a test marked ``@pytest.mark.hooks("riskshare_x", ...)`` to its word: each
    named hook must be called, with at least one implementation, on the app the test
    uses. The marker is how an HTTP test counts as a hook's test (tests/plugins/
    test_hookspecs.py), so it must not be satisfiable by naming alone."""
    marker = request.node.get_closest_marker("hooks")
    if marker is None:
        yield
        return
    apps = [
        request.getfixturevalue(name)
        for name in ("rs_app", "rs_app_any", "rs_demo_app")
        if name in request.fixturenames
    ]
    if not apps:
        pytest.fail("@pytest.mark.hooks needs a test that uses the app (api, api_any, ...)")
    answered: set[str] = set()

    def before(hook_name: str, hook_impls: Any, kwargs: Any) -> None:
        if hook_impls:
            answered.add(hook_name)

    def after(*_: Any) -> None:
        return None

    undo = [app.extensions["riskshare"].pm.add_hookcall_monitoring(before, after) for app in apps]
    try:
        yield
    finally:
        for stop in undo:
            stop()
    missing = sorted(set(marker.args) - answered)
    if missing:
        pytest.fail(f"marked @pytest.mark.hooks but never answered: {', '.join(missing)}")


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
    """Plugins registered directly besides the installed ones; override in a conftest.

    Each test gets the app built with the ``rs_plugins`` its own conftest gives, whatever
    order the suites run in (``pytest policy_plugins tests`` as well as the reverse)."""
    return []


def _make_app(url: str, key_dir: Path, plugins: list[tuple[str, object]]) -> Any:
    from riskshare.app import create_app
    from riskshare.config import Settings

    settings = Settings(
        mode="test",
        database_url=url,
        auth="dev",
        dev_key_path=key_dir / "dev-key.pem",
        audit_key_path=key_dir / "audit-key.pem",
        instance_path=key_dir,
        # Suites send thousands of requests a minute as one user (schemathesis, the money
        # state machine); tests/api/test_headers_and_limits.py sets its own low limit.
        rate_limit_per_minute=1_000_000,
    )
    return create_app(settings, extra_plugins=plugins)


class _Apps:
    """The session's apps, one per backend and set of directly registered plugins.

    ``rs_plugins`` is overridden per directory (the core's tests add a toy policy, a
    plugin's tests add nothing), so an app built once for the whole session would carry the
    plugins of whichever suite asked first. The fixtures are module-scoped, so each module
    resolves ``rs_plugins`` from its own conftest; apps are built on first use and kept."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self._tmp = tmp
        self._apps: dict[tuple[str, tuple[tuple[str, int], ...]], Any] = {}
        self._servers: dict[int, Any] = {}

    def get(self, backend: str, url: str, plugins: list[tuple[str, object]]) -> Any:
        key = (backend, tuple((name, id(plugin)) for name, plugin in plugins))
        if key not in self._apps:
            keys = self._tmp.mktemp(f"keys-{backend}")
            self._apps[key] = _make_app(url, keys, plugins)
        return self._apps[key]

    def live(self, app: Any) -> Any:
        from riskshare.testing.live import LiveServer

        if id(app) not in self._servers:
            self._servers[id(app)] = LiveServer(app).start()
        return self._servers[id(app)]

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        for app in self._apps.values():
            app.extensions["riskshare"].db.dispose()


@pytest.fixture(scope="session")
def _rs_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Apps]:
    apps = _Apps(tmp_path_factory)
    yield apps
    apps.close()


@pytest.fixture(scope="module", params=BACKENDS)
def rs_app_any(request: pytest.FixtureRequest, _rs_apps: _Apps, rs_plugins: list) -> Any:
    """The app on each backend in turn (tests using it run twice)."""
    url = request.getfixturevalue("rs_pg_url" if request.param == "postgres" else "rs_sqlite_url")
    return _rs_apps.get(request.param, url, rs_plugins)


@pytest.fixture(scope="module")
def rs_app(rs_pg_url: str, _rs_apps: _Apps, rs_plugins: list) -> Any:
    """The app on PostgreSQL, as in production."""
    return _rs_apps.get("postgres", rs_pg_url, rs_plugins)


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


@pytest.fixture(scope="module")
def rs_live(rs_app: Any, _rs_apps: _Apps) -> Any:
    """A real threaded HTTP server around ``rs_app`` (PostgreSQL), for simultaneous
    requests: ``api.live(rs_live, "finance")`` calls it as a user of the test's tenant.
    One server per app, kept for the session."""
    return _rs_apps.live(rs_app)


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


__all__ = ["ApiClient", "sa", "today"]
