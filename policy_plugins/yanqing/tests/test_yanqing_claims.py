"""Loan coverage, claims and compensation, the custodian's pool, penalties (Y-04 … Y-17)."""

from __future__ import annotations

import datetime as dt

from yanqing_steps import (
    SEATS,
    YQ,
    claim,
    confirm_payment,
    firm,
    graded_firm,
    half_year_plan,
    joint_review,
    ledger,
    non_performing,
    paid_on_its_own,
    prescreen,
    recommend,
    register_loan,
    uscc,
    vote_all,
)

from riskshare.testing import today


def _refusing(loan):
    return [e["rule"] for e in loan["coverage"] if not e["passed"]]


def test_Y07_Y08_a_loan_needs_a_grade_in_effect_and_a_push(yq):
    api, program, insts = yq
    f = firm(api, 1)
    assert _refusing(register_loan(api, f, insts, "L-1")) == ["Y-07", "Y-08"]
    rec = prescreen(api, recommend(api, program, f))
    vote_all(api, rec, dict.fromkeys(SEATS, "medium"))
    assert _refusing(register_loan(api, f, insts, "L-2")) == ["Y-08"]  # graded, not pushed


def test_Y04_Y09_a_bank_loan_above_5_million_or_of_another_kind_is_not_covered(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 2, "medium")
    assert _refusing(register_loan(api, f, insts, "L-1", principal="5000000.01")) == ["Y-04"]
    loan = register_loan(api, f, insts, "L-2", principal="5000000.00")
    assert loan["covered"] is True
    assert {e["rule"] for e in loan["coverage"]} >= {"Y-02", "Y-04", "Y-05", "Y-07", "Y-09"}


def test_Y18_a_loan_issued_outside_the_three_year_trial_is_not_covered(yq):
    # The fixture's program is on trial from 2025-01-01 to 2027-12-31, both days inclusive.
    # Named explicitly, a loan issued the day before is recorded and refused under Y-18
    # (unnamed, the core finds no program in force and refuses it outright).
    api, program, insts = yq
    early, _ = graded_firm(api, program, insts, 6, "medium")
    on_time, _ = graded_firm(api, program, insts, 7, "medium")
    before = register_loan(
        api, early, insts, "L-before", issue_date="2024-12-31", program_id=program["id"]
    )
    first = register_loan(api, on_time, insts, "L-first", issue_date="2025-01-01")
    assert _refusing(before) == ["Y-18"]
    assert first["covered"] is True
    trial = next(e for e in before["coverage"] if e["rule"] == "Y-18")
    assert trial["threshold"] == ["2025-01-01", "2027-12-31"]
    assert "2024-12-31" in trial["zh"] and "2027-12-31" in trial["en"]
    assert trial["clause"].endswith("六")


def test_Y05_one_loan_ever_and_none_afterwards_for_affiliates(yq):
    api, program, insts = yq
    sister = uscc(30)
    f, _ = graded_firm(api, program, insts, 3, "medium", affiliates=[sister])
    assert register_loan(api, f, insts, "L-1")["covered"] is True
    assert _refusing(register_loan(api, f, insts, "L-2")) == ["Y-05"]
    # The affiliate, recommended afterwards, is refused at recommendation and at coverage.
    g = firm(api, 30)
    problem = recommend(api, program, g, status=422)
    assert problem["rule"]["rule"] == "Y-05" and f["uscc"] in problem["rule"]["en"]


def test_Y10_a_guaranteed_loan_records_the_agreed_split(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 4, "low")
    assert _refusing(register_loan(api, f, insts, "L-1", kind="guaranteed")) == ["Y-10"]
    loan = register_loan(
        api, f, insts, "L-2", kind="guaranteed", attributes={"lender_share": "0.30"}
    )
    assert loan["covered"] is True
    today(api, dt.date(2025, 6, 2))
    non_performing(api, loan, "2025-06-01")
    # Y-10: the guarantee company claims, not the bank.
    assert claim(api, loan, "1000000.00", status=422)["rule"]["rule"] == "Y-10"
    c = claim(api, loan, "1000000.00", institution="yq-guarantee", role="guarantor")
    assert c["amount"] == "200000.00"  # low grade, 20%


def test_Y17_a_defrauding_firm_is_barred_for_three_years_and_gets_no_covered_loan(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 5, "medium")
    office = api.as_("office")
    ban = {"subject_type": "firm", "subject_id": f["id"], "rule": "Y-17", "reason": "骗贷"}
    wrong = office.ok("POST", "/bans", {**ban, "program_id": program["id"], "years": 1}, 422)
    assert wrong["rule"]["rule"] == "Y-17" and wrong["rule"]["threshold"] == 3
    bank_ban = {**ban, "subject_type": "institution", "subject_id": insts["yq-bank"]["id"]}
    not_a_firm = office.ok("POST", "/bans", {**bank_ban, "program_id": program["id"]}, 422)
    assert not_a_firm["rule"]["rule"] == "Y-17" and "firms only" in not_a_firm["rule"]["en"]
    made = office.ok("POST", "/bans", {**ban, "program_id": program["id"]}, status=201)
    assert (made["starts_on"], made["ends_on"]) == ("2025-01-10", "2028-01-10")
    assert made["explanations"][0]["rule"] == "Y-17"
    assert _refusing(register_loan(api, f, insts, "L-1")) == ["Y-17"]


