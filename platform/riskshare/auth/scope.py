"""What an institution-scoped caller may see, and the roles a caller holds in a program.

One rule decides where a payer acting for an institution (Yanqing's custodian, Riverside's
trustee) is the payer: in the programs whose policy names its role among the payers and whose
configuration names its institution as the paying one (``PolicyDescriptor.payer_institution``,
``RoleCatalogue.pays_for``). In every other program the role counts for nothing: the route
that names the program, the program's state machines and its reports do not see it
(``program_roles``), and the records of other programs (plans, payments, recoveries, a
policy's own money records) are hidden from it (``money_scope``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select

from riskshare.context import Context
from riskshare.errors import Refused
from riskshare.explain import CORE_CLAUSE, Explanation
from riskshare.plugins.manager import policy_registry, role_catalogue
from riskshare.programs.models import Program


def program_roles(ctx: Context, program: Any) -> frozenset[str]:
    """The caller's roles in ``program`` (a Program or a ProgramView): its roles in the
    tenant less the payer roles acting for an institution that do not pay for it."""
    catalogue = role_catalogue(ctx.pm)
    bound = ctx.roles & catalogue.institution_payers
    if not bound:
        return ctx.roles
    institution = ctx.principal.institution
    foreign = {
        role
        for role in bound
        if not catalogue.pays_for(role, institution, program.policy, program.config)
    }
    return ctx.roles - foreign


def roles_in_program(ctx: Context, program_id: int) -> frozenset[str]:
    """``program_roles`` of the tenant's program ``program_id`` (the caller's roles when
    there is no such program: the view answers 404)."""
    if not ctx.roles & role_catalogue(ctx.pm).institution_payers:
        return ctx.roles
    program = ctx.session.get(Program, program_id)
    return ctx.roles if program is None else program_roles(ctx, program)


def dropped_roles(ctx: Context, program_id: int) -> frozenset[str]:
    """The caller's payer roles that do not count in program ``program_id``."""
    return ctx.roles - roles_in_program(ctx, program_id)


def not_the_payer(ctx: Context, program_id: int, dropped: frozenset[str]) -> Refused:
    """403 explaining (CORE-PAYER, cited through the program's policy) that the caller's
    payer roles do not count in the program: its institution is not the program's payer."""
    program = ctx.session.get_one(Program, program_id)
    key = role_catalogue(ctx.pm).payer_institution_keys.get(program.policy)
    named = (program.config or {}).get(key) if key else None
    institution = ctx.principal.institution
    titles = {
        role.name: (role.title_zh, role.title_en)
        for descriptor in policy_registry(ctx.pm).values()
        for role in descriptor.roles
    }
    zh = "、".join(titles.get(r, (r, r))[0] for r in sorted(dropped))
    en = ", ".join(titles.get(r, (r, r))[1] for r in sorted(dropped))
    explanation = Explanation(
        "CORE-PAYER",
        CORE_CLAUSE,
        "not the payer",
        f"{zh}仅在其所代表机构付款的项目中履职：项目 {program.code} 的付款机构为"
        f" {named or '（未指定）'}，而非 {institution or '（未指定机构）'}。",
        f"A {en} acts only in the programs its institution pays for: program"
        f" {program.code}'s paying institution is {named or 'not named'} (config {key!r}),"
        f" not {institution or 'none'}.",
        inputs={"program": program.code, "payer_institution": named, "institution": institution},
        passed=False,
    )
    return Refused(
        ctx.hook.recite(program.policy, explanation).as_dict(),
        status=403,
        detail=f"Refused: {explanation.en}",
    )


def paid_programs(ctx: Context) -> list[int]:
    """The programs the caller pays for through a payer role acting for its institution."""
    bound = ctx.roles & role_catalogue(ctx.pm).institution_payers
    if not bound or not ctx.principal.institution:
        return []
    rows = ctx.session.execute(select(Program.id, Program.policy, Program.config)).all()
    catalogue = role_catalogue(ctx.pm)
    return [
        pid
        for pid, policy, config in rows
        if any(catalogue.pays_for(r, ctx.principal.institution, policy, config) for r in bound)
    ]


def money_scope(ctx: Context, program_id: Any, institution_id: Any = None) -> Any:
    """The condition selecting the money records (plans, payments, recoveries, a policy's
    own) the caller sees, or None when it sees every program's.

    ``program_id`` and ``institution_id`` are the record's columns: its program, and the
    institution it is paid to or owed by (None for records of no institution, a plan).
    The fund's staff see all; a user acting for an institution sees the records of its
    institution, and those of the programs it pays for (``paid_programs``).
    """
    if ctx.institution_id is None:
        return None
    seen = []
    if institution_id is not None:
        seen.append(institution_id == ctx.institution_id)
    if paid := paid_programs(ctx):
        seen.append(program_id.in_(paid))
    return or_(*seen) if seen else false()


def scoped(ctx: Context, query: Any, program_id: Any, institution_id: Any = None) -> Any:
    """``query`` restricted by ``money_scope``."""
    condition = money_scope(ctx, program_id, institution_id)
    return query if condition is None else query.where(condition)
