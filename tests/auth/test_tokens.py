"""Bearer token verification against a Keycloak-compatible server on loopback.

The stub speaks Keycloak's HTTP API, so these tests exercise the real python-keycloak calls the
API makes in production (JWKS fetch, token endpoint, admin group API). Each test builds its own
key source, so cache behaviour is measured as a change in the stub's `certs_requests`.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import keycloak
import pytest
import requests
from jwcrypto import jwk, jwt
from jwcrypto.common import base64url_decode, base64url_encode, json_encode
from keycloak.exceptions import KeycloakAuthenticationError, KeycloakPostError

from riskshare.auth.tokens import (
    DevKeySource,
    InvalidToken,
    KeycloakKeySource,
    KeySourceUnavailable,
    TokenVerifier,
    mint_dev_token,
)
from riskshare.testing.keycloak_stub import KeycloakStub


class FakeClock:
    """Monotonic clock the tests move by hand, so interval and TTL logic needs no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def stub():
    with KeycloakStub() as server:
        yield server


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_source(stub, clock):
    sources = []

    def make(**kwargs):
        kwargs.setdefault("clock", clock)
        source = KeycloakKeySource(stub.url, stub.realm, stub.client_id, **kwargs)
        sources.append(source)
        return source

    yield make
    for source in sources:
        source.close()


@pytest.fixture
def source(make_source):
    return make_source()


@pytest.fixture
def verifier(stub, source):
    return TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)


def close_sessions(*clients) -> None:
    """python-keycloak has no public close(); closing the sessions keeps sockets from leaking
    into ResourceWarnings (the suite turns warnings into errors)."""
    for client in clients:
        connection = client.connection
        connection._s.close()
        openid = getattr(connection, "_keycloak_openid", None)
        if openid is not None:
            openid.connection._s.close()


def forge(header: dict, claims: dict, signature: bytes = b"") -> str:
    """Assemble a compact JWS by hand, for tokens no honest signer would produce."""
    return ".".join(
        [
            base64url_encode(json_encode(header)),
            base64url_encode(json_encode(claims)),
            base64url_encode(signature),
        ]
    )


def sign_with(key: jwk.JWK, header: dict, claims: dict) -> str:
    token = jwt.JWT(header=header, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def unverified_claims(token: str) -> dict:
    return json.loads(base64url_decode(token.split(".")[1]))


def current_kid(token: str) -> str:
    return jwt.JWT(jwt=token).token.jose_header["kid"]


def reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    return caught.value.reason


# ------------------------------------------------------------------ verification through Keycloak


def test_valid_stub_token_verifies(stub, verifier):
    token = stub.issue_token({"sub": "user-1", "groups": ["/tenants/demo/office"]})

    claims = verifier.verify(token)

    assert claims["sub"] == "user-1"
    assert claims["groups"] == ["/tenants/demo/office"]
    assert claims["iss"] == stub.issuer
    assert claims["aud"] == stub.client_id


def test_issuer_matches_keycloak_format(stub):
    assert stub.url.endswith("/")
    assert stub.issuer == f"{stub.url}realms/{stub.realm}"
    assert "//realms" not in stub.issuer


def test_keys_are_cached(stub, verifier):
    before = stub.certs_requests

    for n in range(25):
        verifier.verify(stub.issue_token({"sub": f"user-{n}"}))

    assert stub.certs_requests - before == 1


def test_rotated_key_triggers_exactly_one_refresh(stub, verifier):
    before = stub.certs_requests
    old_token = stub.issue_token({"sub": "before-rotation"})
    verifier.verify(old_token)
    assert stub.certs_requests - before == 1

    new_kid = stub.rotate_key()
    new_token = stub.issue_token({"sub": "after-rotation"})
    assert current_kid(new_token) == new_kid

    assert verifier.verify(new_token)["sub"] == "after-rotation"
    assert stub.certs_requests - before == 2
    for _ in range(10):
        verifier.verify(stub.issue_token({"sub": "after-rotation"}))
    # Old keys stay published, so tokens issued before the rotation keep working.
    assert verifier.verify(old_token)["sub"] == "before-rotation"
    assert stub.certs_requests - before == 2


def test_made_up_kids_refresh_at_most_once_per_interval(stub, clock, make_source):
    source = make_source(min_refresh_interval=10.0)
    verifier = TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)
    attacker_key = jwk.JWK.generate(kty="RSA", size=2048)

    def bogus(n: int) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": f"made-up-{n}"}
        return sign_with(attacker_key, header, {"iss": stub.issuer, "exp": time.time() + 60})

    before = stub.certs_requests
    verifier.verify(stub.issue_token({"sub": "warm-up"}))
    assert stub.certs_requests - before == 1

    for n in range(50):
        assert reason(verifier, bogus(n)) == "unknown signing key"
    assert stub.certs_requests - before == 2  # one forced refresh for the whole flood

    clock.now += 10.5
    for n in range(50, 100):
        assert reason(verifier, bogus(n)) == "unknown signing key"
    assert stub.certs_requests - before == 3  # the next interval allows one more

    # Valid tokens keep verifying from the cache throughout.
    verifier.verify(stub.issue_token({"sub": "still-fine"}))
    assert stub.certs_requests - before == 3


