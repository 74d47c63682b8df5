"""Claims and payments: who reviews a claim, when the notice goes out, the payment that
crosses the suspension threshold, the restart, and the guaranteed loan's split (Y-10, Y-12,
Y-14)."""

from __future__ import annotations

import datetime as dt

import pytest
from yanqing_steps import (
    SEATS,
    claim,
    graded_firm,
    non_performing,
    register_loan,
    review_roles,
)

from riskshare.testing import today


def _review(api, claim_, role, status=201):
    return api.as_(role).ok(
        "POST",
        f"/claims/{claim_['id']}/reviews",
        {"decision": "approve", "opinion": "联审通过"},
        status=status,
    )


def _npl_claim(api, program, insts, n, *, guarantor_seat=False, principal="1000000.00"):
    f, _ = graded_firm(api, program, insts, n, "medium", guarantor_seat=guarantor_seat)
    loan = register_loan(api, f, insts, f"L-{n}", principal=principal)
    today(api, dt.date(2025, 6, 2))
    non_performing(api, loan, "2025-06-01")
    return claim(api, loan, principal)


def test_Y12_a_claim_is_reviewed_by_every_unit_that_graded_its_firm(yq):
    api, program, insts = yq
    c = _npl_claim(api, program, insts, 1)
    # The DRC and the finance bureau alone no longer approve it: the industry department
    # and the bank graded the firm too.
    _review(api, c, "reviewer")
    assert _review(api, c, "finance", status=201)["state"] == "submitted"
    assert _review(api, c, "industry_delegate")["state"] == "submitted"
    # A unit that did not grade this firm (no guarantor seat) does not review it.
    assert "bank_delegate" in _review(api, c, "guarantor_delegate", status=403)["detail"]
    done = _review(api, c, "bank_delegate")
    assert (done["state"], done["approved_amount"]) == ("approved", "500000.00")
    reviews = api.as_("auditor").ok("GET", f"/claims/{c['id']}/reviews")
    assert [r["role"] for r in reviews] == review_roles()


def test_Y12_a_firm_graded_with_the_guarantee_companys_seat_needs_its_review_too(yq):
    api, program, insts = yq
    c = _npl_claim(api, program, insts, 2, guarantor_seat=True)
    for role in review_roles(SEATS):
        assert _review(api, c, role)["state"] == "submitted"
    assert _review(api, c, "guarantor_delegate")["state"] == "approved"


def test_Y12_claim_review_roles_are_configured_per_seat(api):
    today(api, dt.date(2025, 1, 10))
    from yanqing_steps import setup

    roles = {
        "drc": "reviewer",
        "finance": "finance",
        "industry": "reviewer",  # a district that lets the DRC speak for the department
        "bank": "bank_delegate",
        "guarantor": "guarantor_delegate",
    }
    program, insts = setup(api, claim_review_roles=roles)
    assert program["config"]["claim_review_roles"] == roles
    c = _npl_claim(api, program, insts, 3)
    _review(api, c, "reviewer")
    _review(api, c, "finance")
    assert "industry_delegate" not in _review(api, c, "industry_delegate", 403)["detail"]
    assert _review(api, c, "bank_delegate")["state"] == "approved"


# ---------------------------------------------------------------------------- Y-14 restart


def _paid_to_suspension(api, **config):
    """A program that suspends at 1,000,000 of net compensation and restarts when the pool is
    back at 29,500,000: one medium-grade claim of 2,000,000 is paid 1,000,000 at the year's
    notice, and compensation is suspended after it."""
    from yanqing_steps import confirm_payment, half_year_plan, joint_review, setup

    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api, suspend_at="1000000.00", resume_at="29500000.00", **config)
    c = _npl_claim(api, program, insts, 11, principal="2000000.00")
    joint_review(api, c)
    today(api, dt.date(2026, 1, 5))
    half_year_plan(api, program, "2025-12-31")
    [payment] = api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")
    confirm_payment(api, payment, "pay-1")
    assert _fund_state(api, program)["suspended"] is True
    return program, insts, c


