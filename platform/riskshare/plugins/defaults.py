"""The core's own answers, registered as a plugin like any policy (``trylast``).

Each default is also a named function, exported by ``riskshare.toolkit``, so that a policy
answering a hook can build on the default (call it, then add its own checks or change what
it returns) instead of copying it.

They apply when a policy has nothing to say on a question: one reviewer approves a claim,
plans cover a calendar year and pay in order of approval within what the pool holds,
recoveries return pro rata into the pool, and a clawback takes back everything paid. The
questions no locality can leave open (is a loan covered, what is a claim worth) have no
default: the core answers 500-free with a clear refusal when no policy answers them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from riskshare import labels
from riskshare.calendar import Deadline, WorkdayCalendar
from riskshare.explain import CORE_CLAUSE, CORE_CLAUSE_EN, Explanation
from riskshare.plugins.hookspec import hookimpl
from riskshare.plugins.types import (
    Allocation,
    AllocationLine,
    BanDecision,
    ClaimDue,
    ClaimView,
    ClawbackDecision,
    Decision,
    EventDecision,
    Facts,
    FirmView,
    InstitutionView,
    LoanEventView,
    LoanView,
    PaymentView,
    Period,
    ProgramView,
    RecoveryDecision,
    RecoveryView,
    WriteOffDecision,
    WriteOffView,
    to_money,
)

CORE = CORE_CLAUSE
ZERO = Decimal("0.00")


@hookimpl(trylast=True)
def riskshare_loan_event(
    program: ProgramView,
    loan: LoanView,
    event: LoanEventView,
    calendar: WorkdayCalendar,
    facts: Facts,
) -> EventDecision:
    return accept_event(event)


def accept_event(event: LoanEventView) -> EventDecision:
    """CORE-EVENT: the event is recorded, with no deadline and never late."""
    return EventDecision(
        True,
        explanations=[
            Explanation(
                "CORE-EVENT",
                CORE,
                "accepted",
                "事件已登记，本政策未设期限。",
                "Event recorded; the policy sets no deadline for it.",
                inputs={"kind": event.kind, "event_date": event.event_date},
            )
        ],
    )


@hookimpl(trylast=True)
def riskshare_claim_eligibility(
    program: ProgramView, loan: LoanView, claim: ClaimView, facts: Facts
) -> Decision:
    return Decision(True, [])


@hookimpl(trylast=True)
def riskshare_required_reviews(program: ProgramView, claim: ClaimView, facts: Facts) -> list[str]:
    return ["reviewer"]


@hookimpl(trylast=True)
def riskshare_plan_period(program: ProgramView, day: dt.date) -> Period:
    return calendar_year(day)


def calendar_year(day: dt.date) -> Period:
    """The calendar year ``day`` falls in, labelled ``"2024"``."""
    return Period(str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


def _pool_explanation(capacity: Decimal, requested: Decimal) -> Explanation:
    return Explanation(
        "CORE-POOL",
        CORE,
        str(capacity),
        f"资金池余额 {capacity} 元，申请补偿合计 {requested} 元。",
        f"The pool holds {capacity}; approved claims ask {requested}.",
        inputs={"requested": requested},
        threshold=capacity,
        passed=requested <= capacity,
    )


@hookimpl(trylast=True)
def riskshare_propose_allocation(
    program: ProgramView, period: Period, dues: list[ClaimDue], facts: Facts
) -> Allocation:
    return allocate_within_pool(dues, facts)


def allocate_within_pool(
    dues: list[ClaimDue], facts: Facts, capacity: Decimal | None = None
) -> Allocation:
    """Pay the dues in order (oldest approval first) until ``capacity`` (default: what the
    pool holds) runs out; what does not fit is carried to a later plan (CORE-POOL)."""
    if capacity is None:
        capacity = facts.pool_balance()
    requested = sum((d.outstanding for d in dues), ZERO)
    left = capacity
    lines = []
    for due in dues:
        pay = min(due.outstanding, max(left, ZERO))
        left -= pay
        lines.append(AllocationLine(due.claim_id, pay, due.outstanding - pay))
    return Allocation(capacity, lines, [_pool_explanation(capacity, requested)])


@hookimpl(trylast=True)
def riskshare_check_allocation(
    program: ProgramView, period: Period, lines: list[AllocationLine], facts: Facts
) -> Decision:
    return allocation_within_pool(lines, facts)


def allocation_within_pool(lines: list[AllocationLine], facts: Facts) -> Decision:
    """CORE-POOL: the plan's lines together stay within what the pool holds."""
    capacity = facts.pool_balance()
    total = sum((line.allocated for line in lines), ZERO)
    explanation = _pool_explanation(capacity, total)
    return Decision(explanation.passed, [explanation])


