"""Registering loans (with the policy's coverage decision) and filing loan events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from riskshare import labels
from riskshare.audit.events import record_event, snapshot
from riskshare.claims.models import Claim
from riskshare.context import Context
from riskshare.errors import Conflict, Forbidden, Invalid, Problem, refused
from riskshare.explain import Explanation, explanations_as_json
from riskshare.firms.models import Firm
from riskshare.institutions.models import Institution
from riskshare.loans.models import EVENT_KINDS, LOAN_STATES, Loan, LoanEvent
from riskshare.plugins.ask import facts, require
from riskshare.plugins.attributes import check_attributes
from riskshare.plugins.defaults import CORE
from riskshare.plugins.types import Decision, LoanEventView, LoanView
from riskshare.plugins.views import firm_view, institution_view, loan_view, program_view
from riskshare.programs.service import program_in_force
from riskshare.sanctions.standing import honour_standings
from riskshare.services import already_done, lock_for_change, not_found, on_effective_date
from riskshare.workflow.transitions import transition


def _institution(ctx: Context, inst_id: int | None, kinds: tuple[str, ...], field: str) -> Any:
    if inst_id is None:
        return None
    inst = ctx.session.get(Institution, inst_id)
    if inst is None or inst.kind not in kinds:
        raise Invalid(
            f"{field} must be an institution of kind {'/'.join(kinds)}.",
            errors=[{"pointer": f"/{field}", "detail": "unknown"}],
        )
    return inst


def register_loan(ctx: Context, data: dict[str, Any]) -> Loan:
    firm = ctx.session.get(Firm, data["firm_id"])
    if firm is None:
        raise Invalid(
            f"There is no firm {data['firm_id']}.",
            errors=[{"pointer": "/firm_id", "detail": "unknown firm"}],
        )
    lender = _institution(ctx, data["lender_id"], ("bank",), "lender_id")
    guarantor = _institution(ctx, data.get("guarantor_id"), ("guarantor",), "guarantor_id")
    _institution(ctx, data.get("insurer_id"), ("insurer",), "insurer_id")
    if ctx.institution_id is not None and ctx.institution_id not in (
        data["lender_id"],
        data.get("guarantor_id"),
        data.get("insurer_id"),
    ):
        raise Forbidden(
            "You may register only loans of your own institution.",
            kind="forbidden-institution",
        )
    if data["maturity_date"] < data["issue_date"]:
        raise Invalid(
            "maturity_date is before issue_date.",
            errors=[{"pointer": "/maturity_date", "detail": "before issue_date"}],
        )
    outstanding = data["principal"] if data.get("outstanding") is None else data["outstanding"]
    if outstanding > data["principal"]:
        raise Invalid(
            f"outstanding ({outstanding}) is more than the principal ({data['principal']}).",
            errors=[{"pointer": "/outstanding", "detail": "above principal"}],
        )
    if ctx.session.scalar(
        select(Loan.id).where(
            Loan.lender_id == data["lender_id"], Loan.reference == data["reference"]
        )
    ):
        raise Conflict(
            f"The lender already registered loan '{data['reference']}'.",
            errors=[{"pointer": "/reference", "detail": "duplicate"}],
        )
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=data["issue_date"], previous="its issue"
    )
    program = program_in_force(ctx, data["issue_date"], data.get("program_id"))
    attributes = check_attributes(ctx.pm, [program.policy], "loan", data.get("attributes"))
    pview = program_view(program)
    view = LoanView(
        id=None,
        reference=data["reference"],
        kind=data["kind"],
        principal=data["principal"],
        outstanding=outstanding,
        issue_date=data["issue_date"],
        maturity_date=data["maturity_date"],
        purpose=data["purpose"],
        classification=data.get("classification", "normal"),
        state="active",
        firm_id=firm.id,
        lender_id=lender.id,
        guarantor_id=guarantor.id if guarantor else None,
        insurer_id=data.get("insurer_id"),
        covered=None,
        attributes=attributes,
        program_id=program.id,
        registered_on=ctx.today,
    )
    decision = require(
        ctx.hook.riskshare_loan_coverage(
            program=pview,
            loan=view,
            firm=firm_view(firm),
            lender=institution_view(lender),
            guarantor=institution_view(guarantor) if guarantor else None,
            facts=facts(ctx, program.id),
        ),
        "loan coverage",
        program.policy,
    )
    decision = _honour_standings(ctx, program.id, decision, view, view.issue_date, ctx.today)
    loan = Loan(
        program_id=program.id,
        firm_id=firm.id,
        lender_id=lender.id,
        guarantor_id=view.guarantor_id,
        insurer_id=view.insurer_id,
        reference=view.reference,
        kind=view.kind,
        principal=view.principal,
        outstanding=view.outstanding,
        registered_outstanding=view.outstanding,
        registered_classification=view.classification,
        issue_date=view.issue_date,
        maturity_date=view.maturity_date,
        registered_on=ctx.today,
        purpose=view.purpose,
        classification=view.classification,
        covered=decision.allowed,
        coverage=decision.as_json(),
        attributes=dict(view.attributes),
    )
    ctx.session.add(loan)
    ctx.session.flush()
    record_event(ctx, "loan.register", loan)
    return loan


def merge_patch(current: dict[str, Any] | None, patch: dict[str, Any]) -> dict[str, Any]:
    """Attributes after a JSON merge patch (RFC 7396, one level): a key set to null is
    removed, any other given key replaces its value, keys not given stay."""
    merged = dict(current or {})
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


# What may be corrected on a registered loan: the facts the policy reads that do not move
# money. Not its ids, program or parties (register the right loan instead), nor its
# principal, outstanding or classification, which events change and claims rely on.
LOAN_CORRECTABLE = ("purpose", "maturity_date", "attributes")

COVERAGE_KEPT = "CORE-COVERAGE-KEPT"


def redecide_coverage(ctx: Context, program: Any, loan: Loan) -> dict[str, Any]:
    """Ask the loan's policy again whether it is covered, after its facts were corrected.

    Only a loan still active with no claim on it: once it is overdue, claimed, closed or
    written off, its coverage has been relied on (a claim, a plan, a payment) and stays, with
    an explanation of why. The caller holds the program's lock.
    """
    before = loan.covered
    claims = ctx.session.scalar(select(func.count(Claim.id)).where(Claim.loan_id == loan.id))
    if loan.state != "active" or claims:
        kept = Explanation(
            COVERAGE_KEPT,
            CORE,
            "kept",
            f"贷款状态为{labels.loan_state_zh(loan.state)}，已有 {claims} 笔代偿申请；"
            "已作出的纳入决定不再改变。",
            f"The loan is {loan.state} with {claims} claim(s) on it; its coverage has been"
            " relied on and is not decided again.",
            inputs={"state": loan.state, "claims": claims},
        )
        return _coverage_change(loan, before, False, [kept.as_dict()])
    firm = ctx.session.get_one(Firm, loan.firm_id)
    lender = ctx.session.get_one(Institution, loan.lender_id)
    guarantor = ctx.session.get(Institution, loan.guarantor_id) if loan.guarantor_id else None
    decision = require(
        ctx.hook.riskshare_loan_coverage(
            program=program_view(program),
            loan=loan_view(loan),
            firm=firm_view(firm),
            lender=institution_view(lender),
            guarantor=institution_view(guarantor) if guarantor else None,
            facts=facts(ctx, program.id),
        ),
        "loan coverage",
        program.policy,
    )
    # Decided again as it was decided at its registration: with the parties' standing on its
    # issue and registration days (a correction is not new business).
    decision = _honour_standings(
        ctx, program.id, decision, loan_view(loan), loan.issue_date, loan.registered_on
    )
    snapshot_before = snapshot(loan)
    loan.covered = decision.allowed
    loan.coverage = decision.as_json()
    ctx.session.flush()
    record_event(ctx, "loan.redecide_coverage", loan, before=snapshot_before)
    return _coverage_change(loan, before, True, loan.coverage)


def _honour_standings(
    ctx: Context, program_id: int, decision: Decision, loan: LoanView, *days: dt.date
) -> Decision:
    """The policy's coverage ``decision``, refused when the lender, guarantor, insurer or
    firm is suspended, revoked or banned on one of ``days`` (``honour_standings``)."""
    subjects = [
        ("institution", loan.lender_id),
        ("institution", loan.guarantor_id),
        ("institution", loan.insurer_id),
        ("firm", loan.firm_id),
    ]
    return honour_standings(decision, facts(ctx, program_id), subjects, *days)


def _coverage_change(
    loan: Loan, before: bool, redecided: bool, explanations: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "loan_id": loan.id,
        "reference": loan.reference,
        "redecided": redecided,
        "covered_before": before,
        "covered": loan.covered,
        "changed": loan.covered != before,
        "coverage": explanations,
    }


def correct_loan(ctx: Context, loan_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Correct a loan's purpose, maturity or attributes (its lender, or the office); the
    policy decides its coverage again and explains it.

    Locked with its program, as every change of committed money is: a claim filed at the
    same moment sees the loan either before the correction or after it, never in between.
    """
    changes = {k: v for k, v in data.items() if k in LOAN_CORRECTABLE}
    if not changes:
        raise Problem(
            422,
            f"Name at least one field to correct: {', '.join(LOAN_CORRECTABLE)}.",
            kind="validation",
            errors=[{"pointer": "", "detail": "nothing to correct"}],
        )
    program, loan = lock_for_change(
        ctx, visible_loans(ctx).where(Loan.id == loan_id), "loan", loan_id
    )
    if ctx.institution_id is not None and ctx.institution_id != loan.lender_id:
        raise Problem(
            403,
            "Only the loan's lender (or the office) may correct it.",
            kind="forbidden-institution",
        )
    if "attributes" in changes:
        changes["attributes"] = check_attributes(
            ctx.pm, [program.policy], "loan", merge_patch(loan.attributes, changes["attributes"])
        )
    if changes.get("maturity_date", loan.maturity_date) < loan.issue_date:
        raise Problem(
            422,
            f"maturity_date is before the loan's issue_date ({loan.issue_date}).",
            kind="validation",
            errors=[{"pointer": "/maturity_date", "detail": "before issue_date"}],
        )
    before = snapshot(loan)
    for key, value in changes.items():
        setattr(loan, key, value)
    ctx.session.flush()
    record_event(ctx, "loan.correct", loan, before=before)
    return {
        "loan": loan,
        "corrected": sorted(changes),
        "coverage_change": redecide_coverage(ctx, program, loan),
    }


