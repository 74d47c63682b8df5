"""Errors that are the server's fault: a bug (500) and unreachable signing keys (503).

Both must still be application/problem+json, must not leak what went wrong inside, and a
request that failed half-way must leave nothing written.
"""

from __future__ import annotations

import logging
import socket
import uuid

import pytest

import toy_policy
from riskshare.api.context import current_context
from riskshare.api.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE
from riskshare.app import create_app
from riskshare.audit.events import record_event
from riskshare.auth.tokens import KeycloakKeySource, TokenVerifier
from riskshare.config import Settings
from riskshare.institutions.models import Institution
from riskshare.testing.client import ApiClient
from riskshare.testing.keycloak_stub import KeycloakStub
from riskshare.testing.pytest_plugin import _make_app
from riskshare.toolkit import Blueprint, hookimpl

SECRET = "postgresql://riskshare:hunter2@db.internal/riskshare"


class Buggy:
    """A plugin whose route writes an audited record and then fails, as a bug would."""

    @hookimpl
    def riskshare_register_routes(self, api):
        blp = Blueprint("buggy", __name__, url_prefix="/api/v1/tenants/<tenant>/buggy")

        @blp.route("", methods=["POST"])
        @blp.roles("office")
        def buggy():
            ctx = current_context()
            bank = Institution(code="half", name="Half", kind="bank", cooperation_since=ctx.today)
            ctx.session.add(bank)
            ctx.session.flush()  # the row and its audit event are in the database, uncommitted
            record_event(ctx, "institution.create", bank)
            raise RuntimeError(f"lost the connection to {SECRET}")

        api.register_blueprint(blp)


@pytest.fixture(scope="module", params=["rs_pg_url", "rs_sqlite_url"])
def buggy_api(request, tmp_path_factory):
    url = request.getfixturevalue(request.param)
    app = _make_app(url, tmp_path_factory.mktemp("keys"), [("toy", toy_policy), ("buggy", Buggy())])
    api = ApiClient(app, f"t{uuid.uuid4().hex[:10]}")
    api.onboard()
    yield api
    app.extensions["riskshare"].db.dispose()


def test_an_unexpected_exception_is_a_500_problem_that_leaks_nothing(buggy_api, caplog):
    with caplog.at_level(logging.ERROR, logger=buggy_api.app.logger.name):
        response = buggy_api.as_("office").post("/buggy")

    assert response.status_code == 500
    assert response.mimetype == PROBLEM_MEDIA_TYPE
    body = response.get_json(force=True)
    assert body["type"] == TYPE_BASE + "internal-error"
    assert body["title"] == "Internal Server Error" and body["status"] == 500
    text = response.get_data(as_text=True)
    for leak in ("hunter2", "lost the connection", "RuntimeError", "Traceback"):
        assert leak not in text
    # The client's incident id leads an operator to the logged traceback.
    incident = body["instance"].removeprefix("urn:uuid:")
    [record] = [r for r in caplog.records if incident in r.getMessage()]
    assert record.levelno == logging.ERROR and "POST" in record.getMessage()
    assert isinstance(record.exc_info[1], RuntimeError)


def test_a_request_that_fails_half_way_leaves_nothing_written(buggy_api):
    office = buggy_api.as_("office")
    auditor = buggy_api.as_("auditor")
    chain = auditor.ok("GET", "/audit/verification")
    assert office.post("/buggy").status_code == 500

    assert office.ok("GET", "/institutions") == []
    assert auditor.ok("GET", "/audit/verification") == chain
    # The code is free, so the half-written row was rolled back rather than committed.
    bank = {"code": "half", "name": "Half", "kind": "bank"}
    office.ok("POST", "/institutions", bank, status=201)
    assert auditor.ok("GET", "/audit/verification")["events"] == chain["events"] + 1


# ------------------------------------------------------------------------ signing keys down


@pytest.fixture
def keyless_app(rs_sqlite_url, tmp_path):
    """The app verifying tokens against a Keycloak that does not answer."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = KeycloakKeySource(f"http://127.0.0.1:{port}/", "riskshare", "riskshare-api")
    settings = Settings(
        mode="test",
        database_url=rs_sqlite_url,
        auth="keycloak",
        oidc_server_url=source.server_url,
        instance_path=tmp_path,
    )
    verifier = TokenVerifier(source, issuer=settings.issuer, audience=settings.oidc_audience)
    app = create_app(settings, verifier=verifier)
    yield app
    source.close()
    app.extensions["riskshare"].db.dispose()


@pytest.fixture(scope="module")
def keycloak_token():
    with KeycloakStub() as stub:
        return stub.issue_token({"groups": ["/tenants/any/office"]})


def test_unavailable_signing_keys_are_a_503_with_retry_after(keyless_app, keycloak_token):
    client = keyless_app.test_client()
    headers = {"Authorization": f"Bearer {keycloak_token}"}
    # The second call is answered from the key source's remembered failure, without a fetch.
    for _ in range(2):
        response = client.get("/api/v1/tenants/any/programs", headers=headers)
        assert response.status_code == 503
        assert response.mimetype == PROBLEM_MEDIA_TYPE
        body = response.get_json(force=True)
        assert body["type"] == TYPE_BASE + "token-keys-unavailable"
        assert body["title"] == "Service Unavailable" and body["status"] == 503
        assert "retry" in body["detail"]
        assert "127.0.0.1" not in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
        assert "WWW-Authenticate" not in response.headers


def test_a_bad_token_is_still_401_while_the_keys_are_unavailable(keyless_app):
    response = keyless_app.test_client().get(
        "/api/v1/tenants/any/programs", headers={"Authorization": "Bearer not.a.token"}
    )
    assert response.status_code == 401 and response.mimetype == PROBLEM_MEDIA_TYPE