def _fund_state(api, program):
    return api.as_("office").ok("GET", f"/yanqing/programs/{program['id']}/fund-state")


def _alerts(api, program, day):
    found = api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring?day={day}")
    return {a["code"]: a for a in found}


@pytest.mark.hooks("riskshare_pool_credited")
def test_Y14_a_recovery_that_brings_the_pool_back_resumes_compensation_at_once(api):
    program, _, c = _paid_to_suspension(api)
    assert "yanqing-suspended" in _alerts(api, program, "2026-01-05")
    today(api, dt.date(2026, 1, 20))
    lender = api.as_("lender", institution="yq-bank")
    small = lender.ok(
        "POST",
        "/recoveries",
        {"claim_id": c["id"], "received_on": "2026-01-19", "recovered": "400000.00"},
        key="rec-1",
        status=201,
    )
    api.as_("finance").ok("POST", f"/recoveries/{small['id']}/confirm-return", key="ret-1")
    state = _fund_state(api, program)
    # 29,000,000 + 200,000 returned: not yet back at 29,500,000.
    assert (state["suspended"], state["pool_balance"]) == (True, "29200000.00")
    enough = lender.ok(
        "POST",
        "/recoveries",
        {"claim_id": c["id"], "received_on": "2026-01-20", "recovered": "600000.00"},
        key="rec-2",
        status=201,
    )
    api.as_("finance").ok("POST", f"/recoveries/{enough['id']}/confirm-return", key="ret-2")
    # No payment was tried: the fund state and monitoring say so at once.
    state = _fund_state(api, program)
    assert (state["suspended"], state["changed_on"], state["pool_balance"]) == (
        False,
        "2026-01-20",
        "29500000.00",
    )
    assert state["explanation"][0]["rule"] == "Y-14" and "重启代偿" in state["explanation"][0]["zh"]
    alerts = _alerts(api, program, "2026-01-20")
    assert "yanqing-suspended" not in alerts
    assert alerts["yanqing-resumed"]["explanation"]["result"] == "resumed"


def test_Y14_an_investment_gain_that_brings_the_pool_back_resumes_compensation_at_once(api):
    program, _, _ = _paid_to_suspension(api)
    today(api, dt.date(2026, 2, 2))
    custodian = api.as_("custodian", institution="yq-custodian")
    path = f"/yanqing/programs/{program['id']}/gains"
    custodian.ok("POST", path, {"amount": "499999.99", "reference": "G-1"}, key="g1", status=201)
    assert _fund_state(api, program)["suspended"] is True
    custodian.ok("POST", path, {"amount": "0.01", "reference": "G-2"}, key="g2", status=201)
    state = _fund_state(api, program)
    assert (state["suspended"], state["changed_on"]) == (False, "2026-02-02")
    assert "yanqing-resumed" in _alerts(api, program, "2026-02-02")


# ---------------------------------------------------------------------- Y-14 the crossing


def _crossing(api, crossing):
    """Suspension at 600,000; one claim of 1,000,000 (medium, on 2,000,000) is noticed at
    the year's end and the custodian confirms it."""
    from yanqing_steps import confirm_payment, half_year_plan, joint_review, setup

    today(api, dt.date(2025, 1, 10))
    program, insts = setup(
        api, suspend_at="600000.00", resume_at="29500000.00", threshold_crossing=crossing
    )
    c = _npl_claim(api, program, insts, 21, principal="2000000.00")
    joint_review(api, c)
    today(api, dt.date(2026, 1, 5))
    plan = half_year_plan(api, program, "2025-12-31")
    custodian = api.as_("custodian", institution="yq-custodian")
    [payment] = custodian.ok("GET", "/disbursements")
    paid = confirm_payment(api, payment, "pay-1")
    return program, c, plan, paid, custodian


