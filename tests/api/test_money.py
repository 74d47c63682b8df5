"""Money moves exactly once: caps hold under concurrency, retries never pay twice."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from factories import approve_claims, approved_plan, register_loan, setup_program, sound_ledger
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


# --- defence in depth: each wall holds when the one in front of it is broken --------------


def _break(api, statement):
    """Change rows behind the API's back, as a faulty plugin or a bad migration might."""
    from riskshare.db import tenant_session

    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        session.execute(statement)


def test_approval_refuses_a_grant_beyond_the_claim_when_the_plan_reservation_is_broken(api):
    from sqlalchemy import update

    from riskshare.plans.models import PlanItem

    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    [claim] = approve_claims(api, firm, bank, 1)  # approved at 40,000
    today(api, dt.date(2025, 1, 6))
    office = api.as_("office")
    first = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    _break(api, update(PlanItem).values(holds_claim=False))  # the claim looks free again
    second = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-12-31"}, 201)
    assert [i["claim_id"] for i in second["items"]] == [claim["id"]]
    for plan in (first, second):
        office.ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{first['id']}/approve")
    refused = api.as_("approver").ok("POST", f"/plans/{second['id']}/approve", status=409)
    assert refused["claim_id"] == claim["id"]
    assert "granted 40000.00 by other plans already" in refused["detail"]
    ledger = sound_ledger(api, program)
    assert ledger["balances"]["expense:compensation"] == "40000.00"


def test_confirmation_refuses_a_second_payment_of_a_paid_claim_whatever_instructed_it(api):
    from riskshare.disbursements.models import Disbursement

    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    [claim] = approve_claims(api, firm, bank, 1)
    today(api, dt.date(2025, 1, 6))
    approved_plan(api, program, "2024-06-30")
    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")
    finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {})
    from sqlalchemy import insert

    _break(
        api,
        insert(Disbursement).values(
            tenant_id=api.tenant,
            program_id=program["id"],
            claim_id=claim["id"],
            kind="compensation",
            payee_institution_id=bank["id"],
            amount=Decimal("40000.00"),
            payer_role="finance",
            instructed_on=dt.date(2025, 1, 6),
        ),
    )
    [_, second] = finance.ok("GET", "/disbursements")
    refused = finance.ok("POST", f"/disbursements/{second['id']}/confirm", {}, status=409)
    assert refused["claim_id"] == claim["id"] and "paid 40000.00 already" in refused["detail"]
    assert sound_ledger(api, program)["pool_balance"] == "960000.00"


def test_the_ledger_refuses_an_entry_that_would_pay_more_than_is_owed(api):
    """The last wall: a payable can never turn into a debit, whatever path posts."""
    from riskshare.db import tenant_session
    from riskshare.ledger import service as ledger
    from riskshare.ledger.service import WrongSide

    today(api, dt.date(2024, 3, 1))
    program, bank, _ = setup_program(api)
    with (
        pytest.raises(WrongSide, match="payable:compensation"),
        tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session,
    ):
        ledger.transfer(
            session,
            program_id=program["id"],
            source_key="stray-payment",
            kind="compensation_paid",
            booked_on=dt.date(2024, 3, 1),
            memo="a payment nothing granted",
            debit="payable:compensation",
            credit="fund:pool",
            amount=Decimal("1.00"),
            institution_id=bank["id"],
        )
    assert sound_ledger(api, program)["pool_balance"] == "1000000.00"
