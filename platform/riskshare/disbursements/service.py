"""Confirming a payment: the caps are checked and consumed under the program's row lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event, snapshot
from riskshare.auth.scope import scoped
from riskshare.claims.models import CLAIM_STATES, Claim
from riskshare.context import Context
from riskshare.disbursements.models import DISBURSEMENT_STATES, Disbursement
from riskshare.errors import Conflict
from riskshare.ledger import service as ledger
from riskshare.plans.models import PLAN_STATES, AllocationPlan, PlanItem, release_claims
from riskshare.plugins.apportion import share_out, shares_left
from riskshare.plugins.ask import enforce, facts, require
from riskshare.plugins.manager import role_catalogue
from riskshare.plugins.types import PaymentDecision, PaymentView, ProgramView
from riskshare.plugins.views import program_view
from riskshare.sanctions.standing import honour_standings
from riskshare.services import lock_for_change, lock_program, not_found, on_effective_date
from riskshare.workflow.transitions import check_transition, transition


def instruct_payment(
    ctx: Context,
    program: ProgramView,
    *,
    kind: str,
    amount: Decimal,
    source_key: str,
    memo: str,
    payee_institution_id: int | None = None,
    payee_firm_id: int | None = None,
    claim_id: int | None = None,
    plan_item_id: int | None = None,
) -> Disbursement:
    """Grant ``amount`` (booked as owed) and instruct the paying party to pay it.

    The payer is whoever the policy names for confirming disbursements, or else the first of
    the program's payers (the finance bureau by default). Confirmation later checks the caps
    under the program lock; the grant takes the same lock, so what a policy checked before
    instructing stays true until it commits.
    """
    lock_program(ctx, program.id)
    payer = (
        ctx.hook.riskshare_transition_roles(
            program=program, record="disbursement", transition="confirm"
        )
        or sorted(role_catalogue(ctx.pm).payers(program.policy))
    )[0]
    ledger.transfer(
        ctx.session,
        program_id=program.id,
        source_key=source_key,
        kind=f"{kind}_granted",
        booked_on=ctx.today,
        memo=memo[:300],
        debit=f"expense:{kind}",
        credit=f"payable:{kind}",
        amount=amount,
        institution_id=payee_institution_id,
        claim_id=claim_id,
    )
    claim = ctx.session.get(Claim, claim_id) if claim_id is not None else None
    disbursement = Disbursement(
        program_id=program.id,
        plan_item_id=plan_item_id,
        claim_id=claim_id,
        kind=kind,
        payee_institution_id=payee_institution_id,
        payee_firm_id=payee_firm_id,
        amount=amount,
        payer_role=payer,
        instructed_on=ctx.today,
        shares=share_out(claim.shares or [], amount) if claim is not None else [],
    )
    ctx.session.add(disbursement)
    ctx.session.flush()
    record_event(ctx, "disbursement.instruct", disbursement)
    return disbursement


def visible_disbursements(ctx: Context) -> Any:
    """Payments the caller sees: the fund's staff all, an institution those paid to it and,
    when it pays for programs, theirs (riskshare.auth.scope)."""
    query = select(Disbursement).order_by(Disbursement.id)
    return scoped(ctx, query, Disbursement.program_id, Disbursement.payee_institution_id)


def get_disbursement(ctx: Context, disbursement_id: int) -> Disbursement:
    d = ctx.session.scalar(visible_disbursements(ctx).where(Disbursement.id == disbursement_id))
    if d is None:
        raise not_found("disbursement", disbursement_id)
    return d


def confirm(
    ctx: Context,
    disbursement_id: int,
    payment_reference: str | None,
    effective_on: dt.date | None = None,
) -> Disbursement:
    query = visible_disbursements(ctx).where(Disbursement.id == disbursement_id)
    program, d = lock_for_change(ctx, query, "disbursement", disbursement_id)
    ctx = on_effective_date(
        ctx, effective_on, not_before=d.instructed_on, previous="the payment's instruction"
    )
    pview = program_view(program)
    payment = PaymentView(
        d.kind, d.amount, ctx.today, d.payee_institution_id, d.payee_firm_id, d.claim_id
    )
    # Roles and state first, so a second confirmation is a 409, not a cap refusal.
    check_transition(ctx, DISBURSEMENT_STATES, d, "confirm", pview)
    _check_claim_not_overpaid(ctx, d)
    decision = require(
        ctx.hook.riskshare_check_payment(
            program=pview, payment=payment, facts=facts(ctx, program.id)
        ),
        "payment check",
        program.policy,
    )
    pay_now = decision.pay_now if isinstance(decision, PaymentDecision) else None
    decision = honour_standings(
        decision,
        facts(ctx, program.id),
        [("institution", d.payee_institution_id), ("firm", d.payee_firm_id)],
        ctx.today,
    )
    enforce(decision, status=409)
    if pay_now is not None and pay_now <= Decimal("0.00"):
        raise Conflict(
            f"The policy pays nothing of payment {d.id} now; it stays instructed.",
            kind="nothing-payable",
            extra={"disbursement_id": d.id},
        )
    if pay_now is not None and pay_now < d.amount:
        _queue_the_rest(ctx, d, pay_now)
    ledger.transfer(
        ctx.session,
        program_id=program.id,
        source_key=f"disbursement:{d.id}:paid",
        kind=f"{d.kind}_paid",
        booked_on=ctx.today,
        memo=f"disbursement {d.id}",
        debit=f"payable:{d.kind}",
        credit="fund:pool",
        amount=d.amount,
        institution_id=d.payee_institution_id,
        claim_id=d.claim_id,
    )
    transition(
        ctx,
        DISBURSEMENT_STATES,
        d,
        "confirm",
        pview,
        {
            "confirmed_on": ctx.today,
            "confirmed_by": ctx.actor,
            "payment_reference": payment_reference,
        },
    )
    _settle_claim(ctx, d, pview)
    _complete_plan(ctx, d, pview)
    return d


def _queue_the_rest(ctx: Context, d: Disbursement, pay_now: Decimal) -> Disbursement:
    """The policy pays ``pay_now`` of ``d`` now: ``d`` becomes that part, and the rest is
    owed as a new instructed payment to the same payee (still booked as payable), which
    keeps its plan and its claim open until it is confirmed."""
    rest = Disbursement(
        program_id=d.program_id,
        plan_item_id=d.plan_item_id,
        claim_id=d.claim_id,
        kind=d.kind,
        payee_institution_id=d.payee_institution_id,
        payee_firm_id=d.payee_firm_id,
        amount=d.amount - pay_now,
        payer_role=d.payer_role,
        instructed_on=ctx.today,
        remainder_of=d.id,
    )
    paid_shares = share_out(d.shares or [], pay_now)
    rest.shares = shares_left(d.shares or [], paid_shares)
    before = snapshot(d)
    d.amount, d.shares = pay_now, paid_shares
    ctx.session.add(rest)
    ctx.session.flush()
    record_event(ctx, "disbursement.split", d, before=before)
    record_event(ctx, "disbursement.instruct", rest)
    return rest


def _check_claim_not_overpaid(ctx: Context, d: Disbursement) -> None:
    """Under the program lock: a claim is never paid more than it was approved for, however
    many payments were instructed for it."""
    if d.claim_id is None or d.kind != "compensation":
        return
    claim = ctx.session.scalar(
        select(Claim).where(Claim.id == d.claim_id).execution_options(populate_existing=True)
    )
    assert claim is not None
    paid = facts(ctx, d.program_id).compensation_paid_on_claim(claim.id)
    approved = claim.approved_amount or Decimal("0.00")
    if claim.state != "approved" or paid + d.amount > approved:
        raise Conflict(
            f"Claim {claim.id} ({claim.state}) was approved at {approved} and has been paid"
            f" {paid} already; paying {d.amount} more would exceed it.",
            kind="paid-already",
            extra={"claim_id": claim.id},
        )


def _settle_claim(ctx: Context, d: Disbursement, pview: Any) -> None:
    if d.claim_id is None or d.kind != "compensation":
        return
    claim = ctx.session.get_one(Claim, d.claim_id)
    paid = facts(ctx, d.program_id).compensation_paid_on_claim(claim.id)
    if claim.state == "approved" and paid >= (claim.approved_amount or Decimal(0)):
        transition(ctx, CLAIM_STATES, claim, "settle", pview, {"paid_on": ctx.today})


def _complete_plan(ctx: Context, d: Disbursement, pview: Any) -> None:
    if d.plan_item_id is None:
        return
    plan_id = ctx.session.scalar(select(PlanItem.plan_id).where(PlanItem.id == d.plan_item_id))
    pending = ctx.session.scalar(
        select(Disbursement.id)
        .join(PlanItem, PlanItem.id == Disbursement.plan_item_id)
        .where(PlanItem.plan_id == plan_id, Disbursement.state == "instructed")
        .limit(1)
    )
    if pending is None:
        plan = ctx.session.get_one(AllocationPlan, plan_id)
        transition(ctx, PLAN_STATES, plan, "complete", pview)
        release_claims(ctx.session, plan.id)
