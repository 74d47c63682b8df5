"""The embedded demo: the tenants the installed policy plugins describe, and their tokens.

The core holds no locality's data. Each plugin describes its demo tenants through the hook
``riskshare_demo_tenants`` (institutions, firms, users by role, and a story of programs,
loans and claims told through the HTTP API). Loading is idempotent: a tenant that exists is
left as it is; then every tenant's story runs, and a story adds nothing that is there already.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from riskshare.auth.principal import Principal
from riskshare.auth.tokens import mint_dev_token
from riskshare.context import Context
from riskshare.db.session import tenant_session
from riskshare.firms.service import register_firm
from riskshare.institutions.service import create_institution
from riskshare.plugins.manager import policy_hooks, policy_registry, role_catalogue
from riskshare.plugins.types import DemoTenant
from riskshare.tenants.models import Tenant
from riskshare.tenants.service import create_tenant
from riskshare.testing.client import ApiClient


class DemoError(RuntimeError):
    """A plugin's demo tenant cannot be loaded as described; nothing of it was written."""


def demo_tenants(app: Flask) -> list[DemoTenant]:
    """Every demo tenant the registered plugins describe, checked, in plugin order."""
    ext = app.extensions["riskshare"]
    catalogue = role_catalogue(ext.pm)
    tenants: list[DemoTenant] = []
    seen: set[str] = set()
    # pluggy calls the last registered plugin first; reversed, the demo follows the order in
    # which plugins were configured.
    for answer in reversed(policy_hooks(ext.pm).riskshare_demo_tenants()):
        for tenant in answer or []:
            if tenant.slug in seen:
                raise DemoError(f"two plugins both describe the demo tenant '{tenant.slug}'")
            seen.add(tenant.slug)
            codes = {i.code for i in tenant.institutions}
            for user in tenant.users:
                if user.role not in catalogue.names:
                    raise DemoError(
                        f"demo tenant '{tenant.slug}' has a user with the role '{user.role}',"
                        " which neither the core nor any installed policy declares"
                    )
                if user.institution is not None and user.institution not in codes:
                    raise DemoError(
                        f"demo tenant '{tenant.slug}' has a {user.role} acting for"
                        f" '{user.institution}', which is not one of its institutions"
                    )
            tenants.append(tenant)
    return tenants


def load_demo(app: Flask) -> None:
    """Create the demo tenants that do not exist yet, then run every tenant's story."""
    tenants = demo_tenants(app)
    with app.app_context():  # the audit log seals with the app's key
        for tenant in tenants:
            _create_tenant(app, tenant)
    clock = app.extensions["riskshare"].clock
    for tenant in tenants:
        if tenant.story is None:
            continue
        try:
            tenant.story(ApiClient(app, tenant.slug))
        finally:
            clock.pin(None)  # a story pins the date for its steps; the platform runs on today's


def _create_tenant(app: Flask, spec: DemoTenant) -> None:
    ext = app.extensions["riskshare"]
    with tenant_session(ext.db, None) as session:
        if session.get(Tenant, spec.slug) is not None:
            return
        create_tenant(
            session,
            slug=spec.slug,
            name=spec.name,
            actor="demo",
            installed=policy_registry(ext.pm),
        )
    with tenant_session(ext.db, spec.slug) as session:
        ctx = Context(
            session=session,
            tenant=spec.slug,
            principal=Principal("demo", "demo"),
            roles=frozenset({"office"}),
            pm=ext.pm,
            calendar=ext.calendar.calendar(session),
            today=ext.clock.today(),
            audit_key=ext.audit_key,
        )
        for institution in spec.institutions:
            create_institution(
                ctx,
                {
                    "code": institution.code,
                    "name": institution.name,
                    "kind": institution.kind,
                    "attributes": dict(institution.attributes),
                },
            )
        for firm in spec.firms:
            register_firm(
                ctx,
                {
                    "uscc": firm.uscc,
                    "name": firm.name,
                    "industry": firm.industry,
                    "employees": firm.employees,
                    "revenue": firm.revenue,
                    "assets": firm.assets,
                    "attributes": dict(firm.attributes),
                },
            )


def print_tokens(app: Flask, echo: Callable[[str], None]) -> None:
    """Print a development token for the platform operator and for every demo user."""
    ext = app.extensions["riskshare"]
    if ext.dev_keys is None:
        return
    settings = ext.settings
    echo("Development tokens (send as: Authorization: Bearer <token>):")
    admin = mint_dev_token(
        ext.dev_keys,
        issuer=settings.issuer,
        audience=settings.oidc_audience,
        username="operator",
        platform_admin=True,
    )
    echo(f"  platform-admin: {admin}")
    for tenant in demo_tenants(app):
        for user in tenant.users:
            token = mint_dev_token(
                ext.dev_keys,
                issuer=settings.issuer,
                audience=settings.oidc_audience,
                username=tenant.username(user),
                tenant=tenant.slug,
                roles=[user.role],
                institution=user.institution,
            )
            echo(f"  {tenant.slug} {user.role}: {token}")
