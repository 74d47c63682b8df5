"""A year and a half of a Yanqing program over HTTP, with the seed's roles and figures.

2025-H1: nine firms are recommended, jointly reviewed and graded (two high, with the
district's approval), financed by bank, guaranteed and insured loans; an insured firm gets
its premium subsidy; seven loans go bad and are claimed. 2025-H2: the half-year plan pays
22,500,000 through the custodian, which suspends compensation (Y-14); a new claim states the
earlier recoveries and waits. 2026: the custodian's fee is settled, recoveries refill the
pool to 15,000,000, compensation resumes and the waiting claim is paid. The ledger balances
and the pool holds exactly what the figures say. In June 2026 a liquidated firm's net loss is
written off after review, a debt-evading firm is barred, and the auditor checks the books.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from yanqing_steps import (
    YQ,
    claim,
    confirm_payment,
    documents,
    graded_firm,
    half_year_plan,
    joint_review,
    ledger,
    non_performing,
    paid_on_its_own,
    register_loan,
    setup,
)

from riskshare.testing import (
    assert_explained_in_both_languages,
    english_in_chinese,
    explanations_in,
    today,
)

MEDIUM = ("C", "D", "E", "F", "G")


def _recover(api, claim_, recovered, costs, key):
    recovery = api.as_("lender", institution="yq-bank").ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claim_["id"],
            "received_on": "2026-01-20",
            "recovered": recovered,
            "costs": costs,
        },
        key=key,
        status=201,
    )
    api.as_("finance").ok(
        "POST", f"/recoveries/{recovery['id']}/confirm-return", key=f"{key}-returned"
    )
    return recovery


def _fund_state(api, program):
    return api.as_("office").ok("GET", f"{YQ}/programs/{program['id']}/fund-state")


def _alerts(api, program, day):
    found = api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring?day={day}")
    return {a["code"] for a in found}


def test_Y01_to_Y17_a_year_and_a_half_with_a_suspension_and_its_resumption(api):
    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api)
    custodian = api.as_("custodian", institution="yq-custodian")
    gains = f"{YQ}/programs/{program['id']}/gains"

    # ---- 2025-H1: grading (Y-02 … Y-08) and financing through the three channels.
    firms, loans = {}, {}
    for n, (name, grade) in enumerate(
        [("A", "high"), ("B", "high"), *((m, "medium") for m in MEDIUM), ("H", "low")], 101
    ):
        firms[name], rec = graded_firm(api, program, insts, n, grade)
        assert rec["grade"] == grade and rec["state"] == "pushed"
    firms["I"], _ = graded_firm(api, program, insts, 109, "low", financing_need="1000000.00")
    for name in ("A", *MEDIUM, "H"):
        loans[name] = register_loan(api, firms[name], insts, f"YQ-{name}")
    loans["B"] = register_loan(
        api, firms["B"], insts, "YQ-B", kind="guaranteed", attributes={"lender_share": "0.30"}
    )
    loans["I"] = register_loan(api, firms["I"], insts, "YQ-I", kind="insured", principal="1000000")
    assert all(loan["covered"] for loan in loans.values()), [
        loan["coverage"] for loan in loans.values() if not loan["covered"]
    ]

    # Y-11: the insured firm's premium subsidy, paid by the custodian on the DRC's notice.
    today(api, dt.date(2025, 2, 10))
    subsidy = api.as_("office").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/premium-subsidies",
        {
            "loan_id": loans["I"]["id"],
            "premium": "40000.00",
            "documents": documents("loan_documents", "insurance_policy", "payment_proof"),
        },
        key="subsidy-I",
        status=201,
    )
    assert subsidy["amount"] == "20000.00"
    payment = api.as_("custodian", institution="yq-custodian").ok(
        "GET", f"/disbursements/{subsidy['disbursement_id']}"
    )
    assert (payment["kind"], payment["payee_firm_id"], payment["payer_role"]) == (
        "premium_subsidy",
        firms["I"]["id"],
        "custodian",
    )
    confirm_payment(api, payment, "pay-subsidy-I")

    # Seven loans go bad; the lenders (and the guarantee company for B) claim (Y-12).
    today(api, dt.date(2025, 5, 10))
    claims = {}
    for name in ("A", "B", *MEDIUM):
        non_performing(api, loans[name], "2025-05-09")
    claims["A"] = claim(api, loans["A"], "5000000.00")
    claims["B"] = claim(api, loans["B"], "5000000.00", institution="yq-guarantee", role="guarantor")
    for name in MEDIUM:
        claims[name] = claim(api, loans[name], "5000000.00")
    assert (claims["A"]["amount"], claims["A"]["ratio"]) == ("5000000.00", "1.000000")
    assert claims["C"]["amount"] == "2500000.00"
    [claimant, split] = [e for e in claims["B"]["explanations"] if e["rule"] == "Y-10"]
    assert claimant["passed"] and split["result"] == "0.70:0.30"
    assert split["inputs"] == {"guarantor_share": "3500000.00", "lender_share": "1500000.00"}
    for c in claims.values():
        assert joint_review(api, c)["state"] == "approved"

    # Y-01: the custodian books the half year's investment gains into the pool.
    today(api, dt.date(2025, 6, 30))
    custodian.ok(
        "POST", gains, {"amount": "300000.00", "reference": "2025-H1"}, key="g1", status=201
    )

    # ---- 2025-H2: the half-year plan, paid by the custodian; the 7th payment suspends.
    today(api, dt.date(2025, 7, 3))
    paid_on_its_own(api, program)  # Y-12: a special case, the year's notice would be later
    half_year_plan(api, program, "2025-06-30")
    due = [d for d in custodian.ok("GET", "/disbursements") if d["state"] == "instructed"]
    assert sorted(Decimal(d["amount"]) for d in due) == sorted(
        [Decimal("5000000")] * 2 + [Decimal("2500000")] * 5
    )
    finance = api.as_("finance")
    refused = finance.call("POST", f"/disbursements/{due[0]['id']}/confirm", {}, key="finance-try")
    assert refused.status_code == 403  # Y-01: only the custodian pays
    for i, d in enumerate(due):
        assert not _fund_state(api, program)["suspended"]
        confirm_payment(api, d, f"pay-h1-{i}")
    state = _fund_state(api, program)
    assert (state["suspended"], state["net_compensation"]) == (True, "22500000.00")
    assert state["explanation"][0]["rule"] == "Y-14"
    assert {"yanqing-suspended", "yanqing-department-flag"} <= _alerts(api, program, "2025-07-03")

    # Y-13: the bank's new claim must state the recovery on its compensated loans.
    today(api, dt.date(2025, 9, 1))
    non_performing(api, loans["H"], "2025-08-29")
    refused = claim(api, loans["H"], "5000000.00", status=422)
    assert refused["rule"]["rule"] == "Y-13"
    claims["H"] = claim(
        api, loans["H"], "5000000.00", recovery_statement="A、C 等项目正在诉讼追偿。"
    )
    assert claims["H"]["amount"] == "1000000.00"  # low grade, 20%
    joint_review(api, claims["H"])
    today(api, dt.date(2025, 12, 31))
    custodian.ok(
        "POST", gains, {"amount": "100000.00", "reference": "2025-H2"}, key="g2", status=201
    )

    # ---- 2026: the H2 plan is approved, but its payment waits while suspended (Y-14).
    today(api, dt.date(2026, 1, 6))
    half_year_plan(api, program, "2025-12-31")
    [waiting] = [d for d in custodian.ok("GET", "/disbursements") if d["state"] == "instructed"]
    problem = confirm_payment(api, waiting, "pay-h2-1", status=409)
    assert problem["rule"]["rule"] == "Y-14"
    assert api.as_("office").ok("GET", f"/claims/{claims['H']['id']}")["state"] == "approved"

    # Y-01: the 2025 fee, 15% of 400,000 of gains, comes out of the pool.
    fee = finance.ok(
        "POST",
        f"{YQ}/programs/{program['id']}/custodian-fees",
        {"year": 2025, "performance": "履职良好"},
        key="fee-2025",
        status=201,
    )
    assert fee["amount"] == "60000.00"

    # Y-13: recoveries return pro rata into the pool; resumption needs 15,000,000 there.
    today(api, dt.date(2026, 1, 20))
    rec_a = _recover(api, claims["A"], "5000000.00", "0.00", "rec-A")
    assert (rec_a["amount_due"], rec_a["destination"]) == ("5000000.00", "pool")
    assert confirm_payment(api, waiting, "pay-h2-2", status=409)["rule"]["rule"] == "Y-14"
    rec_c = _recover(api, claims["C"], "5200000.00", "200000.00", "rec-C")
    assert rec_c["amount_due"] == "2500000.00"  # (5,200,000 − 200,000) × 0.5
    assert _fund_state(api, program)["pool_balance"] == "15320000.00"
    paid = confirm_payment(api, waiting, "pay-h2-3")
    assert paid["state"] == "confirmed"
    state = _fund_state(api, program)
    assert (state["suspended"], state["net_compensation"]) == (False, "16000000.00")
    assert "yanqing-suspended" not in _alerts(api, program, "2026-01-20")

    # Y-01: the annual report is due by 31 May.
    today(api, dt.date(2026, 5, 20))
    assert "yanqing-custodian-report-due" in _alerts(api, program, "2026-05-20")
    custodian.ok(
        "POST",
        f"{YQ}/programs/{program['id']}/custodian-reports",
        {"kind": "annual", "period": "2025", "document_reference": "2025 年度运营管理工作报告"},
        status=201,
    )
    assert "yanqing-custodian-report-due" not in _alerts(api, program, "2026-05-20")

    # Y-13: D's firm is liquidated; its net loss is written off after DRC and finance review.
    today(api, dt.date(2026, 6, 15))
    write_off = api.as_("lender", institution="yq-bank").ok(
        "POST",
        "/write-offs",
        {
            "loan_id": loans["D"]["id"],
            "ground": "bankruptcy_liquidation",
            "approved_on": "2026-06-10",
            "net_loss": "5000000.00",
        },
        status=201,
    )
    assert write_off["explanations"][1]["inputs"]["net_loss"] == "2500000.00"
    for role in ("reviewer", "finance"):
        write_off = api.as_(role).ok(
            "POST",
            f"/write-offs/{write_off['id']}/reviews",
            {"decision": "approve", "opinion": "同意核销"},
        )
    assert write_off["state"] == "approved"

    # Y-17: E's firm evaded its debt; it is barred for three years.
    ban = api.as_("office").ok(
        "POST",
        "/bans",
        {
            "program_id": program["id"],
            "subject_type": "firm",
            "subject_id": firms["E"]["id"],
            "rule": "Y-17",
            "reason": "恶意逃避债务",
        },
        status=201,
    )
    assert ban["ends_on"] == "2029-06-15"

    # The insurer sees the loan it insures, and no other institution's.
    insured = api.as_("insurer", institution="yq-insurer").ok("GET", "/loans")
    assert [loan["reference"] for loan in insured] == ["YQ-I"]

    # Half-yearly balance report (Y-01) and the ledger at the end.
    report = api.as_("custodian", institution="yq-custodian").ok(
        "GET", f"/programs/{program['id']}/reports/2025-H2"
    )
    [pool] = next(s for s in report["sections"] if s["key"] == "yanqing-pool")["rows"]
    assert pool == {
        "period": "2025-H2",
        "opening_pool": "30280000.00",
        "appropriated": "0.00",
        "investment_gains": "100000.00",
        "custodian_fees": "0.00",
        "compensation_paid": "22500000.00",
        "premium_subsidies_paid": "0.00",
        "recoveries_returned": "0.00",
        "closing_pool": "7880000.00",
        # As the pool stood on 2025-12-31: the 7,500,000 recovered in 2026 is not in it yet.
        "net_compensation_to_date": "22500000.00",
        "suspended_now": False,
    }
    books = ledger(api, program)
    assert books["balanced"] is True
    # 30,000,000 − 20,000 subsidy + 400,000 gains − 60,000 fee − 23,500,000 compensation
    # + 7,500,000 recovered
    assert books["pool_balance"] == "14320000.00"
    assert books["balances"]["fund:gains"] == "-400000.00"
    assert books["balances"]["fund:fees"] == "60000.00"
    assert books["balances"]["expense:compensation"] == "23500000.00"
    assert books["balances"]["recovery:returned"] == "-7500000.00"
    assert books["balances"]["payable:compensation"] == "0.00"

    # Every Chinese sentence of the year and a half is in Chinese terms, and every
    # explanation cites its rule and clause in Chinese and in English (二(五)1 / Section
    # II(5)1), none of them the core's where the policy names its own.
    auditor = api.as_("auditor")
    answers: list = [report, ban, auditor.ok("GET", f"/programs/{program['id']}/monitoring")]
    for path in ("/loans?page_size=100", "/claims?page_size=100", "/plans", "/disbursements"):
        answers.append(auditor.ok("GET", path))
    answers.append(auditor.ok("GET", "/write-offs"))
    data = [loan["reference"] for loan in answers[3]] + [i["name"] for i in insts.values()]
    leaks = english_in_chinese(answers, allowed=data)
    assert leaks == [], "\n".join(leaks)
    explanations = explanations_in(answers)
    assert len(explanations) > 50
    assert_explained_in_both_languages(explanations, allowed=data)
    assert not [e for e in explanations if e["rule"] in ("CORE-COOP", "CORE-BAN", "CORE-POOL")]