def test_Y11_Y12_claims_need_a_non_performing_loan_and_insured_loans_are_not_compensated(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 6, "medium")
    loan = register_loan(api, f, insts, "L-1", kind="insured", principal="800000")
    assert loan["covered"] is True
    today(api, dt.date(2025, 6, 2))
    assert claim(api, loan, "800000.00", status=422)["rule"]["rule"] == "Y-12"
    non_performing(api, loan, "2025-06-01")
    assert claim(api, loan, "800000.00", status=422)["rule"]["rule"] == "Y-11"


def test_Y12_Y16_the_ratio_follows_the_grade_and_a_penalty_lowers_it(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 7, "medium")
    g, _ = graded_firm(api, program, insts, 8, "medium")
    loans = [register_loan(api, x, insts, f"L-{x['id']}") for x in (f, g)]
    today(api, dt.date(2025, 6, 2))
    for loan in loans:
        non_performing(api, loan, "2025-06-01")
    first = claim(api, loans[0], "3000000.00")
    assert (first["amount"], first["ratio"]) == ("1500000.00", "0.500000")
    penalty = api.as_("office").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/penalties",
        {
            "institution_id": insts["yq-bank"]["id"],
            "measure": "lower_ratio",
            "max_ratio": "0.30",
            "reason": "无故提高代偿条件",
        },
        status=201,
    )
    assert penalty["max_ratio"] == "0.300000"
    today(api, dt.date(2025, 6, 3))  # it applies to the institution's later claims
    second = claim(api, loans[1], "3000000.00")
    assert (second["amount"], second["ratio"]) == ("900000.00", "0.300000")
    assert any(e["rule"] == "Y-16" for e in second["explanations"])
    # An earlier claim keeps its ratio at approval.
    assert joint_review(api, first)["approved_amount"] == "1500000.00"


def test_Y16_clawback_and_termination_go_through_the_core(yq):
    api, program, insts = yq
    bank = insts["yq-bank"]
    api.as_("office").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/penalties",
        {"institution_id": bank["id"], "measure": "clawback", "reason": "合谋骗贷"},
        status=201,
    )
    clawback = api.as_("approver").ok(
        "POST",
        "/clawbacks",
        {"program_id": program["id"], "institution_id": bank["id"], "reason": "合谋骗贷"},
        key="claw-1",
        status=201,
    )
    assert clawback["explanations"][0]["rule"] == "Y-16" and clawback["amount"] == "0.00"
    listed = api.as_("auditor").ok("GET", f"{YQ}/programs/{program['id']}/penalties")
    assert [p["measure"] for p in listed] == ["clawback"]


def test_Y01_gains_go_into_the_pool_and_the_fee_is_a_share_of_the_years_gains(yq):
    api, program, _ = yq
    custodian = api.as_("custodian", institution="yq-custodian")
    path = f"{YQ}/programs/{program['id']}/gains"
    body = {"amount": "123456.78", "reference": "Q1"}
    first = custodian.ok("POST", path, body, key="gain-q1", status=201)
    again = custodian.call("POST", path, body, key="gain-q1")  # a retry replays, pays once
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first["id"]
    assert custodian.call("POST", path, body, key="gain-q1-b").status_code == 409
    fees = f"{YQ}/programs/{program['id']}/custodian-fees"
    finance = api.as_("finance")
    assert (
        finance.call(
            "POST", fees, {"year": 2025, "performance": "履职良好"}, key="fee-early"
        ).status_code
        == 422
    )
    today(api, dt.date(2027, 1, 4))
    fee = finance.ok(
        "POST", fees, {"year": 2025, "performance": "履职良好"}, key="fee-2025", status=201
    )
    assert fee["amount"] == "18518.52"  # 123,456.78 × 0.15, half up
    nothing = finance.ok(
        "POST", fees, {"year": 2026, "performance": "履职良好"}, key="fee-2026", status=201
    )
    assert nothing["amount"] == "0.00"  # no gains in 2026, no fee
    books = ledger(api, program)
    assert books["balanced"] and books["pool_balance"] == "30104938.26"


