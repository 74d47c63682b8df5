"""Yanqing's own money actions under simultaneous requests (Y-01 gains and fee), against a
real threaded server on PostgreSQL: each takes effect once, the rest name the first."""

from __future__ import annotations

import datetime as dt

import pytest
from yanqing_steps import SEATS, YQ, firm, ledger, prescreen, recommend, vote_all

from riskshare.testing.live import race
from riskshare.testing.pytest_plugin import today

COPIES = 10


def _once(responses):
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (COPIES - 1), [r.text[:200] for r in responses]
    first = next(r.json() for r in responses if r.status_code == 201)
    refused = [r.json() for r in responses if r.status_code == 409]
    assert all(p["fund_event_id"] == first["id"] for p in refused)
    return first


@pytest.mark.parametrize("same_key", [True, False], ids=["one-key", "ten-keys"])
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
        assert sorted(r.status_code for r in responses) == [201] * COPIES
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 9
    else:
        _once(responses)
    books = ledger(api, program)
    assert books["balanced"] is True and books["wrong_side"] == []
    assert books["balances"]["fund:gains"] == "-100000.00"


def test_Y01_ten_simultaneous_fee_settlements_of_one_year_pay_the_fee_once(yq, rs_live):
    api, program, _ = yq
    custodian = api.as_("custodian", institution="yq-custodian")
    gains = {"amount": "100000.00", "reference": "2025-Q1"}
    custodian.ok("POST", f"{YQ}/programs/{program['id']}/gains", gains, status=201)
    today(api, dt.date(2026, 1, 5))
    finance = api.live(rs_live, "finance")
    path = f"{YQ}/programs/{program['id']}/custodian-fees"
    fee = _once(race([lambda: finance.post(path, {"year": 2025}) for _ in range(COPIES)]))
    assert fee["amount"] == "15000.00"  # 100,000 × 0.15
    books = ledger(api, program)
    assert books["balanced"] is True and books["wrong_side"] == []
    assert books["balances"]["fund:fees"] == "15000.00"


def test_Y01_a_fee_dated_in_the_future_is_refused(yq):
    api, program, _ = yq
    today(api, dt.date(2026, 1, 5))
    refused = api.as_("finance").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/custodian-fees",
        {"year": 2025, "effective_on": "2026-01-06"},
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
