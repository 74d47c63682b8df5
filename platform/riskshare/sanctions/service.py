"""Clawbacks after fraud, and bans of firms and institutions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.context import Context
from riskshare.errors import Conflict
from riskshare.explain import explanations_as_json
from riskshare.firms.models import Firm
from riskshare.institutions.models import Institution
from riskshare.institutions.service import change_cooperation
from riskshare.ledger import service as ledger
from riskshare.plugins.ask import enforce, facts, pool_credited, program_of, require
from riskshare.plugins.views import firm_view, institution_view, program_view
from riskshare.sanctions.models import CLAWBACK_STATES, Ban, Clawback
from riskshare.services import (
    already_done,
    get_or_404,
    lock_for_change,
    lock_program,
    not_found,
    on_effective_date,
)
from riskshare.workflow.transitions import transition

SUBJECTS: dict[str, type[Firm] | type[Institution]] = {"firm": Firm, "institution": Institution}


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def impose_ban(ctx: Context, data: dict[str, Any]) -> Ban:
    """Bar a firm or institution; under a program's rule, the program's policy may refuse
    the ban or fix its length (``riskshare_ban``)."""
    model = SUBJECTS[data["subject_type"]]
    subject = get_or_404(ctx, model, data["subject_id"], data["subject_type"])
    starts = data.get("starts_on") or ctx.today
    years = data.get("years")
    explanations: list = []
    program_id = data.get("program_id")
    if program_id is not None:
        program, pview = program_of(ctx, program_id)
        view = firm_view(subject) if isinstance(subject, Firm) else institution_view(subject)
        decision = require(
            ctx.hook.riskshare_ban(
                program=pview,
                subject_type=data["subject_type"],
                subject=view,
                rule=data["rule"],
                years=years,
                facts=facts(ctx, program.id),
            ),
            "ban",
            program.policy,
        )
        enforce(decision)
        years, explanations = decision.years, list(decision.explanations)
    ban = Ban(
        program_id=program_id,
        subject_type=data["subject_type"],
        subject_id=data["subject_id"],
        rule=data["rule"],
        reason=data["reason"],
        starts_on=starts,
        ends_on=add_years(starts, years) if years else None,
        explanations=explanations_as_json(explanations),
        # The person who represented the firm when it was banned (a policy may bar them too).
        legal_representative_id=getattr(subject, "legal_representative_id", None),
    )
    ctx.session.add(ban)
    ctx.session.flush()
    record_event(ctx, "ban.impose", ban)
    return ban


def lift_ban(ctx: Context, ban_id: int) -> Ban:
    ban = get_or_404(ctx, Ban, ban_id, "ban")
    if ban.lifted_on is not None:
        raise Conflict("The ban is lifted already.")
    ban.lifted_on = ctx.today
    record_event(ctx, "ban.lift", ban)
    return ban


def record_credit_entry(ctx: Context, ban_id: int, data: dict[str, Any]) -> Ban:
    """Record that the ban was entered in a credit system (录入信用系统): which system, on
    which day (``effective_on``, not before the ban starts) and by whom. Once per ban: a
    second record is a 409 naming the first."""
    # The ban's row is locked: of two simultaneous records, the second finds the first.
    ban = ctx.session.scalar(
        select(Ban)
        .where(Ban.id == ban_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if ban is None:
        raise not_found("ban", ban_id)
    if ban.credit_entered_on is not None:
        raise already_done(
            f"Ban {ban.id} was entered in {ban.credit_system} on {ban.credit_entered_on} by"
            f" {ban.credit_entered_by}.",
            ban_id=ban.id,
        )
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=ban.starts_on, previous="the ban's start"
    )
    ban.credit_system = data["system"]
    ban.credit_entered_on = ctx.today
    ban.credit_entered_by = ctx.actor
    ctx.session.flush()
    record_event(ctx, "ban.credit_entry", ban)
    return ban


def order_clawback(ctx: Context, data: dict[str, Any]) -> Clawback:
    ctx = on_effective_date(ctx, data.get("effective_on"))
    program = lock_program(ctx, data["program_id"])
    pview = program_view(program)
    inst = get_or_404(ctx, Institution, data["institution_id"], "institution")
    pending = ctx.session.scalar(
        select(Clawback).where(
            Clawback.program_id == program.id,
            Clawback.institution_id == inst.id,
            Clawback.state == "ordered",
        )
    )
    if pending is not None:
        raise already_done(
            f"Clawback {pending.id} of {pending.amount}, ordered on {pending.decided_on}, is"
            f" still owed by {inst.name}; confirm its repayment before ordering another.",
            clawback_id=pending.id,
        )
    decision = require(
        ctx.hook.riskshare_clawback(
            program=pview,
            institution=institution_view(inst),
            reason=data["reason"],
            facts=facts(ctx, program.id),
        ),
        "clawback",
        program.policy,
    )
    clawback = Clawback(
        program_id=program.id,
        institution_id=inst.id,
        decided_on=ctx.today,
        reason=data["reason"],
        amount=decision.amount,
        explanations=explanations_as_json(list(decision.explanations)),
    )
    ctx.session.add(clawback)
    ctx.session.flush()
    record_event(ctx, "clawback.order", clawback)
    if decision.amount > 0:
        ledger.transfer(
            ctx.session,
            program_id=program.id,
            source_key=f"clawback:{clawback.id}:ordered",
            kind="clawback_ordered",
            booked_on=ctx.today,
            memo=data["reason"][:300],
            debit="clawback:receivable",
            credit="clawback:ordered",
            amount=decision.amount,
            institution_id=inst.id,
        )
    if decision.ban_years is not None:
        rule = decision.explanations[0].rule if decision.explanations else "clawback"
        impose_ban(
            ctx,
            {
                "subject_type": "institution",
                "subject_id": inst.id,
                "rule": rule,
                "reason": data["reason"],
                "years": decision.ban_years,
            },
        )
    if inst.cooperation != "revoked":
        change_cooperation(ctx, inst.id, "revoke", data["reason"])
    return clawback


def confirm_repaid(ctx: Context, clawback_id: int, effective_on: dt.date | None = None) -> Clawback:
    query = select(Clawback).where(Clawback.id == clawback_id)
    program, clawback = lock_for_change(ctx, query, "clawback", clawback_id)
    ctx = on_effective_date(
        ctx, effective_on, not_before=clawback.decided_on, previous="the clawback's order"
    )
    pview = program_view(program)
    transition(ctx, CLAWBACK_STATES, clawback, "confirm_repaid", pview, {"repaid_on": ctx.today})
    if clawback.amount > 0:
        ledger.transfer(
            ctx.session,
            program_id=clawback.program_id,
            source_key=f"clawback:{clawback.id}:repaid",
            kind="clawback_repaid",
            booked_on=ctx.today,
            memo=f"clawback {clawback.id} repaid",
            debit="fund:pool",
            credit="clawback:receivable",
            amount=clawback.amount,
            institution_id=clawback.institution_id,
        )
        pool_credited(ctx, program, "clawback_repaid", clawback.amount)
    return clawback


def list_bans(ctx: Context) -> Any:
    return select(Ban).order_by(Ban.id)


def list_clawbacks(ctx: Context) -> Any:
    return select(Clawback).order_by(Clawback.id)
