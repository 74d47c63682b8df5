"""Yanqing's own money actions under simultaneous requests, against a real threaded server on
PostgreSQL: Y-01 gains and the fee, Y-11 premium subsidies and their payment, Y-06 votes,
Y-07 high-grade approvals, Y-14 the suspension, and recommendations (Y-03). Ten identical
requests with one Idempotency-Key answer as the first (nine replays); with ten keys one
takes effect and nine get a 409 naming it. The ledger balances afterwards, every signed
account on its side, and the effect happened once."""

from __future__ import annotations

import datetime as dt

import pytest
from yanqing_steps import (
    DELEGATES,
    DOCUMENTS,
    SEATS,
    YQ,
    approve,
    claim,
    documents,
    firm,
    graded_firm,
    half_year_plan,
    joint_review,
    ledger,
    non_performing,
    paid_on_its_own,
    prescreen,
    recommend,
    register_loan,
    setup,
    vote_all,
)

from riskshare.testing import race, today

COPIES = 10


def _once(responses, status=201):
    """One ``status`` and nine 409s; returns (the winner, the 409s)."""
    codes = sorted(r.status_code for r in responses)
    assert codes == [status] + [409] * (COPIES - 1), [r.text[:200] for r in responses]
    first = next(r.json() for r in responses if r.status_code == status)
    refused = [r.json() for r in responses if r.status_code == 409]
    return first, refused


def _replayed(responses, status=201):
    """Ten times the same answer, nine of them replays of the first."""
    assert sorted(r.status_code for r in responses) == [status] * COPIES, [
        r.text[:200] for r in responses
    ]
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == COPIES - 1
    assert len({r.text for r in responses}) == 1
    return responses[0].json()


def _at_once(caller, path, body, same_key, tag):
    keys = [tag if same_key else f"{tag}-{n}" for n in range(COPIES)]
    return race([lambda k=k: caller.post(path, body, key=k) for k in keys])


def _sound(api, program):
    books = ledger(api, program)
    assert books["balanced"] is True and books["wrong_side"] == [], books
    return books


ONE_OR_TEN = pytest.mark.parametrize("same_key", [True, False], ids=["one-key", "ten-keys"])


@ONE_OR_TEN
def test_Y01_ten_simultaneous_gains_of_one_reference_go_into_the_pool_once(yq, rs_live, same_key):
    api, program, _ = yq
    custodian = api.live(rs_live, "custodian", institution="yq-custodian")
    path = f"{YQ}/programs/{program['id']}/gains"
    body = {"amount": "100000.00", "reference": "2025-Q1"}
    responses = race(
        [
            lambda n=n: custodian.post(path, body, key="g" if same_key else f"g{n}")
            for n in range(COPIES)
        ]
    )
    if same_key:
        _replayed(responses)
    else:
        first, refused = _once(responses)
        assert all(p["fund_event_id"] == first["id"] for p in refused)
        assert all(f"event {first['id']}, booked on 2025-01-10" in p["detail"] for p in refused), (
            refused[0]
        )
    books = _sound(api, program)
    assert books["balances"]["fund:gains"] == "-100000.00"
    assert books["pool_balance"] == "30100000.00"  # the fund and the gain, once


@ONE_OR_TEN
def test_Y01_ten_simultaneous_fee_settlements_of_one_year_pay_the_fee_once(yq, rs_live, same_key):
    api, program, _ = yq
    custodian = api.as_("custodian", institution="yq-custodian")
    gains = {"amount": "100000.00", "reference": "2025-Q1"}
    custodian.ok("POST", f"{YQ}/programs/{program['id']}/gains", gains, status=201)
    today(api, dt.date(2026, 1, 5))
    finance = api.live(rs_live, "finance")
    path = f"{YQ}/programs/{program['id']}/custodian-fees"
    responses = _at_once(finance, path, {"year": 2025, "performance": "履职良好"}, same_key, "fee")
    if same_key:
        fee = _replayed(responses)
    else:
        fee, refused = _once(responses)
        assert all(p["fund_event_id"] == fee["id"] for p in refused)
        assert all("The fee '2025' is recorded already" in p["detail"] for p in refused)
    assert fee["amount"] == "15000.00"  # 100,000 × 0.15
    books = _sound(api, program)
    assert books["balances"]["fund:fees"] == "15000.00"
    assert books["pool_balance"] == "30085000.00"


