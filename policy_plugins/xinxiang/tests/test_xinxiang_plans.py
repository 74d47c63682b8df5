"""Year-end allocation plans within the annual and total caps (X-01, X-12), in each mode."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from xinxiang_world import build

from riskshare.testing import today

CAP = {"annual_cap": "100000"}


def _two_approved_claims(world):
    """90,000 and 60,000 approved in 2022 (30% of 300,000 and of 200,000): 150,000 > cap."""
    for name, principal in (("a", "300000.00"), ("b", "200000.00")):
        world.firm(name)
        loan = world.loan(name, f"L-{name}", principal)
        world.default(loan, "2022-09-01", dt.date(2022, 9, 2))
        claim = world.claim(world.bank(), loan, principal)
        today(world.api, dt.date(2022, 9, 5 if name == "a" else 6))
        world.approve(claim)


def _plan(world, day: str, on: dt.date) -> dict:
    today(world.api, on)
    return world.office().ok("POST", "/plans", {"program_id": world.pid, "day": day}, status=201)


def _lines(plan: dict) -> list[tuple[str, str]]:
    return [(i["allocated"], i["carried"]) for i in plan["items"]]


@pytest.mark.parametrize(
    ("mode", "lines", "next_year"),
    [
        ("pro_rata_carry", [("60000.00", "30000.00"), ("40000.00", "20000.00")], 2),
        ("pro_rata_drop", [("60000.00", "0.00"), ("40000.00", "0.00")], 0),
        ("first_come", [("90000.00", "0.00"), ("10000.00", "50000.00")], 1),
    ],
)
def test_X12_over_cap_modes_and_what_carries_into_next_years_plan(api, mode, lines, next_year):
    world = build(api, config={**CAP, "over_cap": mode})
    _two_approved_claims(world)
    plan = _plan(world, "2022-12-31", dt.date(2023, 1, 5))
    assert plan["period"] == "2022" and plan["summary_due_on"] == "2023-01-16"
    assert plan["capacity"] == "100000.00"
    assert _lines(plan) == lines
    assert {e["rule"] for e in plan["explanations"]} == {"X-01", "X-12"}
    world.office().ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    finance = api.as_("finance")
    for payment in finance.ok("GET", "/disbursements"):
        finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {}, key=f"p{payment['id']}")

    ledger = api.as_("auditor").ok("GET", f"/programs/{world.pid}/ledger")
    assert ledger["pool_balance"] == "28900000.00" and ledger["balanced"] is True

    # The carried remainder is owed again in the next year's plan, under 2024's cap.
    following = _plan(world, "2023-12-31", dt.date(2024, 1, 4))
    assert len(following["items"]) == next_year
    carried = sum((Decimal(i["allocated"]) for i in following["items"]), Decimal("0.00"))
    assert carried == Decimal(
        {"pro_rata_carry": "50000", "pro_rata_drop": "0", "first_come": "50000"}[mode]
    )


def test_X12_the_office_edits_the_plan_within_the_caps_before_approval(api):
    world = build(api, config=CAP)
    _two_approved_claims(world)
    plan = _plan(world, "2022-12-31", dt.date(2023, 1, 5))
    a, b = (i["claim_id"] for i in plan["items"])
    over = world.office().patch(
        f"/plans/{plan['id']}",
        {
            "items": [
                {"claim_id": a, "allocated": "70000.00"},
                {"claim_id": b, "allocated": "40000.00"},
            ]
        },
    )
    assert over.status_code == 422 and over.json["rule"]["rule"] == "X-01"
    edited = world.office().ok(
        "PATCH",
        f"/plans/{plan['id']}",
        {
            "items": [
                {"claim_id": a, "allocated": "70000.00"},
                {"claim_id": b, "allocated": "30000.00"},
            ]
        },
    )
    assert _lines(edited) == [("70000.00", "20000.00"), ("30000.00", "30000.00")]
    assert (
        api.as_("lender", institution="bank-a")
        .patch(f"/plans/{plan['id']}", {"items": []})
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    ("mode", "carried"),
    [("pro_rata_carry", ["26.66", "26.67", "26.67"]), ("pro_rata_drop", ["0.00"] * 3)],
)
def test_X12_pro_rata_lines_add_up_to_exactly_the_room_by_largest_remainder(api, mode, carried):
    """X-12: three equal claims of 60.00 share a room of 100.00: 33.33 each leaves a fen
    over, which goes to the earliest claim (largest remainder, ties to the earliest)."""
    world = build(api, config={"annual_cap": "100.00", "over_cap": mode})
    claims = []
    for n in range(3):
        loan = world.loan("small-a", f"L-{n}", "200.00")  # 30% of 200.00 = 60.00
        world.default(loan, "2022-09-01", dt.date(2022, 9, 2))
        claims.append(world.claim(world.bank(), loan, "200.00"))
    today(api, dt.date(2022, 9, 5))
    for claim in claims:
        world.approve(claim)
    plan = _plan(world, "2022-12-31", dt.date(2023, 1, 5))
    assert [i["claim_id"] for i in plan["items"]] == [c["id"] for c in claims]
    assert [i["allocated"] for i in plan["items"]] == ["33.34", "33.33", "33.33"]
    assert [i["carried"] for i in plan["items"]] == carried
    assert sum(Decimal(i["allocated"]) for i in plan["items"]) == Decimal(plan["capacity"])
    x12 = next(e for e in plan["explanations"] if e["rule"] == "X-12")
    assert "最大余数法" in x12["zh"] and "largest remainder" in x12["en"]
    assert x12["inputs"]["allocated"] == "100.00"
