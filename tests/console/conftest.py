"""The console's fixtures: the embedded demo on SQLite, served by a real HTTP server, and
one headless chromium for the whole session (Debian's, driven by Playwright)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskshare.app import create_app
from riskshare.config import Settings
from riskshare.demo import load_demo
from riskshare.testing.databases import sqlite_database
from riskshare.testing.live import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots of each page the tests visit, kept as the run's artefacts (not in git).
ARTIFACTS = Path(os.environ.get("RISKSHARE_TEST_ARTIFACTS", "test-artifacts")) / "console"


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The embedded platform with its demo tenants (Xinxiang, Yanqing), as `make run`."""
    directory = tmp_path_factory.mktemp("console-demo")
    settings = Settings(
        mode="test",
        database_url=sqlite_database(directory / "riskshare.db"),
        auth="dev",
        dev_key_path=directory / "dev-key.pem",
        audit_key_path=directory / "audit-key.pem",
        instance_path=directory,
        rate_limit_per_minute=1_000_000,
    )
    app = create_app(settings)
    load_demo(app)
    yield app
    app.extensions["riskshare"].db.dispose()


@pytest.fixture(scope="session")
def live(demo_app: Any) -> Iterator[LiveServer]:
    server = LiveServer(demo_app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test-services.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """One browser context (its own cookies) on the live console; every request it makes
    that leaves the app's server is refused and remembered (nothing from a CDN)."""

    def __init__(self, browser: Any, live: LiveServer) -> None:
        self.base = live.url
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.context.route("**/*", self._only_the_app)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def _only_the_app(self, route: Any) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def sign_in(self, username: str) -> None:
        self.go("/console/login")
        self.page.get_by_role("button", name=f"以 {username} 身份登录").click()
        self.page.wait_for_url("**/console/t/**")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def visitor(browser: Any, live: LiveServer) -> Iterator[Visitor]:
    v = Visitor(browser, live)
    yield v
    v.context.close()
    assert v.outside == [], f"the page asked another site for {v.outside}"
