"""What a loan's money depends on: one event per fact, its outstanding principal, and the
claims that outstanding principal bounds; over HTTP, with the toy policy."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from factories import register_loan, setup_program
from riskshare.testing.pytest_plugin import today


def _world(api):
    today(api, dt.date(2024, 3, 1))
    _, bank, firm = setup_program(api)
    return bank, firm, api.as_("lender", institution="bank-a", user="li.lei")


def _event(lender, loan, kind, on, status=201, **body):
    return lender.ok(
        "POST", f"/loans/{loan['id']}/events", {"kind": kind, "event_date": on, **body}, status
    )


def _pointers(problem):
    return [e["pointer"] for e in problem.get("errors", [])]


def test_the_same_event_filed_twice_is_refused_naming_the_first(api):
    bank, firm, lender = _world(api)
    loan = register_loan(api, firm, bank)
    today(api, dt.date(2024, 9, 10))
    first = _event(lender, loan, "overdue_filing", "2024-09-09")

    again = _event(lender, loan, "overdue_filing", "2024-09-09", status=409)
    assert again["event_id"] == first["id"]
    assert again["type"].endswith("/conflict")
    for fact in (str(first["id"]), "overdue_filing", "2024-09-09", "li.lei", "2024-09-10"):
        assert fact in again["detail"]
    # Nothing of the second filing was kept; another day, or another kind that day, is new.
    assert [e["id"] for e in lender.ok("GET", f"/loans/{loan['id']}/events")] == [first["id"]]
    _event(lender, loan, "classification_change", "2024-09-09", classification="doubtful")
    _event(lender, loan, "overdue_filing", "2024-09-10")
    assert len(lender.ok("GET", f"/loans/{loan['id']}/events")) == 3


def test_the_same_event_filed_at_the_same_moment_is_kept_once(api):
    bank, firm, lender = _world(api)
    loan = register_loan(api, firm, bank)
    body = {"kind": "repayment", "event_date": "2024-03-01", "amount": "1000.00"}

    def file(_):
        return lender.post(f"/loans/{loan['id']}/events", body)

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = sorted(r.status_code for r in pool.map(file, range(4)))
    assert codes == [201, 409, 409, 409]
    assert lender.ok("GET", f"/loans/{loan['id']}")["outstanding"] == "499000.00"


def test_a_loan_registered_after_issue_carries_its_outstanding_principal(api):
    bank, firm, _ = _world(api)
    fresh = register_loan(api, firm, bank, "L-1")
    assert fresh["outstanding"] == fresh["principal"] == "500000.00"
    later = register_loan(api, firm, bank, "L-2", outstanding="320000.50")
    assert (later["principal"], later["outstanding"]) == ("500000.00", "320000.50")

    lender = api.as_("lender", institution="bank-a")
    body = {
        "firm_id": firm["id"],
        "lender_id": bank["id"],
        "kind": "credit",
        "principal": "500000.00",
        "issue_date": "2024-03-01",
        "maturity_date": "2025-03-01",
    }
    for n, outstanding in enumerate(("500000.01", "0.00", "-1.00")):
        refused = lender.ok(
            "POST",
            "/loans",
            {**body, "reference": f"L-bad-{n}", "outstanding": outstanding},
            status=422,
        )
        assert _pointers(refused) == ["/outstanding"], refused


def test_repayments_reduce_the_outstanding_principal_and_are_recorded(api):
    bank, firm, lender = _world(api)
    loan = register_loan(api, firm, bank)
    today(api, dt.date(2024, 6, 3))
    first = _event(lender, loan, "repayment", "2024-05-31", amount="120000.00")
    assert (first["amount"], first["outstanding"]) == ("120000.00", "380000.00")
    second = _event(lender, loan, "repayment", "2024-06-03", amount="80000.00")
    assert second["outstanding"] == "300000.00"

    after = lender.ok("GET", f"/loans/{loan['id']}")
    assert (after["principal"], after["outstanding"]) == ("500000.00", "300000.00")
    assert after["state"] == "active"  # a repayment keeps the loan's state
    events = lender.ok("GET", f"/loans/{loan['id']}/events")
    assert [(e["kind"], e["outstanding"]) for e in events] == [
        ("repayment", "380000.00"),
        ("repayment", "300000.00"),
    ]


def test_a_repayment_needs_an_amount_no_larger_than_the_outstanding(api):
    bank, firm, lender = _world(api)
    loan = register_loan(api, firm, bank, outstanding="200000.00")
    above = _event(lender, loan, "repayment", "2024-03-01", status=422, amount="200000.01")
    assert _pointers(above) == ["/amount"]
    assert "(200000.01) exceeds the loan's outstanding principal (200000.00)" in above["detail"]
    for amount in ("0.00", None):
        refused = _event(lender, loan, "repayment", "2024-03-01", status=422, amount=amount)
        assert _pointers(refused) == ["/amount"], refused
    assert lender.ok("GET", f"/loans/{loan['id']}")["outstanding"] == "200000.00"
    assert lender.ok("GET", f"/loans/{loan['id']}/events") == []
    # The whole of it may be repaid.
    whole = _event(lender, loan, "repayment", "2024-03-01", amount="200000.00")
    assert whole["outstanding"] == "0.00"


def test_the_existing_outstanding_field_on_events_still_sets_it(api):
    bank, firm, lender = _world(api)
    loan = register_loan(api, firm, bank)
    today(api, dt.date(2024, 9, 10))
    event = _event(lender, loan, "overdue_filing", "2024-09-09", outstanding="450000.00")
    assert event["outstanding"] == "450000.00"
    assert lender.ok("GET", f"/loans/{loan['id']}")["outstanding"] == "450000.00"
    # A repayment's outstanding follows from its amount; another figure is refused.
    refused = _event(
        lender, loan, "repayment", "2024-09-10", status=422, amount="50000.00", outstanding="1.00"
    )
    assert _pointers(refused) == ["/outstanding"]


def test_a_claim_is_bounded_by_the_outstanding_not_the_original_principal(api):
    bank, firm, lender = _world(api)
    loan = register_loan(api, firm, bank, classification="loss")
    today(api, dt.date(2024, 9, 10))
    _event(lender, loan, "repayment", "2024-09-02", amount="100000.00")

    over = lender.ok(
        "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": "400000.01"}, status=422
    )
    assert _pointers(over) == ["/claimed_principal"]
    assert "outstanding principal (400000.01 of 400000.00)" in over["detail"]

    claim = lender.ok(
        "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": "400000.00"}, status=201
    )
    assert (claim["claimed_principal"], claim["amount"]) == ("400000.00", "160000.00")
