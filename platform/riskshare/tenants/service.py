from __future__ import annotations

import logging
import re
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.audit import service as audit
from riskshare.auth.directory import (
    DirectoryConflict,
    DirectoryUnavailable,
    Invitation,
    KeycloakDirectory,
    group_path,
)
from riskshare.auth.roles import RoleCatalogue
from riskshare.db.session import switch_tenant
from riskshare.errors import Conflict, Invalid, NotFound, Problem
from riskshare.institutions.models import Institution
from riskshare.programs.models import Program
from riskshare.tenants.models import Tenant
from riskshare.tenants.provisioning import ask_for_groups

log = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


def create_tenant(
    session: Session,
    *,
    slug: str,
    name: str,
    actor: str,
    installed: Collection[str],
    backdate_limit_days: int | None = None,
    provision_roles: list[str] | None = None,
    policies: list[str] | None = None,
) -> dict:
    """Write the tenant and open its audit chain; with ``provision_roles`` (Keycloak sign-in)
    also ask, in the same transaction, for its Keycloak groups (``tenants.provisioning``).

    :param installed: the names of the policies the installed plugins offer.
    :param policies: the policies the tenant may run; ``None``: every one installed now (a
        plugin installed later is allowed only by ``set_policies``).
    """
    if not SLUG.match(slug):
        raise Invalid(
            "A tenant slug is 2-63 lowercase letters, digits or hyphens, starting with a letter.",
            errors=[{"pointer": "/slug", "detail": "invalid slug"}],
        )
    allowed = _installed_only(sorted(installed) if policies is None else policies, installed)
    if session.get(Tenant, slug) is not None:
        raise Conflict(f"Tenant '{slug}' already exists.")
    tenant = Tenant(slug=slug, name=name, backdate_limit_days=backdate_limit_days, policies=allowed)
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
        after={
            "slug": slug,
            "name": name,
            "backdate_limit_days": backdate_limit_days,
            "policies": allowed,
        },
    )
    job = ask_for_groups(session, slug, provision_roles) if provision_roles is not None else None
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "status": tenant.status,
        "backdate_limit_days": tenant.backdate_limit_days,
        "policies": tenant.policies,
        "created_at": tenant.created_at,
        "provisioning_job_id": job.id if job else None,
    }


def _installed_only(
    policies: list[str], installed: Collection[str], exempt: Collection[str] = ()
) -> list[str]:
    """The allow-list as stored: sorted, once each, every name (but ``exempt``) a policy
    installed here."""
    unknown = sorted(set(policies) - set(installed) - set(exempt))
    if unknown:
        raise Invalid(
            f"No installed plugin offers the {'policy' if len(unknown) == 1 else 'policies'}"
            f" {', '.join(repr(u) for u in unknown)}: install the plugin's distribution first"
            " (docs/deployment.md, Adding a locality) and wait for every pod to run it.",
            errors=[
                {
                    "pointer": f"/policies/{policies.index(name)}",
                    "detail": f"not installed; installed: {sorted(installed)}",
                }
                for name in unknown
            ],
        )
    return sorted(set(policies))


def tenant_policies(session: Session, slug: str) -> dict:
    """The policies the tenant may run, and those it runs programs of."""
    tenant = session.get(Tenant, slug)
    if tenant is None:
        raise NotFound(f"There is no tenant '{slug}'.")
    switch_tenant(session, slug)
    running = sorted(set(session.scalars(select(Program.policy))))
    return {"tenant": slug, "policies": list(tenant.policies), "running": running}


def set_policies(
    session: Session, *, slug: str, policies: list[str], installed: Collection[str], actor: str
) -> dict:
    """Replace the tenant's allow-list (platform operator). A policy the tenant has programs
    of stays on it: its loans keep their rules, so taking it away would only pretend."""
    tenant = session.get(Tenant, slug, with_for_update=True)
    if tenant is None:
        raise NotFound(f"There is no tenant '{slug}'.")
    switch_tenant(session, slug)
    before = list(tenant.policies)
    dropped = set(before) - set(policies)
    running = sorted(dropped & set(session.scalars(select(Program.policy))))
    if running:
        raise Conflict(
            f"Tenant '{slug}' runs programs of {', '.join(repr(r) for r in running)}: a policy"
            " with programs stays allowed (their loans keep their rules).",
            kind="policy-in-use",
            errors=[{"pointer": "/policies", "detail": f"keep {running}"}],
        )
    # A policy already allowed stays allowed even while its plugin is not installed on this
    # server (a rolling restart under way, or a plugin taken out): only new names must exist.
    after = _installed_only(policies, installed, exempt=before)
    if after != before:
        tenant.policies = after
        audit.append(
            session,
            tenant=slug,
            actor=actor,
            roles=["platform-admin"],
            action="tenant.policies",
            record_type="tenants",
            record_id=slug,
            before={"policies": before},
            after={"policies": after},
        )
    return tenant_policies(session, slug)