def test_Y01_the_fee_rate_must_lie_between_15_and_20_percent(api):
    office = api.as_("office")
    body = {
        "code": "yq",
        "name": "Yanqing",
        "policy": "yanqing",
        "fund_total": "30000000.00",
        "effective_from": "2025-01-01",
        "effective_to": "2027-12-31",
    }
    # Y-01: a program names its custodian (the institution code), or it is not created.
    missing = office.ok("POST", "/programs", {**body, "config": {}}, 422)
    assert any("custodian" in str(e) for e in missing["errors"]), missing
    custodian = {"custodian": "yq-custodian"}
    bad = office.ok(
        "POST", "/programs", {**body, "config": {**custodian, "custodian_fee_rate": "0.25"}}, 422
    )
    assert bad["errors"][0]["pointer"] == "/config/custodian_fee_rate"
    ok = office.ok(
        "POST", "/programs", {**body, "config": {**custodian, "custodian_fee_rate": "0.20"}}, 201
    )
    assert ok["config"]["grade_ratios"] == {"high": "1.00", "medium": "0.50", "low": "0.20"}
    assert (ok["config"]["suspend_at"], ok["config"]["resume_at"]) == (
        "21000000.00",
        "15000000.00",
    )


def test_Y13_a_net_loss_is_written_off_after_bankruptcy_once_the_DRC_and_finance_review(yq):
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 11, "medium")
    loan = register_loan(api, f, insts, "L-WO", principal="2000000.00")
    lender = api.as_("lender", institution="yq-bank")
    write_off = {"loan_id": loan["id"], "approved_on": "2025-08-01", "net_loss": "2000000.00"}
    today(api, dt.date(2025, 5, 10))
    non_performing(api, loan, "2025-05-09")
    c = claim(api, loan, "2000000.00")
    joint_review(api, c)
    bankruptcy = {**write_off, "ground": "bankruptcy_liquidation"}
    refused = lender.ok("POST", "/write-offs", {**bankruptcy, "approved_on": "2025-05-10"}, 422)
    assert refused["rule"]["rule"] == "Y-13"  # nothing compensated yet
    today(api, dt.date(2025, 7, 3))
    paid_on_its_own(api, program)
    half_year_plan(api, program, "2025-06-30")
    [payment] = api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")
    confirm_payment(api, payment, "pay-wo")
    recovery = lender.ok(
        "POST",
        "/recoveries",
        {"claim_id": c["id"], "received_on": "2025-07-02", "recovered": "400000.00"},
        key="rec-wo",
        status=201,
    )
    api.as_("finance").ok("POST", f"/recoveries/{recovery['id']}/confirm-return", key="ret-wo")

    today(api, dt.date(2025, 8, 5))
    refused = lender.ok("POST", "/write-offs", {**write_off, "ground": "restructuring"}, 422)
    assert refused["rule"]["rule"] == "Y-13" and "bankruptcy_liquidation" in refused["rule"]["en"]
    # Enforcement terminated: recorded, but the DRC rejects it; the loan is not written off.
    first = lender.ok(
        "POST", "/write-offs", {**write_off, "ground": "enforcement_terminated"}, status=201
    )
    assert (first["state"], first["reviewers"]) == ("under_review", ["reviewer", "finance"])
    [ground, net] = first["explanations"]
    # 1,000,000 paid − 200,000 returned
    assert ground["passed"] and net["inputs"]["net_loss"] == "800000.00"
    path = f"/write-offs/{first['id']}/reviews"
    assert lender.call("POST", path, {"decision": "approve", "opinion": "x"}).status_code == 403
    rejected = api.as_("reviewer").ok("POST", path, {"decision": "reject", "opinion": "执行未终结"})
    assert rejected["state"] == "rejected"
    assert lender.ok("GET", f"/loans/{loan['id']}")["state"] != "written_off"

    # Bankruptcy liquidation: both reviews approve, and only then is the loan written off.
    second = lender.ok("POST", "/write-offs", bankruptcy, status=201)
    twice = lender.ok("POST", "/write-offs", bankruptcy, status=409)
    assert (
        twice["detail"]
        == f"Write-off {second['id']} of this loan (under_review) is recorded already."
    )
    path = f"/write-offs/{second['id']}/reviews"
    review = {"decision": "approve", "opinion": "破产清算完毕，同意核销"}
    assert api.as_("reviewer").ok("POST", path, review)["state"] == "under_review"
    again = api.as_("reviewer").ok("POST", path, review, status=409)
    assert again["detail"] == "The reviewer review is written already."
    assert lender.ok("GET", f"/loans/{loan['id']}")["state"] != "written_off"
    done = api.as_("finance").ok("POST", path, review)
    assert (done["state"], done["decided_on"]) == ("approved", "2025-08-05")
    assert [r["role"] for r in done["reviews"]] == ["reviewer", "finance"]
    assert lender.ok("GET", f"/loans/{loan['id']}")["state"] == "written_off"
