"""The platform operator decides which policies each tenant may run: an allow-list per
tenant, set at onboarding and through ``PUT /platform/tenants/<slug>/policies``; a program of
any other policy is refused (403 policy-not-allowed), and every change is audited."""

from __future__ import annotations

import importlib.metadata
import uuid

import pytest

from riskshare.testing.client import ApiClient
from riskshare.testing.live import race
from riskshare.testing.reads import audit_events_after, audit_head

PLATFORM = "/api/v1/platform"


def _program(policy: str, code: str | None = None) -> dict:
    return {
        "code": code or f"{policy}-{uuid.uuid4().hex[:6]}",
        "name": f"A {policy} fund",
        "policy": policy,
        "fund_total": "1000000.00",
        "effective_from": "2024-01-01",
        "effective_to": "2026-12-31",
    }


def _tenant(app, **body) -> ApiClient:
    api = ApiClient(app, f"p{uuid.uuid4().hex[:10]}")
    api.admin.ok(
        "POST", f"{PLATFORM}/tenants", {"slug": api.tenant, "name": "Hebi", **body}, status=201
    )
    return api


def test_a_tenant_onboarded_without_a_list_may_run_every_policy_installed_then(rs_app):
    api = _tenant(rs_app)
    installed = sorted(p["name"] for p in api.admin.ok("GET", f"{PLATFORM}/policies"))
    assert {"toy", "xinxiang", "yanqing", "riverside"} <= set(installed)
    listed = next(t for t in api.admin.ok("GET", f"{PLATFORM}/tenants") if t["slug"] == api.tenant)
    assert listed["policies"] == installed
    assert api.admin.ok("GET", f"{PLATFORM}/tenants/{api.tenant}/policies") == {
        "tenant": api.tenant,
        "policies": installed,
        "running": [],
    }


def test_a_program_of_a_policy_the_operator_did_not_allow_is_refused_with_403(rs_app):
    api = _tenant(rs_app, policies=["xinxiang"])
    refused = api.admin.call("POST", "/programs", _program("toy"), expect=403).get_json()
    assert refused["type"].endswith("/policy-not-allowed")
    assert "not allowed tenant" in refused["detail"] and "'toy'" in refused["detail"]
    assert refused["errors"] == [{"pointer": "/policy", "detail": "allowed: ['xinxiang']"}]
    assert api.admin.ok("GET", f"{PLATFORM}/tenants/{api.tenant}/policies")["running"] == []
    # Allowed, the same program is made.
    head = audit_head(api)
    answer = api.admin.ok(
        "PUT", f"{PLATFORM}/tenants/{api.tenant}/policies", {"policies": ["toy", "xinxiang"]}
    )
    assert answer == {"tenant": api.tenant, "policies": ["toy", "xinxiang"], "running": []}
    (event,) = audit_events_after(api, head)
    assert (event["action"], event["actor"]) == ("tenant.policies", "operator")
    assert event["after"] == {"policies": ["toy", "xinxiang"]}
    api.admin.ok("POST", "/programs", _program("toy"), status=201)
    # The same list again changes and records nothing.
    head = audit_head(api)
    api.admin.ok(
        "PUT", f"{PLATFORM}/tenants/{api.tenant}/policies", {"policies": ["xinxiang", "toy"]}
    )
    assert audit_events_after(api, head) == []


def test_a_policy_with_programs_stays_allowed_and_an_unknown_one_is_refused(rs_app):
    api = _tenant(rs_app, policies=["toy"])
    api.admin.ok("POST", "/programs", _program("toy"), status=201)
    url = f"{PLATFORM}/tenants/{api.tenant}/policies"
    in_use = api.admin.call("PUT", url, {"policies": ["xinxiang"]}, expect=409).get_json()
    assert in_use["type"].endswith("/policy-in-use")
    assert "'toy'" in in_use["detail"]
    unknown = api.admin.call("PUT", url, {"policies": ["toy", "atlantis"]}, expect=422).get_json()
    assert unknown["errors"][0]["pointer"] == "/policies/1"
    assert "atlantis" in unknown["detail"]
    state = api.admin.ok("GET", url)
    assert state == {"tenant": api.tenant, "policies": ["toy"], "running": ["toy"]}
    # Onboarding names only installed policies too, and writes nothing when it cannot.
    slug = f"p{uuid.uuid4().hex[:10]}"
    api.admin.call(
        "POST",
        f"{PLATFORM}/tenants",
        {"slug": slug, "name": "X", "policies": ["atlantis"]},
        expect=422,
    )
    assert slug not in {t["slug"] for t in api.admin.ok("GET", f"{PLATFORM}/tenants")}