def invite_user(
    session: Session,
    *,
    slug: str,
    actor: str,
    directory: KeycloakDirectory,
    catalogue: RoleCatalogue,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    institution: str | None = None,
    credential: str = "email",
) -> Invitation:
    """Give a person a role in the tenant through Keycloak (``KeycloakDirectory.invite``):
    the role must be one the core or an enabled policy declares, and a role acting for an
    institution needs the code of an institution registered in the tenant."""
    if session.get(Tenant, slug) is None:
        raise NotFound(f"There is no tenant '{slug}'.")
    if role not in catalogue.names:
        raise Invalid(
            f"'{role}' is not a role of the core or an enabled policy.",
            errors=[{"pointer": "/role", "detail": f"known: {sorted(catalogue.names)}"}],
        )
    if role in catalogue.institution_roles and not institution:
        raise Invalid(
            f"The role '{role}' acts for one institution: give its code.",
            errors=[{"pointer": "/institution", "detail": "required for this role"}],
        )
    if role not in catalogue.institution_roles and institution:
        raise Invalid(
            f"The role '{role}' acts for the fund, not for an institution.",
            errors=[{"pointer": "/institution", "detail": "not allowed for this role"}],
        )
    switch_tenant(session, slug)
    if institution and not session.scalar(
        select(Institution.id).where(Institution.code == institution)
    ):
        raise Invalid(
            f"No institution with the code '{institution}' is registered in tenant '{slug}'.",
            errors=[{"pointer": "/institution", "detail": "unknown institution"}],
        )
    try:
        invitation = directory.invite(
            tenant=slug,
            role=role,
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            institution=institution,
            credential=credential,
        )
    except DirectoryConflict as exc:
        raise Conflict(str(exc)) from None
    except DirectoryUnavailable as exc:
        # The reason names our Keycloak's address and answer: the log's, not the client's.
        log.error("invitation of %s to %s failed: %s", username, slug, exc)
        raise Problem(
            503,
            "The sign-in service (Keycloak) cannot take the invitation now; retry shortly,"
            " the same invitation completes what an earlier attempt left undone.",
            kind="directory-unavailable",
        ) from exc
    audit.append(
        session,
        tenant=slug,
        actor=actor,
        roles=["platform-admin"],
        action="user.invite",
        record_type="users",
        record_id=invitation.user_id,
        after={
            "username": username,
            "email": email,
            "role": role,
            "group": invitation.group,
            "institution": institution,
            "created": invitation.created,
            "credential": credential,
        },
    )
    return invitation


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.slug)))


def revoke_role(
    session: Session,
    *,
    slug: str,
    actor: str,
    directory: KeycloakDirectory,
    username: str,
    role: str,
) -> bool:
    """Take ``role`` in the tenant from ``username`` (``KeycloakDirectory.remove``): their
    next token lacks it. False, and nothing recorded, if they did not hold it."""
    if session.get(Tenant, slug) is None:
        raise NotFound(f"There is no tenant '{slug}'.")
    switch_tenant(session, slug)
    try:
        removed = directory.remove(tenant=slug, role=role, username=username)
    except DirectoryUnavailable as exc:
        log.error("revoking %s of %s in %s failed: %s", role, username, slug, exc)
        raise Problem(
            503,
            "The sign-in service (Keycloak) cannot be reached; retry shortly.",
            kind="directory-unavailable",
        ) from exc
    if removed:
        audit.append(
            session,
            tenant=slug,
            actor=actor,
            roles=["platform-admin"],
            action="user.revoke",
            record_type="users",
            record_id=username,
            before={"username": username, "role": role, "group": group_path(slug, role)},
        )
    return removed
