"""Xinxiang declares what it reads (new_agricultural_operator on firms, via_platform on
loans, interest_claimed on claims): the API refuses anything else, and a firm added to the
directory of new agricultural operators has its loans' coverage decided again (X-03, X-04)."""

from __future__ import annotations

from xinxiang_world import build


def test_X04_a_misspelt_via_platform_is_refused_not_read_as_off_platform(api):
    world = build(api)
    response = world.bank().post(
        "/loans",
        {
            "program_id": world.pid,
            "firm_id": world.firms["small-a"]["id"],
            "lender_id": world.institutions["bank-a"]["id"],
            "reference": "L-typo",
            "kind": "credit",
            "principal": "500000.00",
            "issue_date": "2022-03-01",
            "maturity_date": "2023-03-01",
            "attributes": {"via_platfrom": True},
        },
    )
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["errors"]
    assert error["pointer"] == "/attributes/via_platfrom"
    assert error["allowed"] == ["via_platform"]
    assert world.bank().ok("GET", "/loans") == []


def test_X03_a_firm_added_to_the_new_agricultural_operators_has_its_loan_covered(api):
    world = build(api)
    world.firm("coop", employees=400, revenue="30000000")
    loan = world.loan("coop", "L-c", "500000.00")
    assert loan["covered"] is False  # medium-sized, not (yet) in the directory
    answer = world.office().ok(
        "PATCH",
        f"/firms/{world.firms['coop']['id']}",
        {"attributes": {"new_agricultural_operator": True}},
    )
    [change] = answer["loans"]
    assert change["changed"] and change["covered"] is True
    x03 = next(e for e in change["coverage"] if e["rule"] == "X-03")
    assert x03["passed"] and x03["inputs"]["new_agricultural_operator"] is True
    assert world.bank().ok("GET", f"/loans/{loan['id']}")["covered"] is True


def test_X03_new_agricultural_operator_is_yes_or_no(api):
    world = build(api)
    response = world.office().patch(
        f"/firms/{world.firms['small-a']['id']}",
        {"attributes": {"new_agricultural_operator": "yes"}},
    )
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["pointer"] == "/attributes/new_agricultural_operator"
    assert error["policy"] == "xinxiang"
