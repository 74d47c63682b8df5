"""Compensation notices (Y-12): claims are reviewed every half year, and the notice to the
custodian goes out once a year (原则上一年一拨付) unless a half year is a special case that the
DRC asks for, with its reason, and the finance bureau approves (如有特殊情况可调整).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.toolkit import (
    Allocation,
    AllocationLine,
    ClaimDue,
    Context,
    Decision,
    Explanation,
    Facts,
    Period,
    ProgramView,
    allocate_within_pool,
    allocation_within_pool,
    already_done,
    explanations_as_json,
    lock_for_change,
    on_effective_date,
    transition,
)
from riskshare_yanqing.config import setting
from riskshare_yanqing.explain import check, explain
from riskshare_yanqing.models import EXTRA_PAYMENT_STATES, ExtraPayment
from riskshare_yanqing.store import invalid, save, yanqing_program

ZERO = Decimal("0.00")
# The half year whose notice waits for the year's: the second half year ends the year.
FIRST_HALF = "-H1"


def period_zh(label: str) -> str:
    """A half year's label in Chinese: ``2025-H1`` → 2025年上半年 (others as they are)."""
    year, _, half = label.partition("-")
    return {"H1": f"{year}年上半年", "H2": f"{year}年下半年"}.get(half, label)


def approved_extra(s: Session, program_id: int, period: str) -> ExtraPayment | None:
    return s.scalar(
        select(ExtraPayment).where(
            ExtraPayment.program_id == program_id,
            ExtraPayment.period == period,
            ExtraPayment.state == "approved",
        )
    )


def notice(program: ProgramView, period: Period, facts: Facts) -> Explanation:
    """Y-12: whether this period's plan sends the custodian a compensation notice (passed),
    or its approved claims wait for the year's notice (refused)."""
    frequency = setting(program.config, "payment_frequency")
    if frequency == "half_yearly":
        return check(
            "Y-12",
            True,
            f"{period_zh(period.label)}半年审核后即发送代偿通知（每半年拨付）。",
            f"{period.label}: the notice follows each half-year review (payment_frequency ="
            " half_yearly).",
            threshold=frequency,
        )
    if not period.label.endswith(FIRST_HALF):
        return check(
            "Y-12",
            True,
            f"{period_zh(period.label)}为年末审核，发送本年度代偿通知（原则上一年一拨付）。",
            f"{period.label} closes the year: the year's compensation notice goes out"
            " (payment once a year).",
            threshold=frequency,
        )
    extra = approved_extra(facts.session, program.id, period.label)
    if extra is not None:
        return check(
            "Y-12",
            True,
            f"{period_zh(period.label)}因特殊情况单独拨付：{extra.reason}（区财政局于"
            f" {extra.decided_on} 同意）。",
            f"{period.label} is paid on its own as a special case: {extra.reason} (approved by"
            f" the finance bureau on {extra.decided_on}).",
            threshold=frequency,
            extra_payment=extra.id,
        )
    return check(
        "Y-12",
        False,
        f"{period_zh(period.label)}半年审核的结果随年度代偿通知拨付（原则上一年一拨付）；如有特殊情况，"
        "由区发展改革委说明理由、经区财政局同意后单独拨付。",
        f"{period.label}: the half-year review's claims are paid with the year's notice"
        " (payment once a year); a special case is paid on its own when the DRC gives its"
        " reason and the finance bureau approves.",
        threshold=frequency,
    )


def propose_allocation(
    program: ProgramView, period: Period, dues: list[ClaimDue], facts: Facts
) -> Allocation:
    """The core's allocation within the pool when the period sends a notice; otherwise every
    claim is carried, whole, to the year's notice."""
    why = notice(program, period, facts)
    if why.passed:
        base = allocate_within_pool(dues, facts)
        return Allocation(base.capacity, base.lines, [*base.explanations, why])
    lines = [AllocationLine(d.claim_id, ZERO, d.outstanding, [why]) for d in dues]
    return Allocation(ZERO, lines, [why])


