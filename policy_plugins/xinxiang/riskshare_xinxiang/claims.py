"""Overdue filings, guarantor payouts, claims and what they are worth (X-08 … X-11, X-13, X-14)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from riskshare.toolkit import (
    ClaimView,
    Compensation,
    Decision,
    EventDecision,
    Explanation,
    Facts,
    LoanEventView,
    LoanView,
    WorkdayCalendar,
    labels,
    to_money,
)
from riskshare_xinxiang.config import Config
from riskshare_xinxiang.explain import explain, explain_guarantor

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


def _guaranteed(loan: LoanView) -> bool:
    return loan.kind == "guaranteed" and loan.guarantor_id is not None


def _overdue_filing(
    cfg: Config, loan: LoanView, event: LoanEventView, calendar: WorkdayCalendar
) -> EventDecision:
    if _guaranteed(loan) and event.institution_id != loan.guarantor_id:
        # 第十条: on a guaranteed loan the guarantee company's own filing is the one that
        # counts; a filing by anyone else would take the day's filing from it.
        return EventDecision(
            False,
            explanations=[
                explain_guarantor(
                    "X-08",
                    "refused",
                    "担保贷款的逾期由担保公司自行向智慧金融平台备案，请由担保公司备案。",
                    "On a guaranteed loan the guarantee company files the overdue itself;"
                    " have the guarantee company file it.",
                    passed=False,
                    filed_by_institution=event.institution_id,
                    guarantor=loan.guarantor_id,
                )
            ],
        )
    rules = explain_guarantor if _guaranteed(loan) else explain
    deadline = calendar.add_working_days(event.event_date, cfg.filing_days)
    late = event.filed_on > deadline.due
    days_late = calendar.working_days_between(deadline.due, event.filed_on) if late else 0
    accepted = not (late and cfg.late_filing == "reject")
    filer, filer_en = (
        ("担保公司", "guarantee company") if _guaranteed(loan) else ("贷款银行", "lender")
    )
    explanation = rules(
        "X-08",
        ("late" if late else "on time") + ("" if accepted else ", refused"),
        f"逾期发生于 {event.event_date}，{filer}应在 {cfg.filing_days} 个工作日内"
        f"（{deadline.due}前）备案；{event.filed_on} 备案"
        + (f"，逾期 {days_late} 个工作日" if late else "，按时")
        + ("" if accepted else "，本计划不接受逾期备案")
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
    """The overdue filing that counts: the first one, and on a guaranteed loan the guarantee
    company's own (第十条)."""
    if loan.id is None:  # a loan not yet registered has no events
        return None
    filings = [
        e
        for e in facts.loan_events(loan.id)
        if e.kind == "overdue_filing"
        and (not _guaranteed(loan) or e.institution_id == loan.guarantor_id)
    ]
    return filings[0] if filings else None


def _money(data: Mapping[str, Any], key: str) -> Decimal | None:
    value = data.get(key)
    return None if value is None else Decimal(value)


