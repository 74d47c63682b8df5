"""Yanqing's own actions dated with ``effective_on``, and repeats that name the first.

Every action takes an optional ``effective_on`` (default today): one in the future, or
before the record's previous step (the recommendation's latest step, the loan's issue, the
year's end for a fee or report, the program's start for a gain or penalty), is a 422 at
``/effective_on``; the action then records that date. A repeat of a natural key (a gain's
reference, a subsidy's loan, a penalty of the day) is a 409 naming the first.
"""

from __future__ import annotations

import datetime as dt

from yanqing_steps import (
    DELEGATES,
    SEATS,
    YQ,
    documents,
    firm,
    graded_firm,
    prescreen,
    recommend,
    register_loan,
)

from riskshare.testing import today


def _refused_at(problem, pointer="/effective_on"):
    assert problem["errors"][0]["pointer"] == pointer, problem
    return problem["detail"]


# --- Y-01 gains, the fee and the annual report --------------------------------------------


def test_Y01_a_gain_dated_in_the_future_or_before_the_program_is_refused(yq):
    api, program, _ = yq  # today 2025-01-10; the program starts on 2025-01-01
    custodian = api.as_("custodian", institution="yq-custodian")
    path = f"{YQ}/programs/{program['id']}/gains"
    gain = {"amount": "1000.00", "reference": "2025-01"}
    future = custodian.ok("POST", path, {**gain, "effective_on": "2025-01-11"}, status=422)
    assert "2025-01-11 is in the future" in _refused_at(future)
    early = custodian.ok("POST", path, {**gain, "effective_on": "2024-12-31"}, status=422)
    assert "before the program's start (2025-01-01)" in _refused_at(early)
    after = {**gain, "effective_on": "2025-01-07", "booked_on": "2025-01-08"}
    _refused_at(custodian.ok("POST", path, after, status=422), "/booked_on")
    before = {**gain, "booked_on": "2024-12-31"}
    _refused_at(custodian.ok("POST", path, before, status=422), "/booked_on")

    event = custodian.ok("POST", path, {**gain, "effective_on": "2025-01-08"}, status=201)
    assert (event["booked_on"], event["year"]) == ("2025-01-08", 2025)
    entries = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger/entries")
    [entry] = [e for e in entries if e["kind"] == "investment_gain"]
    assert entry["booked_on"] == "2025-01-08"
    again = custodian.ok("POST", path, {**gain, "amount": "2000.00"}, status=409)
    assert again["fund_event_id"] == event["id"]
    assert f"event {event['id']}, booked on 2025-01-08" in again["detail"]


def test_Y01_no_gain_is_booked_in_a_year_whose_fee_is_settled(yq):
    api, program, _ = yq
    custodian = api.as_("custodian", institution="yq-custodian")
    gains = f"{YQ}/programs/{program['id']}/gains"
    custodian.ok("POST", gains, {"amount": "100000.00", "reference": "2025-H1"}, status=201)
    today(api, dt.date(2026, 1, 5))
    fee = api.as_("finance").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/custodian-fees",
        {"year": 2025, "performance": "履职良好"},
        status=201,
    )
    late = {"amount": "5000.00", "reference": "2025-H2", "booked_on": "2025-12-31"}
    refused = custodian.ok("POST", gains, late, status=409)
    assert refused["fund_event_id"] == fee["id"]
    assert "custodian fee for 2025 was settled on 2026-01-05" in refused["detail"]
    custodian.ok("POST", gains, {**late, "booked_on": "2026-01-02"}, status=201)  # 2026's


def test_Y01_a_fee_dated_before_its_years_end_or_in_the_future_is_refused(yq):
    api, program, _ = yq
    custodian = api.as_("custodian", institution="yq-custodian")
    custodian.ok(
        "POST",
        f"{YQ}/programs/{program['id']}/gains",
        {"amount": "100000.00", "reference": "2025-H1"},
        status=201,
    )
    today(api, dt.date(2026, 1, 5))
    finance = api.as_("finance")
    path = f"{YQ}/programs/{program['id']}/custodian-fees"
    early = finance.ok(
        "POST",
        path,
        {"year": 2025, "performance": "履职良好", "effective_on": "2025-12-31"},
        status=422,
    )
    assert "before the end of 2025 (2026-01-01)" in _refused_at(early)
    _refused_at(
        finance.ok(
            "POST",
            path,
            {"year": 2025, "performance": "履职良好", "effective_on": "2026-01-06"},
            status=422,
        )
    )
    fee = finance.ok(
        "POST",
        path,
        {"year": 2025, "performance": "履职良好", "effective_on": "2026-01-02"},
        status=201,
    )
    assert (fee["booked_on"], fee["amount"]) == ("2026-01-02", "15000.00")
    entries = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger/entries")
    [entry] = [e for e in entries if e["kind"] == "custodian_fee"]
    assert entry["booked_on"] == "2026-01-02"