def test_concurrent_made_up_kids_cause_one_refresh(stub, make_source):
    source = make_source(min_refresh_interval=10.0)
    verifier = TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)
    verifier.verify(stub.issue_token({"sub": "warm-up"}))
    before = stub.certs_requests
    attacker_key = jwk.JWK.generate(kty="RSA", size=2048)
    tokens = [
        sign_with(attacker_key, {"alg": "RS256", "kid": f"forged-{n}"}, {"exp": time.time() + 60})
        for n in range(40)
    ]
    reasons: list[str] = []
    barrier = threading.Barrier(len(tokens))

    def attack(token: str) -> None:
        barrier.wait()
        try:
            verifier.verify(token)
        except InvalidToken as exc:
            reasons.append(exc.reason)

    threads = [threading.Thread(target=attack, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert reasons == ["unknown signing key"] * len(tokens)
    assert stub.certs_requests - before == 1


def test_ttl_expiry_refetches_keys(stub, clock, make_source):
    source = make_source(ttl_seconds=60)
    verifier = TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)
    before = stub.certs_requests

    verifier.verify(stub.issue_token({}))
    clock.now += 59
    verifier.verify(stub.issue_token({}))
    assert stub.certs_requests - before == 1

    clock.now += 2
    verifier.verify(stub.issue_token({}))
    assert stub.certs_requests - before == 2


def test_cached_keys_survive_a_keycloak_outage(clock):
    with KeycloakStub() as own:
        source = KeycloakKeySource(own.url, own.realm, own.client_id, ttl_seconds=60, clock=clock)
        verifier = TokenVerifier(source, issuer=own.issuer, audience=own.client_id)
        token = own.issue_token({"sub": "during-outage"})
        verifier.verify(token)
    # The stub is gone; the cache has expired but is all we have, so it keeps serving.
    clock.now += 120
    assert verifier.verify(token)["sub"] == "during-outage"
    source.close()


def test_unreachable_keycloak_without_cache_is_not_the_tokens_fault(stub):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = KeycloakKeySource(f"http://127.0.0.1:{port}/", stub.realm, stub.client_id)
    verifier = TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)

    with pytest.raises(KeySourceUnavailable):
        verifier.verify(stub.issue_token({}))
    source.close()


# ------------------------------------------------------------------ rejections


def test_expired_token_is_rejected(stub, verifier):
    now = int(time.time())
    token = stub.issue_token({"iat": now - 900, "exp": now - 120})

    assert reason(verifier, token) == "token expired"


def test_leeway_tolerates_small_clock_skew(stub, verifier):
    now = int(time.time())
    assert verifier.verify(stub.issue_token({"exp": now - 5}))


def test_not_yet_valid_token_is_rejected(stub, verifier):
    token = stub.issue_token({"nbf": int(time.time()) + 600})

    assert reason(verifier, token) == "token not yet valid"


def test_wrong_audience_is_rejected(stub, verifier):
    assert reason(verifier, stub.issue_token({"aud": "account"})) == "wrong audience"
    # Keycloak emits a list when several audience mappers apply; ours among them is fine.
    assert verifier.verify(stub.issue_token({"aud": ["account", stub.client_id]}))
    assert reason(verifier, stub.issue_token({"aud": ["account", "other"]})) == "wrong audience"


def test_wrong_issuer_is_rejected(stub, verifier):
    token = stub.issue_token({"iss": "https://evil.example/realms/riskshare"})

    assert reason(verifier, token) == "wrong issuer"


@pytest.mark.parametrize("claim", ["exp", "iss", "aud"])
def test_required_claims_must_be_present(stub, verifier, claim):
    token = stub.issue_token({claim: None})

    assert reason(verifier, token) == f"missing '{claim}' claim"


def test_alg_none_is_rejected(stub, verifier):
    kid = current_kid(stub.issue_token({}))
    token = forge({"alg": "none", "typ": "JWT", "kid": kid}, {"iss": stub.issuer, "sub": "x"})

    assert reason(verifier, token) == "algorithm not allowed"


