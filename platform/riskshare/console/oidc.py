"""Production sign-in: Keycloak's browser flow, authorization code with PKCE (S256), through
Authlib, as the realm's public client ``riskshare-console`` (RISKSHARE_KEYCLOAK_CONSOLE_
CLIENT_ID). Authlib keeps the state, the nonce and the code verifier in the server-side
session between the redirect and the callback; the access token it gets is checked by the
API's own verifier before the session holds it, and renewed with the refresh token when
it expires (Keycloak's access tokens live five minutes)."""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, redirect, session, url_for
from flask_babel import gettext as _

from riskshare.api.security import principal_from_token
from riskshare.auth.tokens import InvalidToken
from riskshare.console import signin

EXTENSION = "riskshare_console_oidc"


def client() -> Any:
    """The app's Keycloak client, registered on first use (discovery is fetched lazily)."""
    oauth = current_app.extensions.get(EXTENSION)
    if oauth is None:
        settings = current_app.extensions["riskshare"].settings
        oauth = OAuth(current_app)
        server = settings.oidc_server_url.rstrip("/")
        oauth.register(
            "keycloak",
            client_id=settings.keycloak_console_client_id,
            server_metadata_url=f"{server}/realms/{settings.oidc_realm}"
            "/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid",
                "code_challenge_method": "S256",
                "verify": settings.oidc_verify_tls,
            },
        )
        current_app.extensions[EXTENSION] = oauth
    return oauth.keycloak


def start(next_path: str | None) -> Any:
    """Send the browser to Keycloak's sign-in page."""
    session["after_login"] = signin.local_path(next_path, url_for("console.index"))
    return client().authorize_redirect(url_for("console.oidc_callback", _external=True))


def finish() -> Any:
    """Keycloak's redirect back: exchange the code (with the verifier), check the token."""
    from riskshare.console.views import _refused

    try:
        token = client().authorize_access_token()
        principal_from_token(token["access_token"])
    except (OAuthError, InvalidToken, KeyError) as exc:
        current_app.logger.warning("console sign-in refused: %s", exc)
        return _refused(400, _("Sign-in did not complete; start again from the sign-in page."))
    after = session.get("after_login") or url_for("console.index")
    signin.start_session(token["access_token"], refresh_token=token.get("refresh_token"))
    return redirect(signin.local_path(after, url_for("console.index")))


def refresh() -> str | None:
    """A new access token from the session's refresh token, or None (sign in again)."""
    refresh_token = session.get("refresh_token")
    if not refresh_token:
        return None
    try:
        token = client().fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
        principal_from_token(token["access_token"])
    except (OAuthError, InvalidToken, KeyError) as exc:
        current_app.logger.info("console session not renewed: %s", exc)
        return None
    session["token"] = token["access_token"]
    session["refresh_token"] = token.get("refresh_token") or refresh_token
    return str(token["access_token"])
