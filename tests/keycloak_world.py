"""A Keycloak-compatible server built from the realm export the chart ships, and an app that
verifies tokens against it and provisions through it (``RISKSHARE_AUTH=keycloak``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from riskshare.app import create_app
from riskshare.auth.tokens import KeycloakKeySource, TokenVerifier
from riskshare.config import Settings
from riskshare.testing.keycloak_stub import KeycloakStub

REALM_FILE = Path(__file__).parents[1] / "helm/riskshare/files/realm-riskshare.json"
PROVISIONER = "riskshare-provisioner"
SECRET = "provisioner-secret"


def realm_stub() -> KeycloakStub:
    """Not started: use it as a context manager."""
    realm = json.loads(REALM_FILE.read_text())
    return KeycloakStub.from_realm_export(realm, secrets={PROVISIONER: SECRET})


def keycloak_env(stub: KeycloakStub) -> dict[str, str]:
    """The settings a process of the deployment gets to use ``stub`` as its Keycloak."""
    return {
        "RISKSHARE_AUTH": "keycloak",
        "RISKSHARE_OIDC_SERVER_URL": stub.url,
        "RISKSHARE_OIDC_REALM": stub.realm,
        "RISKSHARE_OIDC_AUDIENCE": stub.client_id,
        "RISKSHARE_KEYCLOAK_ADMIN_CLIENT_ID": PROVISIONER,
        "RISKSHARE_KEYCLOAK_ADMIN_CLIENT_SECRET": SECRET,
    }


def keycloak_app(
    stub: KeycloakStub, database_url: str, plugins: list[tuple[str, object]], keys: Path
) -> tuple[Any, KeycloakKeySource]:
    """The app and its key source (close it when done)."""
    settings = Settings(
        mode="test",
        database_url=database_url,
        auth="keycloak",
        oidc_server_url=stub.url,
        oidc_realm=stub.realm,
        oidc_audience=stub.client_id,
        keycloak_admin_client_id=PROVISIONER,
        keycloak_admin_client_secret=SECRET,
        instance_path=keys,
        audit_key_path=keys / "audit-key.pem",
        rate_limit_per_minute=1_000_000,
    )
    source = KeycloakKeySource(stub.url, stub.realm, stub.client_id)
    verifier = TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)
    return create_app(settings, extra_plugins=plugins, verifier=verifier), source
