"""What ``Facts`` answers a policy: money read from the ledger by kind, institution, claim and
date (and as of a past day), the views' dates, and lookups of records that are not there.

The records are made through the HTTP API with the toy policy (which compensates 40% of the
claimed principal); the questions are then asked of a ``SessionFacts`` on the test database,
as a hook would ask them.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest

from factories import register_loan, setup_program
from riskshare.testing.pytest_plugin import today

D = dt.date
NOW = D(2025, 3, 15)  # the fund fixture's last day


@contextmanager
def facts_of(api, program, on=NOW, as_of=None):
    from riskshare.db import tenant_session
    from riskshare.programs.facts import SessionFacts

    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        yield SessionFacts(session, program["id"], on, as_of=as_of)


def _approved_claim(api, lender, loan, principal):
    claim = lender.ok(
        "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": principal}, status=201
    )
    api.as_("reviewer").ok(
        "POST", f"/claims/{claim['id']}/reviews", {"decision": "approve", "opinion": "ok"}, 201
    )
    return claim


def _confirm(api, claim, on):
    finance = api.as_("finance")
    [payment] = [d for d in finance.ok("GET", "/disbursements") if d["claim_id"] == claim["id"]]
    today(api, on)
    finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {}, key=f"pay-{claim['id']}")


@pytest.fixture
def fund(api):
    """Two banks, two years, two kinds of payment, a recovery and a clawback:

    * 2024-03-01: claims approved on A1 (bank-a, 40,000), A2 (bank-a, 20,000) and B1
      (bank-b, 80,000); B2 (bank-b) rejected.
    * 2024-07-02: the 2024-H1 plan grants all three; 2024-07-10: A1 paid.
    * 2025-02-03: B1 paid, and 50,000 recovered on A1 (20,000 due back); 2025-02-10 returned.
    * 2025-03-01: 5,000 premium subsidy paid to bank-a (a policy's own kind of payment);
      80,000 clawed back from bank-b, repaid 2025-03-10. A2 is never paid.
    """
    today(api, D(2024, 3, 1))
    program, bank_a, firm = setup_program(api)
    bank_b = api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    lender_a = api.as_("lender", institution="bank-a")
    lender_b = api.as_("lender", institution="bank-b")
    loans = {
        "A1": register_loan(api, firm, bank_a, "A1", "100000.00", classification="loss"),
        "A2": register_loan(api, firm, bank_a, "A2", "50000.00", classification="loss"),
    }
    for ref, principal in (("B1", "200000.00"), ("B2", "10000.00")):
        body = {
            "firm_id": firm["id"],
            "lender_id": bank_b["id"],
            "reference": ref,
            "kind": "credit",
            "principal": principal,
            "issue_date": "2024-03-01",
            "maturity_date": "2025-03-01",
            "classification": "loss",
        }
        loans[ref] = lender_b.ok("POST", "/loans", body, status=201)
    claims = {
        "A1": _approved_claim(api, lender_a, loans["A1"], "100000.00"),
        "A2": _approved_claim(api, lender_a, loans["A2"], "50000.00"),
        "B1": _approved_claim(api, lender_b, loans["B1"], "200000.00"),
    }
    claims["B2"] = lender_b.ok(
        "POST", "/claims", {"loan_id": loans["B2"]["id"], "claimed_principal": "10000.00"}, 201
    )
    api.as_("reviewer").ok(
        "POST",
        f"/claims/{claims['B2']['id']}/reviews",
        {"decision": "reject", "opinion": "no"},
        201,
    )

    today(api, D(2024, 7, 2))
    office = api.as_("office")
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    office.ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    _confirm(api, claims["A1"], D(2024, 7, 10))
    _confirm(api, claims["B1"], D(2025, 2, 3))

    recovery = lender_a.ok(
        "POST",
        "/recoveries",
        {"claim_id": claims["A1"]["id"], "received_on": "2025-02-03", "recovered": "50000.00"},
        key="rec-a1",
        status=201,
    )
    assert recovery["amount_due"] == "20000.00"
    today(api, D(2025, 2, 10))
    api.as_("finance").ok("POST", f"/recoveries/{recovery['id']}/confirm-return", key="ret")

    today(api, D(2025, 3, 1))
    _premium_subsidy(api, program, bank_a, "5000.00", D(2025, 3, 1))
    clawback = api.as_("approver").ok(
        "POST",
        "/clawbacks",
        {"program_id": program["id"], "institution_id": bank_b["id"], "reason": "fraud"},
        status=201,
    )
    assert clawback["amount"] == "80000.00"
    today(api, D(2025, 3, 10))
    api.as_("finance").ok("POST", f"/clawbacks/{clawback['id']}/confirm-repaid", key="cb")
    today(api, NOW)
    return SimpleNamespace(
        program=program, a=bank_a["id"], b=bank_b["id"], loans=loans, claims=claims
    )


def _premium_subsidy(api, program, bank, amount, on):
    """Granted and paid as a policy's own action books it (Yanqing's premium subsidies)."""
    from riskshare.db import tenant_session
    from riskshare.toolkit import ledger_transfer

    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        common = {"program_id": program["id"], "booked_on": on, "institution_id": bank["id"]}
        ledger_transfer(
            session,
            source_key="subsidy:1:grant",
            kind="premium_subsidy_granted",
            memo="subsidy",
            debit="expense:premium_subsidy",
            credit="payable:premium_subsidy",
            amount=Decimal(amount),
            **common,
        )
        ledger_transfer(
            session,
            source_key="subsidy:1:paid",
            kind="premium_subsidy_paid",
            memo="subsidy",
            debit="payable:premium_subsidy",
            credit="fund:pool",
            amount=Decimal(amount),
            **common,
        )


def _id(fund, name):
    return fund.claims[name]["id"]


def test_paid_is_read_by_kind_institution_claim_and_year(api, fund):
    y2024 = {"start": D(2024, 1, 1), "end": D(2024, 12, 31)}
    y2025 = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}
    with facts_of(api, fund.program) as f:
        assert f.paid() == Decimal("120000.00")
        assert f.paid(institution_id=fund.a) == Decimal("40000.00")
        assert f.paid(institution_id=fund.b) == Decimal("80000.00")
        assert (f.paid(**y2024), f.paid(**y2025)) == (Decimal("40000.00"), Decimal("80000.00"))
        assert f.paid(institution_id=fund.b, **y2024) == Decimal("0.00")
        assert f.paid(start=D(2025, 2, 4)) == Decimal("0.00")  # open-ended ranges
        assert f.paid(end=D(2024, 7, 9)) == Decimal("0.00")
        # The kind is the payment's: a subsidy is not compensation, and each has its payee.
        assert f.paid("premium_subsidy") == Decimal("5000.00")
        assert f.paid("premium_subsidy", institution_id=fund.b) == Decimal("0.00")
        assert f.paid(claim_id=_id(fund, "A1")) == Decimal("40000.00")
        assert f.paid(claim_id=_id(fund, "A2")) == Decimal("0.00")
        # The first contract's names are the same questions.
        assert f.paid_total() == f.paid() and f.paid_between(**y2024) == f.paid(**y2024)
        assert f.paid_to_institution(fund.b) == Decimal("80000.00")
        assert f.compensation_paid_on_claim(_id(fund, "B1")) == Decimal("80000.00")


def test_granted_and_unpaid_follow_the_plan_and_the_payments(api, fund):
    with facts_of(api, fund.program) as f:
        assert f.granted() == Decimal("140000.00")
        assert f.granted(institution_id=fund.a) == Decimal("60000.00")
        assert f.granted(claim_id=_id(fund, "A2")) == Decimal("20000.00")
        assert f.granted(start=D(2024, 7, 3)) == Decimal("0.00")  # granted on 2024-07-02
        assert f.unpaid() == Decimal("20000.00")  # A2's
        assert f.unpaid(claim_id=_id(fund, "A2")) == Decimal("20000.00")
        assert f.unpaid(institution_id=fund.b) == Decimal("0.00")
        assert str(f.unpaid(claim_id=_id(fund, "A1"))) == "0.00"  # never "-0.00"
        assert f.unpaid(on=D(2024, 12, 31)) == Decimal("100000.00")  # A2 and B1


def test_recoveries_returns_and_clawbacks_by_institution_claim_and_date(api, fund):
    with facts_of(api, fund.program) as f:
        assert f.recoveries_due() == Decimal("20000.00")
        assert f.recoveries_due(claim_id=_id(fund, "A1")) == Decimal("20000.00")
        assert f.recoveries_due(claim_id=_id(fund, "B1")) == Decimal("0.00")
        assert f.recoveries_due(end=D(2025, 2, 2)) == Decimal("0.00")  # received 2025-02-03
        # Gross, as the lender reported it: 50,000 recovered, 20,000 of it due back.
        assert f.recovered() == f.recovered(claim_id=_id(fund, "A1")) == Decimal("50000.00")
        assert f.recovered(institution_id=fund.b) == Decimal("0.00")
        assert f.recovered(start=D(2025, 2, 4)) == f.recovered(end=D(2025, 2, 2)) == Decimal("0")
        assert f.returned_on_claim(_id(fund, "A1")) == Decimal("20000.00")
        assert f.returned("pool") == f.returned(None) == Decimal("20000.00")
        assert f.returned("pool", institution_id=fund.b) == Decimal("0.00")
        assert f.returned(claim_id=_id(fund, "A1"), end=D(2025, 2, 9)) == Decimal("0.00")
        assert f.returned("treasury:remitted") == Decimal("0.00")  # no other destination
        assert f.returned_total() == Decimal("20000.00")
        assert f.clawed_back() == f.clawed_back(institution_id=fund.b) == Decimal("80000.00")
        assert f.clawed_back(institution_id=fund.a) == Decimal("0.00")
        assert f.clawbacks_repaid(start=D(2025, 3, 10)) == Decimal("80000.00")
        assert f.clawbacks_repaid(end=D(2025, 3, 9)) == Decimal("0.00")
        assert f.appropriated() == Decimal("1000000.00")
        # 1,000,000 − 120,000 compensation − 5,000 subsidy + 20,000 returned + 80,000 repaid
        assert f.pool_balance() == Decimal("975000.00")
        assert f.pool_balance(on=D(2024, 12, 31)) == Decimal("960000.00")
        assert f.debits("payable:premium_subsidy") == Decimal("5000.00")
        assert f.credits("fund:pool", kinds=["premium_subsidy_paid"]) == Decimal("5000.00")
        assert f.account_balance("clawback:receivable", fund.b) == Decimal("0.00")


def test_as_of_a_past_day_nothing_booked_later_counts(api, fund):
    """A report of 2024 asked in 2025: B1's payment (2025-02-03) and everything after it
    are not there, whatever range the policy asks for."""
    with facts_of(api, fund.program, as_of=D(2024, 12, 31)) as f:
        assert f.paid() == Decimal("40000.00")
        assert f.paid(institution_id=fund.b) == Decimal("0.00")
        assert f.paid(start=D(2024, 1, 1), end=D(2025, 12, 31)) == Decimal("40000.00")
        assert f.paid(claim_id=_id(fund, "B1")) == Decimal("0.00")
        assert f.paid("premium_subsidy") == Decimal("0.00")
        assert f.unpaid() == Decimal("100000.00")
        assert f.unpaid(on=D(2025, 12, 31)) == Decimal("100000.00")
        assert f.recoveries_due(claim_id=_id(fund, "A1")) == Decimal("0.00")
        assert f.recovered() == Decimal("0.00")  # received 2025-02-03
        assert f.returned() == f.clawed_back() == Decimal("0.00")
        assert f.pool_balance() == f.pool_balance(on=NOW) == Decimal("960000.00")
    with facts_of(api, fund.program, as_of=D(2024, 7, 9)) as f:
        assert f.paid() == Decimal("0.00")  # the day before A1 was paid
        assert f.granted() == Decimal("140000.00")


def test_claims_say_when_they_were_approved_and_paid(api, fund):
    with facts_of(api, fund.program) as f:
        a1, a2, b2 = (f.claim(_id(fund, name)) for name in ("A1", "A2", "B2"))
        assert (a1.approved_on, a1.paid_on) == (D(2024, 3, 1), D(2024, 7, 10))
        assert (a2.approved_on, a2.paid_on) == (D(2024, 3, 1), None)  # granted, never paid
        assert (b2.reviewed_on, b2.approved_on, b2.paid_on) == (D(2024, 3, 1), None, None)
        assert f.claims(states=["paid"], institution_id=fund.b)[0].paid_on == D(2025, 2, 3)
    claim = api.as_("auditor").ok("GET", f"/claims/{_id(fund, 'B1')}")
    assert claim["paid_on"] == "2025-02-03"


def test_a_plan_line_carries_its_loan_and_the_claims_attributes(api):
    from riskshare.db import tenant_session
    from riskshare.plans.service import claims_due
    from riskshare.plugins.types import Period

    today(api, D(2024, 3, 1))
    program, bank, firm = setup_program(api)
    lender = api.as_("lender", institution="bank-a")
    loan = register_loan(api, firm, bank, "M-1", "100000.00", classification="loss")
    body = {
        "loan_id": loan["id"],
        "claimed_principal": "100000.00",
        "attributes": {"mode": "fast_track"},
    }
    claim = lender.ok("POST", "/claims", body, status=201)
    api.as_("reviewer").ok(
        "POST", f"/claims/{claim['id']}/reviews", {"decision": "approve", "opinion": "ok"}, 201
    )
    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        period = Period("2024-H1", D(2024, 1, 1), D(2024, 6, 30))
        [due], _ = claims_due(SimpleNamespace(session=session), program["id"], period)
    assert (due.claim_id, due.loan_id, dict(due.attributes)) == (
        claim["id"],
        loan["id"],
        {"mode": "fast_track"},
    )


def test_a_loan_is_registered_on_its_effective_date_not_before_its_issue(api):
    today(api, D(2024, 5, 1))
    program, bank, firm = setup_program(api)
    late = register_loan(api, firm, bank, "R-1", effective_on="2024-03-05")
    now = register_loan(api, firm, bank, "R-2")
    assert (late["registered_on"], now["registered_on"]) == ("2024-03-05", "2024-05-01")
    with facts_of(api, program, on=D(2024, 5, 1)) as f:
        assert f.loan(late["id"]).registered_on == D(2024, 3, 5)
    early = api.as_("lender", institution="bank-a").ok(
        "POST",
        "/loans",
        {
            "firm_id": firm["id"],
            "lender_id": bank["id"],
            "reference": "R-3",
            "kind": "credit",
            "principal": "1000.00",
            "issue_date": "2024-03-01",
            "maturity_date": "2025-03-01",
            "effective_on": "2024-02-28",
        },
        status=422,
    )
    assert [e["pointer"] for e in early["errors"]] == ["/effective_on"]
    assert "before its issue (2024-03-01)" in early["detail"]


def test_lookups_of_missing_records_name_them_or_answer_none(api):
    from riskshare.toolkit import RecordNotFound

    today(api, D(2024, 3, 1))
    program, bank, firm = setup_program(api)
    loan = register_loan(api, firm, bank)
    with facts_of(api, program, on=D(2024, 3, 1)) as f:
        assert f.loan_or_none(loan["id"]).reference == "L-1"
        assert f.firm_or_none(firm["id"]).employees == 25
        assert f.institution_or_none(bank["id"]).code == "bank-a"
        for ask in (f.loan_or_none, f.firm_or_none, f.institution_or_none, f.claim_or_none):
            assert ask(987654) is None and ask(None) is None
        for ask, what in ((f.loan, "loan"), (f.firm, "firm"), (f.institution, "institution")):
            with pytest.raises(RecordNotFound, match=f"There is no {what} 987654"):
                ask(987654)
        with pytest.raises(LookupError):  # what a plugin may catch without the toolkit
            f.claim(987654)


def test_a_missing_record_a_policy_asked_for_is_a_404_problem(api):
    """A hook that asks ``facts.loan(...)`` for an id the request named gets the caller a
    404 naming it, not a 500."""
    from riskshare.toolkit import RecordNotFound

    app = api.app
    with app.test_request_context("/api/v1/tenants/x/loans"):
        response = app.make_response(app.handle_user_exception(RecordNotFound("loan", 7)))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"].endswith("/not-found") and problem["detail"] == "There is no loan 7."
