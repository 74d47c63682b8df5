"""Overdue filings, guarantor payouts, claims and what they are worth (X-08 … X-11, X-13, X-14)."""

from __future__ import annotations

from decimal import Decimal

from riskshare.toolkit import (
    ClaimView,
    Compensation,
    Decision,
    EventDecision,
    Facts,
    LoanEventView,
    LoanView,
    WorkdayCalendar,
    institution_in_good_standing,
    to_money,
)
from riskshare_xinxiang.config import Config
from riskshare_xinxiang.explain import explain

CREDIT_REPORT = "credit_report"
ZERO = Decimal("0.00")


def loan_event(
    cfg: Config, loan: LoanView, event: LoanEventView, calendar: WorkdayCalendar, facts: Facts
) -> EventDecision | None:
    if event.kind == "overdue_filing":
        return _overdue_filing(cfg, loan, event, calendar)
    if event.kind == "guarantor_payout":
        return _payout(cfg, loan, event, facts)
    return None  # the core's default records other events without a deadline


def _overdue_filing(
    cfg: Config, loan: LoanView, event: LoanEventView, calendar: WorkdayCalendar
) -> EventDecision:
    deadline = calendar.add_working_days(event.event_date, cfg.filing_days)
    late = event.filed_on > deadline.due
    days_late = calendar.working_days_between(deadline.due, event.filed_on) if late else 0
    accepted = not (late and cfg.late_filing == "reject")
    # For a guaranteed loan the guarantee company files (第九条).
    guaranteed = loan.kind == "guaranteed"
    filer, filer_en = ("担保公司", "guarantee company") if guaranteed else ("贷款银行", "lender")
    explanation = explain(
        "X-08",
        ("late" if late else "on time") + ("" if accepted else ", refused"),
        f"逾期发生于 {event.event_date}，{filer}应在 {cfg.filing_days} 个工作日内"
        f"（{deadline.due}前）备案；{event.filed_on} 备案"
        + (f"，逾期 {days_late} 个工作日" if late else "，按时")
        + "。",
        f"Overdue on {event.event_date}; the {filer_en}"
        f" files within {cfg.filing_days} working days (by {deadline.due}); filed {event.filed_on}"
        + (f", {days_late} working days late" if late else ", on time")
        + "."
        + ("" if accepted else " Late filings are refused under this program's config."),
        passed=accepted,
        threshold=deadline.due,
        event_date=event.event_date,
        filed_on=event.filed_on,
        provisional=deadline.provisional,
        late_filing=cfg.late_filing,
    )
    return EventDecision(accepted, deadline, late, days_late, [explanation])


def overdue_since(facts: Facts, loan: LoanView) -> LoanEventView | None:
    if loan.id is None:  # a loan not yet registered has no events
        return None
    filings = [e for e in facts.loan_events(loan.id) if e.kind == "overdue_filing"]
    return filings[0] if filings else None


def _payout(cfg: Config, loan: LoanView, event: LoanEventView, facts: Facts) -> EventDecision:
    overdue = overdue_since(facts, loan)
    if overdue is None:
        return EventDecision(
            False,
            explanations=[
                explain(
                    "X-10",
                    "refused",
                    "代偿前须先备案逾期。",
                    "File the overdue before recording the guarantor's payout.",
                    passed=False,
                )
            ],
        )
    days = (event.event_date - overdue.event_date).days
    late = days > cfg.payout_days
    explanation = explain(
        "X-10",
        "late" if late else "on time",
        f"逾期日 {overdue.event_date}，代偿日 {event.event_date}，逾期 {days} 天"
        + (f"，超过 {cfg.payout_days} 天，予以标注。" if late else "。"),
        f"Overdue since {overdue.event_date}, paid out {event.event_date}: day {days}"
        + (f", after day {cfg.payout_days}; flagged." if late else "."),
        threshold=cfg.payout_days,
        overdue_on=overdue.event_date,
        paid_out_on=event.event_date,
        amount=event.amount,
        days_overdue=days,
    )
    return EventDecision(True, None, late, 0, [explanation])


