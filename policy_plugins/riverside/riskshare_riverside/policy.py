"""Riverside county's rules (示例县贷款风险补偿办法), hook by hook.

R-1 coverage: a loan of a known mode ("bank": a bank's credit loan; "guarantee": a loan a
    guarantee company guarantees), at most ``loan_cap``; a guaranteed loan names its guarantor.
R-2 claims: on a non-performing loan, by the lender of a bank loan or the guarantor of a
    guaranteed one.
R-3 compensation: a bank loan's ratio by size tier (``small_ratio`` up to ``small_loan``,
    ``large_ratio`` above it), a guaranteed loan's ``guarantee_ratio``; a firm on the
    county's innovation list adds ``bonus_points``.
R-4 a yearly cap per institution: what the fund grants one institution in a calendar year
    (by the day the plan is approved) is at most ``institution_yearly_cap``.
R-5 the committee reviews each claim and approves each plan; the trust company pays.
R-6 plans settle each quarter once it has ended.
R-7 a bank whose compensation paid this year passes ``pause_share`` of its lending in the
    program is paused until the next year: no new business is covered or claimed.
R-8 recoveries: the compensated share of a net recovery goes to the county's reserve
    account within ``recovery_days`` working days.

Every hook answers for Riverside's programs only (the core asks no other policy), so none
checks whose program it is; the core's defaults answer what is not here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from riskshare.toolkit import (
    Alert,
    Allocation,
    AllocationLine,
    Compensation,
    DeadlineDecision,
    Decision,
    Destination,
    Explanation,
    Facts,
    Period,
    PolicyDescriptor,
    Role,
    Rulebook,
    allocation_within_pool,
    hookimpl,
    labels,
    lift,
    pro_rata_recovery,
    suspend,
    to_money,
)
from riskshare_riverside.config import (
    ATTRIBUTE_SCHEMAS,
    CONFIG_SCHEMA,
    NAME,
    RESERVE,
    Config,
)

ZERO = Decimal("0.00")

rule = Rulebook(
    "示例县贷款风险补偿办法",
    {
        "R-1": "第二条",
        "R-2": "第三条",
        "R-3": "第四条",
        "R-4": "第五条",
        "R-5": "第六条",
        "R-6": "第七条",
        "R-7": "第八条",
        "R-8": "第九条",
    },
    document_en="Riverside County Loan Risk Compensation Measures",
)


@hookimpl
def riskshare_policies() -> list[PolicyDescriptor]:
    return [
        PolicyDescriptor(
            NAME,
            "2026",
            "示例县贷款风险补偿办法 (Riverside county)",
            CONFIG_SCHEMA,
            description="A committee decides, a trust company holds and pays the fund.",
            roles=(
                Role("committee", "风险补偿委员会", "compensation committee"),
                Role("trustee", "受托管理机构", "trustee", acts_for_institution=True),
            ),
            institution_kinds=("trust_company",),
            payers=("trustee",),
            payer_institution="trustee",  # the trust company the program names
            cites={"CORE-PAYER": rule.citation("R-5")},
            recovery_destinations={
                RESERVE: Destination("reserve:remitted", "县风险准备金专户", "the county reserve")
            },
            attribute_schemas=ATTRIBUTE_SCHEMAS,
        )
    ]


# --------------------------------------------------------------------------- loans, claims


# The loan's mode (attribute ``mode``) as the county's Chinese names it.
MODES_ZH = {"bank": "银行直贷", "guarantee": "担保"}


@hookimpl
def riskshare_loan_coverage(program, loan, firm, lender, guarantor, facts):
    cfg = Config.of(program)
    mode = loan.attributes.get("mode")
    problems = []
    if mode == "guarantee" and guarantor is None:
        problems.append(("担保模式须有担保机构", "a guaranteed loan names its guarantor"))
    if loan.principal > cfg.loan_cap:
        problems.append(
            (f"本金超过 {cfg.loan_cap} 元上限", f"the principal is above the {cfg.loan_cap} cap")
        )
    covered = not problems
    zh = "；".join(p[0] for p in problems) or (
        f"{MODES_ZH.get(mode, mode)}模式贷款 {loan.principal} 元，纳入补偿范围"
    )
    en = "; ".join(p[1] for p in problems) or f"a {mode} loan of {loan.principal}, covered"
    return Decision(
        covered,
        [
            rule(
                "R-1",
                "covered" if covered else "not covered",
                zh + "。",
                en[0].upper() + en[1:] + ".",
                passed=covered,
                threshold=cfg.loan_cap,
                mode=mode,
                principal=loan.principal,
            )
        ],
    )


@hookimpl
def riskshare_claim_eligibility(program, loan, claim, facts):
    mode = loan.attributes.get("mode")
    claimant = loan.guarantor_id if mode == "guarantee" else loan.lender_id
    by_claimant = claim.institution_id == claimant
    ok = loan.non_performing and by_claimant
    who_zh, who_en = ("担保机构", "guarantor") if mode == "guarantee" else ("贷款银行", "lender")
    return Decision(
        ok,
        [
            rule(
                "R-2",
                "eligible" if ok else "refused",
                f"贷款五级分类为{labels.classification_zh(loan.classification)}，"
                f"{MODES_ZH.get(mode, mode)}模式由{who_zh}申请。",
                f"The loan is {loan.classification}; a {mode} loan is claimed by its {who_en}.",
                passed=ok,
                classification=loan.classification,
                by_claimant=by_claimant,
            )
        ],
    )


@hookimpl
def riskshare_compensation(program, loan, claim, facts):
    cfg = Config.of(program)
    firm = facts.firm(loan.firm_id)
    if loan.attributes.get("mode") == "guarantee":
        ratio, tier_zh, tier_en = cfg.guarantee_ratio, "担保模式", "guaranteed loan"
    elif loan.principal <= cfg.small_loan:
        ratio, tier_zh, tier_en = cfg.small_ratio, "小额档", "small-loan tier"
    else:
        ratio, tier_zh, tier_en = cfg.large_ratio, "大额档", "large-loan tier"
    innovative = bool(firm.attributes.get("innovative"))
    if innovative:
        ratio += cfg.bonus_points
    amount = to_money(claim.claimed_principal * ratio)
    bonus_zh = f"，创新企业加 {cfg.bonus_points}" if innovative else ""
    bonus_en = f", plus {cfg.bonus_points} for an innovative firm" if innovative else ""
    return Compensation(
        claim.claimed_principal,
        ratio,
        amount,
        [
            rule(
                "R-3",
                str(amount),
                f"{tier_zh}补偿比例 {ratio}{bonus_zh}，补偿 {amount} 元。",
                f"The {tier_en} ratio is {ratio}{bonus_en}: {amount}.",
                threshold=ratio,
                principal=claim.claimed_principal,
                innovative=innovative,
            )
        ],
    )


@hookimpl
def riskshare_required_reviews(program, claim):
    return ["committee"]


@hookimpl
def riskshare_transition_roles(program, record, transition):
    if (record, transition) == ("plan", "approve"):
        return ["committee"]
    return None


@hookimpl
def riskshare_deadline(program, kind, start, calendar):
    cfg = Config.of(program)
    if kind != "recovery_return":
        return None
    deadline = calendar.add_working_days(start, cfg.recovery_days)
    return DeadlineDecision(
        deadline,
        rule(
            "R-8",
            deadline.due.isoformat(),
            f"收回后 {cfg.recovery_days} 个工作日内划入准备金专户。",
            f"Remitted to the reserve within {cfg.recovery_days} working days of receipt.",
            threshold=cfg.recovery_days,
            start=start,
        ),
    )


@hookimpl
def riskshare_recovery(program, claim, recovery, calendar, facts):
    cfg = Config.of(program)
    return pro_rata_recovery(
        claim,
        recovery,
        facts,
        rule="R-8",
        clause=rule.cite("R-8"),
        deadline=calendar.add_working_days(recovery.received_on, cfg.recovery_days),
        destination=RESERVE,
        titles=("县风险准备金专户", "the county reserve"),
    )


# --------------------------------------------------------------------------- plans


@hookimpl
def riskshare_plan_period(program, day):
    """R-6: quarters."""
    quarter = (day.month - 1) // 3 + 1
    start = dt.date(day.year, 3 * quarter - 2, 1)
    end = (start + dt.timedelta(days=92)).replace(day=1) - dt.timedelta(days=1)
    return Period(f"{day.year}-Q{quarter}", start, end)


def room_left(cfg: Config, facts: Facts, institution_id: int) -> Decimal:
    """R-4: what may still be granted to the institution this calendar year."""
    year = facts.today.year
    granted = facts.granted(
        institution_id=institution_id, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
    )
    return max(cfg.institution_yearly_cap - granted, ZERO)


def _cap_explanation(
    cfg: Config, institution_id: int, room: Decimal, asked: Decimal
) -> Explanation:
    within = asked <= room
    return rule(
        "R-4",
        "within" if within else "refused",
        f"机构 {institution_id} 本年度尚可安排 {room} 元（年度上限 {cfg.institution_yearly_cap}"
        f" 元），本方案拟安排 {asked} 元。",
        f"Institution {institution_id} can still be granted {room} this year (yearly cap"
        f" {cfg.institution_yearly_cap}); this plan would grant it {asked}.",
        passed=within,
        threshold=cfg.institution_yearly_cap,
        institution_id=institution_id,
        room=room,
        asked=asked,
    )


@hookimpl
def riskshare_propose_allocation(program, period, dues, facts):
    """Oldest approval first, within the pool and each institution's yearly room (R-4)."""
    cfg = Config.of(program)
    pool_left = facts.pool_balance()
    rooms: dict[int, Decimal] = {}
    lines = []
    for due in dues:
        if due.institution_id not in rooms:
            rooms[due.institution_id] = room_left(cfg, facts, due.institution_id)
        allocated = min(due.outstanding, rooms[due.institution_id], pool_left)
        rooms[due.institution_id] -= allocated
        pool_left -= allocated
        lines.append(
            AllocationLine(
                due.claim_id,
                allocated,
                due.outstanding - allocated,
                [
                    _cap_explanation(
                        cfg,
                        due.institution_id,
                        rooms[due.institution_id] + allocated,
                        due.outstanding,
                    )
                ],
            )
        )
    return Allocation(facts.pool_balance(), lines)