def visible_loans(ctx: Context) -> Any:
    query = select(Loan).order_by(Loan.id)
    if ctx.institution_id is not None:
        inst = ctx.institution_id
        query = query.where(
            or_(Loan.lender_id == inst, Loan.guarantor_id == inst, Loan.insurer_id == inst)
        )
    return query


def get_loan(ctx: Context, loan_id: int) -> Loan:
    loan = ctx.session.scalar(visible_loans(ctx).where(Loan.id == loan_id))
    if loan is None:
        raise not_found("loan", loan_id)
    return loan


def file_event(ctx: Context, loan_id: int, data: dict[str, Any]) -> LoanEvent:
    # Locked with its program, as every change of a loan's money is: two repayments filed at
    # the same moment each see the other's outstanding, and a claim sees both.
    program, loan = lock_for_change(
        ctx, visible_loans(ctx).where(Loan.id == loan_id), "loan", loan_id
    )
    # effective_on: the day it was filed, when that is not today (loading history).
    ctx = on_effective_date(ctx, data.get("effective_on"))
    pview = program_view(program)
    kind = data["kind"]
    first = ctx.session.scalar(
        select(LoanEvent).where(
            LoanEvent.loan_id == loan.id,
            LoanEvent.kind == kind,
            LoanEvent.event_date == data["event_date"],
        )
    )
    if first is not None:
        raise already_done(
            f"The {kind} of {first.event_date} is filed on this loan already: event"
            f" {first.id}, filed by {first.filed_by} on {first.filed_on}.",
            event_id=first.id,
        )
    if data["event_date"] > ctx.today:
        raise Invalid(
            "event_date is in the future.",
            errors=[{"pointer": "/event_date", "detail": "after today"}],
        )
    latest = ctx.session.scalar(
        select(func.max(LoanEvent.event_date)).where(LoanEvent.loan_id == loan.id)
    )
    if latest is not None and data["event_date"] < latest:
        # In order, so that each event's values after it tell how the loan stood then.
        raise Invalid(
            f"event_date {data['event_date']} is before this loan's latest event"
            f" ({latest}); file a loan's events in the order they happened.",
            errors=[{"pointer": "/event_date", "detail": "before the latest event"}],
        )
    if kind == "classification_change" and not data.get("classification"):
        raise Invalid(
            "A classification change names the new classification.",
            errors=[{"pointer": "/classification", "detail": "required"}],
        )
    if kind == "guarantor_payout" and (data.get("amount") is None or loan.guarantor_id is None):
        raise Invalid(
            "A guarantor payout needs an amount and a guaranteed loan.",
            errors=[{"pointer": "/amount", "detail": "required"}],
        )
    event_data = check_attributes(ctx.pm, [program.policy], "event", data.get("data"), at="/data")
    outstanding = data.get("outstanding")
    if kind == "repayment":
        outstanding = _repaid(loan, data.get("amount"), outstanding)
    institution_id = ctx.institution_id or (
        loan.guarantor_id if kind == "guarantor_payout" else loan.lender_id
    )
    event_view = LoanEventView(
        kind,
        data["event_date"],
        ctx.today,
        institution_id,
        data.get("amount"),
        event_data,
    )
    decision = require(
        ctx.hook.riskshare_loan_event(
            program=pview,
            loan=loan_view(loan),
            event=event_view,
            calendar=ctx.calendar,
            facts=facts(ctx, program.id),
        ),
        "loan event",
        program.policy,
    )
    if not decision.accepted:
        refusing = next((e for e in decision.explanations if not e.passed), None)
        raise refused(refusing.as_dict() if refusing else {"rule": "?", "en": "refused"})
    changes: dict[str, Any] = {}
    if kind == "classification_change":
        changes["classification"] = data["classification"]
    if outstanding is not None:
        changes["outstanding"] = outstanding
    transition(ctx, LOAN_STATES, loan, EVENT_KINDS[kind], pview, changes)
    event = LoanEvent(
        loan_id=loan.id,
        kind=kind,
        event_date=data["event_date"],
        filed_on=ctx.today,
        filed_by=ctx.actor,
        institution_id=institution_id,
        due_on=decision.deadline.due if decision.deadline else None,
        late=decision.late,
        working_days_late=decision.working_days_late,
        amount=data.get("amount"),
        outstanding=loan.outstanding,
        classification=loan.classification,
        state=loan.state,
        data=event_data,
        explanations=explanations_as_json(list(decision.explanations)),
    )
    ctx.session.add(event)
    ctx.session.flush()
    record_event(ctx, f"loan_event.{kind}", event)
    return event


