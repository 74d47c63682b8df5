"""Production sign-in, in a real browser: the console sends chromium to Keycloak (the stub,
over HTTP), the user signs in there, and the console exchanges the code with its PKCE
verifier (Authlib), checks the access token with the API's verifier and renews it with the
refresh token when it expires."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from riskshare.app import create_app
from riskshare.auth.tokens import KeycloakKeySource, TokenVerifier
from riskshare.config import Settings
from riskshare.db.session import tenant_session
from riskshare.plugins.manager import policy_registry
from riskshare.tenants.service import create_tenant
from riskshare.testing import keycloak_stub
from riskshare.testing.databases import sqlite_database
from riskshare.testing.keycloak_stub import KeycloakStub
from riskshare.testing.live import LiveServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LIFETIME = 2  # seconds an access token lives here (Keycloak's default is 300)


@pytest.fixture(scope="module")
def keycloak() -> Iterator[KeycloakStub]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keycloak_stub, "_ACCESS_TOKEN_LIFETIME", LIFETIME)
        stub = KeycloakStub().start()
        stub.add_client("riskshare-console")
        stub.add_user("kc-office", "s3cret", {"groups": ["/tenants/kc/office"]})
        yield stub
        stub.stop()


@pytest.fixture(scope="module")
def kc_live(keycloak: KeycloakStub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    directory = tmp_path_factory.mktemp("console-keycloak")
    settings = Settings(
        mode="test",
        database_url=sqlite_database(directory / "riskshare.db"),
        auth="keycloak",
        oidc_server_url=keycloak.url,
        audit_key_path=directory / "audit-key.pem",
        instance_path=directory,
    )
    # No leeway: a token two seconds old is expired, so the renewal is exercised.
    verifier = TokenVerifier(
        KeycloakKeySource(keycloak.url, "riskshare", "riskshare-api"),
        issuer=settings.issuer,
        audience=settings.oidc_audience,
        leeway=0,
    )
    app = create_app(settings, verifier=verifier)
    with app.app_context(), tenant_session(app.extensions["riskshare"].db, None) as session:
        installed = policy_registry(app.extensions["riskshare"].pm)
        create_tenant(session, slug="kc", name="Keycloak fund", actor="test", installed=installed)
    server = LiveServer(app).start()
    yield server
    server.stop()
    app.extensions["riskshare"].db.dispose()


def test_sign_in_through_keycloak_with_pkce_and_stay_signed_in(browser, kc_live, keycloak):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(kc_live.url + "/console/t/kc/loans")
        # Keycloak's page, with the PKCE challenge the console sent.
        realm = keycloak.url.rstrip("/") + "/realms/riskshare"
        page.wait_for_url(realm + "/protocol/openid-connect/auth*")
        assert "code_challenge_method=S256" in page.url and "code_challenge=" in page.url
        page.fill("#username", "kc-office")
        page.fill("#password", "wrong")
        page.click("#kc-login")
        assert "Invalid username or password" in page.content()
        page.fill("#username", "kc-office")
        page.fill("#password", "s3cret")
        page.click("#kc-login")
        # Back at the page first asked for, signed in as the Keycloak user.
        page.wait_for_url(kc_live.url + "/console/t/kc/loans")
        assert page.locator("h1").inner_text() == "贷款台账"
        assert "kc-office" in page.locator(".who").inner_text()

        asked = keycloak.token_requests
        time.sleep(LIFETIME + 1)  # the access token has expired
        page.goto(kc_live.url + "/console/t/kc/")
        assert page.locator("h1").inner_text() == "待办事项"
        assert keycloak.token_requests == asked + 1  # renewed with the refresh token
    finally:
        context.close()


def test_a_code_is_exchanged_only_with_its_verifier(keycloak):
    import base64
    import hashlib
    import re

    import requests

    base = keycloak.url.rstrip("/") + "/realms/riskshare/protocol/openid-connect"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 43).digest()).rstrip(b"=")
    params = {
        "client_id": "riskshare-console",
        "redirect_uri": "http://127.0.0.1:9/cb",
        "response_type": "code",
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
        "username": "kc-office",
        "password": "s3cret",
    }
    without = dict(params, code_challenge_method="plain")
    assert requests.post(base + "/auth", data=without, timeout=10).status_code == 400
    answer = requests.post(base + "/auth", data=params, allow_redirects=False, timeout=10)
    code = re.search(r"code=([^&]+)", answer.headers["Location"])
    assert code
    exchange = {
        "grant_type": "authorization_code",
        "client_id": "riskshare-console",
        "redirect_uri": "http://127.0.0.1:9/cb",
        "code": code[1],
    }
    wrong = requests.post(base + "/token", data=dict(exchange, code_verifier="x" * 43), timeout=10)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # A refused exchange used the code up, as Keycloak does.
    again = requests.post(base + "/token", data=dict(exchange, code_verifier="v" * 43), timeout=10)
    assert again.status_code == 400