@hookimpl
def riskshare_check_allocation(program, period, lines, facts):
    """The core's pool check, and no institution granted beyond its yearly room (R-4)."""
    cfg = Config.of(program)
    asked: dict[int, Decimal] = {}
    for line in lines:
        institution_id = facts.claim(line.claim_id).institution_id
        asked[institution_id] = asked.get(institution_id, ZERO) + line.allocated
    caps = [
        _cap_explanation(cfg, institution_id, room_left(cfg, facts, institution_id), total)
        for institution_id, total in asked.items()
    ]
    pool = allocation_within_pool(lines, facts)
    explanations = [*pool.explanations, *caps]
    return Decision(all(e.passed for e in explanations), explanations)


# --------------------------------------------------------------------------- supervision


@hookimpl
def riskshare_monitoring(program, day, facts):
    """R-7: pause a bank whose compensation paid this year passes ``pause_share`` of its
    lending in the program, until the next year; end the pause when it no longer does.

    The policy records the pause once (``suspend``): the core then refuses the bank new
    coverage, claims, places in plans and payments, so no other hook repeats the rule.
    """
    cfg = Config.of(program)
    start, next_year = dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
    loans = facts.program_loans()
    alerts = []
    for bank in facts.institutions("bank"):
        lending = sum((ln.principal for ln in loans if ln.lender_id == bank.id), ZERO)
        paid = facts.paid(institution_id=bank.id, start=start, end=day)
        limit = to_money(lending * cfg.pause_share)
        if lending == ZERO or paid <= limit:
            for standing in facts.standings("institution", bank.id, day):
                if standing.rule == "R-7":
                    lift(facts, standing.id, f"paid {paid} is within {limit}")
            continue
        explanation = rule(
            "R-7",
            f"paused until {next_year}",
            f"{bank.name} 本年度已获补偿 {paid} 元，超过其贷款 {lending} 元的 {cfg.pause_share}"
            f"（{limit} 元），{next_year} 前暂停新增业务。",
            f"{bank.name} was paid {paid} this year, above {cfg.pause_share} of its lending"
            f" {lending} ({limit}): paused until {next_year}.",
            passed=False,
            threshold=limit,
            paid=paid,
            lending=lending,
        )
        standing = suspend(
            facts,
            "institution",
            bank.id,
            rule="R-7",
            explanations=[explanation],
            from_=day,
            until=next_year,
        )
        alerts.append(
            Alert(
                "paused",
                "action",
                "institution",
                bank.id,
                explanation,
                {"standing_id": standing.id, "until": standing.until},
            )
        )
    return alerts
