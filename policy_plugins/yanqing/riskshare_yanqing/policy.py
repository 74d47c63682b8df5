"""The hook implementations: the entry point ``riskshare.policies: yanqing``.

The core asks these only about programs of this policy (and the core's defaults answer
what they leave open), so no hook checks whose program it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from riskshare.toolkit import (
    ClawbackDecision,
    DemoTenant,
    Period,
    PolicyDescriptor,
    Role,
    clawback_due,
    hookimpl,
    pro_rata_recovery,
)
from riskshare_yanqing import claims, notices, pool, supervision
from riskshare_yanqing.config import ATTRIBUTE_SCHEMAS, SCHEMA
from riskshare_yanqing.explain import CITES, NAME, TEXT, explain

# Y-01, Y-12: the custodian pays on the DRC's notices and confirms each payment. (Returned
# recoveries would be the custodian's to confirm too, but the core shows an institution-scoped
# custodian only its own recoveries, so they keep the core's default, the finance bureau.)
CUSTODIAN_STEPS = {("disbursement", "confirm")}

ROLES = (
    # Y-01: the custodian holds the pool and pays on the DRC's notices, for its institution.
    Role("custodian", "托管机构", "custodian", acts_for_institution=True),
    # Y-03: departments and towns recommend firms, each for itself.
    Role("recommender", "推荐单位", "recommending department or town", acts_for_institution=True),
    # Y-06: the joint review's delegates grade firms.
    Role("panelist", "联审成员", "joint review delegate"),
    # Y-12: the units that graded a firm review its claims; the industry department's, the
    # bank's and the guarantee company's reviewers read every claim, as panelists read every
    # firm (the DRC reviews as ``reviewer``, the finance bureau as ``finance``).
    Role("industry_delegate", "行业主管部门联审代表", "industry department's claim reviewer"),
    Role("bank_delegate", "合作银行联审代表", "partner bank's claim reviewer"),
    Role("guarantor_delegate", "担保公司联审代表", "guarantee company's claim reviewer"),
)


@hookimpl
def riskshare_policies():
    return [
        PolicyDescriptor(
            NAME,
            "1",
            TEXT,
            SCHEMA,
            description="Yanqing district SME financing risk compensation: graded firms,"
            " a custodian-held pool, half-yearly compensation and suspension at 70%.",
            roles=ROLES,
            institution_kinds=("custodian", "department", "town"),
            # Y-01, Y-12: the custodian pays; the finance bureau confirms what comes back.
            payers=("finance", "custodian"),
            # Y-01: the custodian the program's config names, and no other.
            payer_institution="custodian",
            attribute_schemas=ATTRIBUTE_SCHEMAS,
            # Y-12: each half year's claims go to the DRC's review as the period's plan;
            # Y-13 / 五: the half-yearly fund report (recoveries loan by loan) is stored.
            plans_at_period_end=True,
            stored_reports=("half",),
            cites=CITES,
        )
    ]


@hookimpl
def riskshare_register_routes(api):
    from riskshare_yanqing.routes import blp

    api.register_blueprint(blp)


@hookimpl
def riskshare_migration_locations():
    return [str(Path(__file__).resolve().parent / "migrations")]


@hookimpl
def riskshare_loan_coverage(program, loan, firm, lender, guarantor, facts):
    return claims.coverage(program, loan, firm, facts)


@hookimpl
def riskshare_claim_eligibility(program, loan, claim, facts):
    return claims.claim_eligibility(program, loan, claim, facts)


@hookimpl
def riskshare_compensation(program, loan, claim, facts):
    return claims.compensation(program, loan, claim, facts)


@hookimpl
def riskshare_required_reviews(program, claim, facts):
    return claims.required_reviews(program, claim, facts)


@hookimpl
def riskshare_plan_period(program, day):
    """Y-12: the DRC reviews claims together every half year."""
    if day.month <= 6:
        return Period(f"{day.year}-H1", dt.date(day.year, 1, 1), dt.date(day.year, 6, 30))
    return Period(f"{day.year}-H2", dt.date(day.year, 7, 1), dt.date(day.year, 12, 31))


@hookimpl
def riskshare_propose_allocation(program, period, dues, facts):
    """Y-12: a half year's claims wait for the year's notice unless it is paid on its own."""
    return notices.propose_allocation(program, period, dues, facts)


@hookimpl
def riskshare_check_allocation(program, period, lines, facts):
    return notices.check_allocation(program, period, lines, facts)


@hookimpl
def riskshare_check_payment(program, payment, facts):
    return pool.check_payment(program, payment, facts)


@hookimpl
def riskshare_pool_credited(program, kind, amount, day, facts):
    """Y-14: a recovery returned, a clawback repaid or an appropriation may restart
    compensation at once."""
    pool.resume_when_back(program, day, f"{kind} of {amount}", facts)


@hookimpl
def riskshare_transition_roles(program, record, transition):
    if (record, transition) not in CUSTODIAN_STEPS:
        return None
    return ["custodian"]


@hookimpl
def riskshare_recovery(program, claim, recovery, calendar, facts):
    """Y-13: recoveries return to the pool in proportion to the compensation ratio."""
    return pro_rata_recovery(
        claim,
        recovery,
        facts,
        rule="Y-13",
        clause=explain.cite("Y-13"),
        deadline=None,
    )


@hookimpl
def riskshare_write_off(program, loan, write_off, facts):
    return claims.write_off(program, loan, write_off, facts)


@hookimpl
def riskshare_ban(program, subject_type, subject, rule, years, facts):
    if rule != "Y-17":
        return None
    return supervision.firm_ban(program, subject_type, subject, years)


@hookimpl
def riskshare_clawback(program, institution, reason, facts):
    """Y-16: colluding in fraud may cost the institution all compensation paid to it."""
    # What was paid and not clawed back before: a second order never claims it twice.
    paid, _, _ = clawback_due(institution, facts)
    return ClawbackDecision(
        paid,
        None,
        [
            explain(
                "Y-16",
                str(paid),
                f"全额收回已支付给 {institution.name} 的补偿资金 {paid} 元。",
                f"All compensation paid to {institution.name}, {paid}, is clawed back.",
                threshold=paid,
                reason=reason,
            )
        ],
    )


@hookimpl
def riskshare_monitoring(program, day, facts):
    return supervision.monitoring(facts.session, program, day, facts)


@hookimpl
def riskshare_report_sections(program, period, facts):
    return supervision.report_sections(facts.session, program, period, facts)


@hookimpl
def riskshare_demo_tenants() -> list[DemoTenant]:
    # Imported when the demo is loaded, not with the policy: production never needs the
    # demo story's HTTP client.
    from riskshare_yanqing import demo

    return [demo.TENANT]
