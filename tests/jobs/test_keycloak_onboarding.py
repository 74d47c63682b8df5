"""Onboarding end to end: the API writes the tenant, the relay hands its provisioning job to
RQ, and a real ``riskshare worker`` process makes the tenant's groups in Keycloak (here the
realm-export stub, reached over HTTP from the worker's process)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from conftest import wait_for
from keycloak_world import keycloak_app, keycloak_env, realm_stub
from riskshare.db import tenant_session
from riskshare.jobs.models import DONE, OutboxJob
from riskshare.plugins.manager import role_catalogue
from riskshare.testing.client import Caller


@pytest.fixture(scope="module")
def stub():
    with realm_stub() as server:
        yield server


@pytest.fixture(scope="module")
def rs_app(stub, rs_pg_url, rs_plugins, tmp_path_factory):
    """The API of this module signs in through the stub (the worker fixture takes it)."""
    app, source = keycloak_app(stub, rs_pg_url, rs_plugins, tmp_path_factory.mktemp("kc-app"))
    yield app
    source.close()
    app.extensions["riskshare"].db.dispose()


@pytest.fixture
def worker_settings(stub):
    return keycloak_env(stub)


def test_a_worker_makes_the_groups_of_a_tenant_the_api_onboarded(rs_app, stub, worker):
    operator = Caller(
        SimpleNamespace(app=rs_app, tenant=None),
        stub.issue_token(
            {"preferred_username": "ops", "realm_access": {"roles": ["platform-admin"]}}
        ),
    )
    slug = f"w-{uuid.uuid4().hex[:8]}"
    body = operator.call(
        "POST", "/api/v1/platform/tenants", {"slug": slug, "name": "Linzhou"}, expect=201
    ).get_json()

    def done():
        with tenant_session(rs_app.extensions["riskshare"].db, slug) as session:
            return session.get(OutboxJob, body["provisioning_job_id"]).state == DONE

    wait_for(done, what="the provisioning job", log=worker.log_path)
    names = role_catalogue(rs_app.extensions["riskshare"].pm).names
    assert {p for p in stub.group_paths() if p.startswith(f"/tenants/{slug}/")} == {
        f"/tenants/{slug}/{role}" for role in names
    }
