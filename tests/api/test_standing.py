"""A policy's own standing decisions, honoured by the core, over HTTP with the toy policy.

Toy rule T-8 (tests/toy_policy.py): monitoring suspends for 30 days a bank whose
non-performing loans exceed the office's ``npl_suspension`` indicator. The toy policy
records that decision once (``riskshare.toolkit.suspend``) and says nothing of it in any
other hook; the core refuses the bank new coverage, new claims, places in plans and
payments, with rule T-8, until the suspension ends or the office lifts it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from factories import register_loan, setup_program
from riskshare.testing.pytest_plugin import today
from riskshare.toolkit import Explanation, suspend

LOSS = {"classification": "loss"}


def _world(api):
    """Program, bank-a with a 500,000 loss loan (L-1) and bank-b with a 50,000 one (B-1)."""
    today(api, dt.date(2024, 3, 1))
    program, bank_a, firm = setup_program(api)
    bank_b = api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    loan_a = register_loan(api, firm, bank_a, "L-1", "500000.00", **LOSS)
    loan_b = _register_b(api, firm, bank_b, "B-1", "50000.00", **LOSS)
    return program, bank_a, bank_b, firm, loan_a, loan_b


def _register_b(api, firm, bank_b, reference, principal, **extra):
    body = {
        "firm_id": firm["id"],
        "lender_id": bank_b["id"],
        "reference": reference,
        "kind": "credit",
        "principal": principal,
        "issue_date": "2024-03-01",
        "maturity_date": "2025-03-01",
        **extra,
    }
    return api.as_("lender", institution="bank-b").ok("POST", "/loans", body, status=201)


def _claim(api, institution, loan, principal):
    return api.as_("lender", institution=institution).post(
        "/claims", {"loan_id": loan["id"], "claimed_principal": principal}
    )


def _approved_claim(api, institution, loan, principal="100000.00"):
    response = _claim(api, institution, loan, principal)
    assert response.status_code == 201, response.get_json()
    return api.as_("reviewer").ok(
        "POST",
        f"/claims/{response.get_json()['id']}/reviews",
        {"decision": "approve", "opinion": "ok"},
        status=201,
    )


def _suspend_bank_a(api, program, day):
    """The office enters the T-8 limit and runs monitoring on ``day``: bank-a is over it."""
    today(api, day)
    base = f"/programs/{program['id']}"
    api.as_("office").ok(
        "PUT",
        f"{base}/indicators/npl_suspension",
        {"effective_from": "2024-01-01", "value": "100000", "note": "T-8 limit"},
    )
    alerts = api.as_("office").ok("GET", f"{base}/monitoring")
    return [a for a in alerts if a["code"] == "suspended"]


def _standings(api, program, **who):
    caller = api.as_(*(who.get("roles") or ("office",)), institution=who.get("institution"))
    return caller.ok("GET", f"/programs/{program['id']}/standings")


def test_a_decision_recorded_twice_on_the_same_day_is_one_record_visible_to_its_subject(api):
    program, bank_a, *_ = _world(api)
    [alert] = _suspend_bank_a(api, program, dt.date(2024, 9, 10))
    assert alert["subject_id"] == bank_a["id"] and alert["explanation"]["rule"] == "T-8"
    # The same monitoring run again, as a supervisor would: still one decision.
    api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring")
    [standing] = _standings(api, program)
    assert standing["rule"] == "T-8" and standing["subject_type"] == "institution"
    assert standing["subject_id"] == bank_a["id"]
    assert standing["starts_on"] == "2024-09-10" and standing["until"] == "2024-10-10"
    assert standing["explanations"][0]["zh"].startswith("Bank A 不良贷款余额 500000.00 元")
    events = api.as_("auditor").ok("GET", "/audit/events?page_size=100")
    assert [e["action"] for e in events].count("standing.suspend") == 1
    # The next day's run finds the bank still over the limit: the same decision, longer.
    _suspend_bank_a(api, program, dt.date(2024, 9, 11))
    [standing] = _standings(api, program)
    assert standing["starts_on"] == "2024-09-10" and standing["until"] == "2024-10-11"
    events = api.as_("auditor").ok("GET", "/audit/events?page_size=100")
    [change] = [e for e in events if e["action"] == "standing.change"]
    assert change["before"] == {"until": "2024-10-10"} and change["after"]["until"] == "2024-10-11"
    # The institution sees its own decision; another institution sees none.
    assert _standings(api, program, roles=("lender",), institution="bank-a") == [standing]
    assert _standings(api, program, roles=("lender",), institution="bank-b") == []
    assert _standings(api, program, roles=("auditor",)) == [standing]


def test_a_suspended_bank_gets_no_new_coverage_or_claims_and_another_bank_does(api):
    program, bank_a, bank_b, firm, loan_a, loan_b = _world(api)
    _suspend_bank_a(api, program, dt.date(2024, 9, 10))

    refused = register_loan(api, firm, bank_a, "L-2", "100000.00", issue_date="2024-09-05")
    assert refused["covered"] is False
    [t8, t1] = refused["coverage"]
    assert (t8["rule"], t8["passed"], t8["result"]) == ("T-8", False, "suspended")
    assert "Bank A is suspended from 2024-09-10 until 2024-10-10" in t8["en"]
    assert t1["rule"] == "T-1" and t1["passed"] is True  # the policy's own answer, kept

    covered = _register_b(api, firm, bank_b, "B-2", "100000.00", issue_date="2024-09-05")
    assert covered["covered"] is True

    response = _claim(api, "bank-a", loan_a, "100000.00")
    assert response.status_code == 422
    assert response.get_json()["rule"]["rule"] == "T-8"
    assert _claim(api, "bank-b", loan_b, "50000.00").status_code == 201


def test_a_suspension_holds_claims_out_of_a_plan_and_stops_payments_until_it_ends(api):
    program, _, _, _, loan_a, loan_b = _world(api)
    today(api, dt.date(2024, 5, 10))
    claim_a = _approved_claim(api, "bank-a", loan_a)
    claim_b = _approved_claim(api, "bank-b", loan_b, "50000.00")

    # Suspended on 2 July for 30 days: the H1 plan proposed that day leaves bank-a out.
    _suspend_bank_a(api, program, dt.date(2024, 7, 2))
    office = api.as_("office")
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    assert [i["claim_id"] for i in plan["items"]] == [claim_b["id"]]
    [held] = [e for e in plan["explanations"] if e["rule"] == "T-8"]
    assert held["result"] == "held out of the plan" and held["inputs"]["claims"] == [claim_a["id"]]
    assert office.ok("GET", f"/claims/{claim_a['id']}")["state"] == "approved"


def test_a_payment_to_a_suspended_bank_waits_until_the_suspension_ends(api):
    program, bank_a, _, firm, loan_a, _ = _world(api)
    today(api, dt.date(2024, 5, 10))
    _approved_claim(api, "bank-a", loan_a)
    today(api, dt.date(2024, 7, 1))
    office = api.as_("office")
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    office.ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")

    _suspend_bank_a(api, program, dt.date(2024, 7, 2))  # until 1 August, exclusive
    confirm = f"/disbursements/{payment['id']}/confirm"
    for day in (dt.date(2024, 7, 2), dt.date(2024, 7, 31)):
        today(api, day)
        response = finance.post(confirm, {"payment_reference": "TX-1"})
        assert response.status_code == 409
        assert response.get_json()["rule"]["rule"] == "T-8"
    today(api, dt.date(2024, 8, 1))
    assert finance.ok("POST", confirm, {"payment_reference": "TX-1"})["state"] == "confirmed"
    # Business done during the suspension is still not covered when registered after it.
    late = register_loan(api, firm, bank_a, "L-2", "100000.00", issue_date="2024-07-15")
    assert late["covered"] is False and late["coverage"][0]["rule"] == "T-8"
    assert register_loan(api, firm, bank_a, "L-3", "100000.00", issue_date="2024-08-01")["covered"]


def test_the_office_lifts_a_suspension_and_new_business_is_covered_again(api):
    program, bank_a, _, firm, loan_a, _ = _world(api)
    [alert] = _suspend_bank_a(api, program, dt.date(2024, 9, 10))
    standing_id = alert["data"]["standing_id"]
    lift = f"/programs/{program['id']}/standings/{standing_id}/lift"
    assert api.as_("approver").post(lift, {"reason": "x"}).status_code == 403
    # Lifted only through its own program.
    other = api.as_("office").ok(
        "POST",
        "/programs",
        {
            "code": "toy-other",
            "name": "Another toy fund",
            "policy": "toy",
            "config": {},
            "fund_total": "1000.00",
            "effective_from": "2026-01-01",
            "effective_to": "2026-12-31",
        },
        status=201,
    )
    wrong = f"/programs/{other['id']}/standings/{standing_id}/lift"
    assert api.as_("office").post(wrong, {"reason": "x"}).status_code == 404
    assert _standings(api, other) == []
    assert api.as_("office").post(lift, {}).status_code == 422  # a lift says why

    lifted = api.as_("office").ok("POST", lift, {"reason": "rectified"})
    assert lifted["lifted_on"] == "2024-09-10" and lifted["lift_reason"] == "rectified"
    assert api.as_("office").post(lift, {"reason": "again"}).status_code == 409
    events = api.as_("auditor").ok("GET", "/audit/events?page_size=100")
    assert [e["action"] for e in events].count("standing.lift") == 1

    loan = register_loan(api, firm, bank_a, "L-2", "100000.00", issue_date="2024-09-05")
    assert loan["covered"] is True
    assert _claim(api, "bank-a", loan_a, "100000.00").status_code == 201
    # Monitoring again that day does not undo the office's lift: it is that day's decision.
    _suspend_bank_a(api, program, dt.date(2024, 9, 10))
    [standing] = _standings(api, program)
    assert standing["lifted_on"] == "2024-09-10"


def test_the_policy_lifts_its_own_decision_when_the_bank_is_back_within_the_limit(api):
    program, bank_a, _, firm, _, _ = _world(api)
    _suspend_bank_a(api, program, dt.date(2024, 9, 10))
    today(api, dt.date(2024, 9, 12))
    base = f"/programs/{program['id']}"
    api.as_("office").ok(
        "PUT",
        f"{base}/indicators/npl_suspension",
        {"effective_from": "2024-09-12", "value": "600000", "note": "raised"},
    )
    assert api.as_("office").ok("GET", f"{base}/monitoring") == []
    [standing] = _standings(api, program)
    assert standing["lifted_on"] == "2024-09-12" and standing["until"] == "2024-10-10"
    assert standing["lift_reason"] == "non-performing 500000.00, within 600000.000000"
    loan = register_loan(api, firm, bank_a, "L-2", "100000.00", issue_date="2024-09-12")
    assert loan["covered"] is True


def test_a_suspension_binds_only_its_own_tenant(api, other_api):
    program, *_ = _world(api)
    _suspend_bank_a(api, program, dt.date(2024, 9, 10))
    other_program, other_bank, _, other_firm, *_ = _world(other_api)
    today(other_api, dt.date(2024, 9, 10))
    assert _standings(other_api, other_program) == []
    loan = register_loan(other_api, other_firm, other_bank, "L-2", issue_date="2024-09-05")
    assert loan["covered"] is True
    # Tenant A's office cannot list or lift tenant B's decisions, nor B's A's.
    path = f"/api/v1/tenants/{other_api.tenant}/programs/{other_program['id']}/standings"
    assert api.as_("office").call("GET", path).status_code == 403
    [standing] = _standings(api, program)
    lift = f"/programs/{other_program['id']}/standings/{standing['id']}/lift"
    assert other_api.as_("office").post(lift, {"reason": "x"}).status_code == 404


def _as_the_policy(api, program, decide):
    """Run ``decide(facts)`` as a policy's hook would, inside a request of the tenant, and
    commit what it recorded (for decisions the toy policy has no rule to take)."""
    from flask import g

    from riskshare.api.context import current_context
    from riskshare.api.session import finish
    from riskshare.auth.principal import Principal
    from riskshare.plugins.ask import facts

    with api.app.test_request_context():
        g.tenant, g.roles = api.tenant, frozenset({"office"})
        g.principal = Principal("policy-test", "policy-test", {api.tenant: g.roles})
        try:
            result = decide(facts(current_context(), program["id"]))
        except BaseException:
            finish(commit=False)
            raise
        finish(commit=True)
        return result


def test_a_firm_suspended_by_its_policy_gets_no_new_covered_loans_from_any_bank(api):
    program, bank_a, bank_b, firm, _, _ = _world(api)
    today(api, dt.date(2024, 9, 10))
    reason = Explanation("F-1", "Test §1", "suspended", "企业暂停。", "The firm is suspended.")
    standing = _as_the_policy(
        api,
        program,
        lambda facts: suspend(
            facts, "firm", firm["id"], rule="F-1", explanations=[reason], until=dt.date(2024, 9, 20)
        ),
    )
    assert (standing.subject_type, standing.rule, standing.until) == (
        "firm",
        "F-1",
        dt.date(2024, 9, 20),
    )
    loan = _register_b(api, firm, bank_b, "B-2", "100000.00", issue_date="2024-09-10")
    assert loan["covered"] is False and loan["coverage"][0]["rule"] == "F-1"
    assert "Firm A is suspended from 2024-09-10 until 2024-09-20" in loan["coverage"][0]["en"]
    # Institutions list only their own decisions: a firm's is for supervisors.
    assert [s["subject_type"] for s in _standings(api, program)] == ["firm"]
    assert _standings(api, program, roles=("lender",), institution="bank-a") == []
    today(api, dt.date(2024, 9, 20))
    assert register_loan(api, firm, bank_a, "L-2", "100000.00", issue_date="2024-09-20")["covered"]


def test_a_standing_decision_must_name_a_subject_and_a_period_that_exist(api):
    program, bank_a, *_ = _world(api)
    reason = Explanation("F-1", "Test §1", "suspended", "暂停。", "Suspended.")
    bad = [
        {"subject_type": "program", "subject_id": program["id"]},
        {"subject_type": "institution", "subject_id": 999_999},
        {"subject_type": "institution", "subject_id": bank_a["id"], "explanations": []},
        {"subject_type": "institution", "subject_id": bank_a["id"], "until": dt.date(2024, 3, 1)},
    ]
    for case in bad:
        args = {"explanations": [reason], "until": None, **case}
        with pytest.raises(ValueError):
            _as_the_policy(
                api,
                program,
                lambda facts, a=args: suspend(
                    facts,
                    a["subject_type"],
                    a["subject_id"],
                    rule="F-1",
                    explanations=a["explanations"],
                    until=a["until"],
                ),
            )
    assert _standings(api, program) == []


# ------------------------------------------------------------------ cooperation and bans
#
# X-07 (第五条) and Y-16 (四(二)): an institution whose cooperation the office suspended or
# revoked gets no coverage, claim or compensation while it lasts; a banned one neither. The
# core refuses all four itself, whatever the policy's hooks answer: the toy policy says
# nothing of cooperation and names no citation for it, so the refusals cite the core.


def _cooperation(api, institution, action, day):
    today(api, day)
    path = f"/institutions/{institution['id']}/cooperation"
    return api.as_("office").ok("POST", path, {"action": action, "reason": "rectification"})


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_X07_Y16_an_institution_suspended_or_revoked_gets_no_coverage_claim_or_plan_place(
    api, action
):
    program, bank_a, bank_b, firm, loan_a, loan_b = _world(api)
    today(api, dt.date(2024, 5, 10))
    claim_a = _approved_claim(api, "bank-a", loan_a)
    claim_b = _approved_claim(api, "bank-b", loan_b, "50000.00")
    loan_c = register_loan(api, firm, bank_a, "L-C", "100000.00", **LOSS)
    state = {"suspend": "suspended", "revoke": "revoked"}[action]
    assert _cooperation(api, bank_a, action, dt.date(2024, 7, 2))["cooperation"] == state

    # Coverage: a loan registered while the lender is suspended is not covered, issued
    # before or after; the refusal comes first, the policy's own answer follows.
    for reference, issued in (("L-2", "2024-06-20"), ("L-3", "2024-07-02")):
        loan = register_loan(api, firm, bank_a, reference, "100000.00", issue_date=issued)
        assert loan["covered"] is False
        coop = loan["coverage"][0]
        assert (coop["rule"], coop["result"], coop["passed"]) == ("CORE-COOP", state, False)
        assert (coop["clause"], coop["clause_en"]) == ("平台通用规则", "Riskshare core rules")
        assert coop["inputs"]["cooperation_since"] == "2024-07-02"
        assert f"Bank A is {state} since 2024-07-02" in coop["en"]
        assert loan["coverage"][1]["rule"] == "T-1"
    assert _register_b(api, firm, bank_b, "B-2", "100000.00", issue_date="2024-07-02")["covered"]

    # Claims: refused with the rule, on a loan covered before.
    assert loan_c["covered"] is True
    response = _claim(api, "bank-a", loan_c, "100000.00")
    assert response.status_code == 422 and response.get_json()["rule"]["rule"] == "CORE-COOP"

    # Plans: its approved claims are held out, still approved, the other bank's paid.
    office = api.as_("office")
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-30"}, 201)
    assert [i["claim_id"] for i in plan["items"]] == [claim_b["id"]]
    [held] = [e for e in plan["explanations"] if e["rule"] == "CORE-COOP"]
    assert held["result"] == "held out of the plan" and held["inputs"]["claims"] == [claim_a["id"]]
    assert office.ok("GET", f"/claims/{claim_a['id']}")["state"] == "approved"


def test_X07_a_resumed_institution_gets_coverage_and_claims_again_and_the_past_stands(api):
    _, bank_a, _, firm, loan_a, _ = _world(api)
    _cooperation(api, bank_a, "suspend", dt.date(2024, 7, 2))
    refused = register_loan(api, firm, bank_a, "L-2", issue_date="2024-07-02")
    assert not refused["covered"]
    # A correction decides coverage again, with the bank's standing when it was registered.
    change = api.as_("office").ok("PATCH", f"/loans/{refused['id']}", {"purpose": "working"})
    redecided = change["coverage_change"]
    assert redecided["redecided"] and redecided["covered"] is False
    assert redecided["coverage"][0]["rule"] == "CORE-COOP"
    _cooperation(api, bank_a, "resume", dt.date(2024, 8, 1))
    assert register_loan(api, firm, bank_a, "L-3", issue_date="2024-08-01")["covered"]
    assert _claim(api, "bank-a", loan_a, "100000.00").status_code == 201
    # A loan registered with an effective day before the suspension was covered then.
    _cooperation(api, bank_a, "suspend", dt.date(2024, 9, 2))
    earlier = register_loan(
        api, firm, bank_a, "L-4", issue_date="2024-08-20", effective_on="2024-08-20"
    )
    assert earlier["covered"] is True


def test_X18_Y16_a_banned_institution_gets_no_coverage_or_claim(api):
    program, _, bank_b, firm, loan_a, loan_b = _world(api)
    today(api, dt.date(2024, 7, 2))
    api.as_("office").ok(
        "POST",
        "/bans",
        {
            "program_id": program["id"],
            "subject_type": "institution",
            "subject_id": bank_b["id"],
            "rule": "T-9",
            "reason": "colluded",
            "years": 3,
        },
        status=201,
    )
    loan = _register_b(api, firm, bank_b, "B-2", "100000.00", issue_date="2024-07-02")
    rules = [e["rule"] for e in loan["coverage"] if not e["passed"]]
    assert loan["covered"] is False and "CORE-BAN" in rules
    response = _claim(api, "bank-b", loan_b, "50000.00")
    assert response.status_code == 422
    assert response.get_json()["rule"]["rule"] in {"CORE-COOP", "CORE-BAN"}
    assert _claim(api, "bank-a", loan_a, "100000.00").status_code == 201
