"""A year in one test: a Xinxiang program through 2022 with 23 loans, over HTTP.

The seed's roles act in turn — banks and the guarantee company (lender, guarantor), the smart
finance platform (reviewer), the leading-group office (office), the leading group (approver),
the finance bureau (finance) and the auditors — and every figure is checked at the end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xinxiang_world import BANK_FACTS, build

from riskshare.testing import (
    assert_explained_in_both_languages,
    english_in_chinese,
    explanations_in,
    today,
)


def test_xinxiang_year_2022_in_one_test(api):
    world = build(api)
    world.institution("bank-c", "bank", **BANK_FACTS)
    guar = world.institutions["guar-a"]["id"]
    office, reviewer, approver = world.office(), api.as_("reviewer"), api.as_("approver")
    finance, auditor = api.as_("finance"), api.as_("auditor")

    # -- January to March: 23 loans registered by their banks --------------------------------
    today(api, dt.date(2022, 3, 31))
    specs = [  # firm, bank, principal, kind
        *[
            (f"a{n}", "bank-a", p, "credit")
            for n, p in enumerate(
                ["800000.00", "2000000.00", "600000.00", "1500000.00", "300000.00", "900000.00"]
            )
        ],
        ("a6", "bank-a", "2500000.00", "patent_pledge"),
        ("a7", "bank-a", "700000.00", "trademark_pledge"),
        *[
            (f"b{n}", "bank-b", p, "credit")
            for n, p in enumerate(["5000000.00", "2000000.00", "1200000.00", "450000.00"])
        ],
        ("b4", "bank-b", "1000000.00", "ip_pledge"),
        ("b5", "bank-b", "3500000.00", "credit"),
        ("c0", "bank-c", "1000000.00", "credit"),
        ("c1", "bank-c", "3000000.00", "credit"),
        ("c2", "bank-c", "2000000.00", "credit"),
        *[
            (f"g{n}", "bank-a", p, "guaranteed")
            for n, p in enumerate(["3000000.00", "1800000.00", "900000.00"])
        ],
    ]
    loans = {}
    for firm, bank, principal, kind in specs:
        world.firm(firm)
        extra = {"guarantor_id": guar} if kind == "guaranteed" else {}
        loans[firm] = world.loan(
            firm, f"XX-{firm}", principal, bank=bank, kind=kind, issued="2022-03-01", **extra
        )
    # Three more that are recorded but not covered, each with its reason.
    world.firm("m0")
    world.firm("m1")
    world.firm("big", employees=500, revenue="50000000")
    refused = [
        world.loan("m0", "XX-mortgage", "800000.00", kind="mortgage", issued="2022-03-01"),
        world.loan(
            "m1", "XX-offline", "800000.00", issued="2022-03-01", attributes={"via_platform": False}
        ),
        world.loan("big", "XX-medium", "800000.00", issued="2022-03-01"),
    ]
    assert all(loan["covered"] for loan in loans.values())
    assert [next(e["rule"] for e in r["coverage"] if not e["passed"]) for r in refused] == [
        "X-05",
        "X-04",
        "X-03",
    ]
    assert len(loans) + len(refused) == 23

    # -- September: defaults; filings on time and late (X-08) --------------------
    def default(firm, bank, overdue_on, filed_on, classification="loss"):
        today(api, filed_on)
        caller = world.guarantor() if bank == "guar-a" else world.bank(bank)
        filing = world.event(caller, loans[firm], "overdue_filing", overdue_on)
        world.event(
            world.bank(loans_bank[firm]),
            loans[firm],
            "classification_change",
            overdue_on,
            classification=classification,
        )
        return filing

    loans_bank = {firm: bank for firm, bank, _, _ in specs}
    for firm in ("a0", "a2", "b0", "c0"):
        assert default(firm, loans_bank[firm], "2022-09-01", dt.date(2022, 9, 2))["late"] is False
    default("b4", "bank-b", "2022-09-01", dt.date(2022, 9, 2), "doubtful")
    default("g0", "guar-a", "2022-09-01", dt.date(2022, 9, 2))
    default("g1", "guar-a", "2022-09-01", dt.date(2022, 9, 2))
    assert default("a1", "bank-a", "2022-09-01", dt.date(2022, 9, 14))["late"] is True

    def payout(firm, paid_on, principal, interest="20000.00"):
        today(api, dt.date.fromisoformat(paid_on))
        event = world.event(
            world.guarantor(),
            loans[firm],
            "guarantor_payout",
            paid_on,
            amount=str(Decimal(principal) + Decimal(interest)),
            data={"principal": principal, "interest": interest},
        )
        return event["late"]  # after day 60 it is flagged, not refused

    # -- Supervision: bank-c at 1,000,000 / 6,000,000 → suspended, then resumed -------
    today(api, dt.date(2022, 10, 10))
    alerts = office.ok("GET", f"/programs/{world.pid}/monitoring")
    over = {a["subject_id"]: a["data"]["rate"] for a in alerts if a["code"] == "npl-over-limit"}
    bank_c = world.institutions["bank-c"]["id"]
    assert over[bank_c] == "0.1667"
    world.bank("bank-c").ok(
        "POST",
        f"/programs/{world.pid}/supervision-filings",
        {
            "rule": "X-17",
            "period": "2022-09",
            "explanation": "一户企业停产",
            "rectification_plan": "压降不良、加强贷前审查",
        },
        status=201,
    )
    coop = f"/institutions/{bank_c}/cooperation"
    approver.ok(
        "POST", coop, {"action": "suspend", "reason": "不良率16.67%", "program_id": world.pid}
    )
    suspended_claim = world.claim(world.bank("bank-c"), loans["c0"], "1000000.00", status=422)
    # nothing while suspended, cited where the text says it (第五条、第十五条).
    assert suspended_claim["rule"]["rule"] == "X-07"
    assert suspended_claim["rule"]["clause"] == "新政办〔2021〕48号 第五条、第十五条"
    assert payout("g0", "2022-10-20", "2500000.00") is False  # day 49
    today(api, dt.date(2022, 11, 18))
    world.event(world.bank("bank-c"), loans["c0"], "closure", "2022-11-18")
    approver.ok("POST", coop, {"action": "resume", "reason": "不良已处置", "program_id": world.pid})

    assert payout("g1", "2022-11-20", "1000000.00") is True  # day 80

    # -- Claims and reviews within 10 working days (X-11) ------------------
    today(api, dt.date(2022, 11, 21))
    claims = {
        "a0": world.claim(world.bank(), loans["a0"], "800000.00"),
        "a1": world.claim(world.bank(), loans["a1"], "1500000.00"),
        "a2": world.claim(world.bank(), loans["a2"], "600000.00"),
        "b0": world.claim(world.bank("bank-b"), loans["b0"], "4000000.00"),
        "b4": world.claim(world.bank("bank-b"), loans["b4"], "999999.99"),
        "g0": world.claim(world.guarantor(), loans["g0"], "2500000.00", documents=[]),
    }
    assert {f: c["amount"] for f, c in claims.items()} == {
        "a0": "240000.00",  # 30%
        "a1": "300000.00",  # 20%: original principal 2,000,000
        "a2": "180000.00",
        "b0": "400000.00",  # 10%
        "b4": "300000.00",  # 299,999.997 rounded half up
        "g0": "250000.00",  # 10% of the payout
    }
    assert all(c["review_due_on"] == "2022-12-05" for c in claims.values())
    today(api, dt.date(2022, 12, 1))
    for firm, claim in claims.items():
        if firm == "a2":
            reviewer.ok(
                "POST",
                f"/claims/{claim['id']}/reviews",
                {"decision": "reject", "opinion": "贷款用途与申报不符"},
                status=201,
            )
        else:
            world.approve(claim)

    # -- Year end: summary in 10 working days, plan, approval, payments ---------------
    today(api, dt.date(2023, 1, 9))
    plan = office.ok("POST", "/plans", {"program_id": world.pid, "day": "2022-06-30"}, status=201)
    assert (plan["period"], plan["summary_due_on"]) == ("2022", "2023-01-16")
    assert sorted(i["allocated"] for i in plan["items"]) == sorted(
        ["240000.00", "300000.00", "400000.00", "300000.00", "250000.00"]
    )
    assert all(i["carried"] == "0.00" for i in plan["items"])
    # X-12 第九条、第十条: the summary lists every claim reviewed in 2022, the rejected one
    # with its opinion; the plan pays only the approved ones.
    summary = next(e for e in plan["explanations"] if "reviewed" in e["inputs"])
    assert (summary["rule"], summary["inputs"]["approved"], summary["inputs"]["rejected"]) == (
        "X-12",
        5,
        1,
    )
    listed = {c["claim_id"]: c for c in summary["inputs"]["reviewed"]}
    assert set(listed) == {c["id"] for c in claims.values()}
    assert listed[claims["a2"]["id"]]["decision"] == "reject"
    assert listed[claims["a2"]["id"]]["opinions"][0]["opinion"] == "贷款用途与申报不符"
    assert listed[claims["a0"]["id"]]["approved_amount"] == "240000.00"
    assert claims["a2"]["id"] not in {i["claim_id"] for i in plan["items"]}
    assert "审核不通过 1 项" in summary["zh"]
    office.ok("POST", f"/plans/{plan['id']}/submit")
    assert office.post(f"/plans/{plan['id']}/approve").status_code == 403
    approver.ok("POST", f"/plans/{plan['id']}/approve")
    today(api, dt.date(2023, 1, 12))
    for payment in finance.ok("GET", "/disbursements"):
        confirmed = finance.ok(
            "POST",
            f"/disbursements/{payment['id']}/confirm",
            {"payment_reference": f"GK-{payment['id']}"},
            key=f"pay-{payment['id']}",
        )
        assert confirmed["state"] == "confirmed"
    assert {c["state"] for c in auditor.ok("GET", "/claims?page_size=50")} == {"paid", "rejected"}

    # -- A recovery goes back to the treasury; a write-off's evidence is due (X-16) ----
    today(api, dt.date(2023, 2, 1))
    recovery = world.bank().ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claims["a1"]["id"],
            "received_on": "2023-01-31",
            "recovered": "500000.00",
            "costs": "20000.00",
        },
        key="rec-a1",
        status=201,
    )
    assert (recovery["amount_due"], recovery["destination"]) == ("96000.00", "treasury")
    finance.ok("POST", f"/recoveries/{recovery['id']}/confirm-return", key="ret-a1")
    write_off = world.bank("bank-b").ok(
        "POST",
        "/write-offs",
        {"loan_id": loans["b0"]["id"], "approved_on": "2023-01-31", "net_loss": "3600000.00"},
        status=201,
    )
    assert write_off["evidence_due_on"] == "2023-02-14"

    # -- The figures at the end ---------------------------------------------------------------
    ledger = auditor.ok("GET", f"/programs/{world.pid}/ledger")
    assert ledger["balanced"] is True
    assert ledger["pool_balance"] == "27510000.00"  # 29,000,000 − 1,490,000 paid
    assert ledger["balances"]["treasury:remitted"] == "96000.00"
    report = office.ok("GET", f"/programs/{world.pid}/reports/2023-01")
    assert report["fund"]["paid_in_period"] == {"compensation": "1490000.00"}
    assert report["fund"]["paid_to_date"] == {"compensation": "1490000.00"}
    institutions = {r["institution"]: r for r in report["sections"][0]["rows"]}
    assert institutions["bank-a"]["compensation_paid"] == "540000.00"
    assert institutions["bank-b"]["compensation_paid"] == "700000.00"
    assert institutions["guar-a"]["compensation_paid"] == "250000.00"
    assert institutions["bank-c"]["cooperation"] == "active"
    assert auditor.ok("GET", "/audit/verification")["ok"] is True

    # -- Every Chinese sentence of the year is in Chinese terms: no codes, no English ---------
    answers: list = [refused, suspended_claim, alerts, plan, recovery, write_off, report]
    for path in ("/loans?page_size=100", "/claims?page_size=50", "/plans", "/write-offs"):
        answers.append(auditor.ok("GET", path))
    for loan in [*loans.values(), *refused]:
        answers.append(auditor.ok("GET", f"/loans/{loan['id']}/events"))
    answers.append(office.ok("GET", f"/programs/{world.pid}/monitoring"))
    # The banks' own loan numbers are data, not words.
    references = [loan["reference"] for loan in [*loans.values(), *refused]]
    assert english_in_chinese(answers, allowed=references) == []
    # ... and every explanation cites its rule and clause in Chinese and in English, the
    # core's refusals under the program (X-07 above) through the policy's own clauses.
    explanations = explanations_in(answers)
    assert len(explanations) > 100
    assert_explained_in_both_languages(explanations, allowed=references)
    assert not [e for e in explanations if e["rule"] in ("CORE-COOP", "CORE-BAN", "CORE-POOL")]
