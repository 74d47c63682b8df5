"""X-01's caps under simultaneous requests, through a real threaded server on PostgreSQL.

Every money change locks the program and the core asks the policy again under the lock:
plan approval asks ``riskshare_check_allocation`` and confirmation ``riskshare_check_payment``.
Each test builds a demand larger than what a cap still allows, releases the competing
requests at the same instant, and checks that exactly what fits goes through, that every
refusal cites X-01 with the figures it applied, and that the ledger balances with every
signed account on its side.

Dates are business dates (``effective_on``): a plan's cap year is the year it is approved,
a payment's the year it is confirmed (fund.py, ``headroom`` and ``check_payment``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xinxiang_world import build

from riskshare.testing import change_behind_the_api, race, today

D = dt.date.fromisoformat


def _approved_claims(world, tag: str, principals: list[str], *, issued: str, overdue: str):
    """Covered credit loans of bank-a, one firm each, overdue on ``overdue``, filed the next
    working day, claimed in full and approved the day after (the ratio tiers: 30% up to
    1,000,000, 20% up to 3,000,000)."""
    overdue_on = D(overdue)
    filed_on = overdue_on + dt.timedelta(days=3 if overdue_on.weekday() == 4 else 1)
    claims = []
    for n, principal in enumerate(principals):
        name = f"{tag}-{n}"
        today(world.api, D(issued))
        world.firm(name)
        loan = world.loan(name, f"L-{name}", principal, issued=issued)
        world.default(loan, overdue, filed_on)
        claim = world.claim(world.bank(), loan, principal)
        today(world.api, filed_on + dt.timedelta(days=1))
        claims.append(world.approve(claim))
    return claims


def _submitted_plan(world, day: str, on: str) -> dict:
    """The plan of ``day``'s year, proposed on ``on`` and submitted."""
    today(world.api, D(on))
    office = world.office()
    plan = office.ok("POST", "/plans", {"program_id": world.pid, "day": day}, status=201)
    office.ok("POST", f"/plans/{plan['id']}/submit")
    return plan


def _payments(world, plan: dict) -> list[dict]:
    items = {i["id"] for i in plan["items"]}
    payments = world.api.as_("finance").ok("GET", "/disbursements?page_size=100")
    return [d for d in payments if d["plan_item_id"] in items]


def _sound_ledger(world) -> dict:
    ledger = world.api.as_("auditor").ok("GET", f"/programs/{world.pid}/ledger")
    assert ledger["balanced"] is True and ledger["wrong_side"] == [], ledger
    return ledger


def _statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def _detail(responses) -> list[tuple[int, str]]:
    return [(r.status_code, r.text[:400]) for r in responses]


# --- plan approvals ----------------------------------------------------------------------


def test_X01_two_plans_of_different_years_approved_at_once_never_pass_the_annual_cap(api, rs_live):
    """Annual cap 1,000,000. The 2022 plan (300,000 + 400,000) is proposed in January 2023
    and the 2023 plan (the same) in January 2024, each while nothing is committed, so each
    alone fits; both are approved at the same instant, dated 2024-01-08: one cap year, room
    for one of them."""
    world = build(api, config={"annual_cap": "1000000"})
    _approved_claims(
        world, "y22", ["1000000.00", "2000000.00"], issued="2022-03-01", overdue="2022-09-01"
    )
    first = _submitted_plan(world, "2022-12-31", "2023-01-05")
    _approved_claims(
        world, "y23", ["1000000.00", "2000000.00"], issued="2023-03-01", overdue="2023-09-01"
    )
    second = _submitted_plan(world, "2023-12-31", "2024-01-05")
    for plan in (first, second):
        assert plan["capacity"] == "1000000.00"
        assert sorted(i["allocated"] for i in plan["items"]) == ["300000.00", "400000.00"]
        assert all(i["carried"] == "0.00" for i in plan["items"])

    today(api, dt.date(2024, 1, 10))
    approver = api.live(rs_live, "approver")
    responses = race(
        [
            lambda p=p: approver.post(f"/plans/{p['id']}/approve", {"effective_on": "2024-01-08"})
            for p in (first, second)
        ]
    )
    assert _statuses(responses) == [200, 422], _detail(responses)
    [winner] = [r.json() for r in responses if r.status_code == 200]
    [loser] = [r.json() for r in responses if r.status_code == 422]
    assert (winner["state"], winner["approved_on"]) == ("approved", "2024-01-08")
    refusal = loser["rule"]
    assert (refusal["rule"], refusal["result"], refusal["passed"]) == ("X-01", "over", False)
    # The room left in 2024 after the winner's 700,000: 1,000,000 − 700,000.
    assert (refusal["threshold"], refusal["inputs"]) == ("300000.00", {"allocated": "700000.00"})
    assert refusal["en"] == "The plan allocates 700000.00; 300000.00 is allowed."

    other = next(p for p in (first, second) if p["id"] != winner["id"])
    assert api.as_("auditor").ok("GET", f"/plans/{other['id']}")["state"] == "submitted"
    assert len(api.as_("finance").ok("GET", "/disbursements")) == 2  # the winner's two
    ledger = _sound_ledger(world)
    assert ledger["balances"]["expense:compensation"] == "700000.00"
    assert ledger["balances"]["payable:compensation"] == "-700000.00"


