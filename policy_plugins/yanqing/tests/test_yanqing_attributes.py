"""Yanqing declares what it reads (lender_share on loans, recovery_statement on claims): the
API refuses anything else, and a corrected loan's coverage is decided again (Y-05, Y-10)."""

from __future__ import annotations

from yanqing_steps import graded_firm, register_loan

LOAN = {"kind": "guaranteed", "reference": "L-1", "principal": "5000000.00"}


def _body(f, insts, **attributes):
    return {
        "firm_id": f["id"],
        "lender_id": insts["yq-bank"]["id"],
        "guarantor_id": insts["yq-guarantee"]["id"],
        "issue_date": "2025-02-01",
        "maturity_date": "2026-02-01",
        "attributes": attributes,
        **LOAN,
    }


def test_Y10_a_lender_share_sent_as_a_float_or_not_a_ratio_is_refused_with_its_pointer(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 4, "low")
    bank = api.as_("lender", institution="yq-bank")
    for share, says in ((0.3, "a number with a fraction"), ("1.5", "does not match")):
        response = bank.post("/loans", _body(f, insts, lender_share=share))
        assert response.status_code == 422, response.get_json()
        errors = response.get_json()["errors"]
        assert {e["pointer"] for e in errors} == {"/attributes/lender_share"}
        assert any(says in e["detail"] for e in errors), errors
    response = bank.post("/loans", _body(f, insts, lender_shar="0.30"))
    [error] = response.get_json()["errors"]
    assert error["pointer"] == "/attributes/lender_shar"
    assert error["allowed"] == ["lender_share"]
    assert bank.ok("GET", "/loans") == []


def test_Y10_Y05_the_agreed_split_added_by_a_correction_covers_the_loan_once(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 4, "low")
    loan = register_loan(api, f, insts, "L-1", kind="guaranteed")
    assert loan["covered"] is False  # Y-10: no agreed split
    bank = api.as_("lender", institution="yq-bank")
    answer = bank.ok("PATCH", f"/loans/{loan['id']}", {"attributes": {"lender_share": "0.30"}})
    change = answer["coverage_change"]
    assert change["changed"] and change["covered"] is True
    rules = {e["rule"]: e for e in change["coverage"]}
    assert rules["Y-10"]["passed"] and rules["Y-10"]["inputs"]["lender_share"] == "0.30"
    # Decided again, the loan's own coverage does not count against it as a firm's "one
    # loan ever" (Y-05).
    again = bank.ok("PATCH", f"/loans/{loan['id']}", {"purpose": "working capital"})
    assert again["coverage_change"]["covered"] is True
    assert {e["rule"]: e["passed"] for e in again["coverage_change"]["coverage"]}["Y-05"]
