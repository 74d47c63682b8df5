"""Onboarding a tenant in Keycloak: its role groups, made by a job through the outbox.

Creating a tenant asks, in its own transaction, for the job ``keycloak-tenant-groups`` with
the roles the core and the enabled policies declare. The job makes the groups
(``KeycloakDirectory.ensure_tenant_groups``, idempotent) and records what it made in the
tenant's audit chain. If Keycloak is down the job fails, RQ retries it, and an operator sees
and retries it like any job (``GET /platform/jobs``, ``riskshare jobs retry``): onboarding
is delayed, never lost or half-applied. A new set of roles (a plugin added later) is a new
key, so asking again provisions the new roles once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from riskshare.audit import service as audit
from riskshare.auth.directory import KeycloakDirectory
from riskshare.context import Context
from riskshare.jobs.models import OutboxJob
from riskshare.jobs.outbox import enqueue
from riskshare.jobs.registry import job

PROVISION = "keycloak-tenant-groups"


def ask_for_groups(session: Session, tenant: str, roles: list[str]) -> OutboxJob:
    """Ask for the tenant's groups once the session commits; the same roles ask once."""
    roles = sorted(set(roles))
    digest = hashlib.sha256(",".join(roles).encode()).hexdigest()[:16]
    return enqueue(session, tenant, PROVISION, f"{PROVISION}:{digest}", roles=roles)


@job(PROVISION)
def provision_tenant_groups(ctx: Context, roles: list[str]) -> dict[str, Any]:
    """Make ``/tenants/<tenant>/<role>`` for each of ``roles``; record it in the audit."""
    directory = KeycloakDirectory.from_settings(ctx.extra["settings"])
    try:
        result = directory.ensure_tenant_groups(ctx.tenant, roles)
    finally:
        directory.close()
    audit.append(
        ctx.session,
        key=ctx.audit_key,
        tenant=ctx.tenant,
        actor=ctx.actor,
        roles=[],
        action="tenant.keycloak-groups",
        record_type="tenants",
        record_id=ctx.tenant,
        after=result,
    )
    return result
