"""X-01 under simultaneous requests, against a real threaded server on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from xinxiang_world import build

from riskshare.testing.live import race
from riskshare.testing.pytest_plugin import today


def _approved_claim(world, name: str, principal: str, defaulted: str, reviewed: dt.date):
    world.firm(name)
    loan = world.loan(name, f"L-{name}", principal)
    world.default(loan, defaulted, dt.date.fromisoformat(defaulted) + dt.timedelta(days=1))
    claim = world.claim(world.bank(), loan, principal)
    today(world.api, reviewed)
    return world.approve(claim)


def test_X01_two_plans_of_different_years_approved_at_once_never_pass_the_annual_cap(api, rs_live):
    """Plans for 2022 (90,000) and 2023 (60,000) each fit the 100,000 annual cap alone and
    are approved at the same moment in 2024: one is granted, the other is refused by X-01
    with the room the first left."""
    world = build(api, config={"annual_cap": "100000"})
    _approved_claim(world, "a", "300000.00", "2022-09-01", dt.date(2022, 9, 5))  # 90,000
    _approved_claim(world, "b", "200000.00", "2023-02-01", dt.date(2023, 2, 6))  # 60,000
    today(api, dt.date(2024, 1, 10))
    office = world.office()
    plans = [
        office.ok("POST", "/plans", {"program_id": world.pid, "day": day}, status=201)
        for day in ("2022-06-30", "2023-06-30")
    ]
    assert [[i["allocated"] for i in p["items"]] for p in plans] == [["90000.00"], ["60000.00"]]
    for plan in plans:
        office.ok("POST", f"/plans/{plan['id']}/submit")
    approver = api.live(rs_live, "approver")
    responses = race([lambda p=p: approver.post(f"/plans/{p['id']}/approve") for p in plans])
    assert sorted(r.status_code for r in responses) == [200, 422], [r.text for r in responses]
    granted = next(r.json() for r in responses if r.status_code == 200)
    refused = next(r.json() for r in responses if r.status_code == 422)
    assert refused["rule"]["rule"] == "X-01"
    room = 100000 - int(granted["items"][0]["allocated"].split(".")[0])
    assert f"{room}.00 is allowed" in refused["rule"]["en"]
    books = api.as_("auditor").ok("GET", f"/programs/{world.pid}/ledger")
    assert books["balanced"] is True and books["wrong_side"] == []
    assert books["balances"]["expense:compensation"] == granted["items"][0]["allocated"]
