"""The roles the core knows, and the catalogue of every role the installed policies add.

A role is granted by the Keycloak group ``/tenants/<tenant>/<role>``. The core's own roles
are the fund's staff and the lending institutions; a policy adds the people its text names
(a trustee, a committee, recommending departments ...) in its descriptor, and says which of
them act for one institution. Routes name roles, or the groups below, which the catalogue
resolves per request, so the core never spells out a locality's roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The fund's staff (act for no institution) and the roles acting for one institution.
CORE_STAFF = ("office", "reviewer", "approver", "finance", "auditor")
CORE_INSTITUTION_ROLES = ("lender", "guarantor", "insurer")
CORE_INSTITUTION_KINDS = ("bank", "guarantor", "insurer")
DEFAULT_PAYERS = ("finance",)

# Groups a route may name in place of roles.
FUND_STAFF = (*CORE_STAFF, "@payers")  # the fund's staff, and whoever pays for it
EVERYONE = "@everyone"  # any role in the tenant
PAYERS = "@payers"  # whoever pays and confirms money for a program (``payer`` in machines)
INSTITUTIONS = "@institutions"  # every role acting for one institution
GROUPS = {
    EVERYONE: "any role in the tenant",
    INSTITUTIONS: "any role acting for an institution",
    PAYERS: "the program's payer (finance, unless its policy names another)",
}

# The role a state machine names for "whoever pays for this program".
PAYER = "payer"


@dataclass(frozen=True)
class RoleCatalogue:
    """Every role of the core and the installed policies, by what they may do."""

    names: frozenset[str]
    institution_roles: frozenset[str]
    institution_kinds: tuple[str, ...]
    payers_by_policy: Mapping[str, frozenset[str]]
    # Roles that see the whole tenant even when the token names an institution.
    tenant_wide_roles: frozenset[str] = frozenset(CORE_STAFF)
    # Per policy, the program config key naming (by code) the institution whose payer roles
    # acting for an institution pay for the program (PolicyDescriptor.payer_institution).
    payer_institution_keys: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        policy_roles: Iterable[tuple[str, bool]],
        institution_kinds: Iterable[str],
        payers_by_policy: Mapping[str, Iterable[str]],
        tenant_wide_roles: Iterable[str] = (),
        payer_institution_keys: Mapping[str, str] | None = None,
    ) -> RoleCatalogue:
        """From each policy's ``(role, acts_for_institution)``, kinds, payers, the
        policy roles declared to see the whole tenant and the config keys naming each
        policy's paying institution."""
        names = set(CORE_STAFF) | set(CORE_INSTITUTION_ROLES)
        scoped = set(CORE_INSTITUTION_ROLES)
        for name, acts_for_institution in policy_roles:
            names.add(name)
            if acts_for_institution:
                scoped.add(name)
        kinds = list(CORE_INSTITUTION_KINDS)
        kinds += [k for k in institution_kinds if k not in kinds]
        return cls(
            frozenset(names),
            frozenset(scoped),
            tuple(kinds),
            {policy: frozenset(roles) for policy, roles in payers_by_policy.items()},
            frozenset(CORE_STAFF) | frozenset(tenant_wide_roles),
            dict(payer_institution_keys or {}),
        )

    def payers(self, policy: str | None) -> frozenset[str]:
        """The roles that pay for programs of ``policy``."""
        return self.payers_by_policy.get(policy or "", frozenset(DEFAULT_PAYERS))

    @property
    def all_payers(self) -> frozenset[str]:
        found = set(DEFAULT_PAYERS)
        for roles in self.payers_by_policy.values():
            found |= roles
        return frozenset(found)

    @property
    def institution_payers(self) -> frozenset[str]:
        """Payer roles acting for an institution (a custodian, a trustee): each is the payer
        of only the programs whose configuration names its institution (``payer_institution``
        of the program's policy), and holds no role in any other program."""
        return self.all_payers & self.institution_roles

    def pays_for(self, role: str, institution: str | None, policy: str, config: Any) -> bool:
        """Whether ``role``, held by a user acting for the institution coded
        ``institution``, pays for a program of ``policy`` configured with ``config``.

        The one rule: a payer that acts for no institution (the finance bureau) pays for
        every program whose policy names it; a payer acting for an institution pays for
        those whose policy names it and whose config names its institution as the payer.
        """
        if role not in self.payers(policy):
            return False
        if role not in self.institution_roles:
            return True
        key = self.payer_institution_keys.get(policy)
        named = (config or {}).get(key) if key else None
        return bool(institution) and named == institution

    def resolve(self, roles: Iterable[str]) -> frozenset[str]:
        """Roles and groups named by a route, as roles."""
        found: set[str] = set()
        for role in roles:
            if role == EVERYONE:
                found |= self.names
            elif role == PAYERS:
                found |= self.all_payers
            elif role == INSTITUTIONS:
                found |= self.institution_roles
            else:
                found.add(role)
        return frozenset(found)


CORE_CATALOGUE = RoleCatalogue.build((), (), {})
