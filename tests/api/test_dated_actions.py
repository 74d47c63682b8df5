"""Dated actions: a fund's history is loaded through the API, each action on its own date.

Every business action takes an optional ``effective_on``: the record keeps it beside the
time it was written, ledger entries are booked on it, periods and reports follow it. It is
refused in the future, before the record's previous step, and beyond the tenant's limit.
"""

from __future__ import annotations

import datetime as dt

import pytest

from factories import create_firm, register_loan, setup_program, sound_ledger
from riskshare.testing.pytest_plugin import today

NOW = dt.date(2026, 12, 2)


def history(api):
    """A toy fund run since 2022, loaded in December 2026 with the dates it happened on."""
    today(api, NOW)
    office = api.as_("office")
    program = office.ok(
        "POST",
        "/programs",
        {
            "code": "toy-2022",
            "name": "Toy fund 2022",
            "policy": "toy",
            "fund_total": "1000000.00",
            "effective_from": "2022-01-01",
            "effective_to": "2024-12-31",
            "effective_on": "2022-01-04",
        },
        status=201,
    )
    bank = office.ok(
        "POST",
        "/institutions",
        {"code": "bank-a", "name": "Bank A", "kind": "bank", "cooperation_since": "2021-12-01"},
        status=201,
    )
    firm = create_firm(api)
    loan = register_loan(
        api, firm, bank, "L-2022", "300000.00", issue_date="2022-03-01", maturity_date="2023-03-01"
    )
    lender = api.as_("lender", institution="bank-a")
    lender.ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {
            "kind": "classification_change",
            "event_date": "2022-05-10",
            "classification": "loss",
            "effective_on": "2022-05-11",
        },
        status=201,
    )
    claim = lender.ok(
        "POST",
        "/claims",
        {"loan_id": loan["id"], "claimed_principal": "300000.00", "effective_on": "2022-05-20"},
        status=201,
    )
    claim = api.as_("reviewer").ok(
        "POST",
        f"/claims/{claim['id']}/reviews",
        {"decision": "approve", "opinion": "ok", "effective_on": "2022-06-10"},
        status=201,
    )
    plan = office.ok(
        "POST",
        "/plans",
        {"program_id": program["id"], "day": "2022-06-30", "effective_on": "2022-07-05"},
        status=201,
    )
    office.ok("POST", f"/plans/{plan['id']}/submit", {"effective_on": "2022-07-06"})
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve", {"effective_on": "2022-07-08"})
    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")
    finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {"effective_on": "2022-07-20"})
    return program, loan, claim, plan


def test_a_funds_history_is_loaded_with_each_action_on_its_date(api):
    program, _, claim, plan = history(api)
    assert (claim["submitted_on"], claim["reviewed_on"]) == ("2022-05-20", "2022-06-10")
    plan = api.as_("auditor").ok("GET", f"/plans/{plan['id']}")
    assert (plan["proposed_on"], plan["approved_on"], plan["state"]) == (
        "2022-07-05",
        "2022-07-08",
        "paid",
    )
    [payment] = api.as_("finance").ok("GET", "/disbursements")
    assert (payment["instructed_on"], payment["confirmed_on"]) == ("2022-07-08", "2022-07-20")
    ledger = sound_ledger(api, program)
    assert ledger["pool_balance"] == "880000.00"  # 1,000,000 − 40% of 300,000
    # The audit event keeps both: when it was written (now) and the date it took effect.
    events = api.as_("auditor").ok("GET", "/audit/events?page_size=100")
    [submit] = [e for e in events if e["action"] == "claim.submit"]
    assert submit["at"][:10] == dt.datetime.now(dt.UTC).date().isoformat()
    assert submit["after"]["submitted_on"] == "2022-05-20"


