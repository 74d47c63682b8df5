"""Simultaneous identical requests against a real threaded server on PostgreSQL.

Every operation that moves or commits money is sent ten times at the same instant, with
one Idempotency-Key (a retry) and with ten (a double click, or two people): it takes
effect once, the others answer as the first did or 409 naming what already happened, and
the ledger balances with every signed account on its side. Where a pool or cap is at
stake, it holds fewer payments than race for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from factories import (
    USCC,
    approve_claims,
    approved_plan,
    register_loan,
    setup_program,
    sound_ledger,
)
from riskshare.testing.live import race
from riskshare.testing.pytest_plugin import today

COPIES = 10


def statuses(responses):
    return sorted(r.status_code for r in responses)


def one_winner(responses, status=201):
    """Exactly one response with ``status``, the rest 409; returns (winner, losers)."""
    assert statuses(responses) == [status] + [409] * (len(responses) - 1), [
        (r.status_code, r.text[:300]) for r in responses
    ]
    winner = next(r for r in responses if r.status_code == status)
    return winner.json(), [r.json() for r in responses if r.status_code == 409]


def simultaneously(caller, path, body=None, *, same_key):
    """COPIES identical POSTs at once, with one key or each with its own."""
    return race(
        [
            lambda n=n: caller.post(path, body, key="k" if same_key else f"k{n}")
            for n in range(COPIES)
        ]
    )


def assert_replayed(responses, status):
    assert statuses(responses) == [status] * COPIES
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == COPIES - 1
    assert len({r.text for r in responses}) == 1


@pytest.fixture
def world(api):
    """A toy program of 1,000,000 with bank-a and one firm, on 2024-03-01."""
    today(api, dt.date(2024, 3, 1))
    return setup_program(api)


def paid_claim(api, world, principal="100000.00"):
    """One claim approved at 40,000 and paid in the 2024-H1 plan."""
    program, bank, firm = world
    [claim] = approve_claims(api, firm, bank, 1, principal)
    today(api, dt.date(2024, 7, 2))
    approved_plan(api, program, "2024-06-30")
    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")
    finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {})
    return claim


# --- plans -------------------------------------------------------------------------------


@pytest.mark.parametrize("same_key", [True, False], ids=["one-key", "ten-keys"])
def test_a_plan_approved_ten_times_at_once_grants_each_claim_once(api, rs_live, world, same_key):
    program, bank, firm = world
    approve_claims(api, firm, bank, 3)  # 3 × 40,000
    today(api, dt.date(2024, 7, 2))
    office = api.as_("office")
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    office.ok("POST", f"/plans/{plan['id']}/submit")
    approver = api.live(rs_live, "approver")
    responses = simultaneously(approver, f"/plans/{plan['id']}/approve", same_key=same_key)
    if same_key:
        assert_replayed(responses, 200)
    else:
        _, losers = one_winner(responses, 200)
        assert all("cannot approve from state 'approved'" in p["detail"] for p in losers)
    assert len(api.as_("finance").ok("GET", "/disbursements")) == 3
    ledger = sound_ledger(api, program)
    assert ledger["balances"]["expense:compensation"] == "120000.00"
    assert ledger["balances"]["payable:compensation"] == "-120000.00"


def test_a_claim_held_by_a_live_plan_goes_into_no_other_plan_and_is_paid_once(api, world):
    """Three period plans proposed for one approved claim, two approved, all confirmed:
    one payment of the approved amount, and a 409 naming the plan that holds it."""
    program, bank, firm = world
    [claim] = approve_claims(api, firm, bank, 1, "1250000.00")  # approved at 500,000
    today(api, dt.date(2025, 1, 6))
    office = api.as_("office")
    first = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    assert [i["claim_id"] for i in first["items"]] == [claim["id"]]
    held = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-12-31"}, 409)
    assert held["held_by"] == {str(claim["id"]): first["id"]}
    assert f"claim {claim['id']} in plan 2024-H1 (id {first['id']}, draft)" in held["detail"]
    office.ok("POST", f"/plans/{first['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{first['id']}/approve")
    finance = api.as_("finance")
    for payment in finance.ok("GET", "/disbursements"):
        finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {})
    # Paid in full: nothing is left for a later plan (it is empty, not a second payment).
    later = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-12-31"}, 201)
    assert later["items"] == []
    ledger = sound_ledger(api, program)
    assert ledger["balances"]["expense:compensation"] == "500000.00"
    assert ledger["pool_balance"] == "500000.00"


def test_a_rejected_plan_releases_its_claims_to_the_next_plan(api, world):
    program, bank, firm = world
    [claim] = approve_claims(api, firm, bank, 1)
    today(api, dt.date(2025, 1, 6))
    office = api.as_("office")
    first = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    office.ok("POST", f"/plans/{first['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{first['id']}/reject")
    second = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-12-31"}, 201)
    assert [(i["claim_id"], i["allocated"]) for i in second["items"]] == [(claim["id"], "40000.00")]
    withdrawn = office.ok("POST", f"/plans/{second['id']}/withdraw")
    assert withdrawn["state"] == "withdrawn"


# --- payments ----------------------------------------------------------------------------


def test_twenty_confirmations_racing_for_room_for_seven_pay_exactly_seven(api, rs_live, world):
    """20 payments of 37,000 from the 2024-H1 plan race for a pool of 260,000, after the
    2024-H2 plan's 20 were paid: 7 go through, 13 are refused by the pool (CORE-POOL)."""
    program, bank, firm = world
    approve_claims(api, firm, bank, 20, "92500.00", prefix="H1")  # 40% = 37,000 each
    today(api, dt.date(2024, 7, 2))
    first = approved_plan(api, program, "2024-06-30")
    today(api, dt.date(2024, 8, 1))
    approve_claims(api, firm, bank, 20, "92500.00", prefix="H2")
    today(api, dt.date(2025, 1, 6))
    second = approved_plan(api, program, "2024-12-31")
    finance = api.as_("finance")
    payments = finance.ok("GET", "/disbursements?page_size=100")
    plan_of = {i["id"]: p["id"] for p in (first, second) for i in p["items"]}
    racing = [d for d in payments if plan_of[d["plan_item_id"]] == first["id"]]
    for d in payments:
        if plan_of[d["plan_item_id"]] == second["id"]:
            finance.ok("POST", f"/disbursements/{d['id']}/confirm", {})
    assert sound_ledger(api, program)["pool_balance"] == "260000.00"
    live = api.live(rs_live, "finance")
    responses = race(
        [lambda d=d: live.post(f"/disbursements/{d['id']}/confirm", {}) for d in racing]
    )
    assert statuses(responses) == [200] * 7 + [409] * 13
    refusals = [r.json() for r in responses if r.status_code == 409]
    assert {p["rule"]["rule"] for p in refusals} == {"CORE-POOL"}
    ledger = sound_ledger(api, program)
    assert ledger["pool_balance"] == "1000.00"  # 260,000 − 7 × 37,000
    assert ledger["balances"]["payable:compensation"] == "-481000.00"  # 13 still owed


