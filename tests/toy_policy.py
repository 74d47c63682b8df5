"""A third, toy locality, written only against ``riskshare.toolkit``.

It proves a locality can be added with no change to the core: the lifecycle test runs a
loan from registration to recovery through the HTTP API with this policy alone. It is also
the documented example of writing a policy plugin (see docs/writing-a-policy-plugin.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from riskshare.toolkit import (
    Alert,
    Compensation,
    DeadlineDecision,
    Decision,
    DemoFirm,
    DemoInstitution,
    DemoTenant,
    DemoUser,
    Explanation,
    PolicyDescriptor,
    ReportSection,
    default_payment_check,
    hookimpl,
    lift,
    pro_rata_recovery,
    suspend,
    to_money,
)

NAME = "toy"
CLAUSE = "Toy county rules §"

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Toy county loan compensation",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "ratio": {
            "title": "Ratio",
            "description": "Share of lost principal compensated.",
            "type": "string",
            "pattern": r"^0(\.\d+)?$|^1(\.0+)?$",
            "default": "0.40",
        },
        "loan_cap": {
            "title": "Loan cap",
            "description": "Largest covered principal, yuan.",
            "type": "string",
            "pattern": r"^\d+(\.\d{1,2})?$",
            "default": "2000000",
        },
        "annual_cap": {
            "title": "Annual cap",
            "description": "Most paid in one calendar year, yuan (rule T-7).",
            "type": "string",
            "pattern": r"^\d+(\.\d{1,2})?$",
            "default": "100000000",
        },
        "review_days": {
            "title": "Review days",
            "description": "Working days to review.",
            "type": "integer",
            "minimum": 1,
            "default": 5,
        },
        "recovery_days": {
            "title": "Recovery days",
            "description": "Working days to return a recovery.",
            "type": "integer",
            "minimum": 1,
            "default": 10,
        },
        "filing_days": {
            "title": "Filing days",
            "description": "Working days to file a matured, unpaid loan as overdue.",
            "type": "integer",
            "minimum": 1,
            "default": 5,
        },
    },
}


# What the policy reads from records' attributes: the API refuses any other key.
FIRM_ATTRIBUTES = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Toy county firm attributes",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "key_enterprise": {
            "title": "Key enterprise",
            "description": "On the county's key-enterprise list: its loans are covered up to"
            " twice the loan cap (rule T-10).",
            "type": "boolean",
        },
    },
}


CLAIM_ATTRIBUTES = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Toy county claim attributes",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "mode": {
            "title": "Compensation window",
            "description": "The county window the claim is filed under; plan lines carry it"
            " (ClaimDue.attributes), for a policy that allocates by window.",
            "enum": ["standard", "fast_track"],
        },
    },
}


@hookimpl
def riskshare_policies():
    return [
        PolicyDescriptor(
            NAME,
            "1",
            "Toy county",
            SCHEMA,
            attribute_schemas={"firm": FIRM_ATTRIBUTES, "claim": CLAIM_ATTRIBUTES},
        )
    ]


@hookimpl
def riskshare_loan_coverage(program, loan, firm, lender, guarantor, facts):
    cap = Decimal(program.config["loan_cap"])
    key = firm is not None and firm.attributes.get("key_enterprise") is True
    if key:  # T-10: a key enterprise's loans are covered up to twice the cap
        cap *= 2
    within = loan.principal <= cap
    return Decision(
        within,
        [
            Explanation(
                "T-10" if key else "T-1",
                CLAUSE + ("8" if key else "1"),
                "covered" if within else "not covered",
                f"贷款本金 {loan.principal} 元，上限 {cap} 元"
                + ("（重点企业，上限加倍）。" if key else "。"),
                f"Principal {loan.principal} against the cap {cap}"
                + (" (a key enterprise: twice the loan cap)." if key else "."),
                inputs={"principal": loan.principal, "key_enterprise": key},
                threshold=cap,
                passed=within,
            )
        ],
    )


@hookimpl
def riskshare_compensation(program, loan, claim, facts):
    ratio = Decimal(program.config["ratio"])
    amount = to_money(claim.claimed_principal * ratio)
    return Compensation(
        claim.claimed_principal,
        ratio,
        amount,
        [
            Explanation(
                "T-2",
                CLAUSE + "2",
                str(amount),
                f"按 {ratio} 补偿。",
                f"Compensated at {ratio}.",
                inputs={"claimed": claim.claimed_principal},
                threshold=ratio,
            )
        ],
    )


@hookimpl
def riskshare_claim_eligibility(program, loan, claim, facts):
    ok = loan.non_performing
    return Decision(
        ok,
        [
            Explanation(
                "T-3",
                CLAUSE + "3",
                "eligible" if ok else "refused",
                "贷款须为不良。",
                "The loan must be non-performing.",
                inputs={"classification": loan.classification},
                passed=ok,
            )
        ],
    )


@hookimpl
def riskshare_deadline(program, kind, start, calendar):
    keys = {
        "claim_review": "review_days",
        "recovery_return": "recovery_days",
        "overdue_filing": "filing_days",
    }
    if kind not in keys:
        return None
    days = program.config[keys[kind]]
    deadline = calendar.add_working_days(start, days)
    return DeadlineDecision(
        deadline,
        Explanation(
            "T-4",
            CLAUSE + "4",
            deadline.due.isoformat(),
            f"{days} 个工作日内。",
            f"Within {days} working days.",
            inputs={"start": start},
            threshold=days,
        ),
    )


@hookimpl
def riskshare_recovery(program, claim, recovery, calendar, facts):
    deadline = calendar.add_working_days(recovery.received_on, program.config["recovery_days"])
    return pro_rata_recovery(
        claim,
        recovery,
        facts,
        destination="pool",
        rule="T-5",
        clause=CLAUSE + "5",
        deadline=deadline,
    )


@hookimpl
def riskshare_plan_period(program, day):
    from riskshare.toolkit import Period

    half = 1 if day.month <= 6 else 2
    start = dt.date(day.year, 1 if half == 1 else 7, 1)
    end = dt.date(day.year, 6, 30) if half == 1 else dt.date(day.year, 12, 31)
    return Period(f"{day.year}-H{half}", start, end)


@hookimpl
def riskshare_cooperation_change(program, institution, action, facts):
    """Toy rule T-6: an institution with a non-performing loan is not resumed."""
    if action != "resume":
        return None
    bad = [
        loan.reference for loan in facts.institution_loans(institution.id) if loan.non_performing
    ]
    return Decision(
        not bad,
        [
            Explanation(
                "T-6",
                CLAUSE + "6",
                "refused" if bad else "resumed",
                f"不良贷款：{', '.join(bad) or '无'}。",
                f"Non-performing loans: {', '.join(bad) or 'none'}.",
                inputs={"non_performing": bad},
                passed=not bad,
            )
        ],
    )


@hookimpl
def riskshare_monitoring(program, day, facts):
    """Toy rule T-7: warn when the pool falls below the office's ``pool_floor`` indicator;
    toy rule T-8: suspend an institution (``suspend_for_npl``)."""
    alerts = suspend_for_npl(program, day, facts)
    floor = facts.indicator("pool_floor", day)
    balance = facts.pool_balance()
    if floor is None or balance >= floor:
        return alerts
    explanation = Explanation(
        "T-7",
        CLAUSE + "7",
        "warning",
        f"资金池余额 {balance} 元低于 {floor} 元。",
        f"The pool holds {balance}, below the floor {floor}.",
        inputs={"balance": balance},
        threshold=floor,
        passed=False,
    )
    return [*alerts, Alert("pool-floor", "warning", "program", program.id, explanation)]


SUSPENSION_DAYS = 30


def suspend_for_npl(program, day, facts):
    """Toy rule T-8: a lender whose non-performing loans in the program exceed the office's
    ``npl_suspension`` indicator is suspended for 30 days from the day monitoring finds it,
    and resumes when monitoring finds it back within the limit.

    The policy records its decision once (``suspend``); the core then refuses the bank new
    coverage, new claims, places in plans and payments, with this explanation: no other
    hook of this policy mentions the suspension.
    """
    limit = facts.indicator("npl_suspension", day)
    if limit is None:
        return []
    alerts = []
    loans = facts.program_loans()
    for bank in facts.institutions("bank"):
        bad = sum(
            (
                loan.outstanding
                for loan in loans
                if loan.lender_id == bank.id and loan.non_performing
            ),
            Decimal("0.00"),
        )
        if bad <= limit:
            # Back within the limit: the policy ends its own decision early.
            for standing in facts.standings("institution", bank.id, day):
                if standing.rule == "T-8":
                    lift(facts, standing.id, f"non-performing {bad}, within {limit}")
            continue
        until = day + dt.timedelta(days=SUSPENSION_DAYS)
        explanation = Explanation(
            "T-8",
            CLAUSE + "8",
            f"suspended until {until}",
            f"{bank.name} 不良贷款余额 {bad} 元，超过 {limit} 元，暂停 {SUSPENSION_DAYS} 天。",
            f"{bank.name} has {bad} non-performing, above {limit}: suspended for"
            f" {SUSPENSION_DAYS} days.",
            inputs={"non_performing": bad},
            threshold=limit,
            passed=False,
        )
        standing = suspend(
            facts,
            "institution",
            bank.id,
            rule="T-8",
            explanations=[explanation],
            from_=day,
            until=until,
        )
        alerts.append(
            Alert(
                "suspended",
                "action",
                "institution",
                bank.id,
                explanation,
                {"standing_id": standing.id, "until": standing.until},
            )
        )
    return alerts


@hookimpl
def riskshare_report_sections(program, period, facts):
    loans = facts.program_loans()
    return [
        ReportSection(
            "toy-pool",
            "Toy pool",
            ["period", "pool_balance", "paid", "non_performing", "outstanding"],
            [
                {
                    "period": period.label,
                    "pool_balance": facts.pool_balance(),
                    "paid": facts.paid_total(),
                    "non_performing": sum(loan.non_performing for loan in loans),
                    "outstanding": sum((loan.outstanding for loan in loans), Decimal(0)),
                }
            ],
        )
    ]


@hookimpl
def riskshare_check_payment(program, payment, facts):
    """Toy rule T-7: at most ``annual_cap`` paid in a calendar year, besides the core's checks."""
    cap = Decimal(program.config["annual_cap"])
    year = payment.paid_on.year
    paid = facts.paid_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    within = paid + payment.amount <= cap
    return default_payment_check(
        payment,
        facts,
        Explanation(
            "T-7",
            CLAUSE + "7",
            "within" if within else "over",
            f"{year} 年已支付 {paid} 元，本次 {payment.amount} 元，年度上限 {cap} 元。",
            f"{paid} paid in {year}; paying {payment.amount} against the annual cap {cap}.",
            inputs={"paid_this_year": paid, "amount": payment.amount},
            threshold=cap,
            passed=within,
        ),
    )