def test_hs256_signed_with_the_public_key_is_rejected(stub, verifier):
    """The classic key-confusion attack: take the published RSA public key, use its PEM bytes as
    an HMAC secret, and hope the verifier lets the header choose HS256."""
    genuine = stub.issue_token({})
    kid = current_kid(genuine)
    published = requests.get(f"{stub.issuer}/protocol/openid-connect/certs", timeout=5).json()
    public = jwk.JWK(**next(k for k in published["keys"] if k["kid"] == kid))
    secret = jwk.JWK(kty="oct", k=base64url_encode(public.export_to_pem()))
    claims = {
        "iss": stub.issuer,
        "aud": stub.client_id,
        "exp": int(time.time()) + 300,
        "typ": "Bearer",
        "sub": "attacker",
        "realm_access": {"roles": ["platform-admin"]},
    }
    token = sign_with(secret, {"alg": "HS256", "typ": "JWT", "kid": kid}, claims)

    assert reason(verifier, token) == "algorithm not allowed"


def test_symmetric_algorithms_cannot_be_configured(stub, source):
    with pytest.raises(ValueError, match="HS256"):
        TokenVerifier(source, issuer=stub.issuer, audience="x", algorithms=("RS256", "HS256"))
    with pytest.raises(ValueError, match="none"):
        TokenVerifier(source, issuer=stub.issuer, audience="x", algorithms=("none",))


def test_algorithm_outside_the_pinned_list_is_rejected(stub, verifier):
    token = stub.issue_token({}, alg="RS384")

    assert reason(verifier, token) == "algorithm not allowed"


def test_key_is_used_only_with_its_published_algorithm(stub, source):
    verifier = TokenVerifier(
        source, issuer=stub.issuer, audience=stub.client_id, algorithms=("RS256", "PS256")
    )

    assert verifier.verify(stub.issue_token({}))
    assert reason(verifier, stub.issue_token({}, alg="PS256")) == (
        "algorithm not allowed for this signing key"
    )


def test_tampered_payload_is_rejected(stub, verifier):
    header, _, signature = stub.issue_token({"sub": "mallory"}).split(".")
    now = int(time.time())
    forged_claims = {
        "iss": stub.issuer,
        "aud": stub.client_id,
        "exp": now + 300,
        "typ": "Bearer",
        "sub": "mallory",
        "realm_access": {"roles": ["platform-admin"]},
    }
    token = f"{header}.{base64url_encode(json_encode(forged_claims))}.{signature}"

    assert reason(verifier, token) == "invalid signature"


def test_token_signed_by_an_unknown_key_with_a_real_kid_is_rejected(stub, verifier):
    kid = current_kid(stub.issue_token({}))
    impostor = jwk.JWK.generate(kty="RSA", size=2048)
    claims = {"iss": stub.issuer, "aud": stub.client_id, "exp": time.time() + 60, "typ": "Bearer"}
    token = sign_with(impostor, {"alg": "RS256", "kid": kid}, claims)

    assert reason(verifier, token) == "invalid signature"


def test_token_without_kid_is_rejected(stub, verifier):
    signed = stub.issue_token({})
    _, payload, signature = signed.split(".")
    header = base64url_encode(json_encode({"alg": "RS256", "typ": "JWT"}))

    assert reason(verifier, f"{header}.{payload}.{signature}") == "token has no key id"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        "a.b",
        "a.b.c.d.e",  # JWE shape
        '{"payload": "e30", "signatures": []}',  # JSON serialisation
        "!!!.???.***",
        base64url_encode("not json") + ".e30.",
    ],
)
def test_malformed_tokens_are_rejected(verifier, token):
    assert reason(verifier, token) == "malformed token"


def test_id_token_is_not_accepted_as_access_token(stub, verifier):
    stub.add_user("ida", "secret-pw")
    client = keycloak.KeycloakOpenID(
        server_url=stub.url, realm_name=stub.realm, client_id=stub.client_id
    )
    try:
        tokens = client.token("ida", "secret-pw")  # scope=openid: Keycloak adds an ID token
    finally:
        close_sessions(client)

    assert verifier.verify(tokens["access_token"])["preferred_username"] == "ida"
    id_claims = unverified_claims(tokens["id_token"])
    # Same issuer and the API as audience: only `typ` tells it apart from an access token.
    assert (id_claims["iss"], id_claims["aud"], id_claims["typ"]) == (
        stub.issuer,
        stub.client_id,
        "ID",
    )
    assert reason(verifier, tokens["id_token"]) == "not an access token"


