"""The whole compensation lifecycle of one loan, over HTTP, with the toy policy only.

register loan → overdue filing → claim → review → allocation plan → approval →
disbursement confirmed → recovery returned; on PostgreSQL and on SQLite.
"""

from __future__ import annotations

import base64
import datetime as dt

from factories import register_loan, setup_program
from riskshare.testing.pytest_plugin import today


def test_toy_policy_runs_the_whole_lifecycle_over_http(api_any):
    api = api_any
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    assert firm["size_class"] == "small"
    lender = api.as_("lender", institution="bank-a")
    loan = register_loan(api, firm, bank)
    assert loan["covered"] is True and loan["coverage"][0]["rule"] == "T-1"

    today(api, dt.date(2024, 9, 10))
    lender.ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {"kind": "overdue_filing", "event_date": "2024-09-09"},
        status=201,
    )
    lender.ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {
            "kind": "classification_change",
            "event_date": "2024-09-10",
            "classification": "substandard",
        },
        status=201,
    )

    report = base64.b64encode(b"PBOC credit report").decode()
    claim = lender.ok(
        "POST",
        "/claims",
        {
            "loan_id": loan["id"],
            "claimed_principal": "400000.00",
            "documents": [
                {"kind": "credit_report", "filename": "report.pdf", "content_base64": report}
            ],
        },
        status=201,
    )
    assert claim["amount"] == "160000.00" and claim["ratio"] == "0.400000"
    assert claim["review_due_on"] == "2024-09-18"  # 5 working days; 15-17 Sep is Mid-Autumn

    api.as_("reviewer").ok(
        "POST",
        f"/claims/{claim['id']}/reviews",
        {"decision": "approve", "opinion": "符合条件"},
        status=201,
    )

    today(api, dt.date(2025, 1, 6))
    plan = api.as_("office").ok(
        "POST", "/plans", {"program_id": program["id"], "day": "2024-12-31"}, status=201
    )
    assert plan["period"] == "2024-H2"
    assert plan["items"][0]["allocated"] == "160000.00"
    api.as_("office").ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")

    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")
    paid = finance.ok(
        "POST",
        f"/disbursements/{payment['id']}/confirm",
        {"payment_reference": "TX-1"},
        key="pay-1",
    )
    assert paid["state"] == "confirmed"
    assert finance.ok("GET", f"/claims/{claim['id']}")["state"] == "paid"

    recovery = lender.ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claim["id"],
            "received_on": "2025-01-06",
            "recovered": "100000.00",
            "costs": "10000.00",
        },
        key="rec-1",
        status=201,
    )
    assert recovery["amount_due"] == "36000.00"  # (100000 - 10000) × 0.4
    finance.ok("POST", f"/recoveries/{recovery['id']}/confirm-return", key="ret-1")

    ledger = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger")
    assert ledger["balanced"] is True
    assert ledger["pool_balance"] == "876000.00"  # 1,000,000 − 160,000 + 36,000
    chain = api.as_("auditor").ok("GET", "/audit/verification")
    assert chain["ok"] is True and chain["events"] > 10