def institution_in_good_standing(
    institution_id: int | None, facts: Facts, on: dt.date
) -> list[Explanation]:
    """The refusals an institution meets on ``on``: its cooperation suspended or revoked
    (CORE-COOP, result ``suspended`` or ``revoked``) since that day or before, or a ban in
    force (CORE-BAN).

    The core asks this itself, with the policy's own standing decisions
    (``riskshare.toolkit.suspend``), for every new coverage, claim, place in a plan and
    payment (``riskshare.sanctions.standing``), whatever the hooks answer; a policy cites
    them through its ``PolicyDescriptor.cites``."""
    if institution_id is None:
        return []
    inst = facts.institution(institution_id)
    refusals = []
    since = inst.cooperation_since
    if inst.cooperation != "active" and (since is None or since <= on):
        state = labels.cooperation_zh(inst.cooperation)
        refusals.append(
            Explanation(
                "CORE-COOP",
                CORE,
                inst.cooperation,
                f"{inst.name} 自 {since} 起{state}，其间不予纳入补偿范围、不受理补偿申请、"
                "不予补偿。"
                if since
                else f"{inst.name} {state}，其间不予纳入补偿范围、不受理补偿申请、不予补偿。",
                f"{inst.name} is {inst.cooperation}"
                + (f" since {since}" if since else "")
                + "; meanwhile none of its loans is covered, none of its claims accepted and"
                " nothing paid to it.",
                inputs={
                    "institution": inst.code,
                    "cooperation": inst.cooperation,
                    "cooperation_since": since,
                    "reason": inst.cooperation_reason,
                },
                passed=False,
            )
        )
    for reason in facts.active_bans("institution", institution_id, on):
        # "<rule>: <reason>": the Chinese sentence gives the office's reason, not the rule's
        # code (the rule is the explanation's own, through the policy's cites).
        why = reason.partition(": ")[2] or reason
        refusals.append(
            Explanation(
                "CORE-BAN",
                CORE,
                "banned",
                f"{inst.name} 在禁入期内，不予纳入补偿范围、不受理补偿申请、不予补偿：{why}",
                f"{inst.name} is banned; none of its loans is covered, none of its claims"
                f" accepted and nothing paid to it: {reason}",
                inputs={"institution": inst.code, "ban": reason},
                passed=False,
            )
        )
    return refusals


@hookimpl(trylast=True)
def riskshare_check_payment(program: ProgramView, payment: PaymentView, facts: Facts) -> Decision:
    return default_payment_check(payment, facts)


def default_payment_check(payment: PaymentView, facts: Facts, *more: Explanation) -> Decision:
    """The core's payment check, for a policy to build on: the pool holding the payment,
    plus the policy's own explanations ``more``. (The payee's standing, cooperation and bans
    the core checks itself whatever the policy answers.)"""
    explanations = [pool_check(payment, facts), *more]
    return Decision(all(e.passed for e in explanations), explanations)


def pool_check(payment: PaymentView, facts: Facts) -> Explanation:
    """CORE-POOL: the pool holds the payment."""
    balance = facts.pool_balance()
    return Explanation(
        "CORE-POOL",
        CORE,
        "paid" if payment.amount <= balance else "refused",
        f"资金池余额 {balance} 元，本次支付 {payment.amount} 元。",
        f"The pool holds {balance}; this payment is {payment.amount}.",
        inputs={"amount": payment.amount},
        threshold=balance,
        passed=payment.amount <= balance,
    )


@hookimpl(trylast=True)
def riskshare_recovery(
    program: ProgramView,
    claim: ClaimView,
    recovery: RecoveryView,
    calendar: WorkdayCalendar,
    facts: Facts,
) -> RecoveryDecision:
    return pro_rata_recovery(
        claim,
        recovery,
        facts,
        rule="CORE-RECOVERY",
        clause=(CORE_CLAUSE, CORE_CLAUSE_EN),
        deadline=None,
    )