@pytest.mark.parametrize("exp", ["tomorrow", "9999999999", [1], {"at": 1}])
def test_non_numeric_expiry_is_rejected(stub, verifier, exp):
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(stub.issue_token({"exp": exp}))
    assert caught.value.reason in {"malformed claims", "malformed token"}


# ------------------------------------------------------------------ the token endpoint


def test_password_grant_token_carries_user_claims(stub, verifier):
    stub.add_user(
        "officer",
        "pw-1",
        {"groups": ["/tenants/demo/office"], "institution": "BANK-01"},
    )
    client = keycloak.KeycloakOpenID(
        server_url=stub.url, realm_name=stub.realm, client_id=stub.client_id
    )
    try:
        tokens = client.token("officer", "pw-1")
        with pytest.raises(KeycloakAuthenticationError):
            client.token("officer", "wrong")
    finally:
        close_sessions(client)

    claims = verifier.verify(tokens["access_token"])
    assert claims["groups"] == ["/tenants/demo/office"]
    assert claims["institution"] == "BANK-01"
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0


def test_client_credentials_grant(stub, verifier):
    stub.add_client("reports-job", "s3cret")
    client = keycloak.KeycloakOpenID(
        server_url=stub.url,
        realm_name=stub.realm,
        client_id="reports-job",
        client_secret_key="s3cret",
    )
    try:
        tokens = client.token(grant_type="client_credentials")
    finally:
        close_sessions(client)

    claims = verifier.verify(tokens["access_token"])
    assert claims["azp"] == "reports-job"
    assert claims["preferred_username"] == "service-account-reports-job"


# ------------------------------------------------------------------ development key source


def test_dev_key_is_generated_private_and_reused(tmp_path):
    path = tmp_path / "state" / "keys" / "dev-signing.pem"

    first = DevKeySource(path)

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    pem = path.read_bytes()
    second = DevKeySource(path)
    assert second.kid == first.kid
    assert path.read_bytes() == pem
    assert first.kid == jwk.JWK.from_pem(pem).thumbprint()  # RFC 7638
    assert list(path.parent.iterdir()) == [path]  # no temporary files left behind


def test_dev_jwks_publishes_only_the_public_key(tmp_path):
    source = DevKeySource(tmp_path / "dev.pem")

    (published,) = source.jwks()["keys"]

    assert published.has_private is False
    assert published.get("kid") == source.kid
    assert published.get("use") == "sig"
    assert published.get("alg") == "RS256"


def test_dev_key_file_must_hold_a_private_key(tmp_path):
    path = tmp_path / "dev.pem"
    path.write_bytes(b"not a key")

    with pytest.raises(ValueError, match=r"dev\.pem"):
        DevKeySource(path)


def test_minted_dev_tokens_verify_through_the_same_verifier(tmp_path):
    source = DevKeySource(tmp_path / "dev.pem")
    issuer = "http://localhost:8000/realms/riskshare-dev"
    verifier = TokenVerifier(source, issuer=issuer, audience="riskshare-api")

    token = mint_dev_token(
        source,
        issuer=issuer,
        audience="riskshare-api",
        username="lender.zhang",
        tenant="xinxiang",
        roles=["lender", "reviewer"],
        institution="XXBANK",
    )
    claims = verifier.verify(token)

    assert claims["groups"] == ["/tenants/xinxiang/lender", "/tenants/xinxiang/reviewer"]
    assert claims["institution"] == "XXBANK"
    assert claims["preferred_username"] == "lender.zhang"
    assert claims["azp"] == "riskshare-api"
    assert claims["typ"] == "Bearer"
    assert "realm_access" not in claims
    assert uuid.UUID(claims["sub"]).version == 5
    assert claims["exp"] - claims["iat"] == 12 * 3600

    admin = verifier.verify(
        mint_dev_token(
            source, issuer=issuer, audience="riskshare-api", username="ops", platform_admin=True
        )
    )
    assert admin["realm_access"] == {"roles": ["platform-admin"]}
    assert admin["groups"] == []
    again = mint_dev_token(source, issuer=issuer, audience="riskshare-api", username="lender.zhang")
    assert verifier.verify(again)["sub"] == claims["sub"]  # stable subject per username