# The toy county's demo tenant: a bank, a firm, three users, and a story that opens a program
# and registers one loan (once: a second load finds the program and adds nothing).
DEMO_SLUG, DEMO_BANK, DEMO_FIRM_USCC = "toy-demo", "toy-bank", "91110000MA0000001L"


def tell_demo(api):
    office = api.as_("office", user=f"{DEMO_SLUG}-office")
    if office.ok("GET", "/programs"):
        return
    program = office.ok(
        "POST",
        "/programs",
        {
            "code": "toy-demo-1",
            "name": "Toy county fund",
            "policy": NAME,
            "config": {},
            "fund_total": "1000000.00",
            "effective_from": "2025-01-01",
            "effective_to": "2027-12-31",
        },
        status=201,
    )
    api.today(dt.date(2025, 3, 3))
    bank = {i["code"]: i for i in office.ok("GET", "/institutions")}[DEMO_BANK]
    [firm] = office.ok("GET", "/firms")
    api.as_("lender", institution=DEMO_BANK, user=f"{DEMO_SLUG}-lender").ok(
        "POST",
        "/loans",
        {
            "program_id": program["id"],
            "firm_id": firm["id"],
            "lender_id": bank["id"],
            "reference": "TOY-DEMO-1",
            "kind": "credit",
            "principal": "500000.00",
            "issue_date": "2025-03-03",
            "maturity_date": "2026-03-02",
        },
        status=201,
    )


DEMO_TENANT = DemoTenant(
    DEMO_SLUG,
    "Toy county",
    institutions=[DemoInstitution(DEMO_BANK, "Toy county bank", "bank")],
    firms=[DemoFirm(DEMO_FIRM_USCC, "Toy workshop", "industry", 12, Decimal("3000000"))],
    users=[DemoUser("office"), DemoUser("auditor"), DemoUser("lender", DEMO_BANK)],
    story=tell_demo,
)


@hookimpl
def riskshare_demo_tenants():
    return [DEMO_TENANT]