def _repaid(loan: Loan, amount: Decimal | None, given: Decimal | None) -> Decimal:
    """The loan's outstanding principal after a repayment of ``amount``."""
    if amount is None or amount <= 0:
        raise Invalid(
            "A repayment needs the principal repaid, a positive amount.",
            errors=[{"pointer": "/amount", "detail": "required, positive"}],
        )
    if amount > loan.outstanding:
        raise Invalid(
            f"The repayment ({amount}) exceeds the loan's outstanding principal"
            f" ({loan.outstanding}).",
            errors=[{"pointer": "/amount", "detail": "above outstanding"}],
        )
    after = loan.outstanding - amount
    if given is not None and given != after:
        raise Invalid(
            f"After repaying {amount} of {loan.outstanding} the outstanding principal is"
            f" {after}, not {given}; leave outstanding out.",
            errors=[{"pointer": "/outstanding", "detail": "not outstanding less amount"}],
        )
    return after


def loan_events(ctx: Context, loan_id: int) -> list[LoanEvent]:
    get_loan(ctx, loan_id)
    return list(
        ctx.session.scalars(
            select(LoanEvent).where(LoanEvent.loan_id == loan_id).order_by(LoanEvent.id)
        )
    )


@dataclass(frozen=True)
class LoanSearch:
    """The loan register's filters; None: not filtered. ``text`` matches the loan's
    reference, the firm's name or its USCC; the dates bound the issue date."""

    text: str | None = None
    state: str | None = None
    institution_id: int | None = None
    firm_id: int | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    covered: bool | None = None


