"""Monitoring, report sections and per-case penalties (Y-01, Y-14, Y-15, Y-16)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riskshare.toolkit import (
    Alert,
    BanDecision,
    Context,
    Facts,
    Period,
    ProgramView,
    ReportSection,
    already_done,
    facts,
    on_effective_date,
)
from riskshare_yanqing import custodian
from riskshare_yanqing.explain import check, explain
from riskshare_yanqing.models import Penalty, Recommendation
from riskshare_yanqing.pool import balance_rows, net_compensation
from riskshare_yanqing.store import (
    fund_state_of,
    invalid,
    save,
    yanqing_program,
    year_bounds,
)

MEASURES = ("lower_ratio", "clawback", "termination")
# Claims the review approved for compensation, whether or not paid yet.
COMPENSATED = ("approved", "paid")
ZERO = Decimal("0.00")


def record_penalty(ctx: Context, program_id: int, data: dict[str, Any]) -> Penalty:
    """Y-16: a measure against an institution, decided per case. A lowered ratio applies to
    the institution's later claims; clawback and termination are then carried out through
    the core's /clawbacks and /institutions/{id}/cooperation.

    Under the program's lock (a lowered ratio decides later compensation): the same measure
    against the same institution on the same day is one decision, and a repeat is a 409
    naming it. ``effective_on`` dates it, no earlier than the program's start.
    """
    pview = yanqing_program(ctx, program_id, lock=True)
    ctx = on_effective_date(
        ctx,
        data.get("effective_on"),
        not_before=pview.effective_from,
        previous="the program's start",
    )
    if facts(ctx, program_id).institution_or_none(data["institution_id"]) is None:
        raise invalid(
            f"There is no institution {data['institution_id']}.", "/institution_id", "unknown"
        )
    if (data["measure"] == "lower_ratio") != (data.get("max_ratio") is not None):
        raise invalid(
            "max_ratio is given with, and only with, the measure lower_ratio.",
            "/max_ratio",
            "lower_ratio only",
        )
    first = ctx.session.scalar(
        select(Penalty).where(
            Penalty.program_id == program_id,
            Penalty.institution_id == data["institution_id"],
            Penalty.measure == data["measure"],
            Penalty.decided_on == ctx.today,
        )
    )
    if first is not None:
        raise already_done(
            f"The measure {first.measure} against institution {first.institution_id} was"
            f" decided on {first.decided_on} already: penalty {first.id} by {first.decided_by}.",
            penalty_id=first.id,
        )
    penalty = Penalty(
        program_id=program_id,
        institution_id=data["institution_id"],
        measure=data["measure"],
        max_ratio=data.get("max_ratio"),
        reason=data["reason"],
        decided_on=ctx.today,
        decided_by=ctx.actor,
    )
    return save(ctx, "yanqing.penalty", penalty)


def firm_ban(
    program: ProgramView, subject_type: str, subject: Any, years: int | None
) -> BanDecision:
    """Y-17: a firm that defrauded or evaded debt, and its legal representative (法定代表人),
    are barred for ``ban_years`` (3) years; the ban records the legal representative, so the
    person's other firms are refused while it lasts (eligibility.not_banned)."""
    length = program.config["ban_years"]
    ok = subject_type == "firm" and years in (None, length)
    representative = getattr(subject, "legal_representative_id", None)
    person_zh = "及其法定代表人" if representative else "（未记录法定代表人，禁止仅及于企业）"
    person_en = (
        " with its legal representative"
        if representative
        else " (no legal representative is recorded: the ban covers the firm alone)"
    )
    why = check(
        "Y-17",
        ok,
        f"对骗贷、逃避债务的企业 {subject.name}{person_zh}，"
        f"{length} 年内不得申请区政府风险补偿类贷款"
        + ("。" if ok else f"；本条只适用于企业，期限为 {length} 年（申请 {years} 年）。"),
        f"{subject.name}{person_en} is barred from district risk-compensation loans for"
        f" {length} years"
        + (
            "."
            if ok
            else f"; Y-17 bars firms only, for {length} years ({years} asked, {subject_type})."
        ),
        threshold=length,
        years=years,
        subject_type=subject_type,
        legal_representative_id=representative,
    )
    return BanDecision(ok, length, [why])


def penalties(program_id: int) -> Any:
    return select(Penalty).where(Penalty.program_id == program_id).order_by(Penalty.id)


# ------------------------------------------------------------------------------ monitoring


def _suspension_alert(s: Session, program: ProgramView, facts: Facts) -> list[Alert]:
    state = fund_state_of(s, program.id)
    if state is None or not state.suspended:
        return []
    balance, resume_at = facts.pool_balance(), program.config["resume_at"]
    why = explain(
        "Y-14",
        "suspended",
        f"代偿自 {state.changed_on} 起暂停；资金池 {balance} 元，达到 {resume_at} 元后重启。",
        f"Compensation is suspended since {state.changed_on}; the pool holds {balance} and"
        f" restarts at {resume_at}.",
        passed=False,
        threshold=resume_at,
        pool_balance=balance,
        net_compensation=net_compensation(facts),
    )
    return [
        Alert(
            "yanqing-suspended",
            "action",
            "program",
            program.id,
            why,
            {"since": state.changed_on.isoformat() if state.changed_on else None},
        )
    ]