@pytest.mark.parametrize("same_key", [True, False], ids=["one-key", "ten-keys"])
def test_one_payment_confirmed_ten_times_at_once_is_paid_once(api, rs_live, world, same_key):
    program, bank, firm = world
    approve_claims(api, firm, bank, 1)
    today(api, dt.date(2024, 7, 2))
    approved_plan(api, program, "2024-06-30")
    [payment] = api.as_("finance").ok("GET", "/disbursements")
    live = api.live(rs_live, "finance")
    path = f"/disbursements/{payment['id']}/confirm"
    responses = simultaneously(live, path, {"payment_reference": "T-1"}, same_key=same_key)
    if same_key:
        assert_replayed(responses, 200)
    else:
        _, losers = one_winner(responses, 200)
        assert all("cannot confirm from state 'confirmed'" in p["detail"] for p in losers)
    assert sound_ledger(api, program)["pool_balance"] == "960000.00"


# --- claims and reviews ------------------------------------------------------------------


def test_ten_simultaneous_claims_on_one_loan_open_one(api, rs_live, world):
    _, bank, firm = world
    loan = register_loan(api, firm, bank, "L-1", classification="loss")
    lender = api.live(rs_live, "lender", institution="bank-a")
    body = {"loan_id": loan["id"], "claimed_principal": "500000.00"}
    winner, losers = one_winner(simultaneously(lender, "/claims", body, same_key=False))
    assert all(p["claim_id"] == winner["id"] for p in losers)
    assert all(f"Your claim {winner['id']} on this loan" in p["detail"] for p in losers)
    assert len(api.as_("auditor").ok("GET", "/claims")) == 1