def test_Y01_a_fee_dated_in_the_future_is_refused(yq):
    api, program, _ = yq
    today(api, dt.date(2026, 1, 5))
    refused = api.as_("finance").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/custodian-fees",
        {"year": 2025, "performance": "履职良好", "effective_on": "2026-01-06"},
        status=422,
    )
    assert refused["errors"][0]["pointer"] == "/effective_on"


def test_Y07_three_high_grades_approved_at_once_stay_within_the_quota_of_two(yq, rs_live):
    """The district approves at most two high grades a year: three approvals of three
    firms at the same moment grant two, the third is refused by Y-07."""
    api, program, _ = yq
    waiting = []
    for n in (21, 22, 23):
        rec = recommend(api, program, firm(api, n))
        prescreen(api, rec)
        waiting.append(vote_all(api, rec, dict.fromkeys(SEATS, "high")))
    assert {r["state"] for r in waiting} == {"awaiting_approval"}
    approver = api.live(rs_live, "approver")
    body = {"decision": "approve", "opinion": "区政府意见"}
    responses = race(
        [
            lambda r=r: approver.post(f"{YQ}/recommendations/{r['id']}/approval", body)
            for r in waiting
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 422], [r.text for r in responses]
    refused = next(r.json() for r in responses if r.status_code == 422)
    assert refused["rule"]["rule"] == "Y-07"
    graded = [api.as_("auditor").ok("GET", f"{YQ}/recommendations/{r['id']}") for r in waiting]
    assert sum(r["grade_effective_on"] is not None for r in graded) == 2


def test_Y06_a_vote_dated_in_the_future_is_refused(yq):
    api, program, _ = yq
    rec = recommend(api, program, firm(api, 24))
    prescreen(api, rec)
    refused = api.as_("panelist", user="delegate-drc").ok(
        "POST",
        f"{YQ}/recommendations/{rec['id']}/votes",
        {"seat": "drc", "grade": "high", "opinion": "x", "effective_on": "2025-01-11"},
        status=422,
    )
    assert refused["errors"][0]["pointer"] == "/effective_on"


def test_Y06_a_pre_screen_dated_before_the_recommendation_is_refused(yq):
    api, program, _ = yq
    rec = recommend(api, program, firm(api, 25))  # on 2025-01-10
    refused = api.as_("office").ok(
        "POST",
        f"{YQ}/recommendations/{rec['id']}/prescreen",
        {"decision": "pass", "opinion": "初筛通过", "effective_on": "2025-01-09"},
        status=422,
    )
    assert refused["errors"][0]["pointer"] == "/effective_on"
    assert "before the recommendation (2025-01-10)" in refused["detail"]


# --- Y-11 premium subsidies --------------------------------------------------------------


def _insured_loan(api, program, insts, n=31):
    f, _ = graded_firm(api, program, insts, n, "medium")
    loan = register_loan(api, f, insts, f"YQ-INS-{n}", kind="insured", principal="1000000")
    assert loan["covered"] is True, loan["coverage"]
    return loan


SUBSIDY_DOCUMENTS = ("loan_documents", "insurance_policy", "payment_proof")


def _subsidy_body(loan, **extra):
    return {
        "loan_id": loan["id"],
        "premium": "40000.00",
        "documents": documents(*SUBSIDY_DOCUMENTS),
        **extra,
    }


@ONE_OR_TEN
def test_Y11_ten_simultaneous_subsidy_notices_for_one_loan_instruct_one_payment(
    yq, rs_live, same_key
):
    api, program, insts = yq
    loan = _insured_loan(api, program, insts)
    today(api, dt.date(2025, 2, 10))
    office = api.live(rs_live, "office")
    path = f"{YQ}/programs/{program['id']}/premium-subsidies"
    responses = _at_once(office, path, _subsidy_body(loan), same_key, "subsidy")
    if same_key:
        subsidy = _replayed(responses)
    else:
        subsidy, refused = _once(responses)
        assert all(p["subsidy_id"] == subsidy["id"] for p in refused)
        assert all(
            f"subsidy {subsidy['id']} of 20000.00, noticed on 2025-02-10" in p["detail"]
            for p in refused
        ), refused[0]
    assert subsidy["amount"] == "20000.00"  # Y-11: half the premium
    listed = api.as_("office").ok("GET", path)
    assert [s["id"] for s in listed] == [subsidy["id"]]
    payments = api.as_("finance").ok("GET", "/disbursements")
    assert [(d["id"], d["kind"]) for d in payments] == [
        (subsidy["disbursement_id"], "premium_subsidy")
    ]
    books = _sound(api, program)
    assert books["balances"]["expense:premium_subsidy"] == "20000.00"
    assert books["balances"]["payable:premium_subsidy"] == "-20000.00"


@ONE_OR_TEN
def test_Y11_a_subsidy_confirmed_ten_times_at_once_is_paid_once(yq, rs_live, same_key):
    api, program, insts = yq
    loan = _insured_loan(api, program, insts)
    today(api, dt.date(2025, 2, 10))
    subsidy = api.as_("office").ok(
        "POST", f"{YQ}/programs/{program['id']}/premium-subsidies", _subsidy_body(loan), status=201
    )
    custodian = api.live(rs_live, "custodian", institution="yq-custodian")
    path = f"/disbursements/{subsidy['disbursement_id']}/confirm"
    responses = _at_once(custodian, path, {"payment_reference": "PAY-S1"}, same_key, "pay")
    if same_key:
        _replayed(responses, 200)
    else:
        _, refused = _once(responses, 200)
        assert all("cannot confirm from state 'confirmed'" in p["detail"] for p in refused)
    books = _sound(api, program)
    assert books["balances"]["payable:premium_subsidy"] == "0.00"
    assert books["balances"]["expense:premium_subsidy"] == "20000.00"
    assert books["pool_balance"] == "29980000.00"  # 30,000,000 − the subsidy, once


# --- Y-06 votes and Y-07 the high-grade approval -----------------------------------------


def _delegate(api, rs_live, seat):
    return api.live(rs_live, "panelist", user=f"delegate-{seat}", institution=DELEGATES.get(seat))


@ONE_OR_TEN
def test_Y06_ten_simultaneous_identical_votes_count_once(yq, rs_live, same_key):
    api, program, _ = yq
    rec = prescreen(api, recommend(api, program, firm(api, 41)))
    path = f"{YQ}/recommendations/{rec['id']}/votes"
    body = {"seat": "drc", "grade": "medium", "opinion": "drc: medium"}
    responses = _at_once(_delegate(api, rs_live, "drc"), path, body, same_key, "vote")
    ballots = api.as_("auditor").ok("GET", f"{YQ}/recommendations/{rec['id']}/ballots")
    assert [(b["seat"], b["grade"]) for b in ballots] == [("drc", "medium")]
    if same_key:
        _replayed(responses, 200)
    else:
        _, refused = _once(responses, 200)
        assert all(p["vote_id"] == ballots[0]["id"] for p in refused)
        assert all(
            f"vote {ballots[0]['id']} (medium), on 2025-01-10" in p["detail"] for p in refused
        ), refused[0]
    later = api.as_("auditor").ok("GET", f"{YQ}/recommendations/{rec['id']}")
    assert later["state"] == "in_review"


def test_Y06_the_last_votes_cast_at_once_decide_the_round_once(yq, rs_live):
    """Every seat votes at the same moment: each vote counts, and exactly one of them is the
    last and decides the round (without the lock none would see the others)."""
    api, program, _ = yq
    rec = prescreen(api, recommend(api, program, firm(api, 42)))
    path = f"{YQ}/recommendations/{rec['id']}/votes"
    callers = [(seat, _delegate(api, rs_live, seat)) for seat in SEATS]
    responses = race(
        [
            lambda seat=seat, c=c: c.post(
                path, {"seat": seat, "grade": "medium", "opinion": f"{seat}: medium"}
            )
            for seat, c in callers
        ]
    )
    assert [r.status_code for r in responses] == [200] * len(SEATS), [r.text for r in responses]
    decided = api.as_("auditor").ok("GET", f"{YQ}/recommendations/{rec['id']}")
    assert (decided["state"], decided["grade"]) == ("graded", "medium")
    assert decided["grade_effective_on"] == "2025-01-10"
    results = [e["result"] for e in decided["outcome"] if e["rule"] == "Y-06"]
    assert results == ["prescreened", "medium"]  # the pre-screen, and one decision


def _awaiting_high(api, program, n):
    rec = prescreen(api, recommend(api, program, firm(api, n)))
    rec = vote_all(api, rec, dict.fromkeys(SEATS, "high"))
    assert rec["state"] == "awaiting_approval"
    return rec


@ONE_OR_TEN
def test_Y07_ten_simultaneous_approvals_of_one_high_grade_grant_it_once(yq, rs_live, same_key):
    api, program, _ = yq
    rec = _awaiting_high(api, program, 43)
    approver = api.live(rs_live, "approver")
    path = f"{YQ}/recommendations/{rec['id']}/approval"
    body = {"decision": "approve", "opinion": "区政府同意"}
    responses = _at_once(approver, path, body, same_key, "approve")
    if same_key:
        approved = _replayed(responses, 200)
    else:
        approved, refused = _once(responses, 200)
        assert all(p["recommendation_id"] == rec["id"] for p in refused)
        assert all(
            "it is graded since 2025-01-10; its high grade took effect on 2025-01-10" in p["detail"]
            for p in refused
        ), refused[0]
    assert (approved["state"], approved["grade_effective_on"]) == ("graded", "2025-01-10")
    assert [e["rule"] for e in approved["outcome"]].count("Y-07") == 1
    # One of the year's two high grades is used: a second firm is approved, a third is not.
    approve(api, _awaiting_high(api, program, 44))
    assert approve(api, _awaiting_high(api, program, 45), status=422)["rule"]["rule"] == "Y-07"


# --- Y-14 the suspension ------------------------------------------------------------------


def test_Y14_two_payments_confirmed_at_once_past_the_suspension_level_pay_one(api, rs_live):
    """With suspend_at at 2,500,000, the first of two 2,500,000 payments reaches it and
    suspends compensation; the pool (27,500,000) is below resume_at (28,000,000), so the
    other, confirmed at the same moment, waits (Y-14)."""
    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api, suspend_at="2500000.00", resume_at="28000000.00")
    loans = []
    for n in (51, 52):
        f, _ = graded_firm(api, program, insts, n, "medium")
        loans.append(register_loan(api, f, insts, f"YQ-S{n}"))
    today(api, dt.date(2025, 5, 10))
    for loan in loans:
        non_performing(api, loan, "2025-05-09")
        joint_review(api, claim(api, loan, "5000000.00"))  # medium: 2,500,000 each
    today(api, dt.date(2025, 7, 3))
    paid_on_its_own(api, program)
    half_year_plan(api, program, "2025-06-30")
    custodian = api.live(rs_live, "custodian", institution="yq-custodian")
    due = api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")
    assert [d["amount"] for d in due] == ["2500000.00", "2500000.00"]
    responses = race(
        [
            lambda d=d: custodian.post(
                f"/disbursements/{d['id']}/confirm", {"payment_reference": f"P-{d['id']}"}
            )
            for d in due
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    waits = next(r.json() for r in responses if r.status_code == 409)
    assert waits["rule"]["rule"] == "Y-14"
    state = api.as_("office").ok("GET", f"{YQ}/programs/{program['id']}/fund-state")
    assert (state["suspended"], state["changed_on"]) == (True, "2025-07-03")
    assert state["net_compensation"] == "2500000.00"
    books = _sound(api, program)
    assert books["balances"]["payable:compensation"] == "-2500000.00"  # the other one waits


# --- Y-03 recommendations -----------------------------------------------------------------


def test_Y03_ten_simultaneous_recommendations_of_one_firm_make_one(yq, rs_live):
    api, program, _ = yq
    f = firm(api, 61)
    recommender = api.live(rs_live, "recommender", institution="yq-tourism")
    body = {
        "firm_id": f["id"],
        "financing_need": "5000000.00",
        "focus_sector": "low_altitude_economy",
        "documents": documents(*DOCUMENTS),
        "credit_record": {"entries": []},
    }
    path = f"{YQ}/programs/{program['id']}/recommendations"
    first, refused = _once(race([lambda: recommender.post(path, body) for _ in range(COPIES)]))
    assert all(p["recommendation_id"] == first["id"] for p in refused)
    assert all(
        f"recommendation {first['id']}, on 2025-01-10 (recommended)" in p["detail"] for p in refused
    )
    listed = api.as_("office").ok("GET", path)
    assert [r["id"] for r in listed] == [first["id"]]


def test_Y14_payments_confirmed_at_once_around_the_threshold_never_pass_it(api, rs_live):
    """threshold_crossing = pay_to_threshold, suspend_at 6,000,000: three payments of
    2,500,000 confirmed at the same moment pay exactly 6,000,000 between them, in whatever
    order they run; the last one's other 1,500,000 waits, owed, for the restart (Y-14)."""
    today(api, dt.date(2025, 1, 10))
    program, insts = setup(
        api,
        suspend_at="6000000.00",
        resume_at="29000000.00",
        threshold_crossing="pay_to_threshold",
    )
    loans = []
    for n in (71, 72, 73):
        f, _ = graded_firm(api, program, insts, n, "medium")
        loans.append(register_loan(api, f, insts, f"YQ-T{n}"))
    today(api, dt.date(2025, 5, 10))
    for loan in loans:
        non_performing(api, loan, "2025-05-09")
        joint_review(api, claim(api, loan, "5000000.00"))  # medium: 2,500,000 each
    today(api, dt.date(2026, 1, 5))
    half_year_plan(api, program, "2025-12-31")
    custodian = api.live(rs_live, "custodian", institution="yq-custodian")
    due = api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")
    assert [d["amount"] for d in due] == ["2500000.00"] * 3
    responses = race(
        [
            lambda d=d: custodian.post(
                f"/disbursements/{d['id']}/confirm", {"payment_reference": f"P-{d['id']}"}
            )
            for d in due
        ]
    )
    assert [r.status_code for r in responses] == [200] * 3, [r.text for r in responses]
    assert sorted(r.json()["amount"] for r in responses) == [
        "1000000.00",
        "2500000.00",
        "2500000.00",
    ]
    state = api.as_("office").ok("GET", f"{YQ}/programs/{program['id']}/fund-state")
    assert (state["suspended"], state["net_compensation"]) == (True, "6000000.00")
    listed = api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")
    [waiting] = [d for d in listed if d["state"] == "instructed"]
    assert (waiting["amount"], waiting["remainder_of"] in {d["id"] for d in due}) == (
        "1500000.00",
        True,
    )
    books = _sound(api, program)
    assert books["balances"]["payable:compensation"] == "-1500000.00"
