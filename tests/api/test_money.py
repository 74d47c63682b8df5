"""Money moves exactly once: caps hold under concurrency, retries never pay twice."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from factories import register_loan, setup_program
from riskshare.testing.pytest_plugin import today


def approved_claims(api, count, principal="100000.00"):
    """``count`` covered, non-performing loans, each with an approved claim."""
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    lender = api.as_("lender", institution="bank-a")
    for n in range(count):
        loan = register_loan(api, firm, bank, f"L-{n}", principal, classification="loss")
        claim = lender.ok(
            "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": principal}, status=201
        )
        api.as_("reviewer").ok(
            "POST",
            f"/claims/{claim['id']}/reviews",
            {"decision": "approve", "opinion": "ok"},
            status=201,
        )
    today(api, dt.date(2025, 1, 6))
    plan = api.as_("office").ok(
        "POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, status=201
    )
    api.as_("office").ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    return program


def test_concurrent_confirmations_never_overdraw_the_pool(api):
    """20 payments of 40,000 race for a pool that can pay 10 after the plan was cut back."""
    program = approved_claims(api, 25)  # 25 × 40,000 = 1,000,000: the whole fund
    finance = api.as_("finance")
    # Move 600,000 of the pool out of reach first, so only 10 of 25 payments can be made.
    payments = finance.ok("GET", "/disbursements?page_size=100")
    assert len(payments) == 25
    for d in payments[:15]:
        finance.ok("POST", f"/disbursements/{d['id']}/confirm", {}, key=f"pre-{d['id']}")
    rest = payments[15:]

    def confirm(d):
        return finance.post(f"/disbursements/{d['id']}/confirm", {}, key=f"race-{d['id']}")

    # The pool now holds 400,000: exactly the 10 remaining payments. Race them twice each.
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(confirm, rest + rest))
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) == 20  # the second of each pair is a replay of the first
    ledger = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger")
    assert ledger["pool_balance"] == "0.00"
    assert ledger["balanced"] is True
    assert ledger["balances"]["payable:compensation"] == "0.00"


def test_a_plan_allocates_no_more_than_the_pool_holds_and_pays_it_out_exactly(api):
    program = approved_claims(api, 3, principal="1000000.00")  # 3 × 400,000 > 1,000,000
    finance = api.as_("finance")
    plan = api.as_("auditor").ok("GET", "/plans")[0]
    assert [i["allocated"] for i in plan["items"]] == ["400000.00", "400000.00", "200000.00"]
    payments = finance.ok("GET", "/disbursements")
    for d in payments:
        finance.ok("POST", f"/disbursements/{d['id']}/confirm", {}, key=f"p{d['id']}")
    ledger = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger")
    assert ledger["pool_balance"] == "0.00"


def test_same_idempotency_key_replays_and_a_different_body_is_refused(api):
    program = approved_claims(api, 1)
    finance = api.as_("finance")
    [d] = finance.ok("GET", "/disbursements")
    first = finance.post(
        f"/disbursements/{d['id']}/confirm", {"payment_reference": "T1"}, key="once"
    )
    again = finance.post(
        f"/disbursements/{d['id']}/confirm", {"payment_reference": "T1"}, key="once"
    )
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    other = finance.post(
        f"/disbursements/{d['id']}/confirm", {"payment_reference": "T2"}, key="once"
    )
    assert other.status_code == 422
    assert other.get_json()["type"].endswith("idempotency-key-reused")
    missing = finance.post(f"/disbursements/{d['id']}/confirm", {}, key=False)
    assert missing.status_code == 400
    ledger = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger")
    assert ledger["pool_balance"] == "960000.00"  # paid once: 1,000,000 − 40,000
