"""Recoveries on compensated loans (returned pro rata) and write-offs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.auth.scope import scoped
from riskshare.claims.models import Claim
from riskshare.claims.service import visible_claims
from riskshare.context import Context
from riskshare.documents.service import attach_documents, document_kinds
from riskshare.errors import Conflict, Forbidden, Invalid
from riskshare.explain import explanations_as_json
from riskshare.ledger import service as ledger
from riskshare.loans.models import LOAN_STATES, Loan
from riskshare.loans.service import visible_loans
from riskshare.plugins.ask import enforce, facts, pool_credited, require
from riskshare.plugins.manager import policy_registry
from riskshare.plugins.types import ProgramView, RecoveryView, WriteOffView
from riskshare.plugins.views import claim_view, loan_view, program_view
from riskshare.recoveries.models import (
    OPEN_WRITE_OFF_STATES,
    RECOVERY_STATES,
    WRITE_OFF_STATES,
    Recovery,
    WriteOff,
)
from riskshare.services import (
    already_done,
    lock_for_change,
    not_after_today,
    not_found,
    on_effective_date,
)
from riskshare.workflow.transitions import check_transition, transition

ZERO = Decimal("0.00")
# Once reviewed, the loan is written off as the step of the institution that recorded it.
WRITE_OFF_RECORDERS = ("lender", "guarantor")


def report_recovery(ctx: Context, data: dict[str, Any]) -> Recovery:
    query = visible_claims(ctx).where(Claim.id == data["claim_id"])
    # Locked, so that two reports on one claim each see what the other made due.
    program, claim = lock_for_change(ctx, query, "claim", data["claim_id"])
    not_after_today(ctx, data["received_on"], "/received_on")
    if ctx.institution_id != claim.institution_id:
        raise Forbidden(
            "Only the compensated institution reports recoveries on its claim.",
            kind="forbidden-institution",
        )
    pview = program_view(program)
    same = ctx.session.scalar(
        select(Recovery).where(
            Recovery.claim_id == claim.id,
            Recovery.received_on == data["received_on"],
            Recovery.recovered == data["recovered"],
        )
    )
    if same is not None:
        raise already_done(
            f"Recovery {same.id} on this claim already records {same.recovered} received on"
            f" {same.received_on}; report another receipt with its own date or amount.",
            recovery_id=same.id,
        )
    if facts(ctx, program.id).compensation_paid_on_claim(claim.id) <= ZERO:
        raise Invalid(
            "Nothing has been paid on this claim yet; no recovery is owed.",
            errors=[{"pointer": "/claim_id", "detail": "unpaid"}],
        )
    if data["costs"] > data["recovered"]:
        raise Invalid(
            "Recovery costs exceed the amount recovered.",
            errors=[{"pointer": "/costs", "detail": "above recovered"}],
        )
    decision = require(
        ctx.hook.riskshare_recovery(
            program=pview,
            claim=claim_view(claim, document_kinds(ctx, "claim", claim.id)),
            recovery=RecoveryView(data["received_on"], data["recovered"], data["costs"]),
            calendar=ctx.calendar,
            facts=facts(ctx, program.id),
        ),
        "recovery",
        program.policy,
    )
    destination_account(ctx, program.policy, decision.destination)
    recovery = Recovery(
        program_id=program.id,
        claim_id=claim.id,
        institution_id=claim.institution_id,
        received_on=data["received_on"],
        recovered=data["recovered"],
        costs=data["costs"],
        amount_due=decision.amount_due,
        destination=decision.destination,
        due_on=decision.deadline.due if decision.deadline else None,
        state="due" if decision.amount_due > ZERO else "nothing_due",
        reported_by=ctx.actor,
        explanations=explanations_as_json(list(decision.explanations)),
    )
    ctx.session.add(recovery)
    ctx.session.flush()
    if decision.amount_due > ZERO:
        ledger.transfer(
            ctx.session,
            program_id=program.id,
            source_key=f"recovery:{recovery.id}:due",
            kind="recovery_due",
            booked_on=data["received_on"],
            memo=f"recovery on claim {claim.id}",
            debit="recovery:receivable",
            credit="recovery:returned",
            amount=decision.amount_due,
            institution_id=claim.institution_id,
            claim_id=claim.id,
        )
    record_event(ctx, "recovery.report", recovery)
    return recovery


POOL_ACCOUNT = "fund:pool"


def destination_account(ctx: Context, policy: str, destination: str) -> str:
    """The account a recovery is booked to: the pool, or a destination the policy declares."""
    if destination == "pool":
        return POOL_ACCOUNT
    descriptor = policy_registry(ctx.pm).get(policy)
    declared = descriptor.recovery_destinations if descriptor else {}
    if destination not in declared:
        raise Invalid(
            f"The policy '{policy}' sends this recovery to '{destination}', which it does not"
            f" declare (declared: {', '.join(['pool', *declared])}); its plugin is at fault.",
            kind="policy-missing",
        )
    return declared[destination].account


def visible_recoveries(ctx: Context) -> Any:
    """Recoveries the caller sees: the fund's staff all, an institution its own and, when
    it pays for programs, theirs (riskshare.auth.scope)."""
    query = select(Recovery).order_by(Recovery.id)
    return scoped(ctx, query, Recovery.program_id, Recovery.institution_id)


def get_recovery(ctx: Context, recovery_id: int) -> Recovery:
    recovery = ctx.session.scalar(visible_recoveries(ctx).where(Recovery.id == recovery_id))
    if recovery is None:
        raise not_found("recovery", recovery_id)
    return recovery


def confirm_return(ctx: Context, recovery_id: int, effective_on: dt.date | None = None) -> Recovery:
    query = visible_recoveries(ctx).where(Recovery.id == recovery_id)
    program, recovery = lock_for_change(ctx, query, "recovery", recovery_id)
    ctx = on_effective_date(
        ctx, effective_on, not_before=recovery.received_on, previous="the recovery's receipt"
    )
    pview = program_view(program)
    transition(ctx, RECOVERY_STATES, recovery, "confirm_return", pview, {"returned_on": ctx.today})
    account = destination_account(ctx, program.policy, recovery.destination)
    ledger.transfer(
        ctx.session,
        program_id=recovery.program_id,
        source_key=f"recovery:{recovery.id}:returned",
        kind="recovery_returned",
        booked_on=ctx.today,
        memo=f"recovery {recovery.id} returned to the {recovery.destination}",
        debit=account,
        credit="recovery:receivable",
        amount=recovery.amount_due,
        institution_id=recovery.institution_id,
        claim_id=recovery.claim_id,
    )
    if account == POOL_ACCOUNT and recovery.amount_due > 0:
        pool_credited(ctx, program, "recovery_returned", recovery.amount_due)
    return recovery


def record_write_off(ctx: Context, data: dict[str, Any]) -> WriteOff:
    """The lender (or guarantor) records a write-off; the policy may refuse it or have it
    reviewed first (``riskshare_write_off``), and sets the evidence deadline."""
    query = visible_loans(ctx).where(Loan.id == data["loan_id"])
    program, loan = lock_for_change(ctx, query, "loan", data["loan_id"])
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=data["approved_on"], previous="its approval"
    )
    not_after_today(ctx, data["approved_on"], "/approved_on")
    if ctx.institution_id is None or ctx.institution_id not in loan.institution_ids():
        raise Forbidden(
            "Only the loan's own institution records its write-off.",
            kind="forbidden-institution",
        )
    pview = program_view(program)
    recorded = ctx.session.scalar(
        select(WriteOff).where(
            WriteOff.loan_id == loan.id, WriteOff.state.in_(OPEN_WRITE_OFF_STATES)
        )
    )
    if recorded is not None:
        raise already_done(
            f"Write-off {recorded.id} of this loan ({recorded.state}) is recorded already.",
            write_off_id=recorded.id,
        )
    view = WriteOffView(
        loan.id, ctx.institution_id, data.get("ground"), data["approved_on"], data["net_loss"]
    )
    decision = require(
        ctx.hook.riskshare_write_off(
            program=pview, loan=loan_view(loan), write_off=view, facts=facts(ctx, program.id)
        ),
        "write-off",
        program.policy,
    )
    enforce(decision)
    deadline = ctx.hook.riskshare_deadline(
        program=pview, kind="write_off_evidence", start=data["approved_on"], calendar=ctx.calendar
    )
    reviewers = list(decision.reviewers)
    if reviewers:
        check_transition(ctx, LOAN_STATES, loan, "write_off", pview)
    else:
        transition(ctx, LOAN_STATES, loan, "write_off", pview)
    explanations = [*decision.explanations, *([deadline.explanation] if deadline else [])]
    write_off = WriteOff(
        loan_id=loan.id,
        institution_id=ctx.institution_id,
        ground=view.ground,
        approved_on=view.approved_on,
        net_loss=view.net_loss,
        reviewers=reviewers,
        state="under_review" if reviewers else "approved",
        decided_on=None if reviewers else ctx.today,
        evidence_due_on=deadline.deadline.due if deadline else None,
        explanations=explanations_as_json(explanations),
    )
    ctx.session.add(write_off)
    ctx.session.flush()
    record_event(ctx, "write_off.record", write_off)
    return write_off


def review_write_off(ctx: Context, write_off_id: int, data: dict[str, Any]) -> WriteOff:
    """One of the write-off's reviewers approves or rejects it; the last approval writes the
    loan off, on behalf of the institution that recorded it."""
    write_off, loan, pview = lock_write_off(ctx, write_off_id)
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=write_off.approved_on, previous="its approval"
    )
    acting = [r for r in write_off.reviewers if r in ctx.roles]
    if not acting:
        raise Forbidden(
            f"Reviews of this write-off are written by {write_off.reviewers or 'nobody'}.",
            kind="forbidden-role",
        )
    done = {r["role"] for r in write_off.reviews}
    role = next((r for r in acting if r not in done), None)
    if role is None:
        raise Conflict(f"The {acting[0]} review is written already.")
    review = {
        "role": role,
        "reviewer": ctx.actor,
        "decision": data["decision"],
        "opinion": data["opinion"],
        "reviewed_on": ctx.today.isoformat(),
    }
    changes: dict[str, Any] = {"reviews": [*write_off.reviews, review]}
    if data["decision"] == "reject":
        step = "reject"
    elif set(write_off.reviewers) <= {*done, role}:
        step = "approve"
        transition(ctx, LOAN_STATES, loan, "write_off", pview, as_roles=WRITE_OFF_RECORDERS)
    else:
        step = "review"
    if step != "review":
        changes["decided_on"] = ctx.today
    transition(ctx, WRITE_OFF_STATES, write_off, step, pview, changes, allowed=write_off.reviewers)
    return write_off


def visible_write_offs(ctx: Context) -> Any:
    query = select(WriteOff).order_by(WriteOff.id)
    if ctx.institution_id is not None:
        query = query.where(WriteOff.institution_id == ctx.institution_id)
    return query


def get_write_off(ctx: Context, write_off_id: int) -> WriteOff:
    """A write-off the caller may see, or 404."""
    write_off = ctx.session.scalar(visible_write_offs(ctx).where(WriteOff.id == write_off_id))
    if write_off is None:
        raise not_found("write-off", write_off_id)
    return write_off


def lock_write_off(ctx: Context, write_off_id: int) -> tuple[WriteOff, Loan, ProgramView]:
    """The write-off and its loan, locked with the loan's program and re-read."""
    query = visible_write_offs(ctx).where(WriteOff.id == write_off_id)
    loan_id = get_write_off(ctx, write_off_id).loan_id
    program, loan = lock_for_change(ctx, select(Loan).where(Loan.id == loan_id), "loan", loan_id)
    write_off = ctx.session.scalar(
        query.with_for_update().execution_options(populate_existing=True)
    )
    return write_off, loan, program_view(program)


def submit_write_off_evidence(
    ctx: Context, write_off_id: int, documents: list, effective_on: dt.date | None = None
) -> WriteOff:
    write_off, _, pview = lock_write_off(ctx, write_off_id)
    ctx = on_effective_date(
        ctx, effective_on, not_before=write_off.decided_on, previous="the write-off's decision"
    )
    late = write_off.evidence_due_on is not None and ctx.today > write_off.evidence_due_on
    transition(
        ctx,
        WRITE_OFF_STATES,
        write_off,
        "submit_evidence",
        pview,
        {"evidence_submitted_on": ctx.today, "late": late},
    )
    attach_documents(ctx, "write_off", write_off.id, documents)
    return write_off
