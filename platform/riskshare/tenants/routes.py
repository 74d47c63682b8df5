"""Platform operations: tenants and policies (platform-admin only; no tenant data)."""

from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.db.session import tenant_session
from riskshare.errors import Forbidden
from riskshare.plugins.manager import policy_registry
from riskshare.tenants import service
from riskshare.tenants.schemas import PolicyOut, TenantIn, TenantOut

blp = Blueprint(
    "platform",
    __name__,
    url_prefix="/api/v1/platform",
    description="Platform operators: tenants and policy plugins.",
)


def require_platform_admin() -> None:
    if not g.principal.platform_admin:
        raise Forbidden("This needs the realm role platform-admin.", kind="forbidden-role")


@blp.route("/tenants")
class TenantViews(MethodView):
    @blp.not_confidential("the platform's tenants: slugs and names")
    @blp.response(200, TenantOut(many=True))
    def get(self):
        """List tenants"""
        require_platform_admin()
        db = current_app.extensions["riskshare"].db
        with tenant_session(db, None) as session:
            return service.list_tenants(session)

    @blp.arguments(TenantIn)
    @blp.response(201, TenantOut)
    def post(self, data):
        """Onboard a tenant"""
        require_platform_admin()
        db = current_app.extensions["riskshare"].db
        with tenant_session(db, None) as session:
            return service.create_tenant(session, actor=g.principal.username, **data)


@blp.route("/policies")
class PolicyViews(MethodView):
    @blp.not_confidential("the installed policies and their rules, as published")
    @blp.response(200, PolicyOut(many=True))
    def get(self):
        """List the policies of the enabled plugins, with their config schemas"""
        require_platform_admin()
        return list(policy_registry(current_app.extensions["riskshare"].pm).values())
