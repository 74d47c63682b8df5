"""Who is signed in to the console: an access token kept in the server-side session.

In embedded and test mode the development login page signs a token for a demo user with
the development key; in production the browser goes through Keycloak's authorization code
flow with PKCE (``oidc.py``). Either way the token is checked on every page by the same
verifier as the API's bearer tokens (``principal_from_token``), and only its id lives in
the browser (the session cookie is a random id; the token stays on the server).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, session


def start_session(token: str, **extra: Any) -> None:
    """A fresh session (a new id: no fixation) holding ``token``, keeping the language."""
    lang = session.get("lang")
    session.clear()
    session.update(extra)
    session["token"] = token
    session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        session["lang"] = lang
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]


def end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def csrf_token() -> str:
    """The session's token for forms (hidden ``csrf_token``) and htmx (``X-CSRF-Token``)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def csrf_valid(sent: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and sent) and hmac.compare_digest(str(expected), str(sent))


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path of this site (no scheme, no host), else ``default``:
    a ``next`` parameter must not send the user to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return default
    return target