def test_Y14_by_default_the_crossing_payment_is_paid_in_full_and_suspends_after_it(api):
    program, c, _, paid, custodian = _crossing(api, "pay_in_full")
    assert (paid["state"], paid["amount"]) == ("confirmed", "1000000.00")
    assert [d["state"] for d in custodian.ok("GET", "/disbursements")] == ["confirmed"]
    state = _fund_state(api, program)
    assert (state["suspended"], state["net_compensation"]) == (True, "1000000.00")
    why = state["explanation"][0]
    assert (why["rule"], why["inputs"]["threshold_crossing"]) == ("Y-14", "pay_in_full")
    assert "全额支付" in why["zh"] and "paid in full" in why["en"]
    assert api.as_("office").ok("GET", f"/claims/{c['id']}")["state"] == "paid"


def test_Y14_pay_to_threshold_pays_up_to_21_million_and_queues_the_rest(api):
    from yanqing_steps import confirm_payment, ledger

    program, c, plan, paid, custodian = _crossing(api, "pay_to_threshold")
    assert (paid["state"], paid["amount"]) == ("confirmed", "600000.00")
    first, rest = custodian.ok("GET", "/disbursements")
    assert (rest["state"], rest["amount"], rest["remainder_of"]) == (
        "instructed",
        "400000.00",
        first["id"],
    )
    state = _fund_state(api, program)
    assert (state["suspended"], state["net_compensation"]) == (True, "600000.00")
    why = state["explanation"][0]
    assert (why["result"], why["inputs"]["paid_now"], why["inputs"]["queued"]) == (
        "paid up to the threshold",
        "600000.00",
        "400000.00",
    )
    assert "pay_to" not in why["zh"] and "其余 400000.00 元待重启代偿后支付" in why["zh"]
    # The rest waits: the claim and the plan stay open, the ledger owes it.
    assert confirm_payment(api, rest, "pay-2", status=409)["rule"]["rule"] == "Y-14"
    assert api.as_("office").ok("GET", f"/claims/{c['id']}")["state"] == "approved"
    assert api.as_("office").ok("GET", f"/plans/{plan['id']}")["state"] == "approved"
    books = ledger(api, program)
    assert books["balanced"] and books["balances"]["payable:compensation"] == "-400000.00"
    # Once the pool is back, the rest is paid, and the claim and the plan are settled.
    api.as_("custodian", institution="yq-custodian").ok(
        "POST",
        f"/yanqing/programs/{program['id']}/gains",
        {"amount": "100000.00", "reference": "G-1"},
        key="g1",
        status=201,
    )
    assert confirm_payment(api, rest, "pay-3")["amount"] == "400000.00"
    assert api.as_("office").ok("GET", f"/claims/{c['id']}")["state"] == "paid"
    assert api.as_("office").ok("GET", f"/plans/{plan['id']}")["state"] == "paid"


# ------------------------------------------------------------------ Y-12 one notice a year


def _approved_in_h1(api, **config):
    """A claim of 500,000 (medium, on 1,000,000) approved in the first half of 2025."""
    from yanqing_steps import joint_review, setup

    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api, **config)
    c = _npl_claim(api, program, insts, 31)
    joint_review(api, c)
    return program, c


def _propose(api, program, day):
    return api.as_("office").ok("POST", "/plans", {"program_id": program["id"], "day": day}, 201)


def _payments(api):
    return api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")


def test_Y12_by_default_the_half_year_review_is_paid_with_the_years_notice(api):
    from yanqing_steps import half_year_plan

    program, c = _approved_in_h1(api)
    assert program["config"]["payment_frequency"] == "annual"
    today(api, dt.date(2025, 7, 3))
    h1 = half_year_plan(api, program, "2025-06-30")
    plan = api.as_("office").ok("GET", f"/plans/{h1['id']}")
    # Reviewed and reported to the district, but no notice to the custodian: the claim is
    # carried whole, and the plan holds it no longer.
    assert plan["state"] == "paid" and plan["capacity"] == "0.00"
    why = next(e for e in plan["explanations"] if e["rule"] == "Y-12")
    assert not why["passed"] and "原则上一年一拨付" in why["zh"]
    assert [(i["allocated"], i["carried"]) for i in plan["items"]] == [("0.00", "500000.00")]
    assert _payments(api) == []
    today(api, dt.date(2026, 1, 5))
    h2 = half_year_plan(api, program, "2025-12-31")
    assert [i["allocated"] for i in h2["items"]] == ["500000.00"]
    [payment] = _payments(api)
    assert payment["claim_id"] == c["id"] and payment["amount"] == "500000.00"


