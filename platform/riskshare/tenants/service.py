from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.audit import service as audit
from riskshare.db.session import switch_tenant
from riskshare.errors import Conflict, Invalid
from riskshare.tenants.models import Tenant

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


def create_tenant(
    session: Session, *, slug: str, name: str, actor: str, backdate_limit_days: int | None = None
) -> Tenant:
    if not SLUG.match(slug):
        raise Invalid(
            "A tenant slug is 2-63 lowercase letters, digits or hyphens, starting with a letter.",
            errors=[{"pointer": "/slug", "detail": "invalid slug"}],
        )
    if session.get(Tenant, slug) is not None:
        raise Conflict(f"Tenant '{slug}' already exists.")
    tenant = Tenant(slug=slug, name=name, backdate_limit_days=backdate_limit_days)
    session.add(tenant)
    session.flush()
    switch_tenant(session, slug)  # the onboarding event opens the tenant's own chain
    audit.append(
        session,
        tenant=slug,
        actor=actor,
        roles=["platform-admin"],
        action="tenant.create",
        record_type="tenants",
        record_id=slug,
        after={"slug": slug, "name": name, "backdate_limit_days": backdate_limit_days},
    )
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.slug)))