def test_X01_total_fund_holds_across_years(api, rs_live):
    """A fund of 1,200,000 (the annual cap, 10,000,000, never binds): 500,000 of the 2021
    plan paid in 2022, then the 2022 and 2023 plans of 400,000 each, proposed while
    nothing is committed, approved at the same instant in 2024: 700,000 of the fund is
    left, room for one; the other is returned, cut to the 300,000 left and paid, and the
    fund is spent exactly."""
    world = build(api, on=dt.date(2021, 9, 1), fund_total="1200000.00")
    _approved_claims(world, "y21", ["2500000.00"], issued="2021-09-01", overdue="2021-11-01")
    oldest = _submitted_plan(world, "2021-12-31", "2022-01-05")
    assert [i["allocated"] for i in oldest["items"]] == ["500000.00"]
    finance = api.as_("finance")
    today(api, dt.date(2022, 1, 10))
    api.as_("approver").ok("POST", f"/plans/{oldest['id']}/approve")
    for payment in _payments(world, oldest):
        finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {})

    _approved_claims(world, "y22", ["2000000.00"], issued="2022-03-01", overdue="2022-09-01")
    first = _submitted_plan(world, "2022-12-31", "2023-01-05")
    _approved_claims(world, "y23", ["2000000.00"], issued="2023-03-01", overdue="2023-09-01")
    second = _submitted_plan(world, "2023-12-31", "2024-01-05")
    for plan in (first, second):
        assert plan["capacity"] == "700000.00"  # 1,200,000 − 500,000 paid in 2022
        assert [i["allocated"] for i in plan["items"]] == ["400000.00"]

    today(api, dt.date(2024, 1, 8))
    approver = api.live(rs_live, "approver")
    responses = race(
        [lambda p=p: approver.post(f"/plans/{p['id']}/approve") for p in (first, second)]
    )
    assert _statuses(responses) == [200, 422], _detail(responses)
    [winner] = [r.json() for r in responses if r.status_code == 200]
    [loser] = [r.json() for r in responses if r.status_code == 422]
    refusal = loser["rule"]
    assert (refusal["rule"], refusal["result"]) == ("X-01", "over")
    # 1,200,000 − 500,000 paid − 400,000 granted: the fund, not 2024's annual cap, binds.
    assert (refusal["threshold"], refusal["inputs"]) == ("300000.00", {"allocated": "400000.00"})
    ledger = _sound_ledger(world)
    assert ledger["balances"]["payable:compensation"] == "-400000.00"

    # What is left of the fund goes to the other plan: returned, cut to 300,000, approved.
    other = next(p for p in (first, second) if p["id"] != winner["id"])
    api.as_("approver").ok("POST", f"/plans/{other['id']}/return")
    [item] = other["items"]
    office = world.office()
    office.ok(
        "PATCH",
        f"/plans/{other['id']}",
        {"items": [{"claim_id": item["claim_id"], "allocated": "300000.00"}]},
    )
    office.ok("POST", f"/plans/{other['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{other['id']}/approve")
    for plan in (winner, other):
        for payment in _payments(world, plan):
            finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {})
    ledger = _sound_ledger(world)
    assert ledger["balances"]["expense:compensation"] == "1200000.00"
    assert ledger["balances"]["payable:compensation"] == "0.00"
    assert ledger["pool_balance"] == "0.00"


# --- confirmations -----------------------------------------------------------------------


