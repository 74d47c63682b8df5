"""Who is calling: identity and roles taken from a verified access token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskshare.auth.roles import CORE_CATALOGUE, RoleCatalogue

PLATFORM_ADMIN = "platform-admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    tenant_roles: dict[str, frozenset[str]] = field(default_factory=dict)
    platform_admin: bool = False
    institution: str | None = None

    def roles_in(self, tenant: str) -> frozenset[str]:
        return self.tenant_roles.get(tenant, frozenset())

    def institution_scoped(self, tenant: str, catalogue: RoleCatalogue = CORE_CATALOGUE) -> bool:
        """Whether the user sees only its institution's records here: one rule that cannot
        miss a role a policy adds later. A user whose token names an institution, or whose
        every role acts for one, is scoped to it — unless one of its roles explicitly sees
        the whole tenant (the fund's staff, and policy roles declared so)."""
        roles = self.roles_in(tenant)
        if not roles or roles & catalogue.tenant_wide_roles:
            return False
        return bool(self.institution) or roles <= catalogue.institution_roles

    @classmethod
    def from_claims(
        cls, claims: dict[str, Any], catalogue: RoleCatalogue = CORE_CATALOGUE
    ) -> Principal:
        """Read roles from Keycloak group paths ``/tenants/<tenant>/<role>``.

        Unknown roles and malformed paths are ignored rather than trusted: a group someone
        added in Keycloak by hand grants nothing the core or an installed policy does not
        define (``catalogue``).
        """
        tenant_roles: dict[str, set[str]] = {}
        for path in claims.get("groups") or []:
            parts = str(path).strip("/").split("/")
            if len(parts) == 3 and parts[0] == "tenants" and parts[2] in catalogue.names:
                tenant_roles.setdefault(parts[1], set()).add(parts[2])
        realm_roles = (claims.get("realm_access") or {}).get("roles") or []
        return cls(
            subject=str(claims.get("sub", "")),
            username=str(claims.get("preferred_username") or claims.get("sub") or "unknown"),
            tenant_roles={t: frozenset(r) for t, r in tenant_roles.items()},
            platform_admin=PLATFORM_ADMIN in realm_roles,
            institution=claims.get("institution") or None,
        )