def check_allocation(
    program: ProgramView, period: Period, lines: list[AllocationLine], facts: Facts
) -> Decision:
    """The lines within the pool, and nothing allocated in a half year without a notice."""
    base = allocation_within_pool(lines, facts)
    why = notice(program, period, facts)
    if why.passed:
        return Decision(base.allowed, [*base.explanations, why])
    allocated = sum((line.allocated for line in lines), ZERO)
    held = check(
        "Y-12",
        allocated == ZERO,
        f"本期计划拨付 {allocated} 元；{why.zh}",
        f"The plan allocates {allocated}. {why.en}",
        threshold=ZERO,
        allocated=allocated,
    )
    return Decision(base.allowed and held.passed, [*base.explanations, held])


# ------------------------------------------------------------------------------ special case


def request_extra_payment(ctx: Context, program_id: int, data: dict[str, Any]) -> ExtraPayment:
    """Y-12: the DRC asks, with its reason, for a first half year's own notice.

    Under the program's lock: one request per half year (a second is a 409 naming the
    first). Only a first half year waits for the year's notice, and only under
    ``payment_frequency`` = ``annual``.
    """
    pview = yanqing_program(ctx, program_id, lock=True)
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=pview.effective_from, previous="the program"
    )
    period = data["period"]
    if setting(pview.config, "payment_frequency") != "annual":
        raise invalid(
            "Every half year has its own notice under payment_frequency = half_yearly.",
            "/period",
            "no special case needed",
        )
    if not period.endswith(FIRST_HALF):
        raise invalid(
            f"{period} ends the year: its claims go with the year's notice anyway; only a"
            " first half year (YYYY-H1) may be paid on its own.",
            "/period",
            "not a first half year",
        )
    first = ctx.session.scalar(
        select(ExtraPayment).where(
            ExtraPayment.program_id == program_id, ExtraPayment.period == period
        )
    )
    if first is not None:
        raise already_done(
            f"An extra payment for {period} was requested already: request {first.id} on"
            f" {first.requested_on} by {first.requested_by} ({first.state}).",
            extra_payment_id=first.id,
        )
    why = explain(
        "Y-12",
        "requested",
        f"区发展改革委因特殊情况申请 {period} 单独拨付代偿：{data['reason']}",
        f"The DRC asks for {period} to be paid on its own as a special case: {data['reason']}",
        period=period,
    )
    extra = ExtraPayment(
        program_id=program_id,
        period=period,
        reason=data["reason"],
        requested_by=ctx.actor,
        requested_on=ctx.today,
        explanation=explanations_as_json([why]),
    )
    return save(ctx, "yanqing.extra_payment", extra)


def decide_extra_payment(ctx: Context, extra_id: int, data: dict[str, Any]) -> ExtraPayment:
    """Y-12: the finance bureau approves or refuses the DRC's request (under its lock, so a
    second decision is a 409 naming the state the first left)."""
    query = select(ExtraPayment).where(ExtraPayment.id == extra_id)
    _, extra = lock_for_change(ctx, query, "extra payment", extra_id)
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=extra.requested_on, previous="the request"
    )
    pview = yanqing_program(ctx, extra.program_id)
    approved = data["decision"] == "approve"
    why = check(
        "Y-12",
        approved,
        f"区财政局{'同意' if approved else '不同意'} {extra.period} 单独拨付：{data['opinion']}",
        f"The finance bureau {'approves' if approved else 'refuses'} paying {extra.period} on"
        f" its own: {data['opinion']}",
        period=extra.period,
    )
    transition(
        ctx,
        EXTRA_PAYMENT_STATES,
        extra,
        "approve" if approved else "refuse",
        pview,
        {
            "opinion": data["opinion"],
            "decided_by": ctx.actor,
            "decided_on": ctx.today,
            "explanation": [*extra.explanation, *explanations_as_json([why])],
        },
    )
    return extra


def extra_payments(program_id: int) -> Any:
    return (
        select(ExtraPayment).where(ExtraPayment.program_id == program_id).order_by(ExtraPayment.id)
    )
