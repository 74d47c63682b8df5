"""The realm a fresh install imports (``helm/riskshare/files/realm-riskshare.json``, read by
Keycloak's ``--import-realm``): what it must set, and that the tokens its mappers shape pass
the API's verifier with the roles, institution and platform role the API reads from them."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import keycloak
import pytest

from riskshare.auth.principal import Principal
from riskshare.auth.roles import CORE_CATALOGUE
from riskshare.auth.tokens import InvalidToken, KeycloakKeySource, TokenVerifier
from riskshare.config import Settings
from riskshare.testing.keycloak_stub import KeycloakStub, StubUser

REALM_FILE = Path(__file__).parents[2] / "helm/riskshare/files/realm-riskshare.json"
SECRET = "provisioner-secret"
# The placeholders Keycloak fills from its environment at import; the chart sets them.
PLACEHOLDERS = {"RISKSHARE_CONSOLE_URL", "RISKSHARE_KEYCLOAK_ADMIN_CLIENT_SECRET"}


@pytest.fixture(scope="module")
def realm():
    return json.loads(REALM_FILE.read_text())


def client(realm, client_id):
    return next(c for c in realm["clients"] if c["clientId"] == client_id)


def test_realm_names_what_the_api_reads_by_default(realm):
    defaults = Settings()
    assert realm["realm"] == defaults.oidc_realm
    assert realm["enabled"] is True
    api = client(realm, defaults.oidc_audience)
    assert api["bearerOnly"] is True
    assert not any(api.get(flow) for flow in ("standardFlowEnabled", "directAccessGrantsEnabled"))
    assert [r["name"] for r in realm["roles"]["realm"]] == ["platform-admin"]
    assert realm["groups"][0]["name"] == "tenants"


def test_console_is_a_public_client_with_authorization_code_and_pkce_only(realm):
    console = client(realm, Settings().keycloak_console_client_id)
    assert console["publicClient"] is True
    assert console["standardFlowEnabled"] is True
    assert console["implicitFlowEnabled"] is False
    assert console["directAccessGrantsEnabled"] is False
    assert console["attributes"]["pkce.code.challenge.method"] == "S256"
    assert all(uri.endswith("/*") and "*" not in uri[:-2] for uri in console["redirectUris"])
    mappers = {m["name"]: m for m in console["protocolMappers"]}
    assert mappers["groups"]["config"]["full.path"] == "true"
    assert mappers["groups"]["config"]["claim.name"] == "groups"
    assert mappers["institution"]["config"]["user.attribute"] == "institution"
    audience = mappers["riskshare-api audience"]["config"]
    assert audience["included.client.audience"] == "riskshare-api"


def test_provisioner_is_a_service_account_with_only_the_user_and_group_roles(realm):
    provisioner = client(realm, Settings().keycloak_admin_client_id)
    assert provisioner["publicClient"] is False and provisioner["serviceAccountsEnabled"] is True
    assert not provisioner["standardFlowEnabled"] and not provisioner["directAccessGrantsEnabled"]
    assert provisioner["secret"] == "${RISKSHARE_KEYCLOAK_ADMIN_CLIENT_SECRET}"  # never a value
    [account] = [u for u in realm["users"] if u.get("serviceAccountClientId")]
    roles = set(account["clientRoles"]["realm-management"])
    assert roles == {"manage-users", "view-users", "query-users", "query-groups"}
    assert "realm-admin" not in roles and not account["realmRoles"]


def test_brute_force_protection_and_token_lifetimes_are_set_on_purpose(realm):
    assert realm["bruteForceProtected"] is True and realm["permanentLockout"] is False
    assert realm["failureFactor"] == 5 and realm["maxFailureWaitSeconds"] == 900
    # A removed role is gone within an access token's life: five minutes.
    assert realm["accessTokenLifespan"] == 300
    assert realm["accessTokenLifespan"] <= Settings().token_max_lifetime
    assert realm["ssoSessionIdleTimeout"] == 1800 and realm["ssoSessionMaxLifespan"] == 36000
    assert realm["revokeRefreshToken"] is True and realm["refreshTokenMaxReuse"] == 0
    # Invitation links last the week the API asks for.
    assert realm["actionTokenGeneratedByAdminLifespan"] == 7 * 24 * 3600
    assert realm["sslRequired"] == "external" and realm["registrationAllowed"] is False


def test_only_known_placeholders_are_left_for_keycloak_to_fill():
    found = set(re.findall(r"\$\{([A-Z_]+)[:}]", REALM_FILE.read_text()))
    assert found == PLACEHOLDERS


def test_tokens_shaped_by_the_realm_mappers_pass_the_verifier(realm):
    with KeycloakStub.from_realm_export(realm, secrets={"riskshare-provisioner": SECRET}) as stub:
        admin = keycloak.KeycloakAdmin(
            server_url=stub.url,
            realm_name=stub.realm,
            client_id="riskshare-provisioner",
            client_secret_key=SECRET,
        )
        tenants = admin.create_group({"name": "tenants"})
        anyang = admin.create_group({"name": "anyang"}, parent=tenants)
        lender = admin.create_group({"name": "lender"}, parent=anyang)
        user_id = admin.create_user(
            {
                "username": "zhang.wei",
                "email": "zhang.wei@bank.example",
                "enabled": True,
                "attributes": {"institution": ["bank-a"]},
            }
        )
        admin.group_user_add(user_id, lender)
        admin.set_user_password(user_id, "a-long-password", temporary=False)
        stub.account("zhang.wei").realm_roles.append("platform-admin")
        openid = keycloak.KeycloakOpenID(
            server_url=stub.url, realm_name=stub.realm, client_id="riskshare-console"
        )
        token = openid.token("zhang.wei", "a-long-password")["access_token"]

        source = KeycloakKeySource(stub.url, stub.realm, stub.client_id)
        verifier = TokenVerifier(source, issuer=stub.issuer, audience="riskshare-api")
        try:
            claims = verifier.verify(token)
        finally:
            source.close()
            admin.connection._s.close()
            openid.connection._s.close()

    assert claims["aud"] == "riskshare-api" and claims["azp"] == "riskshare-console"
    principal = Principal.from_claims(claims, CORE_CATALOGUE)
    assert principal.roles_in("anyang") == {"lender"}
    assert principal.institution == "bank-a"
    assert principal.platform_admin is True
    assert principal.username == "zhang.wei"


def test_without_the_audience_mapper_the_token_is_refused(realm):
    realm = copy.deepcopy(realm)
    console = client(realm, "riskshare-console")
    console["protocolMappers"] = [
        m for m in console["protocolMappers"] if m["protocolMapper"] != "oidc-audience-mapper"
    ]
    with KeycloakStub.from_realm_export(realm, secrets={"riskshare-provisioner": SECRET}) as stub:
        stub.accounts.append(StubUser(id="u1", username="li", password="pw"))
        openid = keycloak.KeycloakOpenID(
            server_url=stub.url, realm_name=stub.realm, client_id="riskshare-console"
        )
        token = openid.token("li", "pw")["access_token"]
        openid.connection._s.close()
        source = KeycloakKeySource(stub.url, stub.realm, stub.client_id)
        verifier = TokenVerifier(source, issuer=stub.issuer, audience="riskshare-api")
        try:
            with pytest.raises(InvalidToken, match=r"wrong audience|missing 'aud'"):
                verifier.verify(token)
        finally:
            source.close()