def test_Y01_an_annual_report_comes_after_its_years_end_and_once(yq):
    api, program, _ = yq
    custodian = api.as_("custodian", institution="yq-custodian")
    path = f"{YQ}/programs/{program['id']}/custodian-reports"
    report = {"kind": "annual", "period": "2025", "document_reference": "延托报〔2026〕1号"}
    _refused_at(custodian.ok("POST", path, report, status=422), "/period")  # in 2025
    today(api, dt.date(2026, 3, 2))
    early = custodian.ok("POST", path, {**report, "effective_on": "2025-12-30"}, status=422)
    assert "before the end of 2025" in _refused_at(early)
    filed = custodian.ok("POST", path, {**report, "effective_on": "2026-02-27"}, status=201)
    assert (filed["filed_on"], filed["due_on"], filed["late"]) == (
        "2026-02-27",
        "2026-05-31",
        False,
    )
    again = custodian.ok("POST", path, report, status=409)
    assert again["custodian_report_id"] == filed["id"]


# --- Y-11 premium subsidies ---------------------------------------------------------------


def test_Y11_a_subsidy_dated_before_the_loan_or_in_the_future_is_refused_and_one_per_loan(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 71, "medium")
    loan = register_loan(api, f, insts, "YQ-INS", kind="insured", principal="1000000")
    today(api, dt.date(2025, 2, 10))  # the loan was issued on 2025-02-01
    office = api.as_("office")
    path = f"{YQ}/programs/{program['id']}/premium-subsidies"
    body = {
        "loan_id": loan["id"],
        "premium": "40000.00",
        "documents": documents("loan_documents", "insurance_policy", "payment_proof"),
    }
    early = office.ok("POST", path, {**body, "effective_on": "2025-01-31"}, status=422)
    assert "before the loan's issue (2025-02-01)" in _refused_at(early)
    _refused_at(office.ok("POST", path, {**body, "effective_on": "2025-02-11"}, status=422))
    subsidy = office.ok("POST", path, {**body, "effective_on": "2025-02-05"}, status=201)
    assert subsidy["noticed_on"] == "2025-02-05"
    payment = api.as_("finance").ok("GET", f"/disbursements/{subsidy['disbursement_id']}")
    assert payment["instructed_on"] == "2025-02-05"
    again = office.ok("POST", path, {**body, "premium": "30000.00"}, status=409)
    assert again["subsidy_id"] == subsidy["id"]
    assert "noticed on 2025-02-05" in again["detail"]


# --- Y-06 … Y-08 recommendation steps -----------------------------------------------------


def _vote(api, rec, seat, grade, status=200, **extra):
    delegate = api.as_("panelist", user=f"delegate-{seat}", institution=DELEGATES.get(seat))
    return delegate.ok(
        "POST",
        f"{YQ}/recommendations/{rec['id']}/votes",
        {"seat": seat, "grade": grade, "opinion": f"{seat}: {grade}", **extra},
        status=status,
    )


def test_Y06_a_vote_dated_before_the_latest_step_is_refused(yq):
    api, program, _ = yq
    rec = prescreen(api, recommend(api, program, firm(api, 72)))  # on 2025-01-10
    today(api, dt.date(2025, 1, 14))
    early = _vote(api, rec, "drc", "medium", effective_on="2025-01-09", status=422)
    assert "before its latest step (2025-01-10)" in _refused_at(early)
    _vote(api, rec, "drc", "medium", effective_on="2025-01-12")
    # Votes are filed in the order they were cast: the next is not dated before 2025-01-12.
    early = _vote(api, rec, "finance", "medium", effective_on="2025-01-11", status=422)
    assert "before its latest step (2025-01-12)" in _refused_at(early)
    for seat in SEATS[1:]:
        rec = _vote(api, rec, seat, "medium", effective_on="2025-01-13")
    assert (rec["state"], rec["grade_effective_on"]) == ("graded", "2025-01-13")
    ballots = api.as_("auditor").ok("GET", f"{YQ}/recommendations/{rec['id']}/ballots")
    assert [b["voted_on"] for b in ballots] == ["2025-01-12"] + ["2025-01-13"] * (len(SEATS) - 1)


