"""The caller's inbox: every record waiting for a step the caller's roles may take now.

Nothing here decides who may act: each step is put to the same check the service that takes
it makes (``check_transition`` with the machine's roles, the policy's assignment of the step
and, for a claim, the reviews the policy requires), so the inbox lists exactly what the API
would accept. A step's due date and the rule that set it are the ones stored with the record
(``riskshare_deadline``, when the record was made); a step with no deadline has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from riskshare.claims.models import CLAIM_STATES, Claim, Review
from riskshare.claims.service import visible_claims
from riskshare.context import Context
from riskshare.disbursements.models import DISBURSEMENT_STATES, Disbursement
from riskshare.disbursements.service import visible_disbursements
from riskshare.documents.service import document_kinds
from riskshare.errors import DomainError
from riskshare.plans.models import PLAN_STATES, AllocationPlan
from riskshare.plans.service import list_plans
from riskshare.plugins.ask import facts, require
from riskshare.plugins.views import claim_view, program_view
from riskshare.programs.models import Program
from riskshare.workflow import StateMachine
from riskshare.workflow.transitions import check_transition


@dataclass(frozen=True)
class Task:
    """One step waiting for the caller.

    :param step: ``claim_review``, ``plan_submit``, ``plan_approve`` or ``payment_confirm``.
    :param record_type: the API's name of the record (``claims``, ``plans``,
        ``disbursements``) and ``record_id`` its id.
    :param rule: the stored explanation that set ``due_on`` (rule, clause, zh, en), if any.
    """

    step: str
    record_type: str
    record_id: int
    program_id: int
    waiting_since: dt.date
    due_on: dt.date | None
    amount: Decimal | None
    rule: dict[str, Any] | None

    def overdue(self, today: dt.date) -> bool:
        return self.due_on is not None and today > self.due_on


def _deadline_rule(explanations: list[dict[str, Any]], due_on: dt.date | None) -> Any:
    if due_on is None:
        return None
    return next((e for e in explanations if e.get("result") == due_on.isoformat()), None)


def _may(
    ctx: Context,
    machine: StateMachine,
    record: Any,
    step: str,
    program: Program,
    allowed: list[str] | None = None,
) -> bool:
    try:
        check_transition(ctx, machine, record, step, program_view(program), allowed=allowed)
    except DomainError:
        return False
    return True


def inbox(ctx: Context) -> list[Task]:
    """The caller's waiting steps, the earliest due first (undated ones last, oldest first)."""
    programs = {p.id: p for p in ctx.session.scalars(select(Program))}
    tasks = [*_claims(ctx, programs), *_plans(ctx, programs), *_payments(ctx, programs)]
    return sorted(
        tasks,
        key=lambda t: (t.due_on is None, t.due_on or t.waiting_since, t.waiting_since, t.step),
    )


def _claims(ctx: Context, programs: dict[int, Program]) -> list[Task]:
    found = []
    for claim in ctx.session.scalars(visible_claims(ctx).where(Claim.state == "submitted")):
        program = programs[claim.program_id]
        pview = program_view(program)
        view = claim_view(claim, document_kinds(ctx, "claim", claim.id))
        required = require(
            ctx.hook.riskshare_required_reviews(
                program=pview, claim=view, facts=facts(ctx, program.id)
            ),
            "required reviews",
            program.policy,
        )
        done = set(ctx.session.scalars(select(Review.role).where(Review.claim_id == claim.id)))
        mine = [r for r in required if r in ctx.roles and r not in done]
        if not mine or not _may(ctx, CLAIM_STATES, claim, "review", program, list(required)):
            continue
        found.append(
            Task(
                "claim_review",
                "claims",
                claim.id,
                claim.program_id,
                claim.submitted_on,
                claim.review_due_on,
                claim.amount,
                _deadline_rule(claim.explanations, claim.review_due_on),
            )
        )
    return found


def _plans(ctx: Context, programs: dict[int, Program]) -> list[Task]:
    found = []
    query = list_plans(ctx).where(AllocationPlan.state.in_(("draft", "submitted")))
    for plan in ctx.session.scalars(query):
        step = "submit" if plan.state == "draft" else "approve"
        if not _may(ctx, PLAN_STATES, plan, step, programs[plan.program_id]):
            continue
        found.append(
            Task(
                f"plan_{step}",
                "plans",
                plan.id,
                plan.program_id,
                plan.proposed_on,
                plan.summary_due_on if step == "submit" else None,
                plan.capacity,
                _deadline_rule(plan.explanations, plan.summary_due_on)
                if step == "submit"
                else None,
            )
        )
    return found


def _payments(ctx: Context, programs: dict[int, Program]) -> list[Task]:
    found = []
    query = visible_disbursements(ctx).where(Disbursement.state == "instructed")
    for payment in ctx.session.scalars(query):
        if not _may(ctx, DISBURSEMENT_STATES, payment, "confirm", programs[payment.program_id]):
            continue
        found.append(
            Task(
                "payment_confirm",
                "disbursements",
                payment.id,
                payment.program_id,
                payment.instructed_on,
                None,
                payment.amount,
                None,
            )
        )
    return found