def test_X01_confirmations_racing_for_the_annual_cap_pay_only_what_fits(api, rs_live):
    """Annual cap 1,000,000. The 2022 plan (6 × 150,000) is approved as of 2023-03-01,
    when 2023 had its whole cap, after the 2023 plan's 450,000 was paid in 2024. Its six
    payments confirmed at the same instant in 2024 find 550,000 of 2024's cap left: three
    are paid, three refused by X-01; those three are then paid as of 2023, whose cap has
    room."""
    world = build(api, config={"annual_cap": "1000000"})
    _approved_claims(world, "y22", ["500000.00"] * 6, issued="2022-03-01", overdue="2022-09-01")
    late = _submitted_plan(world, "2022-12-31", "2023-01-05")
    assert [i["allocated"] for i in late["items"]] == ["150000.00"] * 6

    _approved_claims(world, "y23", ["500000.00"] * 3, issued="2023-03-01", overdue="2023-09-01")
    paid = _submitted_plan(world, "2023-12-31", "2024-01-05")
    assert [i["allocated"] for i in paid["items"]] == ["150000.00"] * 3
    today(api, dt.date(2024, 1, 8))
    api.as_("approver").ok("POST", f"/plans/{paid['id']}/approve")
    finance = api.as_("finance")
    for payment in _payments(world, paid):
        finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {})

    # Approved as of 2023-03-01: 2023's cap is untouched, nothing is owed, so all 900,000 fits.
    today(api, dt.date(2024, 1, 15))
    approver = api.as_("approver")
    approved = approver.ok("POST", f"/plans/{late['id']}/approve", {"effective_on": "2023-03-01"})
    assert approved["approved_on"] == "2023-03-01"
    racing = _payments(world, late)
    assert [d["instructed_on"] for d in racing] == ["2023-03-01"] * 6

    live = api.live(rs_live, "finance")
    responses = race(
        [lambda d=d: live.post(f"/disbursements/{d['id']}/confirm", {}) for d in racing]
    )
    assert _statuses(responses) == [200] * 3 + [409] * 3, _detail(responses)
    assert {r.json()["confirmed_on"] for r in responses if r.status_code == 200} == {"2024-01-15"}
    refusals = [r.json()["rule"] for r in responses if r.status_code == 409]
    for refusal in refusals:
        assert (refusal["rule"], refusal["result"], refusal["passed"]) == ("X-01", "over", False)
        assert refusal["threshold"] == {"annual_cap": "1000000", "fund_total": "29000000.00"}
        assert refusal["inputs"] == {"amount": "150000.00"}
        # 450,000 of the 2023 plan and the three winners: 2024 is at 900,000.
        assert refusal["en"] == (
            "Paying 150000.00: 900000.00 paid in 2024 (cap 1000000),"
            " 900000.00 in all (fund 29000000.00)."
        )
    ledger = _sound_ledger(world)
    assert ledger["balances"]["payable:compensation"] == "-450000.00"  # three still owed
    assert ledger["pool_balance"] == "28100000.00"  # 29,000,000 − 6 × 150,000

    # The refused three fit in 2023 (nothing paid that year): confirmed as of 2023-12-29.
    refused = [d for d, r in zip(racing, responses, strict=True) if r.status_code == 409]
    for payment in refused:
        confirmed = finance.ok(
            "POST", f"/disbursements/{payment['id']}/confirm", {"effective_on": "2023-12-29"}
        )
        assert confirmed["confirmed_on"] == "2023-12-29"
    report = api.as_("auditor").ok("GET", f"/programs/{world.pid}/reports/2023")
    assert report["fund"]["paid_year_to_date"] == {"compensation": "450000.00"}
    ledger = _sound_ledger(world)
    assert ledger["balances"]["payable:compensation"] == "0.00"
    assert ledger["pool_balance"] == "27650000.00"


def test_X01_confirmations_hold_the_fund_across_years_when_it_is_cut_behind_the_api(api, rs_live):
    """Defence in depth: approvals count every grant against the fund, so through the API
    confirmations alone never reach the total. Here the fund (1,200,000) is cut to 600,000
    behind the API after a plan of 6 × 150,000 was granted; two payments were made in 2023,
    the other four race in 2024 with 2024's annual cap untouched and the pool full: the
    re-check under the lock pays two and refuses two, counting 2023's payments."""
    world = build(api, fund_total="1200000.00")
    _approved_claims(world, "y22", ["500000.00"] * 6, issued="2022-03-01", overdue="2022-09-01")
    plan = _submitted_plan(world, "2022-12-31", "2023-01-05")
    today(api, dt.date(2023, 1, 10))
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    payments = _payments(world, plan)
    finance = api.as_("finance")
    for payment in payments[:2]:
        finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {})

    today(api, dt.date(2024, 1, 10))
    change_behind_the_api(api, "programs", world.pid, fund_total=Decimal("600000.00"))

    live = api.live(rs_live, "finance")
    responses = race(
        [lambda d=d: live.post(f"/disbursements/{d['id']}/confirm", {}) for d in payments[2:]]
    )
    assert _statuses(responses) == [200] * 2 + [409] * 2, _detail(responses)
    for response in (r for r in responses if r.status_code == 409):
        refusal = response.json()["rule"]
        assert (refusal["rule"], refusal["result"]) == ("X-01", "over")
        assert refusal["threshold"] == {"annual_cap": "10000000", "fund_total": "600000.00"}
        # 2024 is far from its cap; 2023's 300,000 and 2024's 300,000 spend the fund.
        assert refusal["en"] == (
            "Paying 150000.00: 300000.00 paid in 2024 (cap 10000000),"
            " 600000.00 in all (fund 600000.00)."
        )
    ledger = _sound_ledger(world)
    assert ledger["pool_balance"] == "600000.00"  # the pool could have paid the rest
    assert ledger["balances"]["payable:compensation"] == "-300000.00"