def _resumption_alert(s: Session, program: ProgramView) -> list[Alert]:
    """Y-14: a fund that was suspended says, from the moment it restarted, that it did."""
    state = fund_state_of(s, program.id)
    if state is None or state.suspended or state.changed_on is None:
        return []
    why = explain(
        "Y-14",
        "resumed",
        f"资金池已回到 {program.config['resume_at']} 元，代偿自 {state.changed_on} 起重启。",
        f"The pool is back at {program.config['resume_at']}; compensation resumed on"
        f" {state.changed_on}.",
        threshold=program.config["resume_at"],
    )
    return [
        Alert(
            "yanqing-resumed",
            "info",
            "program",
            program.id,
            why,
            {"since": state.changed_on.isoformat()},
        )
    ]


def compensated_firms_by_recommender(
    s: Session, program_id: int, facts: Facts, year: int
) -> dict[int, set[int]]:
    """Y-15: the firms each recommender put forward whose claims were approved for
    compensation in ``year`` (a firm compensated twice counts once: 出现2家代偿)."""
    start, end = year_bounds(year)
    loans = {
        c.loan_id
        for c in facts.claims(states=COMPENSATED)
        if c.reviewed_on is not None and start <= c.reviewed_on <= end
    }
    firm_of = {loan.id: loan.firm_id for loan in facts.program_loans()}
    firms = {firm_of[loan_id] for loan_id in loans}
    found: dict[int, set[int]] = defaultdict(set)
    for recommender_id, firm_id in s.execute(
        select(Recommendation.recommender_id, Recommendation.firm_id).where(
            Recommendation.program_id == program_id, Recommendation.firm_id.in_(firms)
        )
    ):
        found[recommender_id].add(firm_id)
    return found


def _department_alerts(s: Session, program: ProgramView, facts: Facts, day: dt.date) -> list:
    """Y-15: a recommender two of whose firms needed compensation in a year is flagged."""
    limit = program.config["department_flag_count"]
    alerts = []
    found = compensated_firms_by_recommender(s, program.id, facts, day.year)
    for recommender_id, firms in sorted(found.items()):
        if len(firms) < limit:
            continue
        inst = facts.institution(recommender_id)
        why = check(
            "Y-15",
            False,
            f"{inst.name} 推荐的企业 {day.year} 年出现 {len(firms)} 家代偿，纳入绩效考核减分。",
            f"{len(firms)} firms recommended by {inst.name} needed compensation in {day.year};"
            " flagged for the performance review.",
            threshold=limit,
            firms=sorted(firms),
        )
        alerts.append(Alert("yanqing-department-flag", "warning", "institution", inst.id, why))
    return alerts


def monitoring(s: Session, program: ProgramView, day: dt.date, facts: Facts) -> list[Alert]:
    return [
        *_suspension_alert(s, program, facts),
        *custodian.report_alerts(s, program, day),
        *_resumption_alert(s, program),
        *_department_alerts(s, program, facts, day),
    ]


# ------------------------------------------------------------------------------ reports


def report_sections(s: Session, program: ProgramView, period: Period, facts: Facts) -> list:
    state = fund_state_of(s, program.id)
    pool = balance_rows(facts, period)
    pool[0]["net_compensation_to_date"] = net_compensation(facts)
    pool[0]["suspended_now"] = bool(state and state.suspended)
    grades = s.execute(
        select(Recommendation.state, Recommendation.grade, func.count())
        .where(
            Recommendation.program_id == program.id,
            Recommendation.recommended_on <= period.end,
        )
        .group_by(Recommendation.state, Recommendation.grade)
        .order_by(Recommendation.state, Recommendation.grade)
    ).all()
    return [
        ReportSection(
            "yanqing-pool",
            "风险补偿资金变化情况 Pool balance",
            list(pool[0]),
            pool,
            [
                explain(
                    "Y-01",
                    str(pool[0]["closing_pool"]),
                    "资金托管机构每半年报告风险补偿资金变化情况。",
                    "The custodian reports the pool's changes every half year.",
                )
            ],
            POOL_HEADINGS,
        ),
        ReportSection(
            "yanqing-grades",
            "推荐企业及风险等级 Recommended firms by grade",
            ["state", "grade", "firms"],
            [{"state": st, "grade": g, "firms": n} for st, g, n in grades],
            headings={"state": "推荐状态 State", "grade": "风险等级 Grade"},
        ),
        recovery_section(facts, period),
    ]