def payouts(facts: Facts, loan: LoanView) -> Decimal:
    if loan.id is None:  # a loan not yet registered has no events
        return Decimal(0)
    return sum(
        (
            e.amount or Decimal(0)
            for e in facts.loan_events(loan.id)
            if e.kind == "guarantor_payout"
        ),
        ZERO,
    )


def claim_eligibility(cfg: Config, loan: LoanView, claim: ClaimView, facts: Facts) -> Decision:
    explanations = institution_in_good_standing(claim.institution_id, facts, claim.submitted_on)
    filed = overdue_since(facts, loan) is not None
    explanations.append(
        explain(
            "X-08",
            "filed" if filed else "not filed",
            "逾期已备案。" if filed else "贷款逾期尚未备案，不能申请补偿。",
            "The overdue was filed." if filed else "The overdue was never filed; file it first.",
            passed=filed,
        )
    )
    guaranteed = loan.kind == "guaranteed"
    if guaranteed:
        paid_out = payouts(facts, loan)
        by_guarantor = claim.institution_id == loan.guarantor_id
        ok = by_guarantor and paid_out > 0 and claim.claimed_principal <= paid_out
        explanations.append(
            explain(
                "X-10",
                "eligible" if ok else "refused",
                f"担保公司代偿后申请；已代偿 {paid_out} 元，申请 {claim.claimed_principal} 元。",
                f"The guarantee company claims after paying out; paid out {paid_out},"
                f" claimed {claim.claimed_principal}.",
                passed=ok,
                threshold=paid_out,
                claimant_is_guarantor=by_guarantor,
            )
        )
    else:
        npl, report = loan.non_performing, CREDIT_REPORT in claim.document_kinds
        explanations.append(
            explain(
                "X-09",
                "eligible" if npl and report else "refused",
                f"贷款分类为 {loan.classification}"
                + ("，属不良" if npl else "，尚非不良")
                + ("；附盖章的企业信用报告。" if report else "；缺少盖章的企业信用报告。"),
                f"The loan is {loan.classification}"
                + (" (non-performing)" if npl else " (not yet non-performing)")
                + (
                    "; the stamped credit report is attached."
                    if report
                    else "; the stamped PBOC credit report is missing."
                ),
                passed=npl and report,
                classification=loan.classification,
                documents=sorted(claim.document_kinds),
            )
        )
    return Decision(all(e.passed for e in explanations), explanations)


def compensation(cfg: Config, loan: LoanView, claim: ClaimView) -> Compensation:
    base = claim.claimed_principal  # principal only: interest and fees are never compensated
    interest = claim.attributes.get("interest_claimed")
    if loan.kind == "guaranteed":
        ratio = Decimal(cfg.guarantee_ratio)
        amount = to_money(base * ratio)
        explanation = explain(
            "X-14",
            str(amount),
            f"担保贷款按代偿本金 {base} 元的 {ratio} 补偿 {amount} 元，利息不予补偿。",
            f"A guaranteed loan: {ratio} of the {base} principal paid out, {amount};"
            " interest is never compensated.",
            threshold=ratio,
            base=base,
            interest_claimed=interest,
        )
    else:
        tier = next((t for t in cfg.tiers if loan.principal <= t.up_to), None)
        ratio = tier.ratio if tier else Decimal("0")
        amount = to_money(base * ratio)
        explanation = explain(
            "X-13",
            str(amount),
            f"原始本金 {loan.principal} 元"
            + (f"（≤ {tier.up_to} 元档）适用 {ratio}" if tier else "超出最高档，不予补偿")
            + f"；不良本金 {base} 元，补偿 {amount} 元，利息、费用不予补偿。",
            f"Original principal {loan.principal}"
            + (f" (tier up to {tier.up_to}) takes {ratio}" if tier else " is above every tier")
            + f"; non-performing principal {base} gives {amount}; interest and fees are never"
            " compensated.",
            passed=tier is not None,
            threshold=tier.up_to if tier else None,
            principal=loan.principal,
            base=base,
            interest_claimed=interest,
        )
    return Compensation(base, ratio, amount, [explanation])