def test_ten_simultaneous_approving_reviews_approve_once(api, rs_live, world):
    _, bank, firm = world
    loan = register_loan(api, firm, bank, "L-1", classification="loss")
    claim = api.as_("lender", institution="bank-a").ok(
        "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": "500000.00"}, status=201
    )
    reviewer = api.live(rs_live, "reviewer")
    path = f"/claims/{claim['id']}/reviews"
    body = {"decision": "approve", "opinion": "ok"}
    winner, losers = one_winner(simultaneously(reviewer, path, body, same_key=False))
    assert winner["state"] == "approved" and winner["approved_amount"] == "200000.00"
    # The loser either finds the claim decided or the review written, never a second one.
    assert all(
        "cannot review from state 'approved'" in p["detail"]
        or "review of this claim" in p["detail"]
        for p in losers
    )
    assert len(api.as_("auditor").ok("GET", f"/claims/{claim['id']}/reviews")) == 1
    events = api.as_("auditor").ok("GET", "/audit/events?page_size=100")
    assert [e["action"] for e in events].count("claim.approve") == 1


# --- recoveries, clawbacks, write-offs ---------------------------------------------------


def test_ten_reports_of_one_recovery_make_it_due_once(api, rs_live, world):
    program, _, _ = world
    claim = paid_claim(api, world)  # 40,000 paid
    lender = api.live(rs_live, "lender", institution="bank-a")
    body = {"claim_id": claim["id"], "received_on": "2024-07-01", "recovered": "100000.00"}
    winner, losers = one_winner(simultaneously(lender, "/recoveries", body, same_key=False))
    assert winner["amount_due"] == "40000.00"
    assert all(p["recovery_id"] == winner["id"] for p in losers)
    ledger = sound_ledger(api, program)
    assert ledger["balances"]["recovery:receivable"] == "40000.00"


def test_ten_different_recoveries_at_once_never_owe_back_more_than_was_paid(api, rs_live, world):
    program, _, _ = world
    claim = paid_claim(api, world)  # 40,000 paid; each recovery alone would owe 40,000
    lender = api.live(rs_live, "lender", institution="bank-a")
    responses = race(
        [
            lambda n=n: lender.post(
                "/recoveries",
                {
                    "claim_id": claim["id"],
                    "received_on": f"2024-06-{n + 10}",
                    "recovered": "100000.00",
                },
                key=f"r{n}",
            )
            for n in range(COPIES)
        ]
    )
    assert statuses(responses) == [201] * COPIES
    due = sorted(Decimal(r.json()["amount_due"]) for r in responses)
    assert due == [Decimal("0.00")] * (COPIES - 1) + [Decimal("40000.00")]
    assert sound_ledger(api, program)["balances"]["recovery:receivable"] == "40000.00"