# The reports' column names for people (Chinese, then English).
POOL_HEADINGS = {
    "opening_pool": "期初余额 Opening pool",
    "appropriated": "财政拨入 Appropriated",
    "investment_gains": "增值收益 Investment gains",
    "custodian_fees": "托管费用 Custodian fees",
    "compensation_paid": "支付代偿 Compensation paid",
    "premium_subsidies_paid": "支付保费补贴 Premium subsidies paid",
    "recoveries_returned": "追偿返还 Recoveries returned",
    "closing_pool": "期末余额 Closing pool",
    "net_compensation_to_date": "累计净代偿 Net compensation to date",
    "suspended_now": "暂停代偿 Suspended now",
}
RECOVERY_HEADINGS = {
    "claimant": "申请机构 Claimant",
    "loan_state": "贷款状态 Loan state",
    "compensated_in_period": "本期代偿 Compensated in the period",
    "compensated_to_date": "累计代偿 Compensated to date",
    "recovered_in_period": "本期追偿 Recovered in the period",
    "recovered_to_date": "累计追偿 Recovered to date",
    "due_to_pool_in_period": "本期应返还 Due to the pool in the period",
    "due_to_pool_to_date": "累计应返还 Due to the pool to date",
    "returned_in_period": "本期已返还 Returned in the period",
    "returned_to_date": "累计已返还 Returned to date",
    "written_off": "核销 Written off",
}

# Per loan, in the period and to its end: compensation paid, recovered by the lender (gross),
# due back to the pool (its share), returned into the pool; and the net loss written off.
RECOVERY_FIGURES = (
    "compensated_in_period",
    "compensated_to_date",
    "recovered_in_period",
    "recovered_to_date",
    "due_to_pool_in_period",
    "due_to_pool_to_date",
    "returned_in_period",
    "returned_to_date",
    "written_off",
)
TOTAL = "合计 total"


def _loan_recovery_row(facts: Facts, period: Period, loan: Any, claims: list[Any]) -> dict:
    def summed(question: Any, **dates: Any) -> Decimal:
        return sum((question(claim_id=c.id, **dates) for c in claims), ZERO)

    in_period = {"start": period.start, "end": period.end}
    row: dict[str, Any] = {
        "loan_id": loan.id,
        "loan": loan.reference,
        "firm": facts.firm(loan.firm_id).name,
        "claimant": "、".join(sorted({facts.institution(c.institution_id).name for c in claims})),
        "loan_state": loan.state,
        "compensated_in_period": summed(facts.paid, **in_period),
        "compensated_to_date": summed(facts.paid),
        "recovered_in_period": summed(facts.recovered, **in_period),
        "recovered_to_date": summed(facts.recovered),
        "due_to_pool_in_period": summed(facts.recoveries_due, **in_period),
        "due_to_pool_to_date": summed(facts.recoveries_due),
        "returned_in_period": summed(facts.returned, **in_period),
        "returned_to_date": summed(facts.returned),
    }
    # Y-13: the net loss written off is the compensation less what recoveries made due back.
    written_off = loan.state == "written_off"
    row["written_off"] = (
        row["compensated_to_date"] - row["due_to_pool_to_date"] if written_off else ZERO
    )
    return row


def recovery_section(facts: Facts, period: Period) -> ReportSection:
    """Y-13 / 五: the DRC's half-yearly report to the district government on recoveries, loan
    by loan for every loan compensated by the period's end, with a total row that equals the
    fund report's compensation paid and recoveries returned to the pool."""
    claims_by_loan: dict[int, list[Any]] = defaultdict(list)
    for claim in facts.claims():
        claims_by_loan[claim.loan_id].append(claim)
    rows = []
    for loan in facts.program_loans():
        claims = claims_by_loan.get(loan.id or 0, [])
        if claims and sum((facts.paid(claim_id=c.id) for c in claims), ZERO) > ZERO:
            rows.append(_loan_recovery_row(facts, period, loan, claims))
    total: dict[str, Any] = {"loan_id": None, "loan": TOTAL, "firm": "", "claimant": ""}
    total["loan_state"] = ""
    total.update({key: sum((r[key] for r in rows), ZERO) for key in RECOVERY_FIGURES})
    why = explain(
        "Y-13",
        str(total["returned_to_date"]),
        f"{len(rows)} 笔已代偿贷款逐笔列示代偿、追偿、返还资金池及核销情况；合计本期代偿"
        f" {total['compensated_in_period']} 元、累计代偿 {total['compensated_to_date']} 元，"
        f"本期返还资金池 {total['returned_in_period']} 元、累计返还"
        f" {total['returned_to_date']} 元，与资金报表一致；累计核销 {total['written_off']} 元。",
        f"{len(rows)} compensated loans, each with its compensation, recoveries, returns to the"
        f" pool and write-off; in total {total['compensated_in_period']} compensated in the"
        f" period and {total['compensated_to_date']} to date, {total['returned_in_period']}"
        f" returned to the pool in the period and {total['returned_to_date']} to date, as in"
        f" the fund report; {total['written_off']} written off.",
        loans=len(rows),
        **{key: total[key] for key in RECOVERY_FIGURES},
    )
    columns = ["loan_id", "loan", "firm", "claimant", "loan_state", *RECOVERY_FIGURES]
    return ReportSection(
        "yanqing-recoveries",
        "已代偿贷款追偿情况（逐笔） Recoveries per compensated loan",
        columns,
        [*rows, total],
        [why],
        RECOVERY_HEADINGS,
    )