def pro_rata_recovery(
    claim: ClaimView,
    recovery: RecoveryView,
    facts: Facts,
    *,
    rule: str,
    clause: tuple[str, str],
    deadline: Deadline | None,
    destination: str = "pool",
    titles: tuple[str, str] = ("补偿资金池", "the pool"),
) -> RecoveryDecision:
    """Return (recovered − costs) × the claim's ratio, never more than was compensated.

    This is the core's default (``CORE-RECOVERY``: into the pool, no deadline), and a helper
    for policies whose texts say the same and differ only in where the money goes (one of
    their ``recovery_destinations``, named in zh and en by ``titles``) and by when.
    """
    assert claim.id is not None and claim.ratio is not None
    paid = facts.paid(claim_id=claim.id)
    # What earlier recoveries made due counts whether or not it came back yet, so two
    # recoveries reported before either is returned never owe the same compensation twice.
    returned = facts.recoveries_due(claim_id=claim.id)
    remaining = max(paid - returned, ZERO)
    net = max(recovery.recovered - recovery.costs, ZERO)
    share = to_money(net * claim.ratio)
    due = min(share, remaining)
    explanation = Explanation(
        rule,
        clause[0],
        str(due),
        f"收回 {recovery.recovered} 元，扣除费用 {recovery.costs} 元，按补偿比例 {claim.ratio}"
        f" 应返还 {share} 元；已补偿 {paid} 元、已返还 {returned} 元，本次返还 {due} 元，"
        f"缴入{titles[0]}。",
        f"Recovered {recovery.recovered} less costs {recovery.costs} at ratio {claim.ratio}"
        f" is {share}; {paid} was compensated and {returned} already returned, so {due} is"
        f" due, to {titles[1]}.",
        inputs={
            "recovered": recovery.recovered,
            "costs": recovery.costs,
            "ratio": claim.ratio,
            "compensated": paid,
            "returned_before": returned,
        },
        threshold=remaining,
        clause_en=clause[1],
    )
    return RecoveryDecision(due, destination, deadline, [explanation])


@hookimpl(trylast=True)
def riskshare_write_off(
    program: ProgramView, loan: LoanView, write_off: WriteOffView, facts: Facts
) -> WriteOffDecision:
    return write_off_unreviewed(loan, write_off)


def write_off_unreviewed(loan: LoanView, write_off: WriteOffView) -> WriteOffDecision:
    """CORE-WRITE-OFF: the institution's write-off takes effect at once, with no review."""
    return WriteOffDecision(
        True,
        [
            Explanation(
                "CORE-WRITE-OFF",
                CORE,
                str(write_off.net_loss),
                f"机构核销贷款 {loan.reference} 的净损失 {write_off.net_loss} 元，无需审核。",
                f"The institution writes off the net loss {write_off.net_loss} of loan"
                f" {loan.reference}; the policy asks for no review.",
                inputs={"ground": write_off.ground, "approved_on": write_off.approved_on},
            )
        ],
    )


@hookimpl(trylast=True)
def riskshare_ban(
    program: ProgramView,
    subject_type: str,
    subject: FirmView | InstitutionView,
    rule: str,
    years: int | None,
    facts: Facts,
) -> BanDecision:
    return ban_as_asked(subject_type, subject, rule, years)


def ban_as_asked(
    subject_type: str, subject: FirmView | InstitutionView, rule: str, years: int | None
) -> BanDecision:
    """CORE-BAN: the ban the office asks for, for as long as it asks (None: for good)."""
    length = f"{years} 年" if years else "永久"
    return BanDecision(
        True,
        years,
        [
            Explanation(
                "CORE-BAN",
                CORE,
                f"{years} years" if years else "for good",
                f"依 {rule} 对 {subject.name} 实施禁入，期限{length}。",
                f"{subject.name} is barred under {rule} "
                + (f"for {years} years." if years else "for good."),
                inputs={"subject_type": subject_type, "rule": rule},
            )
        ],
    )


@hookimpl(trylast=True)
def riskshare_clawback(
    program: ProgramView, institution: InstitutionView, reason: str, facts: Facts
) -> ClawbackDecision:
    return claw_back_everything(institution, reason, facts)


def claw_back_everything(
    institution: InstitutionView, reason: str, facts: Facts
) -> ClawbackDecision:
    """CORE-CLAWBACK: everything paid to the institution and not clawed back before; no ban."""
    due, paid, clawed = clawback_due(institution, facts)
    return ClawbackDecision(
        due,
        None,
        [
            Explanation(
                "CORE-CLAWBACK",
                CORE,
                str(due),
                f"已支付给 {institution.name} 补偿 {paid} 元，此前已责令退回 {clawed} 元，"
                f"本次收回 {due} 元。",
                f"{paid} was paid to {institution.name} and {clawed} clawed back before;"
                f" {due} is clawed back now.",
                inputs={"reason": reason, "paid": paid, "clawed_back_before": clawed},
                threshold=paid,
            )
        ],
    )


def clawback_due(institution: InstitutionView, facts: Facts) -> tuple[Decimal, Decimal, Decimal]:
    """(due, paid, clawed back before): what was paid to the institution and not yet
    ordered back, so a second clawback never claims the same money again."""
    paid = facts.paid(institution_id=institution.id)
    clawed = facts.clawed_back(institution_id=institution.id)
    return max(paid - clawed, ZERO), paid, clawed
