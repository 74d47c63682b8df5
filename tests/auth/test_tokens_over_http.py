"""Every refused token is refused at the API, not only by the verifier: 401 problem+json.

The app verifies tokens against a Keycloak-compatible server on loopback through
python-keycloak, exactly as in production. Each case is a token an attacker or a broken
client could send; a genuine token is the control that shows the route itself answers.
"""

from __future__ import annotations

import time

import pytest
import requests
from jwcrypto import jwk, jwt
from jwcrypto.common import base64url_encode, json_encode

from riskshare.api.problems import PROBLEM_MEDIA_TYPE
from riskshare.app import create_app
from riskshare.auth.tokens import KeycloakKeySource, TokenVerifier
from riskshare.config import Settings
from riskshare.testing.keycloak_stub import KeycloakStub

URL = "/api/v1/platform/tenants"
ADMIN = {"realm_access": {"roles": ["platform-admin"]}, "preferred_username": "ops"}
MAX_LIFETIME = 3600


@pytest.fixture(scope="module")
def stub():
    with KeycloakStub() as server:
        yield server


@pytest.fixture(scope="module")
def app(stub, rs_sqlite_url, tmp_path_factory):
    source = KeycloakKeySource(stub.url, stub.realm, stub.client_id)
    settings = Settings(
        mode="test",
        database_url=rs_sqlite_url,
        auth="keycloak",
        oidc_server_url=stub.url,
        oidc_realm=stub.realm,
        oidc_audience=stub.client_id,
        instance_path=tmp_path_factory.mktemp("instance"),
    )
    verifier = TokenVerifier(
        source, issuer=stub.issuer, audience=stub.client_id, max_lifetime=MAX_LIFETIME
    )
    app = create_app(settings, verifier=verifier)
    yield app
    source.close()
    app.extensions["riskshare"].db.dispose()


def _kid(token: str) -> str:
    return jwt.JWT(jwt=token).token.jose_header["kid"]


def _forge(header: dict, claims: dict, signature: bytes = b"") -> str:
    parts = (json_encode(header), json_encode(claims))
    return ".".join([*(base64url_encode(p) for p in parts), base64url_encode(signature)])


