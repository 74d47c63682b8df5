"""The custodian's fee and its own reports (Y-01), and the half-yearly recovery report to the
district government (Y-13), through the HTTP API.

Y-01: the DRC and the finance bureau set each year's fee rate within the configured bounds
(15%-20%) according to the custodian's performance when they book the fee, once a year.
"""

from __future__ import annotations

import datetime as dt

from yanqing_steps import YQ, ledger, setup

from riskshare.testing import race, today

COPIES = 10


def _gain(api, program, amount, reference, **extra):
    return api.as_("custodian", institution="yq-custodian").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/gains",
        {"amount": amount, "reference": reference, **extra},
        status=201,
    )


def _fees(program):
    return f"{YQ}/programs/{program['id']}/custodian-fees"


# --- Y-01 the year's fee rate ---------------------------------------------------------------


def test_Y01_the_years_fee_rate_is_set_on_the_custodians_performance_when_booked(yq):
    api, program, _ = yq
    _gain(api, program, "123456.78", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.as_("finance")
    body = {"year": 2025, "rate": "0.175", "performance": "托管规范，增值稳健，报告及时"}
    fee = finance.ok("POST", _fees(program), body, key="fee-2025", status=201)
    # 123,456.78 × 0.175 = 21,604.9365, exact and rounded half up to the fen once.
    assert (fee["amount"], fee["rate"]) == ("21604.94", "0.175000")
    assert fee["note"] == "托管规范，增值稳健，报告及时"
    [why] = fee["explanation"]
    assert why["rule"] == "Y-01" and "二(二)" in why["clause"]
    assert "根据资金托管机构履职情况（托管规范，增值稳健，报告及时）" in why["zh"]
    assert why["inputs"]["rate"] == "0.175" and why["inputs"]["bounds"] == ["0.15", "0.20"]

    books = ledger(api, program)
    assert books["balanced"] is True and books["wrong_side"] == []
    assert books["balances"]["fund:fees"] == "21604.94"
    assert books["pool_balance"] == "30101851.84"  # 30,000,000 + 123,456.78 − 21,604.94
    entries = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger/entries")
    [entry] = [e for e in entries if e["kind"] == "custodian_fee"]
    assert sorted((p["account"], p["amount"]) for p in entry["postings"]) == [
        ("fund:fees", "21604.94"),
        ("fund:pool", "-21604.94"),
    ]

    # Once a year: a second booking, at another rate, is refused and names the first.
    again = finance.ok(
        "POST", _fees(program), {**body, "rate": "0.20"}, key="fee-2025-b", status=409
    )
    assert again["fund_event_id"] == fee["id"]
    assert ledger(api, program)["balances"]["fund:fees"] == "21604.94"


def test_Y01_without_a_rate_the_programs_default_applies(yq):
    api, program, _ = yq
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    body = {"year": 2025, "performance": "履职良好"}
    fee = api.as_("office").ok("POST", _fees(program), body, key="fee", status=201)
    assert (fee["amount"], fee["rate"]) == ("15000.00", "0.150000")


def test_Y01_a_rate_outside_the_bounds_is_refused_naming_the_bound(yq):
    api, program, _ = yq
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.as_("finance")
    for rate, bound in (("0.149999", "custodian_fee_rate_min"), ("0.21", "custodian_fee_rate_max")):
        body = {"year": 2025, "rate": rate, "performance": "履职一般"}
        problem = finance.ok("POST", _fees(program), body, key=f"fee-{rate}", status=422)
        assert problem["errors"][0]["pointer"] == "/rate"
        assert bound in problem["detail"] and bound in problem["errors"][0]["detail"]
    assert "fund:fees" not in ledger(api, program)["balances"]  # nothing booked
    missing = finance.ok("POST", _fees(program), {"year": 2025}, key="fee-np", status=422)
    assert "performance" in str(missing)
    fee = finance.ok(  # the bound itself is allowed (15%–20%)
        "POST",
        _fees(program),
        {"year": 2025, "rate": "0.20", "performance": "履职优秀"},
        key="fee-max",
        status=201,
    )
    assert fee["amount"] == "20000.00"


def test_Y01_the_fee_rate_bounds_are_config_and_bind_the_default_too(api):
    today(api, dt.date(2025, 1, 10))
    program, _ = setup(api, custodian_fee_rate_min="0.16", custodian_fee_rate_max="0.18")
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.as_("finance")
    body = {"year": 2025, "performance": "履职良好"}
    problem = finance.ok("POST", _fees(program), body, key="fee-default", status=422)
    assert "custodian_fee_rate_min = 0.16" in problem["detail"]  # the default 0.15 is below
    problem = finance.ok("POST", _fees(program), {**body, "rate": "0.19"}, key="f19", status=422)
    assert "custodian_fee_rate_max = 0.18" in problem["detail"]
    fee = finance.ok("POST", _fees(program), {**body, "rate": "0.16"}, key="f16", status=201)
    assert fee["amount"] == "16000.00"


def test_Y01_ten_simultaneous_fee_bookings_at_different_rates_book_one(yq, rs_live):
    api, program, _ = yq
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.live(rs_live, "finance")
    rates = [f"0.{150 + 5 * n}" for n in range(COPIES)]  # 0.150 … 0.195
    responses = race(
        [
            lambda r=r: finance.post(
                _fees(program), {"year": 2025, "rate": r, "performance": "履职良好"}, key=r
            )
            for r in rates
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (COPIES - 1), [r.text[:200] for r in responses]
    [fee] = [r.json() for r in responses if r.status_code == 201]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert all(p["fund_event_id"] == fee["id"] for p in refused)
    books = ledger(api, program)
    assert books["balanced"] is True and books["wrong_side"] == []
    # The one booked fee, at the winner's rate, and nothing else.
    assert books["balances"]["fund:fees"] == fee["amount"]
    assert fee["amount"] == f"{100000 * float(fee['rate']):.2f}"
