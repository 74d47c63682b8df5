"""Per-request authentication and tenant resolution, registered by the app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import select

from riskshare.api.problems import HTTPProblem, Problem
from riskshare.api.session import db_session
from riskshare.auth.principal import PLATFORM_ADMIN, Principal
from riskshare.auth.tokens import InvalidToken, KeySourceUnavailable
from riskshare.plugins.manager import role_catalogue

PUBLIC_PREFIXES = ("/api/v1/openapi", "/api/v1/docs", "/api/v1/rapidoc", "/api/v1/health")

# KeycloakKeySource answers from its failed state, without trying again, for its default
# min_refresh_interval (10 s); a client retrying sooner would only get another 503.
KEYS_RETRY_AFTER_SECONDS = 10


def _admits_platform_admin() -> bool:
    """Whether the view this request reaches names ``platform-admin`` among its roles
    (``Blueprint.roles``): only such views let an operator into a tenant."""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    method = getattr(view_class, request.method.lower(), None) if view_class else view
    return bool(getattr(method, "admits_platform_admin", False))


def install(app: Flask) -> None:
    @app.url_value_preprocessor
    def _pop_tenant(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "tenant" in values:
            g.tenant = values.pop("tenant")

    @app.before_request
    def _authenticate() -> None:
        if not request.path.startswith("/api/") or request.path.startswith(PUBLIC_PREFIXES):
            return
        if request.method == "OPTIONS":
            return
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(
                401, "Send an access token: Authorization: Bearer <token>.", kind="unauthenticated"
            )
        try:
            g.principal = principal_from_token(token.strip())
        except InvalidToken as exc:
            raise Problem(
                401, f"The access token was refused: {exc.reason}.", kind="invalid-token"
            ) from exc
        except KeySourceUnavailable as exc:
            # Our fault, not the token's: a 401 would make clients throw away a good session.
            # The reason names our Keycloak, so it goes to the log, not to the client.
            app.logger.error("cannot verify access tokens: %s", exc)
            raise HTTPProblem(
                503,
                "Access tokens cannot be checked right now (the sign-in service's keys are"
                " unavailable); retry shortly with the same token.",
                kind="token-keys-unavailable",
                headers={"Retry-After": str(KEYS_RETRY_AFTER_SECONDS)},
            ) from exc
        if "tenant" in g:
            enter_tenant(g.principal, g.tenant, admit_platform_admin=_admits_platform_admin())


def principal_from_token(token: str) -> Principal:
    """The caller an access token names, verified (``InvalidToken``, ``KeySourceUnavailable``):
    the API's bearer tokens and the console's session tokens go through this one check."""
    ext = current_app.extensions["riskshare"]
    return Principal.from_claims(ext.verifier.verify(token), role_catalogue(ext.pm))


def enter_tenant(principal: Principal, tenant: str, *, admit_platform_admin: bool = False) -> None:
    """Set the request's roles and institution scope in ``tenant`` (``g.roles``,
    ``g.institution_id``), or refuse: the one place an API call and a console page both
    enter a tenant, so both see what the same account may see."""
    from flask import current_app

    app = current_app
    from riskshare.institutions.models import Institution
    from riskshare.tenants.models import Tenant

    roles = principal.roles_in(tenant)
    if not roles and principal.platform_admin and admit_platform_admin:
        roles = frozenset({PLATFORM_ADMIN})
    if not roles:
        # The same answer whether or not the tenant exists: no probing for tenants.
        raise Problem(403, f"You have no role in tenant '{tenant}'.", kind="forbidden-tenant")
    session = db_session()
    row = session.get(Tenant, tenant)
    if row is None:
        raise Problem(404, f"There is no tenant '{tenant}'.", kind="not-found")
    g.backdate_limit_days = row.backdate_limit_days
    g.roles = roles
    g.institution_id = None
    if principal.institution_scoped(tenant, role_catalogue(app.extensions["riskshare"].pm)):
        if not principal.institution:
            raise Problem(
                403,
                "Your account acts for an institution but its token has no"
                " 'institution' claim; ask the administrator to set it.",
                kind="forbidden-institution",
            )
        inst_id = session.scalar(
            select(Institution.id).where(Institution.code == principal.institution)
        )
        if inst_id is None:
            raise Problem(
                403,
                f"Institution '{principal.institution}' is not registered in tenant '{tenant}'.",
                kind="forbidden-institution",
            )
        g.institution_id = inst_id