def _signed(key: jwk.JWK, header: dict, claims: dict) -> str:
    token = jwt.JWT(header=header, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def _claims(stub, **extra) -> dict:
    now = int(time.time())
    return {
        "iss": stub.issuer,
        "aud": stub.client_id,
        "iat": now,
        "exp": now + 300,
        "typ": "Bearer",
        **ADMIN,
        **extra,
    }


def _hs256_with_the_public_key(stub) -> str:
    kid = _kid(stub.issue_token({}))
    published = requests.get(f"{stub.issuer}/protocol/openid-connect/certs", timeout=5).json()
    public = jwk.JWK(**next(k for k in published["keys"] if k["kid"] == kid))
    secret = jwk.JWK(kty="oct", k=base64url_encode(public.export_to_pem()))
    return _signed(secret, {"alg": "HS256", "typ": "JWT", "kid": kid}, _claims(stub))


def _tampered(stub) -> str:
    header, _, signature = stub.issue_token({"sub": "mallory"}).split(".")
    return f"{header}.{base64url_encode(json_encode(_claims(stub, sub='x')))}.{signature}"


def _impostor(stub) -> str:
    impostor = jwk.JWK.generate(kty="RSA", size=2048)
    return _signed(impostor, {"alg": "RS256", "kid": _kid(stub.issue_token({}))}, _claims(stub))


def _without_kid(stub) -> str:
    _, payload, signature = stub.issue_token(ADMIN).split(".")
    return f"{base64url_encode(json_encode({'alg': 'RS256'}))}.{payload}.{signature}"


NOW = int(time.time())
# (case, how to make the token from the stub, the reason the API must give)
CASES = [
    (
        "expired",
        lambda s: s.issue_token({**ADMIN, "iat": NOW - 900, "exp": NOW - 120}),
        "token expired",
    ),
    ("not yet valid", lambda s: s.issue_token({**ADMIN, "nbf": NOW + 600}), "token not yet valid"),
    (
        "issued in the future",
        lambda s: s.issue_token(
            {**ADMIN, "iat": int(time.time()) + 600, "exp": int(time.time()) + 900}
        ),
        "token issued in the future",
    ),
    (
        "lives too long",
        lambda s: s.issue_token({**ADMIN, "exp": int(time.time()) + MAX_LIFETIME + 60}),
        f"token lifetime exceeds {MAX_LIFETIME} seconds",
    ),
    ("no iat", lambda s: s.issue_token({**ADMIN, "iat": None}), "missing 'iat' claim"),
    ("no exp", lambda s: s.issue_token({**ADMIN, "exp": None}), "missing 'exp' claim"),
    ("no iss", lambda s: s.issue_token({**ADMIN, "iss": None}), "missing 'iss' claim"),
    ("no aud", lambda s: s.issue_token({**ADMIN, "aud": None}), "missing 'aud' claim"),
    ("wrong audience", lambda s: s.issue_token({**ADMIN, "aud": "account"}), "wrong audience"),
    (
        "wrong audiences",
        lambda s: s.issue_token({**ADMIN, "aud": ["account", "x"]}),
        "wrong audience",
    ),
    (
        "wrong issuer",
        lambda s: s.issue_token({**ADMIN, "iss": "https://evil.example/r"}),
        "wrong issuer",
    ),
    ("an ID token", lambda s: s.issue_token({**ADMIN, "typ": "ID"}), "not an access token"),
    (
        "alg none",
        lambda s: _forge({"alg": "none", "kid": _kid(s.issue_token({}))}, _claims(s)),
        "algorithm not allowed",
    ),
    ("HS256 with the public key", _hs256_with_the_public_key, "algorithm not allowed"),
    ("RS384, not pinned", lambda s: s.issue_token(ADMIN, alg="RS384"), "algorithm not allowed"),
    ("tampered payload", _tampered, "invalid signature"),
    ("signed by an impostor", _impostor, "invalid signature"),
    ("no kid", _without_kid, "token has no key id"),
    (
        "unknown kid",
        lambda s: _forge({"alg": "RS256", "kid": "made-up"}, _claims(s), b"x"),
        "unknown signing key",
    ),
    ("exp as text", lambda s: s.issue_token({**ADMIN, "exp": "tomorrow"}), None),
    ("exp as a list", lambda s: s.issue_token({**ADMIN, "exp": [1]}), None),
    ("iat as text", lambda s: s.issue_token({**ADMIN, "iat": "today"}), None),
    ("empty", lambda s: "", None),
    ("not a token", lambda s: "not-a-token", None),
    ("two parts", lambda s: "a.b", None),
    ("JWE shape", lambda s: "a.b.c.d.e", None),
    ("JSON serialisation", lambda s: '{"payload": "e30", "signatures": []}', None),
    ("garbage", lambda s: "!!!.???.***", None),
    ("header not JSON", lambda s: base64url_encode("not json") + ".e30.", None),
]


def test_a_genuine_token_is_accepted(app, stub):
    response = app.test_client().get(
        URL, headers={"Authorization": f"Bearer {stub.issue_token(ADMIN)}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize(("token", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_refused_token_is_a_401_problem_that_says_why(app, stub, token, reason):
    made = token(stub)
    headers = {"Authorization": f"Bearer {made}"} if made else {"Authorization": "Bearer"}
    response = app.test_client().get(URL, headers=headers)
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_MEDIA_TYPE
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    detail = response.get_json(force=True)["detail"]
    if reason is not None:
        assert reason in detail


# RISKSHARE_TOKEN_MAX_LIFETIME, as a deployment sets it (README, helm settings.tokenMaxLifetime):
# the app built from the environment, with no verifier handed in, holds tokens to it.
CONFIGURED_LIFETIME = 600


@pytest.fixture(scope="module")
def configured_app(stub, rs_sqlite_url, tmp_path_factory):
    settings = Settings.from_env(
        {
            "RISKSHARE_MODE": "test",
            "RISKSHARE_DATABASE_URL": rs_sqlite_url,
            "RISKSHARE_AUTH": "keycloak",
            "RISKSHARE_OIDC_SERVER_URL": stub.url,
            "RISKSHARE_OIDC_REALM": stub.realm,
            "RISKSHARE_OIDC_AUDIENCE": stub.client_id,
            "RISKSHARE_OIDC_ISSUER": stub.issuer,
            "RISKSHARE_INSTANCE_PATH": str(tmp_path_factory.mktemp("configured")),
            "RISKSHARE_TOKEN_MAX_LIFETIME": str(CONFIGURED_LIFETIME),
        }
    )
    assert settings.token_max_lifetime == CONFIGURED_LIFETIME
    app = create_app(settings)
    yield app
    app.extensions["riskshare"].db.dispose()


@pytest.mark.parametrize(
    ("iat_offset", "lifetime", "reason"),
    [
        (0, CONFIGURED_LIFETIME, None),  # exactly the maximum: accepted
        (0, CONFIGURED_LIFETIME + 1, f"token lifetime exceeds {CONFIGURED_LIFETIME} seconds"),
        (-300, CONFIGURED_LIFETIME + 60, f"token lifetime exceeds {CONFIGURED_LIFETIME}"),
        (10, 300, None),  # issued 10 s ahead: within the 30 s of clock skew
        (120, 300, "token issued in the future"),  # beyond the skew
    ],
    ids=["at the maximum", "one second over", "over, issued earlier", "skew", "future"],
)
def test_the_configured_token_lifetime_and_issue_time_hold_over_http(
    configured_app, stub, iat_offset, lifetime, reason
):
    iat = int(time.time()) + iat_offset
    token = stub.issue_token({**ADMIN, "iat": iat, "exp": iat + lifetime})
    response = configured_app.test_client().get(URL, headers={"Authorization": f"Bearer {token}"})
    if reason is None:
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM_MEDIA_TYPE
        assert reason in response.get_json(force=True)["detail"]


@pytest.mark.parametrize("value", ["0", "59", "12h", "-5"])
def test_a_token_lifetime_setting_that_is_not_whole_seconds_stops_start_up(value):
    from riskshare.config import ConfigError

    with pytest.raises(ConfigError, match="RISKSHARE_TOKEN_MAX_LIFETIME"):
        Settings.from_env({"RISKSHARE_MODE": "test", "RISKSHARE_TOKEN_MAX_LIFETIME": value})
