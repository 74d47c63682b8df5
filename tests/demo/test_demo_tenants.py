"""The embedded demo loads the tenants policy plugins describe (``riskshare_demo_tenants``).

The toy locality declares one demo tenant (``toy_policy.DEMO_TENANT``); the core knows
nothing of it, yet creates it with its institution, firm and users, runs its story once, and
prints a token for each of its users that the API accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import toy_policy
from riskshare.app import create_app
from riskshare.config import Settings
from riskshare.demo import DemoError, load_demo, print_tokens
from riskshare.testing import ApiClient
from riskshare.testing.databases import sqlite_database
from riskshare.toolkit import DemoTenant, DemoUser, hookimpl


def _app(directory: Path, *plugins: tuple[str, object]) -> Any:
    """An embedded-like app with only the given plugins (no installed locality)."""
    settings = Settings(
        mode="test",
        database_url=sqlite_database(directory / "riskshare.db"),
        auth="dev",
        dev_key_path=directory / "dev-key.pem",
        instance_path=directory,
        policy_plugins=[],
    )
    return create_app(settings, extra_plugins=list(plugins))


class _Declares:
    """A plugin that declares the given demo tenants and nothing else."""

    def __init__(self, *tenants: DemoTenant) -> None:
        self.tenants = list(tenants)

    @hookimpl
    def riskshare_demo_tenants(self) -> list[DemoTenant]:
        return self.tenants


@pytest.fixture(scope="module")
def toy_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    app = _app(tmp_path_factory.mktemp("toy-demo"), ("toy", toy_policy))
    load_demo(app)
    load_demo(app)  # idempotent: the second load adds nothing
    yield app
    app.extensions["riskshare"].db.dispose()


def _tokens(app: Any) -> dict[str, str]:
    lines: list[str] = []
    print_tokens(app, lines.append)
    tokens = {}
    for line in lines[1:]:
        who, _, token = line.strip().rpartition(": ")
        tokens[who] = token
    return tokens


def test_riskshare_demo_tenants_the_core_creates_what_the_plugin_declares(toy_demo) -> None:
    [declared] = toy_demo.extensions["riskshare"].pm.hook.riskshare_demo_tenants()
    assert declared == [toy_policy.DEMO_TENANT]
    office = ApiClient(toy_demo, toy_policy.DEMO_SLUG).as_("office")
    [bank] = office.ok("GET", "/institutions")
    assert (bank["code"], bank["name"], bank["kind"]) == ("toy-bank", "Toy county bank", "bank")
    [firm] = office.ok("GET", "/firms")
    assert (firm["uscc"], firm["name"]) == (toy_policy.DEMO_FIRM_USCC, "Toy workshop")


def test_the_story_runs_once_and_leaves_the_date_unpinned(toy_demo) -> None:
    auditor = ApiClient(toy_demo, toy_policy.DEMO_SLUG).as_("auditor")
    [program] = auditor.ok("GET", "/programs")
    assert (program["code"], program["policy"]) == ("toy-demo-1", "toy")
    [loan] = auditor.ok("GET", "/loans")
    assert (loan["reference"], loan["covered"]) == ("TOY-DEMO-1", True)
    assert toy_demo.extensions["riskshare"].clock._pinned is None


def test_a_token_is_printed_for_each_declared_user_and_the_api_accepts_it(toy_demo) -> None:
    tokens = _tokens(toy_demo)
    assert set(tokens) == {
        "platform-admin",
        "toy-demo office",
        "toy-demo auditor",
        "toy-demo lender",
    }
    client = toy_demo.test_client()

    def loans(token: str) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        return client.get("/api/v1/tenants/toy-demo/loans", headers=headers)

    for who in ("toy-demo office", "toy-demo auditor", "toy-demo lender"):
        response = loans(tokens[who])
        assert response.status_code == 200, (who, response.get_json())
        # The lender acts for the bank it was declared with, and sees that bank's loan.
        assert [loan["reference"] for loan in response.get_json()] == ["TOY-DEMO-1"]


def test_two_plugins_describing_one_tenant_stop_the_load_before_it_writes(tmp_path) -> None:
    app = _app(tmp_path, ("toy", toy_policy), ("copy", _Declares(toy_policy.DEMO_TENANT)))
    with pytest.raises(DemoError, match="two plugins both describe the demo tenant 'toy-demo'"):
        load_demo(app)
    admin = ApiClient(app, "toy-demo").admin
    assert admin.ok("GET", "/api/v1/platform/tenants") == []


@pytest.mark.parametrize(
    ("user", "complaint"),
    [
        (DemoUser("trustee"), "the role 'trustee', which neither the core nor any"),
        (DemoUser("lender", "no-such-bank"), "acting for 'no-such-bank', which is not one"),
    ],
)
def test_a_demo_user_with_an_unknown_role_or_institution_stops_the_load(
    tmp_path, user: DemoUser, complaint: str
) -> None:
    tenant = DemoTenant("bad-demo", "Bad", users=[user])
    app = _app(tmp_path, ("toy", toy_policy), ("bad", _Declares(tenant)))
    with pytest.raises(DemoError, match=complaint):
        load_demo(app)
    assert ApiClient(app, "bad-demo").admin.ok("GET", "/api/v1/platform/tenants") == []
