"""Yanqing's own money actions under simultaneous requests (Y-01 gains and fee), against a
real threaded server on PostgreSQL: each takes effect once, the rest name the first."""

from __future__ import annotations

import datetime as dt

import pytest
from yanqing_steps import YQ, ledger

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
