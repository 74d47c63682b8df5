"""The fund's limits: year-end allocation plans and each payment within the caps (X-01, X-12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from riskshare.toolkit import (
    Allocation,
    AllocationLine,
    ClaimDue,
    Decision,
    Explanation,
    Facts,
    PaymentView,
    Period,
    largest_remainder,
)
from riskshare_xinxiang.config import Config
from riskshare_xinxiang.explain import explain

ZERO = Decimal("0.00")

# how the plan shares the room when approved claims ask more than X-01 allows.
MODES_ZH = {
    "pro_rata_carry": "按申请金额比例分配（以最大余数法精确到分：各项先舍去分以下尾数，余下的分"
    "按尾数大小逐分补足，尾数相同者先审批者优先），未安排部分结转下年",
    "pro_rata_drop": "按申请金额比例分配（以最大余数法精确到分：各项先舍去分以下尾数，余下的分"
    "按尾数大小逐分补足，尾数相同者先审批者优先），未安排部分不再结转",
    "first_come": "按审核通过先后顺序安排，未安排部分结转下年",
}
MODES_EN = {
    "pro_rata_carry": "shared pro rata to exactly the room (largest remainder: each share"
    " rounded down to the fen, the fen left over given one by one to the largest remainders,"
    " ties to the earliest approval), the rest carried to next year",
    "pro_rata_drop": "shared pro rata to exactly the room (largest remainder: each share"
    " rounded down to the fen, the fen left over given one by one to the largest remainders,"
    " ties to the earliest approval), the rest not carried",
    "first_come": "paid in order of approval, the rest carried to next year",
}


def _year(day: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def headroom(cfg: Config, facts: Facts, day: dt.date) -> tuple[Decimal, Explanation]:
    """What may still be granted for payment in ``day``'s year under both caps of X-01: the
    config's annual cap and the program's fund.

    Granted but unconfirmed payments (the payable balance) already use the room: a second
    plan in the same year cannot promise the same money twice.
    """
    annual, total = cfg.money("annual_cap"), cfg.fund_total
    year_start, year_end = _year(day)
    paid_year = facts.paid("compensation", start=year_start, end=year_end)
    paid_all = facts.paid("compensation")
    committed = facts.unpaid("compensation")
    room = max(min(annual - paid_year, total - paid_all) - committed, ZERO)
    return room, explain(
        "X-01",
        str(room),
        f"{day.year} 年已支付 {paid_year} 元（年度上限 {annual} 元），累计已支付 {paid_all} 元"
        f"（总额 {total} 元），已批待付 {committed} 元，尚可安排 {room} 元。",
        f"{day.year}: {paid_year} paid against the annual cap {annual}; {paid_all} paid in all"
        f" against {total}; {committed} granted but unpaid; {room} can still be allocated.",
        threshold={"annual_cap": annual, "fund_total": total},
        paid_this_year=paid_year,
        paid_to_date=paid_all,
        committed=committed,
    )


def summary(period: Period, facts: Facts) -> Explanation:
    """X-12 第九条、第十条: every claim that received a review opinion in the period, approved
    or rejected, with its opinions, as the platform sends it to the office with the plan."""
    reviewed: dict[int, dict[str, Any]] = {}
    for review in facts.reviews(start=period.start, end=period.end):
        entry = reviewed.setdefault(
            review.claim_id,
            {
                "claim_id": review.claim_id,
                "institution": facts.institution(review.institution_id).code,
                "opinions": [],
            },
        )
        entry["opinions"].append(
            {
                "role": review.role,
                "decision": review.decision,
                "opinion": review.opinion,
                "reviewed_on": review.reviewed_on,
            }
        )
        # A rejection by any reviewer rejects the claim; otherwise the last opinion stands.
        if entry.get("decision") != "reject":
            entry["decision"] = review.decision
    for claim_id, entry in reviewed.items():
        entry["approved_amount"] = facts.claim(claim_id).approved_amount
    claims = list(reviewed.values())
    approved = sum(1 for c in claims if c["decision"] == "approve")
    rejected = len(claims) - approved
    return explain(
        "X-12",
        f"{len(claims)} reviewed",
        f"{period.label} 年度出具审核意见的补偿申请共 {len(claims)} 项（审核通过 {approved} 项，"
        f"审核不通过 {rejected} 项），连同审核意见汇总报领导小组办公室；"
        "分配方案只安排审核通过的申请。",
        f"In {period.label}, {len(claims)} claims received a review opinion ({approved}"
        f" approved, {rejected} rejected), summarised with their opinions for the leading"
        " group office; the plan pays only the approved ones.",
        threshold=[period.start, period.end],
        reviewed=claims,
        approved=approved,
        rejected=rejected,
    )


def propose(cfg: Config, period: Period, dues: list[ClaimDue], facts: Facts) -> Allocation:
    capacity, cap_explanation = headroom(cfg, facts, facts.today)
    requested = sum((d.outstanding for d in dues), ZERO)
    mode = cfg.over_cap
    if requested <= capacity:
        lines = [AllocationLine(d.claim_id, d.outstanding, ZERO) for d in dues]
    elif mode == "first_come":
        lines, left = [], capacity
        for due in dues:
            pay = min(due.outstanding, left)
            left -= pay
            lines.append(AllocationLine(due.claim_id, pay, due.outstanding - pay))
    else:
        # Pro rata, to exactly the room: floors to the fen, then the fen left over one by
        # one by largest remainder, ties to the earliest approval (dues come in that order).
        shares = largest_remainder(capacity, [d.outstanding for d in dues])
        lines = [
            AllocationLine(
                due.claim_id, pay, due.outstanding - pay if mode == "pro_rata_carry" else ZERO
            )
            for due, pay in zip(dues, shares, strict=True)
        ]
    allocated = sum((line.allocated for line in lines), ZERO)
    over = requested > capacity
    plan = explain(
        "X-12",
        mode if over else "in full",
        f"已审核通过的补偿申请合计 {requested} 元，可安排 {capacity} 元，"
        + (MODES_ZH[mode] if over else "全额安排")
        + f"，本方案安排 {allocated} 元。",
        f"Approved claims ask {requested}; {capacity} can be allocated; "
        + (MODES_EN[mode] if over else "every claim is paid in full")
        + f"; the plan allocates {allocated}.",
        threshold=capacity,
        requested=requested,
        allocated=allocated,
        over_cap=mode,
    )
    return Allocation(capacity, lines, [cap_explanation, plan, summary(period, facts)])


def check_allocation(cfg: Config, lines: list[AllocationLine], facts: Facts) -> Decision:
    capacity, cap_explanation = headroom(cfg, facts, facts.today)
    total = sum((line.allocated for line in lines), ZERO)
    ok = total <= capacity
    return Decision(
        ok,
        [
            cap_explanation,
            explain(
                "X-01",
                "within" if ok else "over",
                f"方案合计 {total} 元，可安排 {capacity} 元。",
                f"The plan allocates {total}; {capacity} is allowed.",
                passed=ok,
                threshold=capacity,
                allocated=total,
            ),
        ],
    )


def check_payment(cfg: Config, payment: PaymentView, facts: Facts) -> Decision:
    annual, total = cfg.money("annual_cap"), cfg.fund_total
    year_start, year_end = _year(payment.paid_on)
    paid_year = facts.paid("compensation", start=year_start, end=year_end)
    paid_all = facts.paid("compensation")
    year_ok = paid_year + payment.amount <= annual
    total_ok = paid_all + payment.amount <= total
    pool = facts.pool_balance()
    explanations = [
        explain(
            "X-01",
            "within" if year_ok and total_ok else "over",
            f"本次支付 {payment.amount} 元；{payment.paid_on.year} 年已支付 {paid_year} 元（上限"
            f" {annual} 元），累计 {paid_all} 元（总额 {total} 元）。",
            f"Paying {payment.amount}: {paid_year} paid in {payment.paid_on.year} (cap {annual}),"
            f" {paid_all} in all (fund {total}).",
            passed=year_ok and total_ok,
            threshold={"annual_cap": annual, "fund_total": total},
            amount=payment.amount,
        ),
        explain(
            "X-01",
            "funded" if payment.amount <= pool else "unfunded",
            f"资金池余额 {pool} 元。",
            f"The pool holds {pool}.",
            passed=payment.amount <= pool,
            threshold=pool,
        ),
    ]
    return Decision(all(e.passed for e in explanations), explanations)