def test_Y12_nothing_is_allocated_in_a_first_half_year_without_a_special_case(api):
    program, c = _approved_in_h1(api)
    today(api, dt.date(2025, 7, 3))
    h1 = _propose(api, program, "2025-06-30")
    edit = {"items": [{"claim_id": c["id"], "allocated": "500000.00"}]}
    refused = api.as_("office").ok("PATCH", f"/plans/{h1['id']}", edit, status=422)
    assert refused["rule"]["rule"] == "Y-12" and refused["rule"]["inputs"]["allocated"] == (
        "500000.00"
    )


def test_Y12_half_yearly_payment_frequency_sends_a_notice_after_each_review(api):
    from yanqing_steps import half_year_plan

    program, c = _approved_in_h1(api, payment_frequency="half_yearly")
    today(api, dt.date(2025, 7, 3))
    half_year_plan(api, program, "2025-06-30")
    [payment] = _payments(api)
    assert (payment["claim_id"], payment["amount"]) == (c["id"], "500000.00")


def test_Y12_an_extra_payment_needs_the_DRCs_reason_and_the_finance_bureaus_approval(api):
    from yanqing_steps import YQ, half_year_plan

    program, c = _approved_in_h1(api)
    today(api, dt.date(2025, 7, 1))
    path = f"{YQ}/programs/{program['id']}/extra-payments"
    body = {"period": "2025-H1", "reason": "合作银行流动性紧张，经研究提前拨付"}
    office, finance = api.as_("office"), api.as_("finance")
    assert finance.call("POST", path, body).status_code == 403
    h2 = office.ok("POST", path, {**body, "period": "2025-H2"}, status=422)
    assert h2["errors"][0]["pointer"] == "/period"
    asked = office.ok("POST", path, body, status=201)
    assert (asked["state"], asked["requested_by"]) == ("requested", "office")
    assert (
        asked["explanation"][0]["rule"] == "Y-12"
        and body["reason"] in asked["explanation"][0]["zh"]
    )
    again = office.ok("POST", path, body, status=409)
    assert again["extra_payment_id"] == asked["id"]
    decide = f"{YQ}/extra-payments/{asked['id']}/decision"
    decision = {"decision": "approve", "opinion": "同意特殊情况单独拨付"}
    assert office.call("POST", decide, decision).status_code == 403
    approved = finance.ok("POST", decide, decision)
    assert (approved["state"], approved["decided_on"]) == ("approved", "2025-07-01")
    assert [e["rule"] for e in approved["explanation"]] == ["Y-12", "Y-12"]
    assert finance.ok("POST", decide, decision, status=409)
    today(api, dt.date(2025, 7, 3))
    plan = half_year_plan(api, program, "2025-06-30")
    why = next(
        e
        for e in api.as_("office").ok("GET", f"/plans/{plan['id']}")["explanations"]
        if e["rule"] == "Y-12"
    )
    assert why["passed"] and why["inputs"]["extra_payment"] == asked["id"]
    [payment] = _payments(api)
    assert (payment["claim_id"], payment["amount"]) == (c["id"], "500000.00")
    listed = api.as_("auditor").ok("GET", path)
    assert [e["state"] for e in listed] == ["approved"]


def test_Y12_a_refused_extra_payment_leaves_the_half_year_to_the_years_notice(api):
    from yanqing_steps import YQ, half_year_plan

    program, _ = _approved_in_h1(api)
    today(api, dt.date(2025, 7, 1))
    asked = api.as_("office").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/extra-payments",
        {"period": "2025-H1", "reason": "提前拨付"},
        status=201,
    )
    refused = api.as_("finance").ok(
        "POST",
        f"{YQ}/extra-payments/{asked['id']}/decision",
        {"decision": "refuse", "opinion": "不属于特殊情况"},
    )
    assert refused["state"] == "refused"
    today(api, dt.date(2025, 7, 3))
    half_year_plan(api, program, "2025-06-30")
    assert _payments(api) == []