def test_Y07_an_approval_dated_in_the_future_or_before_the_review_decided_is_refused(yq):
    api, program, _ = yq
    rec = prescreen(api, recommend(api, program, firm(api, 73)))
    today(api, dt.date(2025, 1, 12))
    for seat in SEATS:
        rec = _vote(api, rec, seat, "high")
    assert rec["state"] == "awaiting_approval"
    today(api, dt.date(2025, 1, 15))
    approver = api.as_("approver")
    path = f"{YQ}/recommendations/{rec['id']}/approval"
    body = {"decision": "approve", "opinion": "区政府同意"}
    early = approver.ok("POST", path, {**body, "effective_on": "2025-01-11"}, status=422)
    assert "before its latest step (2025-01-12)" in _refused_at(early)
    future = approver.ok("POST", path, {**body, "effective_on": "2025-01-16"}, status=422)
    assert "2025-01-16 is in the future" in _refused_at(future)
    approved = approver.ok("POST", path, {**body, "effective_on": "2025-01-13"})
    assert (approved["state"], approved["grade_effective_on"]) == ("graded", "2025-01-13")
    again = approver.ok("POST", path, body, status=409)
    assert again["recommendation_id"] == rec["id"]
    assert "its high grade took effect on 2025-01-13" in again["detail"]


def test_Y08_a_push_dated_before_the_grade_is_refused(yq):
    api, program, insts = yq
    rec = prescreen(api, recommend(api, program, firm(api, 74)))
    today(api, dt.date(2025, 1, 20))
    for seat in SEATS:
        rec = _vote(api, rec, seat, "low")
    office = api.as_("office")
    path = f"{YQ}/recommendations/{rec['id']}/pushes"
    body = {"institution_ids": [insts["yq-bank"]["id"]]}
    early = office.ok("POST", path, {**body, "effective_on": "2025-01-19"}, status=422)
    assert "before its latest step (2025-01-20)" in _refused_at(early)
    assert office.ok("POST", path, {**body, "effective_on": "2025-01-20"})["state"] == "pushed"


def test_Y03_a_recommendation_dated_before_the_program_or_repeated_is_refused(yq):
    api, program, _ = yq
    f = firm(api, 75)
    early = recommend(api, program, f, effective_on="2024-12-31", status=422)
    assert "before the program's start (2025-01-01)" in _refused_at(early)
    rec = recommend(api, program, f, effective_on="2025-01-02")
    assert (rec["recommended_on"], rec["quarter"]) == ("2025-01-02", "2025-Q1")
    again = recommend(api, program, f, status=409)
    assert again["recommendation_id"] == rec["id"]
    assert f"recommendation {rec['id']}, on 2025-01-02" in again["detail"]


# --- Y-16 penalties -----------------------------------------------------------------------


def test_Y16_a_penalty_is_dated_and_the_same_measure_the_same_day_is_one_decision(yq):
    api, program, insts = yq
    office = api.as_("office")
    path = f"{YQ}/programs/{program['id']}/penalties"
    body = {
        "institution_id": insts["yq-bank"]["id"],
        "measure": "lower_ratio",
        "max_ratio": "0.30",
        "reason": "无故提高代偿条件",
    }
    _refused_at(office.ok("POST", path, {**body, "effective_on": "2025-01-11"}, status=422))
    early = office.ok("POST", path, {**body, "effective_on": "2024-12-31"}, status=422)
    assert "before the program's start" in _refused_at(early)
    first = office.ok("POST", path, {**body, "effective_on": "2025-01-08"}, status=201)
    assert first["decided_on"] == "2025-01-08"
    again = office.ok("POST", path, {**body, "effective_on": "2025-01-08"}, status=409)
    assert again["penalty_id"] == first["id"]
    assert "decided on 2025-01-08 already" in again["detail"]
    office.ok("POST", path, body, status=201)  # another day, another decision