@dataclass(frozen=True)
class RegisterRow:
    loan: Loan
    firm: str
    lender: str


def search_loans(ctx: Context, search: LoanSearch) -> Any:
    """The visible loans matching ``search``, with their firm's and lender's names,
    newest issue first."""
    query = (
        visible_loans(ctx)
        .order_by(None)
        .join(Firm, Firm.id == Loan.firm_id)
        .join(Institution, Institution.id == Loan.lender_id)
        .add_columns(Firm.name, Institution.name)
        .order_by(Loan.issue_date.desc(), Loan.id.desc())
    )
    if search.text:
        like = f"%{search.text.strip()}%"
        query = query.where(
            or_(Loan.reference.ilike(like), Firm.name.ilike(like), Firm.uscc.ilike(like))
        )
    if search.state:
        query = query.where(Loan.state == search.state)
    if search.institution_id is not None:
        inst = search.institution_id
        query = query.where(
            or_(Loan.lender_id == inst, Loan.guarantor_id == inst, Loan.insurer_id == inst)
        )
    if search.firm_id is not None:
        query = query.where(Loan.firm_id == search.firm_id)
    if search.issued_from is not None:
        query = query.where(Loan.issue_date >= search.issued_from)
    if search.issued_to is not None:
        query = query.where(Loan.issue_date <= search.issued_to)
    if search.covered is not None:
        query = query.where(Loan.covered.is_(search.covered))
    return query


def loan_register(
    ctx: Context, search: LoanSearch, *, page: int = 1, per_page: int = 20
) -> tuple[list[RegisterRow], int]:
    """One page of the register and the number of loans matching; ``per_page`` 0: all."""
    query = search_loans(ctx, search)
    total = ctx.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if per_page:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    rows = [RegisterRow(loan, firm, lender) for loan, firm, lender in ctx.session.execute(query)]
    return rows, int(total or 0)


def loan_parties(ctx: Context, loan: Loan) -> dict[str, Any]:
    """Who a visible loan is for and with: the firm (name, USCC) and the names of its
    lender, guarantor and insurer (None where it has none)."""
    firm = ctx.session.get(Firm, loan.firm_id)

    def name(inst_id: int | None) -> str | None:
        found = ctx.session.get(Institution, inst_id) if inst_id else None
        return found.name if found else None

    return {
        "firm": firm.name if firm else None,
        "uscc": firm.uscc if firm else None,
        "lender": name(loan.lender_id),
        "guarantor": name(loan.guarantor_id),
        "insurer": name(loan.insurer_id),
    }