# ------------------------------------------------------------------------- Y-10 the split


def test_Y10_the_guarantors_and_the_lenders_shares_are_data_on_the_claim_and_its_payment(api):
    from yanqing_steps import confirm_payment, half_year_plan, setup

    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api)
    f, _ = graded_firm(api, program, insts, 41, "medium")
    loan = register_loan(
        api,
        f,
        insts,
        "L-41",
        kind="guaranteed",
        principal="1000000.01",
        attributes={"lender_share": "0.50"},
    )
    today(api, dt.date(2025, 6, 2))
    non_performing(api, loan, "2025-06-01")
    c = claim(api, loan, "1000000.01", institution="yq-guarantee", role="guarantor")
    guarantor, bank = insts["yq-guarantee"]["id"], insts["yq-bank"]["id"]
    # 500,000.005 rounds half up to 500,000.01; half of it each is 250,000.005, which rounded
    # on its own would pay 500,000.02: the fen left over goes to the earlier share instead,
    # and the shares add up exactly.
    assert c["amount"] == "500000.01"
    assert c["shares"] == [
        {"institution_id": guarantor, "role": "guarantor", "amount": "250000.01"},
        {"institution_id": bank, "role": "lender", "amount": "250000.00"},
    ]
    why = next(e for e in c["explanations"] if "guarantor_share" in e["inputs"])
    assert why["rule"] == "Y-10" and "担保公司承担 250000.01 元，银行承担 250000.00 元" in why["zh"]
    assert "the lender bears 250000.00" in why["en"]
    # Approved at less than the policy allows: the shares follow the approved amount.
    *first, last = review_roles()
    for role in first:
        _review(api, c, role)
    approved = api.as_(last).ok(
        "POST",
        f"/claims/{c['id']}/reviews",
        {"decision": "approve", "opinion": "核减", "approved_amount": "100000.01"},
        status=201,
    )
    assert approved["approved_amount"] == "100000.01"
    assert [s["amount"] for s in approved["shares"]] == ["50000.01", "50000.00"]
    today(api, dt.date(2026, 1, 5))
    half_year_plan(api, program, "2025-12-31")
    [payment] = api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")
    assert payment["payee_institution_id"] == guarantor
    assert [(s["role"], s["amount"]) for s in payment["shares"]] == [
        ("guarantor", "50000.01"),
        ("lender", "50000.00"),
    ]
    assert confirm_payment(api, payment, "pay-41")["shares"] == payment["shares"]


def test_Y10_a_payment_paid_up_to_the_threshold_splits_its_shares_between_its_parts(api):
    from yanqing_steps import confirm_payment, half_year_plan, joint_review, setup

    today(api, dt.date(2025, 1, 10))
    program, insts = setup(
        api, suspend_at="100000.00", resume_at="29999000.00", threshold_crossing="pay_to_threshold"
    )
    f, _ = graded_firm(api, program, insts, 42, "medium")
    loan = register_loan(
        api,
        f,
        insts,
        "L-42",
        kind="guaranteed",
        principal="1000000.00",
        attributes={"lender_share": "0.30"},
    )
    today(api, dt.date(2025, 6, 2))
    non_performing(api, loan, "2025-06-01")
    c = claim(api, loan, "1000000.00", institution="yq-guarantee", role="guarantor")
    joint_review(api, c)
    today(api, dt.date(2026, 1, 5))
    half_year_plan(api, program, "2025-12-31")
    custodian = api.as_("custodian", institution="yq-custodian")
    [payment] = custodian.ok("GET", "/disbursements")
    paid = confirm_payment(api, payment, "pay-42")
    assert paid["amount"] == "100000.00"
    assert [s["amount"] for s in paid["shares"]] == ["70000.00", "30000.00"]
    _, rest = custodian.ok("GET", "/disbursements")
    assert rest["amount"] == "400000.00"
    assert [s["amount"] for s in rest["shares"]] == ["280000.00", "120000.00"]
