"""The hook implementations: the entry point ``riskshare.policies: xinxiang``.

The core asks these only about programs of this policy, so no hook checks whose program it
is; each delegates to the module holding the rules it applies.
"""

from __future__ import annotations

from riskshare.toolkit import (
    ClawbackDecision,
    DeadlineDecision,
    DemoTenant,
    Destination,
    PolicyDescriptor,
    clawback_due,
    hookimpl,
    pro_rata_recovery,
)
from riskshare_xinxiang import claims, coverage, fund, supervision
from riskshare_xinxiang.config import ATTRIBUTE_SCHEMAS, SCHEMA, Config
from riskshare_xinxiang.explain import CITES, explain

NAME = "xinxiang"
VERSION = "2021"
TITLE = "新乡市小微企业贷款风险补偿资金管理暂行办法（新政办〔2021〕48号）"

# Deadlines in working days, by the core's name for the step, with the rule that sets them.
DEADLINES = {
    # X-08 第九条: a matured loan unpaid is filed overdue within 5 working days (the sweep
    # reminds the lender, and the guarantor of a guaranteed loan, of a filing not made).
    "overdue_filing": ("X-08", "filing_days", "办理逾期备案", "file the overdue"),
    "claim_review": ("X-11", "review_days", "出具审核意见", "issue the review opinion"),
    "plan_summary": ("X-12", "summary_days", "报送年度补偿汇总", "send the year's summary"),
    "recovery_return": ("X-15", "recovery_days", "返还市国库", "return it to the treasury"),
    "write_off_evidence": ("X-16", "write_off_days", "报送核销材料", "submit write-off evidence"),
}


# X-19 第十五条: who reads the monthly report: the platform's staff beside the core's readers.
REPORT_READERS = ["office", "approver", "finance", "auditor", "reviewer"]

# what is recovered on a compensated loan goes to the city treasury, not the pool.
TREASURY = Destination("treasury:remitted", "市国库", "the city treasury")


@hookimpl
def riskshare_policies():
    return [
        PolicyDescriptor(
            NAME,
            VERSION,
            TITLE,
            SCHEMA,
            "Xinxiang city: tiered ratios by loan size, guarantee loans at 10%, annual and"
            " total caps, year-end allocation plans, recoveries to the treasury.",
            recovery_destinations={"treasury": TREASURY},
            attribute_schemas=ATTRIBUTE_SCHEMAS,
            # X-12: after each year end the reviewed claims' summary and the proposed plan
            # wait for the office; X-19: each month's report is stored for the leading group.
            plans_at_period_end=True,
            stored_reports=("month",),
            cites=CITES,
        )
    ]


@hookimpl
def riskshare_loan_coverage(program, loan, firm, lender, guarantor, facts):
    return coverage.loan_coverage(Config.of(program), loan, firm, lender, guarantor, facts)


@hookimpl
def riskshare_loan_event(program, loan, event, calendar, facts):
    return claims.loan_event(Config.of(program), loan, event, calendar, facts)


@hookimpl
def riskshare_claim_eligibility(program, loan, claim, facts):
    return claims.claim_eligibility(Config.of(program), loan, claim, facts)


@hookimpl
def riskshare_compensation(program, loan, claim, facts):
    return claims.compensation(Config.of(program), loan, claim, facts)


@hookimpl
def riskshare_deadline(program, kind, start, calendar):
    if kind not in DEADLINES:
        return None
    cfg = Config.of(program)
    rule, key, zh, en = DEADLINES[kind]
    days = cfg.raw[key]
    deadline = calendar.add_working_days(start, days)
    return DeadlineDecision(
        deadline,
        explain(
            rule,
            deadline.due.isoformat(),
            f"自 {start} 起 {days} 个工作日内{zh}，即 {deadline.due} 前。",
            f"Within {days} working days of {start}: {en} by {deadline.due}.",
            threshold=days,
            start=start,
            provisional=deadline.provisional,
        ),
    )


@hookimpl
def riskshare_propose_allocation(program, period, dues, facts):
    return fund.propose(Config.of(program), period, dues, facts)


@hookimpl
def riskshare_check_allocation(program, period, lines, facts):
    return fund.check_allocation(Config.of(program), lines, facts)


@hookimpl
def riskshare_check_payment(program, payment, facts):
    return fund.check_payment(Config.of(program), payment, facts)


@hookimpl
def riskshare_transition_roles(program, record, transition):
    # the leading group (approver) decides suspensions and resumptions.
    if record == "institution" and transition in ("suspend", "resume"):
        return ["approver"]
    if (record, transition) == ("report", "read"):
        # the platform (智慧金融平台, the reviewer) writes the monthly report to the
        # leading group, so its staff read it too.
        return REPORT_READERS
    return None


@hookimpl
def riskshare_recovery(program, claim, recovery, calendar, facts):
    cfg = Config.of(program)
    return pro_rata_recovery(
        claim,
        recovery,
        facts,
        destination="treasury",
        titles=(TREASURY.title_zh, TREASURY.title_en),
        rule="X-15",
        clause=explain.cite("X-15"),
        deadline=calendar.add_working_days(recovery.received_on, cfg.recovery_days),
    )


@hookimpl
def riskshare_clawback(program, institution, reason, facts):
    cfg = Config.of(program)
    # What was paid and not clawed back before: a second order never claims it twice.
    paid, _, _ = clawback_due(institution, facts)
    return ClawbackDecision(
        paid,
        cfg.fraud_ban_years,
        [
            explain(
                "X-18",
                str(paid),
                f"{institution.name} 骗取、套取补偿资金：追回已拨付补偿 {paid} 元，取消合作资格，"
                f"{cfg.fraud_ban_years} 年内不得申请补偿。",
                f"{institution.name} obtained compensation by fraud: all {paid} paid is clawed"
                f" back, cooperation is revoked, and it may not claim for"
                f" {cfg.fraud_ban_years} years.",
                threshold=paid,
                reason=reason,
            )
        ],
    )


@hookimpl
def riskshare_cooperation_change(program, institution, action, facts):
    return supervision.cooperation_change(Config.of(program), institution, action, facts)


@hookimpl
def riskshare_monitoring(program, day, facts):
    return supervision.monitoring(Config.of(program), day, facts)


@hookimpl
def riskshare_report_sections(program, period, facts):
    return [supervision.npl_section(Config.of(program), facts)]


@hookimpl
def riskshare_demo_tenants() -> list[DemoTenant]:
    # Imported when the demo is loaded, not with the policy: production never needs the
    # demo story's HTTP client.
    from riskshare_xinxiang import demo

    return [demo.TENANT]
