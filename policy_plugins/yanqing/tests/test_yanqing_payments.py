"""Claims and payments: who reviews a claim, when the notice goes out, the payment that
crosses the suspension threshold, the restart, and the guaranteed loan's split (Y-10, Y-12,
Y-14)."""

from __future__ import annotations

import datetime as dt

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
