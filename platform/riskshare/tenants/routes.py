"""Platform operations: tenants and policies (platform-admin only; no tenant data)."""

from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.auth.directory import DirectoryNotConfigured, KeycloakDirectory
from riskshare.db.session import tenant_session
from riskshare.errors import Forbidden, Problem
from riskshare.plugins.manager import installed_policies, policy_registry, role_catalogue
from riskshare.tenants import service
from riskshare.tenants.schemas import (
    InviteIn,
    InviteOut,
    PolicyOut,
    TenantIn,
    TenantOut,
    TenantPoliciesIn,
    TenantPoliciesOut,
)

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
        ext = current_app.extensions["riskshare"]
        # With Keycloak sign-in the tenant's role groups are made by a job (through the
        # outbox, so a Keycloak outage delays them); development tokens need no groups.
        roles = sorted(role_catalogue(ext.pm).names) if ext.settings.auth == "keycloak" else None
        with tenant_session(ext.db, None) as session:
            return service.create_tenant(
                session,
                actor=g.principal.username,
                provision_roles=roles,
                installed=policy_registry(ext.pm),
                **data,
            )


@blp.route("/tenants/<slug>/policies")
class TenantPolicyViews(MethodView):
    @blp.not_confidential("which policies the operator lets a tenant run, and runs")
    @blp.response(200, TenantPoliciesOut)
    def get(self, slug):
        """The policies a tenant may run"""
        require_platform_admin()
        db = current_app.extensions["riskshare"].db
        with tenant_session(db, None) as session:
            return service.tenant_policies(session, slug)

    @blp.arguments(TenantPoliciesIn)
    @blp.response(200, TenantPoliciesOut)
    def put(self, data, slug):
        """Set the policies a tenant may run (programs of others are refused)"""
        require_platform_admin()
        ext = current_app.extensions["riskshare"]
        with tenant_session(ext.db, None) as session:
            return service.set_policies(
                session,
                slug=slug,
                policies=data["policies"],
                installed=policy_registry(ext.pm),
                actor=g.principal.username,
            )


@blp.route("/tenants/<slug>/users")
class TenantUserViews(MethodView):
    @blp.arguments(InviteIn)
    @blp.response(201, InviteOut)
    def post(self, data, slug):
        """Invite a user to a role in a tenant (Keycloak account, group, institution)"""
        require_platform_admin()
        ext = current_app.extensions["riskshare"]
        try:
            directory = KeycloakDirectory.from_settings(ext.settings)
        except DirectoryNotConfigured as exc:
            raise Problem(503, str(exc), kind="directory-not-configured") from None
        try:
            with tenant_session(ext.db, None) as session:
                return service.invite_user(
                    session,
                    slug=slug,
                    actor=g.principal.username,
                    directory=directory,
                    catalogue=role_catalogue(ext.pm),
                    **data,
                )
        finally:
            directory.close()


@blp.route("/policies")
class PolicyViews(MethodView):
    @blp.not_confidential("the installed policies and their rules, as published")
    @blp.response(200, PolicyOut(many=True))
    def get(self):
        """List the installed policies: version, plugin, distribution, config schema"""
        require_platform_admin()
        return installed_policies(current_app.extensions["riskshare"].pm)
