"""Allocation plans: proposed by the policy, edited by the office within the caps, approved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from riskshare import labels
from riskshare.audit.events import record_event
from riskshare.auth.scope import scoped
from riskshare.claims.models import Claim
from riskshare.context import Context
from riskshare.disbursements.service import instruct_payment
from riskshare.errors import Conflict, Invalid
from riskshare.explain import Explanation, explanations_as_json
from riskshare.plans.models import (
    GRANTED_PLAN_STATES,
    PLAN_STATES,
    AllocationPlan,
    PlanItem,
    release_claims,
)
from riskshare.plugins.ask import enforce, facts, program_of, require
from riskshare.plugins.defaults import CORE
from riskshare.plugins.manager import role_catalogue
from riskshare.plugins.types import AllocationLine, ClaimDue, Period, ProgramView
from riskshare.plugins.views import program_view
from riskshare.sanctions.standing import hold_out_suspended
from riskshare.services import lock_for_change, lock_program, not_found, on_effective_date
from riskshare.workflow.transitions import check_transition, transition

ZERO = Decimal("0.00")


def settled_by_claim(ctx: Context, program_id: int) -> dict[int, Decimal]:
    """What plans have already dealt with, per claim: allocated, or dropped (neither paid
    nor carried)."""
    rows = ctx.session.execute(
        select(PlanItem.claim_id, func.sum(PlanItem.requested - PlanItem.carried))
        .join(AllocationPlan, AllocationPlan.id == PlanItem.plan_id)
        .where(
            AllocationPlan.program_id == program_id,
            AllocationPlan.state.in_(GRANTED_PLAN_STATES),
        )
        .group_by(PlanItem.claim_id)
    ).all()
    return {claim_id: Decimal(total).quantize(Decimal("0.01")) for claim_id, total in rows}


def holding_plans(ctx: Context, program_id: int) -> dict[int, AllocationPlan]:
    """The live plan that holds each claim held by one."""
    rows = ctx.session.execute(
        select(PlanItem.claim_id, AllocationPlan)
        .join(AllocationPlan, AllocationPlan.id == PlanItem.plan_id)
        .where(AllocationPlan.program_id == program_id, PlanItem.holds_claim.is_(True))
    ).all()
    return {claim_id: plan for claim_id, plan in rows}


def claims_due(
    ctx: Context, program_id: int, period: Period
) -> tuple[list[ClaimDue], dict[int, AllocationPlan]]:
    """Approved claims with something left to settle, and those a live plan holds (which
    cannot go into another plan until that one is rejected, withdrawn or paid)."""
    claims = ctx.session.scalars(
        select(Claim)
        .where(
            Claim.program_id == program_id,
            Claim.state == "approved",
            Claim.reviewed_on <= period.end,
        )
        .order_by(Claim.reviewed_on, Claim.id)
    )
    settled_on = settled_by_claim(ctx, program_id)
    held = holding_plans(ctx, program_id)
    dues, held_here = [], {}
    for claim in claims:
        assert claim.approved_amount is not None and claim.reviewed_on is not None
        if claim.id in held:
            held_here[claim.id] = held[claim.id]
            continue
        settled = settled_on.get(claim.id, ZERO)
        outstanding = claim.approved_amount - settled
        if outstanding > ZERO:
            dues.append(
                ClaimDue(
                    claim.id,
                    claim.institution_id,
                    claim.reviewed_on,
                    claim.approved_amount,
                    settled,
                    outstanding,
                    loan_id=claim.loan_id,
                    attributes=dict(claim.attributes or {}),
                )
            )
    return dues, held_here


def _held_explanation(held: dict[int, AllocationPlan]) -> Explanation:
    listed = "; ".join(
        f"claim {claim_id} in plan {plan.period} (id {plan.id}, {plan.state})"
        for claim_id, plan in sorted(held.items())
    )
    listed_zh = "；".join(
        f"申请 {claim_id} 已列入 {plan.period} 方案（编号 {plan.id}，"
        f"{labels.plan_state_zh(plan.state)}）"
        for claim_id, plan in sorted(held.items())
    )
    return Explanation(
        "CORE-PLAN-HOLD",
        CORE,
        "held",
        f"{listed_zh}；一项申请同一时间只能列入一个有效方案。",
        f"Held by another live plan: {listed}. A claim is in at most one live plan at a time.",
        inputs={"held": {str(c): p.id for c, p in held.items()}},
    )


def propose_plan(
    ctx: Context, program_id: int, day: dt.date, effective_on: dt.date | None = None
) -> AllocationPlan:
    ctx = on_effective_date(ctx, effective_on)
    program, pview = program_of(ctx, program_id)
    lock_program(ctx, program.id)  # plans of one fund are proposed one at a time
    period = require(
        ctx.hook.riskshare_plan_period(program=pview, day=day), "plan period", program.policy
    )
    if ctx.session.scalar(
        select(AllocationPlan.id).where(
            AllocationPlan.program_id == program.id, AllocationPlan.period == period.label
        )
    ):
        raise Conflict(f"A plan for period {period.label} exists already.")
    if period.end >= ctx.today:
        raise Invalid(
            f"Period {period.label} has not ended yet (it ends {period.end}).",
            errors=[{"pointer": "/day", "detail": "period open"}],
        )
    dues, held = claims_due(ctx, program.id, period)
    # Claims of an institution its policy suspended wait for a plan after the suspension.
    dues, suspended = hold_out_suspended(facts(ctx, program.id), dues, ctx.today)
    if held and not dues:
        raise Conflict(
            "Every claim due in this period is held by another live plan: "
            + _held_explanation(held).en
            + " Reject or withdraw that plan first, or let it be paid.",
            kind="claim-held",
            extra={"held_by": {str(c): p.id for c, p in held.items()}},
        )
    allocation = require(
        ctx.hook.riskshare_propose_allocation(
            program=pview, period=period, dues=dues, facts=facts(ctx, program.id)
        ),
        "allocation",
        program.policy,
    )
    summary = ctx.hook.riskshare_deadline(
        program=pview, kind="plan_summary", start=period.end, calendar=ctx.calendar
    )
    explanations = list(allocation.explanations) + ([summary.explanation] if summary else [])
    if held:
        explanations.append(_held_explanation(held))
    explanations.extend(suspended)
    plan = AllocationPlan(
        program_id=program.id,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        summary_due_on=summary.deadline.due if summary else None,
        proposed_by=ctx.actor,
        proposed_on=ctx.today,
        capacity=allocation.capacity,
        explanations=explanations_as_json(explanations),
    )
    ctx.session.add(plan)
    ctx.session.flush()
    by_claim = {d.claim_id: d for d in dues}
    for line in allocation.lines:
        due = by_claim[line.claim_id]
        ctx.session.add(
            PlanItem(
                plan_id=plan.id,
                claim_id=line.claim_id,
                institution_id=due.institution_id,
                requested=due.outstanding,
                allocated=line.allocated,
                carried=line.carried,
                explanation=explanations_as_json(list(line.explanations)),
            )
        )
    ctx.session.flush()
    record_event(ctx, "plan.propose", plan)
    return plan


def plan_items(ctx: Context, plan_id: int) -> list[PlanItem]:
    return list(
        ctx.session.scalars(
            select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(PlanItem.id)
        )
    )


def _period(plan: AllocationPlan) -> Period:
    return Period(plan.period, plan.period_start, plan.period_end)


def _check(ctx: Context, plan: AllocationPlan, items: list[PlanItem]) -> None:
    program, pview = program_of(ctx, plan.program_id)
    lines = [AllocationLine(i.claim_id, i.allocated, i.carried) for i in items]
    decision = require(
        ctx.hook.riskshare_check_allocation(
            program=pview, period=_period(plan), lines=lines, facts=facts(ctx, program.id)
        ),
        "allocation check",
        program.policy,
    )
    enforce(decision)


def lock_plan(ctx: Context, plan_id: int) -> tuple[AllocationPlan, ProgramView]:
    """The plan, locked with its program and re-read: its state is current."""
    query = visible_plans(ctx).where(AllocationPlan.id == plan_id)
    program, plan = lock_for_change(ctx, query, "plan", plan_id)
    return plan, program_view(program)


def edit_plan(ctx: Context, plan_id: int, changes: list[dict[str, Any]]) -> AllocationPlan:
    plan, pview = lock_plan(ctx, plan_id)
    check_transition(ctx, PLAN_STATES, plan, "edit", pview)
    items = {i.claim_id: i for i in plan_items(ctx, plan.id)}
    for index, change in enumerate(changes):
        item = items.get(change["claim_id"])
        if item is None:
            raise Invalid(
                f"Claim {change['claim_id']} is not in this plan.",
                errors=[{"pointer": f"/items/{index}/claim_id", "detail": "not in plan"}],
            )
        allocated = change["allocated"]
        if allocated < ZERO or allocated > item.requested:
            raise Invalid(
                f"Claim {item.claim_id}: allocate between 0 and {item.requested}.",
                errors=[{"pointer": f"/items/{index}/allocated", "detail": "out of range"}],
            )
        item.allocated = allocated
        item.carried = item.requested - allocated if change.get("carry", True) else ZERO
    _check(ctx, plan, list(items.values()))
    transition(ctx, PLAN_STATES, plan, "edit", pview)
    return plan


def advance_plan(
    ctx: Context, plan_id: int, action: str, effective_on: dt.date | None = None
) -> AllocationPlan:
    plan, pview = lock_plan(ctx, plan_id)
    ctx = on_effective_date(
        ctx, effective_on, not_before=plan.proposed_on, previous="the plan's proposal"
    )
    # State and roles first: a second approval (a double click) is refused here, naming
    # the state the first one left.
    check_transition(ctx, PLAN_STATES, plan, action, pview)
    items = plan_items(ctx, plan.id)
    if action in ("submit", "approve"):
        _check(ctx, plan, items)
    if action == "approve":
        _check_nothing_granted_twice(ctx, plan, items)
    changes = {"approved_by": ctx.actor, "approved_on": ctx.today} if action == "approve" else {}
    transition(ctx, PLAN_STATES, plan, action, pview, changes)
    if action in ("reject", "withdraw"):
        release_claims(ctx.session, plan.id)
    if action == "approve":
        if not any(item.allocated > ZERO for item in items):
            # Nothing to pay (every claim carried): the plan is settled at its approval, so
            # it holds no claim and what it carried goes into the next period's plan.
            payers = role_catalogue(ctx.pm).payers(pview.policy)
            transition(ctx, PLAN_STATES, plan, "complete", pview, as_roles=payers)
            release_claims(ctx.session, plan.id)
        for item in items:
            if item.allocated <= ZERO:
                continue
            instruct_payment(
                ctx,
                pview,
                kind="compensation",
                amount=item.allocated,
                source_key=f"plan-item:{item.id}:grant",
                memo=f"plan {plan.period}: claim {item.claim_id}",
                payee_institution_id=item.institution_id,
                claim_id=item.claim_id,
                plan_item_id=item.id,
            )
    return plan


def _check_nothing_granted_twice(ctx: Context, plan: AllocationPlan, items: list[PlanItem]) -> None:
    """Re-checked under the program lock at approval: each claim is still approved, and
    what other plans granted it plus this plan's share stays within its approved amount."""
    claims = {
        c.id: c
        for c in ctx.session.scalars(
            select(Claim)
            .where(Claim.id.in_([i.claim_id for i in items]))
            .execution_options(populate_existing=True)
        )
    }
    granted = dict(
        ctx.session.execute(
            select(PlanItem.claim_id, func.sum(PlanItem.allocated))
            .join(AllocationPlan, AllocationPlan.id == PlanItem.plan_id)
            .where(
                PlanItem.claim_id.in_(list(claims)),
                AllocationPlan.id != plan.id,
                AllocationPlan.state.in_(GRANTED_PLAN_STATES),
            )
            .group_by(PlanItem.claim_id)
        ).all()
    )
    for item in items:
        claim = claims[item.claim_id]
        before = Decimal(granted.get(claim.id) or 0)
        if claim.state != "approved" or before + item.allocated > (claim.approved_amount or 0):
            raise Conflict(
                f"Claim {claim.id} ({claim.state}, approved at {claim.approved_amount}) has"
                f" been granted {before} by other plans already; this plan's"
                f" {item.allocated} would exceed it. Edit the plan or reject it.",
                kind="granted-already",
                extra={"claim_id": claim.id},
            )


def visible_plans(ctx: Context) -> Any:
    """Plans the caller sees: the fund's staff all, a payer acting for an institution those
    of the programs it pays for (riskshare.auth.scope)."""
    return scoped(
        ctx, select(AllocationPlan).order_by(AllocationPlan.id), AllocationPlan.program_id
    )


def list_plans(ctx: Context) -> Any:
    return visible_plans(ctx)


def get_plan(ctx: Context, plan_id: int) -> AllocationPlan:
    plan = ctx.session.scalar(visible_plans(ctx).where(AllocationPlan.id == plan_id))
    if plan is None:
        raise not_found("plan", plan_id)
    return plan