def _payout(cfg: Config, loan: LoanView, event: LoanEventView, facts: Facts) -> EventDecision:
    principal, interest = _money(event.data, "principal"), _money(event.data, "interest")
    paid = event.amount or ZERO
    if principal is None or interest is None or principal + interest != paid:
        # only the principal paid out is compensated, so a payout states both parts.
        return EventDecision(
            False,
            explanations=[
                explain(
                    "X-14",
                    "refused",
                    f"代偿金额 {paid} 元须分列代偿本金和代偿利息（两者之和等于代偿金额），"
                    "只有代偿本金计入补偿基数。",
                    f"A payout of {paid} states the principal and the interest paid out"
                    " (data.principal and data.interest, adding up to the amount): only the"
                    " principal is compensated.",
                    passed=False,
                    amount=paid,
                    principal=principal,
                    interest=interest,
                )
            ],
        )
    overdue = overdue_since(facts, loan)
    if overdue is None:
        return EventDecision(
            False,
            explanations=[
                explain(
                    "X-10",
                    "refused",
                    "代偿前担保公司须先备案逾期。",
                    "The guarantee company files the overdue before recording its payout.",
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
        + (f"，超过 {cfg.payout_days} 天，予以标注" if late else "")
        + f"；代偿本金 {principal} 元，代偿利息 {interest} 元。",
        f"Overdue since {overdue.event_date}, paid out {event.event_date}: day {days}"
        + (f", after day {cfg.payout_days}; flagged" if late else "")
        + f"; principal {principal} and interest {interest} paid out.",
        threshold=cfg.payout_days,
        overdue_on=overdue.event_date,
        paid_out_on=event.event_date,
        amount=event.amount,
        principal=principal,
        interest=interest,
        days_overdue=days,
    )
    return EventDecision(True, None, late, 0, [explanation])


def payouts(facts: Facts, loan: LoanView) -> tuple[Decimal, Decimal]:
    """(principal, interest) the guarantee company paid out on the loan (X-14)."""
    if loan.id is None:  # a loan not yet registered has no events
        return ZERO, ZERO
    events = [e for e in facts.loan_events(loan.id) if e.kind == "guarantor_payout"]
    return (
        sum((_money(e.data, "principal") or ZERO for e in events), ZERO),
        sum((_money(e.data, "interest") or ZERO for e in events), ZERO),
    )


def claim_eligibility(cfg: Config, loan: LoanView, claim: ClaimView, facts: Facts) -> Decision:
    guaranteed = _guaranteed(loan)
    rules = explain_guarantor if guaranteed else explain
    # The claimant's cooperation and bans the core checks itself (cited X-07 through cites).
    explanations: list[Explanation] = []
    filed = overdue_since(facts, loan) is not None
    filer_zh = "担保公司" if guaranteed else ""
    explanations.append(
        rules(
            "X-08",
            "filed" if filed else "not filed",
            f"{filer_zh}逾期已备案。" if filed else f"贷款逾期{filer_zh}尚未备案，不能申请补偿。",
            ("The guarantee company filed the overdue." if guaranteed else "The overdue was filed.")
            if filed
            else "The overdue was never filed"
            + (" by the guarantee company" if guaranteed else "")
            + "; file it first.",
            passed=filed,
        )
    )
    if guaranteed:
        principal, interest = payouts(facts, loan)
        by_guarantor = claim.institution_id == loan.guarantor_id
        ok = by_guarantor and principal > 0 and claim.claimed_principal <= principal
        explanations.append(
            explain(
                "X-10",
                "eligible" if ok else "refused",
                ("担保公司代偿后申请" if by_guarantor else "担保贷款只能由担保公司代偿后申请")
                + f"；已代偿本金 {principal} 元（另付利息 {interest} 元），"
                f"申请 {claim.claimed_principal} 元。",
                (
                    "The guarantee company claims after paying out"
                    if by_guarantor
                    else "Only the guarantee company claims on a guaranteed loan, after paying out"
                )
                + f"; principal paid out {principal} (interest {interest} besides),"
                f" claimed {claim.claimed_principal}.",
                passed=ok,
                threshold=principal,
                claimant_is_guarantor=by_guarantor,
                principal_paid_out=principal,
                interest_paid_out=interest,
            )
        )
    else:
        npl, report = loan.non_performing, CREDIT_REPORT in claim.document_kinds
        explanations.append(
            explain(
                "X-09",
                "eligible" if npl and report else "refused",
                f"贷款五级分类为{labels.classification_zh(loan.classification)}"
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


def compensation(cfg: Config, loan: LoanView, claim: ClaimView, facts: Facts) -> Compensation:
    base = claim.claimed_principal  # principal only: interest and fees are never compensated
    interest = claim.attributes.get("interest_claimed")
    if _guaranteed(loan):
        ratio = Decimal(cfg.guarantee_ratio)
        amount = to_money(base * ratio)
        principal, interest_paid = payouts(facts, loan)
        explanation = explain(
            "X-14",
            str(amount),
            f"担保公司代偿本金 {principal} 元、代偿利息 {interest_paid} 元；按申请的代偿本金"
            f" {base} 元的 {ratio} 补偿 {amount} 元，代偿利息不计入补偿基数。",
            f"The guarantee company paid out principal {principal} and interest"
            f" {interest_paid}; {ratio} of the {base} principal claimed is {amount}; the"
            " interest is not in the base.",
            threshold=ratio,
            base=base,
            principal_paid_out=principal,
            interest_paid_out=interest_paid,
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
            + (f"（不超过 {tier.up_to} 元档）适用比例 {ratio}" if tier else "超出最高档，不予补偿")
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
