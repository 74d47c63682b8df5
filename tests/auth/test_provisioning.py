"""Onboarding a tenant in Keycloak: its groups through the outbox, its first users invited,
its first program; and a role taken away in Keycloak is gone at the user's next token.

The app verifies tokens against, and provisions through, a Keycloak-compatible server on
loopback built from the realm export the chart ships (``helm/riskshare/files/
realm-riskshare.json``): the same python-keycloak calls as in production, over HTTP.
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace

import keycloak
import pytest
from sqlalchemy import select

from riskshare.app import create_app
from riskshare.audit.models import AuditEvent
from riskshare.auth.directory import KeycloakDirectory
from riskshare.auth.roles import CORE_INSTITUTION_ROLES, CORE_STAFF
from riskshare.auth.tokens import KeycloakKeySource, TokenVerifier
from riskshare.cli import main
from riskshare.config import Settings
from riskshare.db import tenant_session
from riskshare.jobs import runner
from riskshare.jobs.models import DONE, FAILED, OutboxJob
from riskshare.plugins.manager import role_catalogue
from riskshare.testing.client import Caller
from riskshare.testing.keycloak_stub import KeycloakStub

REALM_FILE = Path(__file__).parents[2] / "helm/riskshare/files/realm-riskshare.json"
SECRET = "provisioner-secret"
PLATFORM = "/api/v1/platform"
PROGRAM = {
    "code": "toy-2024",
    "name": "Toy fund",
    "policy": "toy",
    "config": {},
    "fund_total": "1000000.00",
    "effective_from": "2024-01-01",
    "effective_to": "2026-12-31",
}


@pytest.fixture(scope="module")
def stub():
    realm = json.loads(REALM_FILE.read_text())
    with KeycloakStub.from_realm_export(realm, secrets={"riskshare-provisioner": SECRET}) as server:
        yield server


@pytest.fixture(scope="module")
def app(stub, rs_pg_url, rs_plugins, tmp_path_factory):
    keys = tmp_path_factory.mktemp("keycloak-app")
    settings = Settings(
        mode="test",
        database_url=rs_pg_url,
        auth="keycloak",
        oidc_server_url=stub.url,
        oidc_realm=stub.realm,
        oidc_audience=stub.client_id,
        keycloak_admin_client_id="riskshare-provisioner",
        keycloak_admin_client_secret=SECRET,
        instance_path=keys,
        audit_key_path=keys / "audit-key.pem",
        rate_limit_per_minute=1_000_000,
    )
    source = KeycloakKeySource(stub.url, stub.realm, stub.client_id)
    verifier = TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)
    app = create_app(settings, extra_plugins=rs_plugins, verifier=verifier)
    yield app
    source.close()
    app.extensions["riskshare"].db.dispose()


def caller(app, token, tenant=None):
    return Caller(SimpleNamespace(app=app, tenant=tenant), token)


@pytest.fixture
def operator(app, stub):
    token = stub.issue_token(
        {"preferred_username": "ops", "realm_access": {"roles": ["platform-admin"]}}
    )
    return caller(app, token)


def sign_in(stub, username, password):
    """A user's access token through the realm's token endpoint, via the console client."""
    openid = keycloak.KeycloakOpenID(
        server_url=stub.url, realm_name=stub.realm, client_id="riskshare-console"
    )
    return openid.token(username, password)["access_token"]


@pytest.fixture
def tenant(operator):
    slug = f"t-{uuid.uuid4().hex[:8]}"
    body = operator.call(
        "POST", f"{PLATFORM}/tenants", {"slug": slug, "name": "Anyang"}, expect=201
    ).get_json()
    return SimpleNamespace(slug=slug, job=body["provisioning_job_id"])


def expected_paths(app, slug):
    names = role_catalogue(app.extensions["riskshare"].pm).names
    return {"/tenants", f"/tenants/{slug}"} | {f"/tenants/{slug}/{r}" for r in names}


def tenant_paths(stub, slug):
    return [p for p in stub.group_paths() if p == "/tenants" or p.startswith(f"/tenants/{slug}")]


def outbox_row(app, slug, outbox_id):
    with tenant_session(app.extensions["riskshare"].db, slug) as session:
        row = session.get(OutboxJob, outbox_id)
        session.expunge(row)
        return row


def audit_actions(app, slug):
    with tenant_session(app.extensions["riskshare"].db, slug) as session:
        return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def provisioned(app, stub, tenant):
    runner.execute(app, tenant.slug, tenant.job)
    return tenant


def invite(operator, slug, expect=201, **body):
    response = operator.call("POST", f"{PLATFORM}/tenants/{slug}/users", body, expect=expect)
    return response.get_json()


# ------------------------------------------------------------------ groups


def test_onboarding_a_tenant_asks_for_its_groups_and_the_job_makes_one_per_role(app, stub, tenant):
    assert tenant.job is not None
    assert tenant_paths(stub, tenant.slug) in ([], ["/tenants"])  # nothing until the job runs

    result = runner.execute(app, tenant.slug, tenant.job)

    paths = expected_paths(app, tenant.slug)
    assert set(tenant_paths(stub, tenant.slug)) == paths
    # the core's roles and those the installed policies add
    core = {f"/tenants/{tenant.slug}/{r}" for r in (*CORE_STAFF, *CORE_INSTITUTION_ROLES)}
    assert core < paths and len(paths - core) > 2
    assert set(result["created"]) | set(result["found"]) == paths
    assert outbox_row(app, tenant.slug, tenant.job).state == DONE
    assert audit_actions(app, tenant.slug) == ["tenant.create", "tenant.keycloak-groups"]


def test_a_half_done_attempt_completes_and_nothing_is_made_twice(app, stub, tenant):
    directory = KeycloakDirectory.from_settings(app.extensions["riskshare"].settings)
    try:
        # an earlier attempt that died after two groups
        directory.ensure_tenant_groups(tenant.slug, ["office"])
    finally:
        directory.close()

    result = runner.execute(app, tenant.slug, tenant.job)

    assert f"/tenants/{tenant.slug}/office" in result["found"]
    assert f"/tenants/{tenant.slug}/office" not in result["created"]
    paths = tenant_paths(stub, tenant.slug)
    assert len(paths) == len(set(paths)) and set(paths) == expected_paths(app, tenant.slug)

    # asked again (a retried request, or `riskshare provision`): the same roles, the same job
    out = app.test_cli_runner().invoke(main, ["provision", tenant.slug])
    assert out.exit_code == 0, out.output
    assert f"job #{tenant.job} " in out.output and "(done)" in out.output


def test_a_keycloak_outage_delays_onboarding_and_a_retry_completes_it(app, stub, operator):
    settings = app.extensions["riskshare"].settings
    reachable = settings.oidc_server_url
    settings.oidc_server_url = "http://127.0.0.1:9/"  # discard port: nothing answers
    try:
        slug = f"t-{uuid.uuid4().hex[:8]}"
        created = operator.call(
            "POST", f"{PLATFORM}/tenants", {"slug": slug, "name": "Huixian"}, expect=201
        ).get_json()  # the tenant exists although Keycloak is down
        job = created["provisioning_job_id"]
        with pytest.raises(Exception, match="Keycloak cannot be reached"):
            runner.execute(app, slug, job, last_attempt=True)
    finally:
        settings.oidc_server_url = reachable

    [listed] = operator.call("GET", f"{PLATFORM}/jobs?tenant={slug}", expect=200).get_json()
    assert (listed["job_name"], listed["state"]) == ("keycloak-tenant-groups", FAILED)
    assert "Keycloak cannot be reached" in listed["last_error"]
    assert tenant_paths(stub, slug) in ([], ["/tenants"])
    assert audit_actions(app, slug) == ["tenant.create"]

    operator.call("POST", f"{PLATFORM}/jobs/{slug}/{job}/retry", expect=200)
    runner.execute(app, slug, job)
    assert set(tenant_paths(stub, slug)) == expected_paths(app, slug)
    assert audit_actions(app, slug) == ["tenant.create", "tenant.keycloak-groups"]


# ------------------------------------------------------------------ first users, first program


def test_operator_invites_the_first_office_user_who_signs_in_after_the_email(
    app, stub, operator, tenant
):
    provisioned(app, stub, tenant)
    username = f"office-{tenant.slug}"
    body = invite(
        operator, tenant.slug, username=username, email=f"{username}@gov.example", role="office"
    )
    assert body["created"] is True and body["group"] == f"/tenants/{tenant.slug}/office"
    assert body["temporary_password"] is None
    [mail] = [m for m in stub.emails if m["user_id"] == body["user_id"]]
    assert mail["actions"] == ["UPDATE_PASSWORD", "VERIFY_EMAIL"]
    assert mail["client_id"] == "riskshare-console" and mail["lifespan"] == 7 * 24 * 3600

    # Until the link is followed the account cannot sign in.
    with pytest.raises(keycloak.KeycloakAuthenticationError):
        sign_in(stub, username, "chosen-by-the-user")
    stub.complete_required_actions(username, "chosen-by-the-user")
    office = caller(app, sign_in(stub, username, "chosen-by-the-user"), tenant.slug)
    office.call("GET", "/programs", expect=200)

    # Inviting again (a retried request) adds nothing and sends no second mail.
    again = invite(
        operator, tenant.slug, username=username, email=f"{username}@gov.example", role="office"
    )
    assert (again["created"], again["user_id"]) == (False, body["user_id"])
    assert len([m for m in stub.emails if m["user_id"] == body["user_id"]]) == 1
    assert audit_actions(app, tenant.slug).count("user.invite") == 2


def test_a_platform_operator_creates_only_the_first_program(app, operator, tenant):
    admin = caller(app, operator.headers["Authorization"].split()[1], tenant.slug)
    program = admin.call("POST", "/programs", PROGRAM, expect=201).get_json()
    assert program["code"] == "toy-2024"
    second = admin.call("POST", "/programs", {**PROGRAM, "code": "toy-2025"}, expect=403)
    assert "first program" in second.get_json()["detail"]
    # and nothing else of the tenant's opens to the operator
    admin.call("GET", "/programs", expect=403)
    admin.call("GET", "/institutions", expect=403)


def test_institution_user_gets_the_institution_attribute_and_sees_its_institution(
    app, stub, operator, tenant
):
    provisioned(app, stub, tenant)
    admin = caller(app, operator.headers["Authorization"].split()[1], tenant.slug)
    admin.call("POST", "/programs", PROGRAM, expect=201)
    invite(
        operator,
        tenant.slug,
        username=f"o-{tenant.slug}",
        email=f"o-{tenant.slug}@gov.example",
        role="office",
        credential="temporary_password",
    )
    stub.complete_required_actions(f"o-{tenant.slug}", "office-password")
    office = caller(app, sign_in(stub, f"o-{tenant.slug}", "office-password"), tenant.slug)
    office.call(
        "POST", "/institutions", {"code": "bank-a", "name": "Bank A", "kind": "bank"}, expect=201
    )

    body = invite(
        operator,
        tenant.slug,
        username=f"lender-{tenant.slug}",
        email=f"lender-{tenant.slug}@bank.example",
        role="lender",
        institution="bank-a",
        credential="temporary_password",
    )
    password = body["temporary_password"]
    assert password and body["credential"] == "temporary_password"
    account = stub.account(f"lender-{tenant.slug}")
    assert account.attributes == {"institution": ["bank-a"]}
    # A temporary password must be changed at the first sign-in.
    with pytest.raises(keycloak.KeycloakError, match="not fully set up"):
        sign_in(stub, account.username, password)
    stub.complete_required_actions(account.username, "lender-password")
    token = sign_in(stub, account.username, "lender-password")
    claims = app.extensions["riskshare"].verifier.verify(token)
    assert claims["institution"] == "bank-a"
    assert claims["groups"] == [f"/tenants/{tenant.slug}/lender"]
    caller(app, token, tenant.slug).call("GET", "/programs", expect=200)


def test_invitations_that_cannot_be_right_are_refused_before_keycloak(app, stub, operator, tenant):
    def refused(status, **body):
        base = {"username": "x-user", "email": "x@gov.example", "role": "office"}
        return invite(operator, tenant.slug, expect=status, **{**base, **body})

    assert refused(422, role="mayor")["errors"][0]["pointer"] == "/role"
    assert refused(422, role="lender")["errors"][0]["pointer"] == "/institution"
    assert refused(422, institution="bank-a")["errors"][0]["pointer"] == "/institution"
    assert (
        refused(422, role="lender", institution="nowhere")["errors"][0]["pointer"] == "/institution"
    )
    assert refused(422, email="not-an-address")["errors"]
    invite(
        operator,
        "no-such-tenant",
        expect=404,
        username="x-user",
        email="x@gov.example",
        role="office",
    )
    assert stub.account("x-user") is None
    assert "user.invite" not in audit_actions(app, tenant.slug)

    # a username held by someone else's account is not handed a role
    invite(operator, tenant.slug, username="taken", email="first@gov.example", role="office")
    problem = refused(409, username="taken", email="second@gov.example")
    assert "another e-mail" in problem["detail"]
    # nor is an e-mail address already another account's
    problem = refused(409, username="second-taker", email="first@gov.example")
    assert "belongs to another account" in problem["detail"]
    assert stub.account("second-taker") is None
    assert [g.path for g in stub.account("taken").groups] == [f"/tenants/{tenant.slug}/office"]


def test_only_platform_operators_invite(app, stub, tenant):
    office = caller(app, stub.issue_token({"groups": [f"/tenants/{tenant.slug}/office"]}))
    office.call(
        "POST",
        f"{PLATFORM}/tenants/{tenant.slug}/users",
        {"username": "sneaky", "email": "s@gov.example", "role": "office"},
        expect=403,
    )
    assert stub.account("sneaky") is None


def test_an_invitation_while_keycloak_is_down_is_503_and_writes_nothing(app, operator, tenant):
    settings = app.extensions["riskshare"].settings
    reachable = settings.oidc_server_url
    settings.oidc_server_url = "http://127.0.0.1:9/"
    try:
        problem = invite(
            operator,
            tenant.slug,
            expect=503,
            username="later",
            email="l@gov.example",
            role="office",
        )
    finally:
        settings.oidc_server_url = reachable
    assert problem["type"].endswith("/directory-unavailable")
    assert "127.0.0.1" not in problem["detail"]
    assert "user.invite" not in audit_actions(app, tenant.slug)


def test_riskshare_invite_on_the_command_line(app, stub, tenant):
    out = app.test_cli_runner().invoke(
        main,
        [
            "invite",
            tenant.slug,
            "--username",
            f"cli-{tenant.slug}",
            "--email",
            "cli@gov.example",
            "--role",
            "finance",
            "--temporary-password",
        ],
    )
    assert out.exit_code == 0, out.output
    assert f"in /tenants/{tenant.slug}/finance" in out.output
    assert "temporary password (shown once): " in out.output
    assert [g.path for g in stub.account(f"cli-{tenant.slug}").groups] == [
        f"/tenants/{tenant.slug}/finance"
    ]
    refused = app.test_cli_runner().invoke(
        main,
        ["invite", tenant.slug, "--username", "y", "--email", "y@gov.example", "--role", "mayor"],
    )
    assert refused.exit_code != 0 and "not a role" in refused.output


# ------------------------------------------------------------------ taking a role away


def test_removing_group_membership_removes_access_at_the_next_token(app, stub, operator, tenant):
    provisioned(app, stub, tenant)
    username = f"leaver-{tenant.slug}"
    invite(
        operator, tenant.slug, username=username, email=f"{username}@gov.example", role="auditor"
    )
    stub.complete_required_actions(username, "leaver-password")
    before = sign_in(stub, username, "leaver-password")
    caller(app, before, tenant.slug).call("GET", "/programs", expect=200)

    revoke = ["revoke", tenant.slug, "--username", username, "--role", "auditor"]
    out = app.test_cli_runner().invoke(main, revoke)
    assert out.exit_code == 0 and "no longer auditor" in out.output, out.output
    again = app.test_cli_runner().invoke(main, revoke)
    assert again.exit_code == 0 and "nothing changed" in again.output, again.output
    assert audit_actions(app, tenant.slug).count("user.revoke") == 1

    after = sign_in(stub, username, "leaver-password")
    assert app.extensions["riskshare"].verifier.verify(after)["groups"] == []
    problem = caller(app, after, tenant.slug).call("GET", "/programs", expect=403).get_json()
    assert "no role in tenant" in problem["detail"]
    # The token issued before lives out its lifetime (the realm's 300 s access tokens).
    caller(app, before, tenant.slug).call("GET", "/programs", expect=200)


def test_workers_making_the_same_groups_at_once_make_each_once(app, stub, tenant):
    """Two deliveries of the job (or two operators' `riskshare provision`) race: each
    creation the other won comes back 409 and is taken as found."""
    settings = app.extensions["riskshare"].settings
    roles = sorted(role_catalogue(app.extensions["riskshare"].pm).names)
    results, errors = [], []

    def provision():
        directory = KeycloakDirectory.from_settings(settings)
        try:
            results.append(directory.ensure_tenant_groups(tenant.slug, roles))
        except Exception as exc:  # collected: a thread's exception would be lost
            errors.append(exc)
        finally:
            directory.close()

    threads = [threading.Thread(target=provision) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    paths = tenant_paths(stub, tenant.slug)
    assert sorted(paths) == sorted(set(paths)) and set(paths) == expected_paths(app, tenant.slug)
    made = [path for result in results for path in result["created"]]
    assert sorted(made) == sorted(set(made))  # every group made by exactly one of them


def test_the_same_invitation_sent_twice_at_once_makes_one_account(app, stub, tenant):
    settings = app.extensions["riskshare"].settings
    answers, errors = [], []

    def send():
        directory = KeycloakDirectory.from_settings(settings)
        try:
            answers.append(
                directory.invite(
                    tenant=tenant.slug,
                    role="reviewer",
                    username=f"twice-{tenant.slug}",
                    email=f"twice-{tenant.slug}@gov.example",
                )
            )
        except Exception as exc:  # collected: a thread's exception would be lost
            errors.append(exc)
        finally:
            directory.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len({a.user_id for a in answers}) == 1
    assert len([a for a in answers if a.created]) == 1
    account = stub.account(f"twice-{tenant.slug}")
    assert [g.path for g in account.groups] == [f"/tenants/{tenant.slug}/reviewer"]
