"""Plans as a unit: what is due per claim, what a live plan holds, which periods can be
planned, the office's edits, and the re-check at approval that nothing is granted twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from plan_world import AFTER_H1, three_claims
from riskshare.disbursements.models import Disbursement
from riskshare.disbursements.service import confirm
from riskshare.errors import DomainError
from riskshare.plans import service
from riskshare.plugins.types import Period
from service_context import service_context

D = Decimal
H1 = Period("2024-H1", dt.date(2024, 1, 1), dt.date(2024, 6, 30))
H2 = Period("2024-H2", dt.date(2024, 7, 1), dt.date(2024, 12, 31))


def _propose(api, program, day=dt.date(2024, 6, 1), on=AFTER_H1):
    with service_context(api, "office", day=on) as ctx:
        return service.propose_plan(ctx, program["id"], day).id


def _step(api, plan_id, action, role, on=AFTER_H1):
    with service_context(api, role, day=on) as ctx:
        return service.advance_plan(ctx, plan_id, action).state


def _dues(api, program, period):
    with service_context(api, "auditor") as ctx:
        dues, held = service.claims_due(ctx, program["id"], period)
        # ``paid`` is what earlier plans settled: allocated, or dropped without a carry.
        return {d.claim_id: (d.paid, d.outstanding) for d in dues}, sorted(held)


def test_every_approved_claim_is_due_in_full_until_a_plan_takes_it(api):
    program, _, claims = three_claims(api)
    dues, held = _dues(api, program, H1)
    assert dues == {c: (D("0.00"), D("40000.00")) for c in claims} and held == []


def test_claims_approved_after_the_period_are_not_due_in_it(api):
    program, _, _ = three_claims(api)
    before = Period("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert _dues(api, program, before) == ({}, [])


def test_a_live_plan_holds_its_claims_and_a_rejected_one_lets_them_go(api):
    program, _, claims = three_claims(api)
    plan_id = _propose(api, program)
    assert _dues(api, program, H1) == ({}, claims)
    _step(api, plan_id, "submit", "office")
    assert _dues(api, program, H1) == ({}, claims)
    _step(api, plan_id, "reject", "approver")
    dues, held = _dues(api, program, H1)
    assert held == [] and set(dues) == set(claims)


def test_a_period_is_planned_once_and_only_after_it_ends(api):
    program, _, _ = three_claims(api)
    with pytest.raises(DomainError) as refused:
        _propose(api, program, day=dt.date(2024, 7, 1))  # 2024-H2 ends 31 December
    assert refused.value.status == 422 and refused.value.errors[0]["pointer"] == "/day"
    _propose(api, program)
    with pytest.raises(DomainError) as refused:
        _propose(api, program, day=dt.date(2024, 2, 1))  # the same half-year
    assert refused.value.status == 409


def _edit(api, plan_id, *changes):
    with service_context(api, "office", day=AFTER_H1) as ctx:
        service.edit_plan(ctx, plan_id, list(changes))
        items = service.plan_items(ctx, plan_id)
        return {i.claim_id: (i.allocated, i.carried) for i in items}


def test_the_office_allocates_within_each_claims_request_and_carries_or_drops_the_rest(api):
    program, _, (c1, c2, c3) = three_claims(api)
    plan_id = _propose(api, program)
    items = _edit(
        api,
        plan_id,
        {"claim_id": c1, "allocated": D("10000.00")},
        {"claim_id": c2, "allocated": D("0.00"), "carry": False},
    )
    assert items == {
        c1: (D("10000.00"), D("30000.00")),
        c2: (D("0.00"), D("0.00")),
        c3: (D("40000.00"), D("0.00")),
    }


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"claim_id": 0, "allocated": D("1.00")}, "/items/0/claim_id"),
        ({"allocated": D("40000.01")}, "/items/0/allocated"),
        ({"allocated": D("-0.01")}, "/items/0/allocated"),
    ],
    ids=["not-in-plan", "above-request", "negative"],
)
def test_an_edit_outside_the_plan_or_its_requests_is_refused(api, change, pointer):
    program, _, claims = three_claims(api)
    plan_id = _propose(api, program)
    with pytest.raises(DomainError) as refused:
        _edit(api, plan_id, {"claim_id": claims[0], **change})
    assert refused.value.status == 422 and refused.value.errors[0]["pointer"] == pointer


def test_what_a_paid_plan_allocated_or_dropped_is_settled_and_its_carry_is_due_again(api):
    program, _, (c1, c2, c3) = three_claims(api)
    plan_id = _propose(api, program)
    _edit(
        api,
        plan_id,
        {"claim_id": c1, "allocated": D("10000.00")},
        {"claim_id": c2, "allocated": D("0.00"), "carry": False},
    )
    _step(api, plan_id, "submit", "office")
    _step(api, plan_id, "approve", "approver")
    with service_context(api, "auditor") as ctx:
        assert service.settled_by_claim(ctx, program["id"]) == {
            c1: D("10000.00"),
            c2: D("40000.00"),
            c3: D("40000.00"),
        }
    assert _dues(api, program, H2) == ({}, [c1, c2, c3])  # the approved plan holds them
    with service_context(api, "finance", day=AFTER_H1) as ctx:
        for payment in ctx.session.scalars(select(Disbursement)).all():
            confirm(ctx, payment.id, "ref")  # the last one completes the plan
    assert _dues(api, program, H2) == ({c1: (D("10000.00"), D("30000.00"))}, [])


def test_approval_refuses_a_plan_that_would_grant_a_claim_beyond_its_approved_amount(api):
    """Re-checked under the program lock at approval: edits are capped at each request,
    but another path (or a racing plan) must not take a claim past what was approved."""
    program, _, (c1, _, _) = three_claims(api)
    plan_id = _propose(api, program)
    _step(api, plan_id, "submit", "office")
    with service_context(api, "approver", day=AFTER_H1) as ctx:
        plan, _ = service.lock_plan(ctx, plan_id)
        items = service.plan_items(ctx, plan_id)
        service._check_nothing_granted_twice(ctx, plan, items)  # as proposed: fine
        next(i for i in items if i.claim_id == c1).allocated = D("40000.01")
        with pytest.raises(DomainError) as refused:
            service._check_nothing_granted_twice(ctx, plan, items)
        assert refused.value.status == 409 and refused.value.extra == {"claim_id": c1}
        ctx.session.rollback()
