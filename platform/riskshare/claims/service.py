"""Claims: submission (eligibility and amount asked of the policy), evidence, reviews."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.claims.models import CLAIM_STATES, OPEN_CLAIM_STATES, Claim, Review
from riskshare.context import Context
from riskshare.documents.models import Document
from riskshare.documents.service import (
    attach_documents,
    document_kinds,
    document_of,
    documents_of,
)
from riskshare.errors import Forbidden, Invalid
from riskshare.explain import explanations_as_json
from riskshare.loans.models import Loan
from riskshare.loans.service import visible_loans
from riskshare.plugins.apportion import share_out
from riskshare.plugins.ask import enforce, facts, require
from riskshare.plugins.attributes import check_attributes
from riskshare.plugins.types import ClaimView, Compensation
from riskshare.plugins.views import claim_view, loan_view, program_view
from riskshare.sanctions.standing import honour_standings
from riskshare.services import already_done, lock_for_change, not_found, on_effective_date
from riskshare.workflow.transitions import check_transition, transition


def _compensation(ctx: Context, program: Any, loan: Loan, view: ClaimView) -> Compensation:
    return require(
        ctx.hook.riskshare_compensation(
            program=program, loan=loan_view(loan), claim=view, facts=facts(ctx, loan.program_id)
        ),
        "compensation amount",
        program.policy,
    )


def submit_claim(ctx: Context, data: dict[str, Any]) -> Claim:
    query = visible_loans(ctx).where(Loan.id == data["loan_id"])
    program, loan = lock_for_change(ctx, query, "loan", data["loan_id"])
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=loan.issue_date, previous="the loan's issue"
    )
    pview = program_view(program)
    claimant = ctx.institution_id
    if claimant is None or claimant not in loan.institution_ids():
        raise Forbidden(
            "Only the loan's lender, guarantor or insurer may claim on it.",
            kind="forbidden-institution",
        )
    if not loan.covered:
        raise Invalid(
            "The loan is not covered by the program; see its coverage reasons.",
            kind="rule-refused",
            rule=next((e for e in loan.coverage if not e.get("passed")), None),
        )
    open_claim = ctx.session.scalar(
        select(Claim).where(
            Claim.loan_id == loan.id,
            Claim.state.in_(OPEN_CLAIM_STATES),
            Claim.institution_id == claimant,
        )
    )
    if open_claim is not None:
        raise already_done(
            f"Your claim {open_claim.id} on this loan, submitted {open_claim.submitted_on},"
            f" is {open_claim.state} already; withdraw it before claiming again.",
            claim_id=open_claim.id,
        )
    attributes = check_attributes(ctx.pm, [program.policy], "claim", data.get("attributes"))
    kinds = frozenset(d["kind"] for d in data.get("documents") or [])
    view = ClaimView(
        id=None,
        loan_id=loan.id,
        institution_id=claimant,
        submitted_on=ctx.today,
        claimed_principal=data["claimed_principal"],
        state="submitted",
        amount=None,
        ratio=None,
        approved_amount=None,
        attributes=attributes,
        document_kinds=kinds,
    )
    if data["claimed_principal"] > loan.outstanding:
        raise Invalid(
            "The claimed principal exceeds the loan's outstanding principal"
            f" ({data['claimed_principal']} of {loan.outstanding}).",
            errors=[{"pointer": "/claimed_principal", "detail": "above outstanding principal"}],
        )
    decision = require(
        ctx.hook.riskshare_claim_eligibility(
            program=pview, loan=loan_view(loan), claim=view, facts=facts(ctx, program.id)
        ),
        "claim eligibility",
        program.policy,
    )
    decision = honour_standings(
        decision, facts(ctx, program.id), [("institution", claimant)], ctx.today
    )
    enforce(decision)
    compensation = _compensation(ctx, pview, loan, view)
    review_deadline = ctx.hook.riskshare_deadline(
        program=pview, kind="claim_review", start=ctx.today, calendar=ctx.calendar
    )
    explanations = [*decision.explanations, *compensation.explanations]
    if review_deadline:
        explanations.append(review_deadline.explanation)
    claim = Claim(
        program_id=program.id,
        loan_id=loan.id,
        institution_id=claimant,
        submitted_on=ctx.today,
        submitted_by=ctx.actor,
        claimed_principal=data["claimed_principal"],
        ratio=compensation.ratio,
        amount=compensation.amount,
        review_due_on=review_deadline.deadline.due if review_deadline else None,
        statement=data.get("statement"),
        explanations=explanations_as_json(explanations),
        attributes=dict(view.attributes),
        shares=share_out([s.as_dict() for s in compensation.shares], compensation.amount),
    )
    ctx.session.add(claim)
    ctx.session.flush()
    record_event(ctx, "claim.submit", claim)
    attach_documents(ctx, "claim", claim.id, data.get("documents") or [])
    return claim


def visible_claims(ctx: Context) -> Any:
    query = select(Claim).order_by(Claim.id)
    if ctx.institution_id is not None:
        query = query.where(Claim.institution_id == ctx.institution_id)
    return query


def get_claim(ctx: Context, claim_id: int) -> Claim:
    claim = ctx.session.scalar(visible_claims(ctx).where(Claim.id == claim_id))
    if claim is None:
        raise not_found("claim", claim_id)
    return claim


def review_claim(ctx: Context, claim_id: int, data: dict[str, Any]) -> Claim:
    query = visible_claims(ctx).where(Claim.id == claim_id)
    program, claim = lock_for_change(ctx, query, "claim", claim_id)
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=claim.submitted_on, previous="the claim"
    )
    pview = program_view(program)
    view = claim_view(claim, document_kinds(ctx, "claim", claim.id))
    required = require(
        ctx.hook.riskshare_required_reviews(
            program=pview, claim=view, facts=facts(ctx, program.id)
        ),
        "required reviews",
        program.policy,
    )
    acting = [r for r in required if r in ctx.roles]
    if not acting:
        raise Forbidden(f"Reviews of this claim are written by {required}.", kind="forbidden-role")
    role = acting[0]
    done = {
        r.role: r for r in ctx.session.scalars(select(Review).where(Review.claim_id == claim.id))
    }
    if role in done:
        first = done[role]
        raise already_done(
            f"The {role} review of this claim was written by {first.reviewer} on"
            f" {first.reviewed_on} ({first.decision}) already.",
            review_id=first.id,
        )
    check_transition(ctx, CLAIM_STATES, claim, "review", pview, allowed=required)
    late = claim.review_due_on is not None and ctx.today > claim.review_due_on
    review = Review(
        claim_id=claim.id,
        reviewer=ctx.actor,
        role=role,
        decision=data["decision"],
        opinion=data["opinion"],
        reviewed_on=ctx.today,
        late=late,
    )
    ctx.session.add(review)
    ctx.session.flush()
    record_event(ctx, "review.write", review)
    if data["decision"] == "reject":
        transition(
            ctx, CLAIM_STATES, claim, "reject", pview, {"reviewed_on": ctx.today}, allowed=required
        )
    elif set(required) <= {*done, role}:
        loan = ctx.session.get_one(Loan, claim.loan_id)
        compensation = _compensation(ctx, pview, loan, view)
        approved = data.get("approved_amount")
        if approved is None:
            approved = compensation.amount
        if approved > compensation.amount or approved < Decimal("0"):
            raise Invalid(
                f"approved_amount must be between 0 and {compensation.amount},"
                " the amount the policy allows.",
                errors=[{"pointer": "/approved_amount", "detail": "above policy"}],
            )
        transition(
            ctx,
            CLAIM_STATES,
            claim,
            "approve",
            pview,
            {
                "approved_amount": approved,
                "reviewed_on": ctx.today,
                "shares": share_out([s.as_dict() for s in compensation.shares], approved),
            },
            allowed=required,
        )
    else:
        transition(ctx, CLAIM_STATES, claim, "review", pview, allowed=required)
    return claim


def claim_reviews(ctx: Context, claim_id: int) -> list[Review]:
    get_claim(ctx, claim_id)
    return list(
        ctx.session.scalars(select(Review).where(Review.claim_id == claim_id).order_by(Review.id))
    )


def claim_documents(ctx: Context, claim_id: int) -> list[Document]:
    get_claim(ctx, claim_id)
    return documents_of(ctx, "claim", claim_id)


def claim_document(ctx: Context, claim_id: int, document_id: int) -> Document:
    get_claim(ctx, claim_id)
    return document_of(ctx, "claim", claim_id, document_id)