def test_dev_tokens_get_the_same_checks(tmp_path, stub):
    source = DevKeySource(tmp_path / "dev.pem")
    issuer = "http://localhost:8000/realms/riskshare-dev"
    verifier = TokenVerifier(source, issuer=issuer, audience="riskshare-api")
    minted = {"source": source, "issuer": issuer, "username": "u"}

    long_ago = datetime.now(UTC) - timedelta(days=2)
    expired = mint_dev_token(**minted, audience="riskshare-api", now=long_ago)
    assert reason(verifier, expired) == "token expired"
    assert reason(verifier, mint_dev_token(**minted, audience="other")) == "wrong audience"
    # A Keycloak-signed token is not trusted by the development key, nor the other way round.
    assert reason(verifier, stub.issue_token({"iss": issuer})) == "unknown signing key"


def test_mint_dev_token_validates_its_input(tmp_path):
    source = DevKeySource(tmp_path / "dev.pem")
    base = {"issuer": "i", "audience": "a", "username": "u"}

    with pytest.raises(ValueError, match="tenant"):
        mint_dev_token(source, **base, roles=["office"])
    with pytest.raises(ValueError, match="'/'"):
        mint_dev_token(source, **base, tenant="a/b", roles=["office"])
    with pytest.raises(TypeError):
        mint_dev_token(source, **base, tenant="demo", roles="office")
    with pytest.raises(ValueError, match="timezone"):
        mint_dev_token(source, **base, now=datetime(2025, 1, 1))


# ------------------------------------------------------------------ admin API compatibility


@pytest.fixture
def admin(stub):
    client = keycloak.KeycloakAdmin(
        server_url=stub.url,
        username="admin",
        password="admin",
        realm_name=stub.realm,
        user_realm_name="master",
    )
    yield client
    close_sessions(client)


def test_keycloak_admin_manages_tenant_groups(stub, admin):
    tenants = admin.create_group({"name": "tenants"})
    demo = admin.create_group({"name": "demo"}, parent=tenants)
    office = admin.create_group({"name": "office"}, parent=demo)

    found = admin.get_group_by_path("/tenants/demo/office")
    assert found["id"] == office
    assert found["path"] == "/tenants/demo/office"
    assert found["name"] == "office"
    assert "/tenants/demo/office" in stub.group_paths()

    top = {group["name"]: group for group in admin.get_groups()}
    assert [child["name"] for child in top["tenants"]["subGroups"]] == ["demo"]
    assert [child["id"] for child in admin.get_group_children(demo)] == [office]
    assert admin.get_group(demo)["subGroups"][0]["path"] == "/tenants/demo/office"

    with pytest.raises(KeycloakPostError) as duplicate:
        admin.create_group({"name": "office"}, parent=demo)
    assert duplicate.value.response_code == 409
    assert b"errorMessage" in duplicate.value.response_body
    assert admin.create_group({"name": "office"}, parent=demo, skip_exists=True) is None

    with pytest.raises(keycloak.KeycloakGetError) as missing:
        admin.get_group_by_path("/tenants/nowhere")
    assert missing.value.response_code == 404


def test_service_account_with_manage_users_can_provision(stub):
    stub.add_client(
        "riskshare-provisioner",
        "prov-secret",
        {"resource_access": {"realm-management": {"roles": ["manage-users"]}}},
    )
    client = keycloak.KeycloakAdmin(
        server_url=stub.url,
        realm_name=stub.realm,
        client_id="riskshare-provisioner",
        client_secret_key="prov-secret",
    )
    try:
        group_id = client.create_group({"name": f"svc-{uuid.uuid4().hex[:8]}"})
        assert client.get_group(group_id)["id"] == group_id
    finally:
        close_sessions(client)


def test_admin_api_requires_a_stub_issued_bearer_token(stub):
    groups_url = f"{stub.url}admin/realms/{stub.realm}/groups"
    outsider = jwk.JWK.generate(kty="RSA", size=2048)
    forged = sign_with(
        outsider,
        {"alg": "RS256", "kid": "x"},
        {"iss": f"{stub.url}realms/master", "exp": time.time() + 60, "typ": "Bearer"},
    )
    realm_user = stub.issue_token({"sub": "plain-user"})

    with requests.Session() as http:
        assert http.get(groups_url, timeout=5).status_code == 401
        bad = http.get(groups_url, headers={"Authorization": f"Bearer {forged}"}, timeout=5)
        assert bad.status_code == 401
        plain = http.get(groups_url, headers={"Authorization": f"Bearer {realm_user}"}, timeout=5)
        assert plain.status_code == 403


def test_admin_login_with_wrong_password_fails(stub):
    client = keycloak.KeycloakAdmin(
        server_url=stub.url,
        username="admin",
        password="wrong",
        realm_name=stub.realm,
        user_realm_name="master",
    )
    try:
        with pytest.raises(KeycloakAuthenticationError):
            client.get_groups()
    finally:
        close_sessions(client)