def test_only_the_platform_operator_reads_or_sets_a_tenants_policies(rs_app):
    api = _tenant(rs_app, policies=["toy"])
    url = f"{PLATFORM}/tenants/{api.tenant}/policies"
    office = api.as_("office")
    assert office.call("PUT", url, {"policies": ["toy", "xinxiang"]}).status_code == 403
    assert office.call("GET", url).status_code == 403
    assert api.admin.call("GET", f"{PLATFORM}/tenants/nobody/policies").status_code == 404
    assert api.admin.ok("GET", url)["policies"] == ["toy"]


def test_installed_policies_name_their_plugin_and_distribution(rs_app):
    api = ApiClient(rs_app, "none")
    policies = {p["name"]: p for p in api.admin.ok("GET", f"{PLATFORM}/policies")}
    xinxiang = policies["xinxiang"]
    assert xinxiang["plugin"] == "xinxiang"
    assert xinxiang["distribution"] == {
        "name": "riskshare-xinxiang",
        "version": importlib.metadata.version("riskshare-xinxiang"),
    }
    assert xinxiang["config_schema"]["type"] == "object"
    # The toy policy is registered by the tests' conftest, not installed.
    assert (policies["toy"]["plugin"], policies["toy"]["distribution"]) == ("toy", None)


@pytest.mark.postgres
def test_a_program_made_while_the_operator_takes_its_policy_away_is_never_both(rs_app, rs_live):
    """The allow-list change locks the tenant row for update, a program's creation for share:
    either the program exists and the change is refused (409), or the change is made and the
    program refused (403); never a program of a policy the tenant may not run."""
    for n in range(4):
        api = _tenant(rs_app, policies=["toy", "xinxiang"])
        admin = api.live(rs_live)
        put, post = race(
            [
                lambda admin=admin, api=api: admin.call(
                    "PUT", f"{PLATFORM}/tenants/{api.tenant}/policies", {"policies": ["xinxiang"]}
                ),
                lambda admin=admin, n=n: admin.post("/programs", _program("toy", f"toy-{n}")),
            ]
        )
        assert sorted([put.status_code, post.status_code]) in ([200, 403], [201, 409]), (
            put.text,
            post.text,
        )
        state = api.admin.ok("GET", f"{PLATFORM}/tenants/{api.tenant}/policies")
        assert set(state["running"]) <= set(state["policies"])


def test_the_cli_lists_installed_policies_and_sets_a_tenants_list(rs_app):
    from riskshare.cli import main

    api = _tenant(rs_app, policies=["toy"])
    runner = rs_app.test_cli_runner()
    listed = runner.invoke(main, ["policies"])
    assert listed.exit_code == 0, listed.output
    version = importlib.metadata.version("riskshare-xinxiang")
    assert f"plugin xinxiang, riskshare-xinxiang {version}" in listed.output
    added = runner.invoke(main, ["policies", "allow", api.tenant, "xinxiang"])
    assert added.exit_code == 0, added.output
    assert f"{api.tenant} may run: toy, xinxiang" in added.output
    api.admin.ok("POST", "/programs", _program("toy"), status=201)
    kept = runner.invoke(main, ["policies", "allow", api.tenant, "--only", "xinxiang"])
    assert kept.exit_code == 1
    assert "runs programs of 'toy'" in kept.output
    unknown = runner.invoke(main, ["policies", "allow", api.tenant, "atlantis"])
    assert unknown.exit_code == 1
    assert "/policies/2: not installed" in unknown.output
    shown = runner.invoke(main, ["policies", "show", api.tenant])
    assert shown.output.splitlines() == [
        f"{api.tenant} may run: toy, xinxiang",
        f"{api.tenant} runs programs of: toy",
    ]