def test_reports_show_the_period_as_it_stood_and_read_the_same_when_run_again(api):
    program, loan, _, _ = history(api)
    path = f"/programs/{program['id']}/reports"
    auditor = api.as_("auditor")
    may, july = auditor.ok("GET", f"{path}/2022-05"), auditor.ok("GET", f"{path}/2022-07")
    assert may["activity"]["claims_awaiting_review"] == 1  # reviewed only on 2022-06-10
    assert may["fund"]["paid_to_date"] == {}
    assert july["fund"]["paid_in_period"] == {"compensation": "120000.00"}
    [toy] = may["sections"]
    assert toy["rows"][0]["paid"] == "0.00" and toy["rows"][0]["pool_balance"] == "1000000.00"
    assert toy["rows"][0]["non_performing"] == 1  # reclassified as loss on 2022-05-10
    # Later history: the loan is repaid in part in 2023, and another budget appropriation.
    api.as_("lender", institution="bank-a").ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {"kind": "repayment", "event_date": "2023-01-10", "amount": "50000.00"},
        status=201,
    )
    api.as_("finance").ok(
        "POST",
        f"/programs/{program['id']}/appropriations",
        {"amount": "500000.00", "reference": "B-2023", "effective_on": "2023-02-01"},
        status=201,
    )
    for period, first in (("2022-05", may), ("2022-07", july)):
        again = auditor.ok("GET", f"{path}/{period}")
        assert {**again, "generated_on": None} == {**first, "generated_on": None}
    now = auditor.ok("GET", f"{path}/2023-02")["sections"][0]["rows"][0]
    assert (now["outstanding"], now["pool_balance"]) == ("250000.00", "1380000.00")


def test_a_year_end_plan_is_proposed_for_a_past_year(api):
    """The claims reviewed in 2022-H1 are planned, approved and paid on 2022 dates, loaded
    in 2026: the plan belongs to its own period and its payment to 2022."""
    program, _, _, plan = history(api)
    assert plan["period"] == "2022-H1"
    report = api.as_("auditor").ok("GET", f"/programs/{program['id']}/reports/2022")
    assert report["fund"]["paid_year_to_date"] == {"compensation": "120000.00"}


# --- refusals ----------------------------------------------------------------------------


@pytest.fixture
def claim(api):
    today(api, dt.date(2024, 3, 10))
    _, bank, firm = setup_program(api)
    loan = register_loan(api, firm, bank, "L-1", classification="loss")
    return api.as_("lender", institution="bank-a").ok(
        "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": "100000.00"}, status=201
    )


def review(api, claim, day):
    return api.as_("reviewer").call(
        "POST",
        f"/claims/{claim['id']}/reviews",
        {"decision": "approve", "opinion": "ok", "effective_on": day},
    )


def test_an_effective_date_in_the_future_is_refused_with_its_pointer(api, claim):
    refused = review(api, claim, "2024-03-11")
    assert refused.status_code == 422
    [error] = refused.get_json()["errors"]
    assert error["pointer"] == "/effective_on" and "in the future" in error["detail"]


def test_an_effective_date_before_the_previous_step_is_refused(api, claim):
    refused = review(api, claim, "2024-03-09")  # the claim was submitted on 2024-03-10
    assert refused.status_code == 422
    assert "before the claim (2024-03-10)" in refused.get_json()["errors"][0]["detail"]
    assert review(api, claim, "2024-03-10").status_code == 201


def test_a_tenant_may_limit_how_far_back_dates_go(api):
    from riskshare.testing.client import ApiClient

    limited = ApiClient(api.app, f"{api.tenant}-l")
    api.admin.ok(
        "POST",
        "/api/v1/platform/tenants",
        {"slug": limited.tenant, "name": "Limited", "backdate_limit_days": 30},
        status=201,
    )
    today(api, dt.date(2024, 3, 31))
    program, _, _ = setup_program(limited)
    finance = limited.as_("finance")
    path = f"/programs/{program['id']}/appropriations"
    refused = finance.ok(
        "POST", path, {"amount": "1.00", "reference": "A", "effective_on": "2024-02-29"}, 422
    )
    assert "more than 30 days back" in refused["errors"][0]["detail"]
    finance.ok(
        "POST", path, {"amount": "1.00", "reference": "B", "effective_on": "2024-03-01"}, 201
    )


def test_loan_events_are_filed_in_the_order_they_happened(api):
    today(api, dt.date(2024, 6, 1))
    _, bank, firm = setup_program(api)
    loan = register_loan(api, firm, bank, "L-1")
    lender = api.as_("lender", institution="bank-a")
    path = f"/loans/{loan['id']}/events"
    lender.ok("POST", path, {"kind": "overdue_filing", "event_date": "2024-05-10"}, status=201)
    refused = lender.ok(
        "POST",
        path,
        {"kind": "classification_change", "event_date": "2024-05-01", "classification": "loss"},
        status=422,
    )
    assert refused["errors"][0]["pointer"] == "/event_date"