@pytest.mark.parametrize("same_key", [True, False], ids=["one-key", "ten-keys"])
def test_ten_clawbacks_at_once_claim_back_what_was_paid_once(api, rs_live, world, same_key):
    program, bank, _ = world
    paid_claim(api, world)
    approver = api.live(rs_live, "approver")
    body = {"program_id": program["id"], "institution_id": bank["id"], "reason": "fraud"}
    responses = simultaneously(approver, "/clawbacks", body, same_key=same_key)
    if same_key:
        assert_replayed(responses, 201)
    else:
        winner, losers = one_winner(responses)
        assert all(p["clawback_id"] == winner["id"] for p in losers)
    # One after the other, too: the second is refused while the first is owed.
    again = api.as_("approver").ok("POST", "/clawbacks", body, status=409)
    assert "is still owed" in again["detail"]
    assert sound_ledger(api, program)["balances"]["clawback:receivable"] == "40000.00"


def test_ten_write_offs_of_one_loan_at_once_record_one(api, rs_live, world):
    _, bank, firm = world
    loan = register_loan(api, firm, bank, "L-1", classification="loss")
    lender = api.live(rs_live, "lender", institution="bank-a")
    body = {"loan_id": loan["id"], "approved_on": "2024-03-01", "net_loss": "100000.00"}
    winner, losers = one_winner(simultaneously(lender, "/write-offs", body, same_key=False))
    assert all(p["write_off_id"] == winner["id"] for p in losers)


# --- natural keys ------------------------------------------------------------------------

NATURAL_KEYS = {
    "firm": (
        "lender",
        "/firms",
        {
            "uscc": "91110108MA01234567",
            "name": "Firm B",
            "industry": "industry",
            "employees": 25,
            "revenue": "5000000",
        },
    ),
    "loan": ("lender", "/loans", None),
    "institution": ("office", "/institutions", {"code": "bank-b", "name": "B", "kind": "bank"}),
    "program": (
        "office",
        "/programs",
        {
            "code": "toy-2027",
            "name": "Toy fund 2027",
            "policy": "toy",
            "fund_total": "1000.00",
            "effective_from": "2027-01-01",
            "effective_to": "2027-12-31",
        },
    ),
    "appropriation": ("finance", None, {"amount": "10.00", "reference": "BUDGET-2024-1"}),
    "plan": ("office", "/plans", None),
}


@pytest.mark.parametrize("record", sorted(NATURAL_KEYS))
def test_ten_creations_with_one_natural_key_make_one_and_answer_409(api, rs_live, world, record):
    program, bank, firm = world
    role, path, body = NATURAL_KEYS[record]
    if record == "loan":
        body = {
            "firm_id": firm["id"],
            "lender_id": bank["id"],
            "reference": "L-9",
            "kind": "credit",
            "principal": "10000.00",
            "issue_date": "2024-03-01",
            "maturity_date": "2025-03-01",
        }
    elif record == "appropriation":
        path = f"/programs/{program['id']}/appropriations"
    elif record == "plan":
        today(api, dt.date(2024, 7, 2))
        body = {"program_id": program["id"], "day": "2024-06-30"}
    elif record == "firm":
        body = {**body, "uscc": _valid_uscc(body["uscc"])}
    caller = api.live(rs_live, role, institution="bank-a" if role == "lender" else None)
    _, losers = one_winner(simultaneously(caller, path, body, same_key=False))
    assert all(p["type"].endswith("/conflict") for p in losers)
    sound_ledger(api, program)


def test_ten_onboardings_of_one_tenant_slug_make_one(api, rs_live):
    admin = api.live(rs_live)
    body = {"slug": f"{api.tenant}-x", "name": "Twice"}
    _, losers = one_winner(simultaneously(admin, "/api/v1/platform/tenants", body, same_key=False))
    assert all(p["type"].endswith("/conflict") for p in losers)


def _valid_uscc(base: str) -> str:
    """``base`` with its check character, so the firm differs from the factory's USCC."""
    from stdnum.cn import uscc

    code = base[:17] + uscc.calc_check_digit(base[:17])
    assert code != USCC
    return code
