"""Every rule of 新政办〔2021〕48号 through the HTTP API; test names cite the rule ids."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from xinxiang_world import build

from riskshare.testing import (
    assert_explained_in_both_languages,
    audit_events_after,
    audit_head,
    today,
)


def _reason(loan: dict, rule: str) -> dict:
    return next(e for e in loan["coverage"] if e["rule"] == rule)


def _explained(record: dict, rule: str) -> dict:
    return next(e for e in record["explanations"] if e["rule"] == rule)


def _defaulted_claim(world, principal="500000.00", claimed=None, *, kind="credit", **loan_extra):
    loan = world.loan("small-a", f"L-{principal}-{kind}", principal, kind=kind, **loan_extra)
    world.default(loan, "2022-09-01", dt.date(2022, 9, 2))
    return loan, world.claim(world.bank(), loan, claimed or principal)


# ----------------------------------------------------------------------------- configuration


def test_X01_config_defaults_equal_the_2021_text(api):
    world = build(api)
    [policy] = [
        p for p in api.admin.ok("GET", "/api/v1/platform/policies") if p["name"] == "xinxiang"
    ]
    props = policy["config_schema"]["properties"]
    # X-01's total and X-02's window are the program's own fields, not config.
    assert not {"fund_total", "effective_from", "effective_to"} & set(props)
    assert (world.program["fund_total"], world.program["effective_from"]) == (
        "29000000.00",
        "2021-08-20",
    )
    assert props["annual_cap"]["default"] == "10000000"
    assert props["per_firm_cap"]["default"] == "10000000"
    assert [t["ratio"] for t in props["ratio_tiers"]["default"]] == ["0.30", "0.20", "0.10"]
    assert props["guarantee_ratio"]["default"] == "0.10"
    assert props["late_filing"]["default"] == "flag"
    assert props["over_cap"]["default"] == "pro_rata_carry"
    assert world.program["policy_version"] == "2021"


def test_X13_a_config_change_changes_the_ratio_with_no_code_change(api):
    tiers = [{"up_to": "1000000", "ratio": "0.40"}, {"up_to": "10000000", "ratio": "0.15"}]
    world = build(api, config={"ratio_tiers": tiers})
    _, claim = _defaulted_claim(world, "800000.00")
    assert (claim["ratio"], claim["amount"]) == ("0.400000", "320000.00")


def test_invalid_config_is_refused_with_a_pointer_per_error(api):
    today(api, dt.date(2022, 1, 4))
    response = api.as_("office").post(
        "/programs",
        {
            "code": "bad",
            "name": "bad",
            "policy": "xinxiang",
            "config": {"annual_cap": "ten million", "late_filing": "ignore", "typo": 1},
            "fund_total": "29000000.00",
            "effective_from": "2021-08-20",
            "effective_to": "2024-08-19",
        },
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json["errors"]}
    assert {"/config/annual_cap", "/config/late_filing", "/config"} <= pointers


def test_X01_X02_the_fund_and_window_are_refused_as_config(api):
    today(api, dt.date(2026, 1, 5))
    response = api.as_("office").post(
        "/programs",
        {
            "code": "dup",
            "name": "dup",
            "policy": "xinxiang",
            "config": {"fund_total": "5000000", "effective_from": "2026-01-01"},
            "fund_total": "5000000.00",
            "effective_from": "2026-01-01",
            "effective_to": "2028-12-31",
        },
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json["errors"]] == ["/config"]
    assert "fund_total" in response.json["errors"][0]["detail"]


# ----------------------------------------------------------------------------- coverage


def test_X02_loans_issued_outside_the_validity_window_are_recorded_not_covered(api):
    world = build(api, on=dt.date(2024, 9, 2))
    before = world.loan("small-a", "L-early", "500000.00", issued="2021-08-19")
    first = world.loan("small-a", "L-first", "500000.00", issued="2021-08-20")
    last = world.loan("small-a", "L-last", "500000.00", issued="2024-08-19")
    after = world.loan("small-a", "L-after", "500000.00", issued="2024-08-20")
    assert [x["covered"] for x in (before, first, last, after)] == [False, True, True, False]
    assert _reason(after, "X-02")["passed"] is False
    assert "2024-08-19" in _reason(after, "X-02")["en"]


def test_X02_X01_the_programs_own_fund_and_window_apply(api):
    # A generous single tier, so that two claims ask more than the program's 5,000,000 and
    # less than the annual cap (10,000,000) or the 2021 text's 29,000,000: only the
    # program's own fund limits the plan.
    world = build(
        api,
        on=dt.date(2026, 1, 5),
        fund_total="5000000.00",
        window=("2026-01-01", "2028-12-31"),
        config={"ratio_tiers": [{"up_to": "10000000", "ratio": "0.90"}]},
    )
    world.firm("small-b")
    today(api, dt.date(2026, 3, 2))
    before = world.loan("small-a", "L-2025", "500000.00", issued="2025-12-31")
    first = world.loan("small-a", "L-2026-a", "3000000.00", issued="2026-03-01")
    second = world.loan("small-b", "L-2026-b", "3000000.00", issued="2026-03-01")
    assert [x["covered"] for x in (before, first, second)] == [False, True, True]
    window = _reason(before, "X-02")
    assert window["passed"] is False and window["threshold"] == ["2026-01-01", "2028-12-31"]
    assert "2026-01-01" in window["en"] and "2026-01-01" in window["zh"]
    assert _reason(first, "X-02")["passed"] is True

    claims = []
    for loan in (first, second):
        world.default(loan, "2026-09-01", dt.date(2026, 9, 2))
        claims.append(world.claim(world.bank(), loan, "3000000.00"))
    today(api, dt.date(2026, 9, 7))
    for claim in claims:
        assert world.approve(claim)["state"] == "approved"  # 2,700,000 each: 5,400,000

    today(api, dt.date(2027, 1, 5))
    plan = world.office().ok(
        "POST", "/plans", {"program_id": world.pid, "day": "2026-12-31"}, status=201
    )
    assert plan["capacity"] == "5000000.00"
    cap = _explained(plan, "X-01")
    assert cap["threshold"] == {"annual_cap": "10000000", "fund_total": "5000000.00"}
    assert "against 5000000.00" in cap["en"] and "总额 5000000.00 元" in cap["zh"]
    assert [(i["allocated"], i["carried"]) for i in plan["items"]] == [
        ("2500000.00", "200000.00"),
        ("2500000.00", "200000.00"),
    ]
    a, b = (i["claim_id"] for i in plan["items"])
    over = world.office().patch(
        f"/plans/{plan['id']}",
        {
            "items": [
                {"claim_id": a, "allocated": "2700000.00"},
                {"claim_id": b, "allocated": "2500000.00"},
            ]
        },
    )
    assert over.status_code == 422 and over.json["rule"]["rule"] == "X-01"
    assert "5200000.00" in over.json["rule"]["en"] and "5000000.00" in over.json["rule"]["zh"]

    world.office().ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    finance = api.as_("finance")
    for payment in finance.ok("GET", "/disbursements"):
        finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {}, key=f"p{payment['id']}")
    assert api.as_("auditor").ok("GET", f"/programs/{world.pid}/ledger")["pool_balance"] == ("0.00")

    # 2027's annual cap has room, but the fund is spent: the carried 400,000 gets nothing.
    today(api, dt.date(2028, 1, 4))
    following = world.office().ok(
        "POST", "/plans", {"program_id": world.pid, "day": "2027-12-31"}, status=201
    )
    assert following["capacity"] == "0.00"
    assert [i["allocated"] for i in following["items"]] == ["0.00", "0.00"]
    assert "5000000.00 paid in all against 5000000.00" in _explained(following, "X-01")["en"]


def test_X03_firm_size_region_industry_and_new_agricultural_operators(api):
    world = build(api)
    world.firm("medium-co", employees=400, revenue="30000000")
    world.firm("outsider", division="410100")  # 郑州市
    world.firm(
        "developer", industry="real_estate_development", revenue="5000000", assets="30000000"
    )
    world.firm(
        "coop", employees=400, revenue="30000000", attributes={"new_agricultural_operator": True}
    )
    medium = world.loan("medium-co", "L-m", "500000.00")
    outsider = world.loan("outsider", "L-o", "500000.00")
    developer = world.loan("developer", "L-d", "500000.00")
    coop = world.loan("coop", "L-c", "500000.00")
    assert [x["covered"] for x in (medium, outsider, developer, coop)] == [False] * 3 + [True]
    assert "size class is medium" in _reason(medium, "X-03")["en"]
    assert "outside Xinxiang" in _reason(outsider, "X-03")["en"]
    assert "real_estate_development is excluded" in _reason(developer, "X-03")["en"]
    assert _reason(coop, "X-03")["inputs"]["new_agricultural_operator"] is True


def test_X04_only_loans_through_the_platform_by_cooperating_banks(api):
    world = build(api)
    off_platform = world.loan("small-a", "L-off", "500000.00", attributes={"via_platform": False})
    assert off_platform["covered"] is False
    assert "smart finance platform" in _reason(off_platform, "X-04")["en"]
    world.office().ok(
        "POST",
        f"/institutions/{world.institutions['bank-b']['id']}/cooperation",
        {"action": "revoke", "reason": "agreement ended"},
    )
    by_revoked = world.loan("small-a", "L-rev", "500000.00", bank="bank-b")
    # no longer a cooperating institution (第五条), its cooperation ended (第十六条).
    assert by_revoked["covered"] is False
    revoked = _reason(by_revoked, "X-07")
    assert (revoked["result"], revoked["passed"]) == ("revoked", False)
    assert revoked["clause"] == "新政办〔2021〕48号 第五条、第十六条"
    assert revoked["clause_en"].endswith(", Articles 5 and 16")
    assert_explained_in_both_languages(by_revoked["coverage"], allowed=["L-rev"])


def test_X04_a_loan_not_for_production_and_operation_is_registered_not_covered(api):
    """X-04 第四条 用于生产经营: the purpose is checked against accepted_purposes."""
    world = build(api)
    default = world.loan("small-a", "L-default", "500000.00")  # the core's default purpose
    chinese = world.loan("small-a", "L-zh", "500000.00", purpose=" 生产经营 ")
    home = world.loan("small-a", "L-home", "500000.00", purpose="home purchase")
    assert [x["covered"] for x in (default, chinese, home)] == [True, True, False]
    reason = _reason(home, "X-04")
    assert reason["passed"] is False and reason["inputs"]["purpose_accepted"] is False
    assert "'home purchase' is not production and operation" in reason["en"]
    assert reason["zh"] == "贷款用途不属于本计划认可的生产经营用途。"
    assert api.as_("auditor").ok("GET", f"/loans/{home['id']}")["purpose"] == "home purchase"
    working = world.loan("small-a", "L-wc", "500000.00", purpose="working capital")
    assert working["covered"] is False


def test_X04_accepted_purposes_are_config(api):
    """X-04: a locality that reads 生产经营 to include working capital changes config."""
    world = build(api, config={"accepted_purposes": ["生产经营", "Working capital"]})
    loan = world.loan("small-a", "L-wc", "500000.00", purpose="working capital")
    assert loan["covered"] is True
    assert _reason(loan, "X-04")["threshold"] == {
        "accepted_purposes": ["生产经营", "Working capital"]
    }


def test_X04_accepted_purposes_must_be_a_list_of_purposes(api):
    today(api, dt.date(2022, 1, 4))
    response = api.as_("office").post(
        "/programs",
        {
            "code": "bad-purposes",
            "name": "bad",
            "policy": "xinxiang",
            "config": {"accepted_purposes": []},
            "fund_total": "29000000.00",
            "effective_from": "2021-08-20",
            "effective_to": "2024-08-19",
        },
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json["errors"]] == ["/config/accepted_purposes"]


@pytest.mark.parametrize(
    ("kind", "facts", "missing"),
    [
        ("bank", {"cooperation_agreement": True}, "within_jurisdiction"),
        ("bank", {"within_jurisdiction": True}, "cooperation_agreement"),  # never recorded
        ("bank", {"within_jurisdiction": True, "cooperation_agreement": False}, None),
        ("guarantor", {"provincial_reguarantee": True}, "government_backed"),
        ("guarantor", {"government_backed": True}, "provincial_reguarantee"),
    ],
)
def test_X07_each_condition_of_a_cooperating_institution_is_a_recorded_fact(
    api, kind, facts, missing
):
    """X-07 第五条: a bank in the city with the cooperation agreement; a government-backed
    guarantee company with a 中原再担保 re-guarantee agreement. Unrecorded is not met."""
    world = build(api)
    if kind == "bank":
        world.institution("bank-n", "bank", **facts)
        loan = world.loan("small-a", "L-n", "500000.00", bank="bank-n")
        name, missing = "BANK-N", missing or "cooperation_agreement"
    else:
        guarantor = world.institution("guar-n", "guarantor", **facts)
        loan = world.loan(
            "small-a", "L-n", "500000.00", kind="guaranteed", guarantor_id=guarantor["id"]
        )
        name = "GUAR-N"
    assert loan["covered"] is False
    reason = _reason(loan, "X-07")
    assert reason["passed"] is False
    code = "bank-n" if kind == "bank" else "guar-n"
    assert reason["inputs"]["conditions"][code][missing] is False
    assert f"{name} is not recorded as" in reason["en"] and f"({missing})" in reason["en"]
    assert "未记录" in reason["zh"]
    unmet = [k for k, v in reason["inputs"]["conditions"][code].items() if not v]
    assert unmet == [missing]  # only the condition that failed is named


def test_X07_a_cooperating_bank_and_guarantor_pass(api):
    world = build(api)
    loan = world.loan(
        "small-a",
        "L-g",
        "500000.00",
        kind="guaranteed",
        guarantor_id=world.institutions["guar-a"]["id"],
    )
    reason = _reason(loan, "X-07")
    assert loan["covered"] is True and reason["passed"] is True
    assert set(reason["inputs"]["conditions"]) == {"bank-a", "guar-a"}
    assert "辖区内" in reason["zh"] and "中原再担保" in reason["zh"]


@pytest.mark.parametrize(
    ("kind", "covered"),
    [
        ("credit", True),
        ("ip_pledge", True),
        ("patent_pledge", True),
        ("trademark_pledge", True),
        ("mortgage", False),
    ],
)
def test_X05_covered_loan_kinds(api, kind, covered):
    world = build(api)
    loan = world.loan("small-a", f"L-{kind}", "500000.00", kind=kind)
    assert loan["covered"] is covered
    assert _reason(loan, "X-05")["passed"] is covered


def test_X05_guaranteed_loans_need_a_guarantor_in_the_provincial_reguarantee_system(api):
    world = build(api)
    inside = world.loan(
        "small-a",
        "L-g1",
        "500000.00",
        kind="guaranteed",
        guarantor_id=world.institutions["guar-a"]["id"],
    )
    outside = world.loan(
        "small-a",
        "L-g2",
        "500000.00",
        kind="guaranteed",
        guarantor_id=world.institutions["guar-x"]["id"],
    )
    assert (inside["covered"], outside["covered"]) == (True, False)
    assert "re-guarantee" in _reason(outside, "X-05")["en"]


def test_X06_per_firm_cap_counts_covered_loans_still_outstanding(api):
    """X-06 第四条: the new loan plus the firm's other covered loans outstanding ≤ 10,000,000."""
    world = build(api)
    first = world.loan("small-a", "L-1", "6000000.00")
    exactly = world.loan("small-a", "L-2", "4000000.00", issued="2022-06-01")
    over = world.loan("small-a", "L-3", "0.01", issued="2022-06-02")
    assert [x["covered"] for x in (first, exactly, over)] == [True, True, False]
    assert _reason(over, "X-06")["inputs"]["outstanding_covered"] == "10000000.00"


def test_X06_a_loan_past_maturity_counts_until_closed_or_written_off(api):
    """X-06: an overdue loan past its maturity date is still outstanding; it stops counting
    when it is closed or written off, not when it matures."""
    world = build(api)
    overdue = world.loan("small-a", "L-1", "6000000.00", issued="2022-03-01")  # due 2023-03-01
    repaid = world.loan("small-a", "L-2", "3000000.00", issued="2022-03-01")
    world.default(overdue, "2023-03-02", dt.date(2023, 3, 3))
    # Both matured on 1 March 2023; 9,000,000 is still outstanding on 2 April.
    today(api, dt.date(2023, 4, 3))
    refused = world.loan("small-a", "L-3", "2000000.00", issued="2023-04-03")
    assert refused["covered"] is False
    per_firm = _reason(refused, "X-06")
    assert per_firm["passed"] is False
    assert per_firm["inputs"]["outstanding_covered"] == "9000000.00"
    assert "逾期未还的到期贷款仍计入" in per_firm["zh"]

    world.event(world.bank(), repaid, "closure", "2023-04-03")
    closed_one = world.loan("small-a", "L-4", "4000000.00", issued="2023-04-03")
    assert _reason(closed_one, "X-06")["inputs"]["outstanding_covered"] == "6000000.00"
    assert closed_one["covered"] is True  # 6,000,000 + 4,000,000: exactly the cap

    today(api, dt.date(2023, 4, 20))
    world.bank().ok(
        "POST",
        "/write-offs",
        {"loan_id": overdue["id"], "approved_on": "2023-04-20", "net_loss": "6000000.00"},
        status=201,
    )
    after_write_off = world.loan("small-a", "L-5", "6000000.00", issued="2023-04-20")
    assert _reason(after_write_off, "X-06")["inputs"]["outstanding_covered"] == "4000000.00"
    assert after_write_off["covered"] is True


def test_X14_a_guaranteed_loan_above_ten_million_is_not_covered(api):
    world = build(api, config={"per_firm_cap": "20000000"})
    loan = world.loan(
        "small-a",
        "L-big",
        "10000000.01",
        kind="guaranteed",
        guarantor_id=world.institutions["guar-a"]["id"],
    )
    assert loan["covered"] is False and _reason(loan, "X-14")["passed"] is False


# ----------------------------------------------------------------------------- filings


def test_X08_overdue_filing_within_5_working_days_across_national_day(api):
    world = build(api)
    loan = world.loan("small-a", "L-1", "500000.00")
    today(api, dt.date(2022, 10, 12))  # 30 Sep + 5 working days: 8, 9 (调休), 10, 11, 12 Oct
    on_time = world.event(world.bank(), loan, "overdue_filing", "2022-09-30")
    assert (on_time["due_on"], on_time["late"]) == ("2022-10-12", False)

    other = world.loan("small-a", "L-2", "500000.00")
    today(api, dt.date(2022, 10, 14))
    late = world.event(world.bank(), other, "overdue_filing", "2022-09-30")
    assert (late["late"], late["working_days_late"]) == (True, 2)
    assert late["explanations"][0]["rule"] == "X-08"


def test_X08_late_filing_reject_mode_refuses(api):
    world = build(api, config={"late_filing": "reject"})
    loan = world.loan("small-a", "L-1", "500000.00")
    today(api, dt.date(2022, 10, 13))
    refused = world.event(world.bank(), loan, "overdue_filing", "2022-09-30", status=422)
    assert refused["rule"]["rule"] == "X-08"
    assert api.as_("auditor").ok("GET", f"/loans/{loan['id']}")["state"] == "active"


def test_X10_guarantor_payout_after_day_60_is_flagged_not_refused(api):
    world = build(api)
    guar = world.institutions["guar-a"]["id"]
    on_time = world.loan("small-a", "L-g1", "500000.00", kind="guaranteed", guarantor_id=guar)
    late = world.loan("small-a", "L-g2", "500000.00", kind="guaranteed", guarantor_id=guar)
    today(api, dt.date(2022, 5, 5))
    for loan, paid_on in ((on_time, "2022-04-30"), (late, "2022-05-01")):
        world.event(world.guarantor(), loan, "overdue_filing", "2022-03-01")
        payout = world.event(
            world.guarantor(),
            loan,
            "guarantor_payout",
            paid_on,
            amount="410000.00",
            data={"principal": "400000.00", "interest": "10000.00"},
        )
        assert payout["explanations"][0]["rule"] == "X-10"
        assert payout["late"] is (loan is late)
    assert payout["explanations"][0]["inputs"]["days_overdue"] == 61


# ----------------------------------------------------------------------------- claims


def test_X09_only_non_performing_loans_with_the_credit_report(api):
    world = build(api)
    loan = world.loan("small-a", "L-1", "500000.00")
    today(api, dt.date(2022, 9, 2))
    world.event(world.bank(), loan, "overdue_filing", "2022-09-01")
    performing = world.claim(world.bank(), loan, "500000.00", status=422)
    assert performing["rule"]["rule"] == "X-09"
    world.event(
        world.bank(), loan, "classification_change", "2022-09-01", classification="doubtful"
    )
    no_report = world.claim(world.bank(), loan, "500000.00", documents=[], status=422)
    assert "credit report is missing" in no_report["rule"]["en"]
    claim = world.claim(world.bank(), loan, "500000.00")
    assert claim["state"] == "submitted"
    [document] = api.as_("reviewer").ok("GET", f"/claims/{claim['id']}/documents")
    assert document["kind"] == "credit_report" and len(document["sha256"]) == 64


def test_X08_a_claim_needs_the_overdue_filed_first(api):
    world = build(api)
    loan = world.loan("small-a", "L-1", "500000.00")
    today(api, dt.date(2022, 9, 2))
    world.event(world.bank(), loan, "classification_change", "2022-09-01", classification="loss")
    refused = world.claim(world.bank(), loan, "500000.00", status=422)
    assert refused["rule"]["rule"] == "X-08"


def test_X11_review_opinion_due_within_10_working_days(api):
    world = build(api)
    _, claim = _defaulted_claim(world)
    assert (claim["submitted_on"], claim["review_due_on"]) == ("2022-09-02", "2022-09-19")
    world.approve(claim)
    assert api.as_("office").ok("GET", f"/claims/{claim['id']}")["state"] == "approved"


# ----------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("principal", "ratio", "amount"),
    [
        ("999999.99", "0.300000", "300000.00"),
        ("1000000.00", "0.300000", "300000.00"),
        ("1000000.01", "0.200000", "200000.00"),
        ("3000000.00", "0.200000", "600000.00"),
        ("3000000.01", "0.100000", "300000.00"),
        ("10000000.00", "0.100000", "1000000.00"),
    ],
)
def test_X13_ratio_at_and_around_every_tier_boundary(api, principal, ratio, amount):
    world = build(api)
    _, claim = _defaulted_claim(world, principal)
    assert claim["ratio"] == ratio
    assert claim["amount"] == amount  # 999,999.99 × 0.30 = 299,999.997 → 300,000.00
    assert _explained(claim, "X-13")


def test_X13_ratio_follows_the_original_principal_and_rounds_half_up_to_the_fen(api):
    world = build(api)
    # A 2,500,000 loan (20% tier) with 333,333.33 left unpaid: 66,666.666 → 66,666.67.
    _, claim = _defaulted_claim(world, "2500000.00", "333333.33")
    assert (claim["ratio"], claim["amount"]) == ("0.200000", "66666.67")
    assert "interest and fees are never compensated" in _explained(claim, "X-13")["en"]


def test_X14_guaranteed_loans_at_10_percent_of_the_payout_whatever_their_size(api):
    """X-14 第十一条: 10% of the principal paid out (代偿本金); the interest paid is not in
    the base. X-10 第十条: the guarantee company claims after paying out."""
    world = build(api)
    guar = world.institutions["guar-a"]["id"]
    loan = world.loan("small-a", "L-g", "800000.00", kind="guaranteed", guarantor_id=guar)
    today(api, dt.date(2022, 5, 5))
    world.event(world.guarantor(), loan, "overdue_filing", "2022-03-01")
    payout = world.event(
        world.guarantor(),
        loan,
        "guarantor_payout",
        "2022-04-20",
        amount="762000.55",
        data={"principal": "750000.55", "interest": "12000.00"},
    )
    assert payout["data"] == {"principal": "750000.55", "interest": "12000.00"}
    too_much = world.claim(world.guarantor(), loan, "750000.56", documents=[], status=422)
    assert too_much["rule"]["rule"] == "X-10"
    assert too_much["rule"]["inputs"]["principal_paid_out"] == "750000.55"
    by_bank = world.claim(world.bank(), loan, "750000.55", status=422)
    assert by_bank["rule"]["rule"] == "X-10"
    claim = world.claim(world.guarantor(), loan, "750000.55", documents=[])
    assert (claim["ratio"], claim["amount"]) == ("0.100000", "75000.06")  # 75,000.055 ↑
    x14 = _explained(claim, "X-14")
    assert (x14["inputs"]["principal_paid_out"], x14["inputs"]["interest_paid_out"]) == (
        "750000.55",
        "12000.00",
    )
    assert "代偿本金 750000.55 元、代偿利息 12000.00 元" in x14["zh"]
    assert "interest 12000.00" in x14["en"] and "not in the base" in x14["en"]


@pytest.mark.parametrize(
    ("amount", "data"),
    [
        ("400000.00", {}),  # not split
        ("400000.00", {"principal": "400000.00"}),  # no interest stated
        ("400000.00", {"principal": "390000.00", "interest": "9999.99"}),  # 0.01 short
    ],
)
def test_X14_a_payout_states_principal_and_interest_adding_up_to_the_amount(api, amount, data):
    world = build(api)
    guar = world.institutions["guar-a"]["id"]
    loan = world.loan("small-a", "L-g", "800000.00", kind="guaranteed", guarantor_id=guar)
    today(api, dt.date(2022, 5, 5))
    world.event(world.guarantor(), loan, "overdue_filing", "2022-03-01")
    refused = world.event(
        world.guarantor(),
        loan,
        "guarantor_payout",
        "2022-04-20",
        status=422,
        amount=amount,
        data=data,
    )
    assert refused["rule"]["rule"] == "X-14"
    assert "data.principal and data.interest" in refused["rule"]["en"]
    events = api.as_("auditor").ok("GET", f"/loans/{loan['id']}/events")
    assert [e["kind"] for e in events] == ["overdue_filing"]


def test_X08_X10_on_a_guaranteed_loan_the_guarantee_companys_own_filing_counts(api):
    """X-08 第十条: on a guaranteed loan the guarantee company files the overdue within 5
    working days itself; its filing, and its claim, are explained under 第十条."""
    world = build(api)
    guar = world.institutions["guar-a"]["id"]
    loan = world.loan("small-a", "L-g", "800000.00", kind="guaranteed", guarantor_id=guar)
    today(api, dt.date(2022, 3, 10))  # 1 March + 5 working days = 8 March: two days late
    by_bank = world.event(world.bank(), loan, "overdue_filing", "2022-03-01", status=422)
    assert by_bank["rule"]["rule"] == "X-08" and by_bank["rule"]["clause"].endswith("第十条")
    assert "guarantee company files the overdue itself" in by_bank["rule"]["en"]
    filing = world.event(world.guarantor(), loan, "overdue_filing", "2022-03-01")
    assert (filing["late"], filing["working_days_late"]) == (True, 2)
    [x08] = filing["explanations"]
    assert x08["clause"] == "新政办〔2021〕48号 第十条" and "担保公司应在 5 个工作日内" in x08["zh"]
    today(api, dt.date(2022, 4, 20))
    world.event(
        world.guarantor(),
        loan,
        "guarantor_payout",
        "2022-04-20",
        amount="500000.00",
        data={"principal": "500000.00", "interest": "0.00"},
    )
    claim = world.claim(world.guarantor(), loan, "500000.00", documents=[])
    clauses = {e["rule"]: e["clause"] for e in claim["explanations"]}
    assert clauses["X-08"] == "新政办〔2021〕48号 第十条"
    assert clauses["X-10"] == "新政办〔2021〕48号 第十条"
    assert "第九条" not in clauses["X-08"] + clauses["X-10"]


# ----------------------------------------------------------------------------- recoveries


def _paid_claim(world, principal="1000000.00"):
    loan, claim = _defaulted_claim(world, principal)
    world.approve(claim)
    today(world.api, dt.date(2023, 1, 5))
    plan = world.office().ok(
        "POST", "/plans", {"program_id": world.pid, "day": "2022-12-31"}, status=201
    )
    world.office().ok("POST", f"/plans/{plan['id']}/submit")
    world.api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    finance = world.api.as_("finance")
    for payment in finance.ok("GET", "/disbursements"):
        if payment["state"] == "instructed":
            finance.ok(
                "POST", f"/disbursements/{payment['id']}/confirm", {}, key=f"pay-{payment['id']}"
            )
    return loan, claim


def test_X15_recoveries_return_pro_rata_to_the_treasury_capped_at_the_compensation(api):
    world = build(api)
    _, claim = _paid_claim(world)  # 1,000,000 at 30% → 300,000 paid
    today(api, dt.date(2023, 3, 1))
    first = world.bank().ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claim["id"],
            "received_on": "2023-02-28",
            "recovered": "400000.00",
            "costs": "50000.00",
        },
        key="rec-1",
        status=201,
    )
    assert (first["amount_due"], first["destination"]) == ("105000.00", "treasury")
    assert first["due_on"] == "2023-03-14"  # 10 working days after 28 Feb
    api.as_("finance").ok("POST", f"/recoveries/{first['id']}/confirm-return", key="ret-1")
    second = world.bank().ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claim["id"],
            "received_on": "2023-03-01",
            "recovered": "900000.00",
            "costs": "0.00",
        },
        key="rec-2",
        status=201,
    )
    assert second["amount_due"] == "195000.00"  # only what is left of the 300,000
    ledger = api.as_("auditor").ok("GET", f"/programs/{world.pid}/ledger")
    assert ledger["balances"]["treasury:remitted"] == "105000.00"
    assert ledger["pool_balance"] == "28700000.00"  # 29,000,000 − 300,000: not replenished
    assert ledger["balanced"] is True


def test_X16_write_off_evidence_due_within_10_working_days_of_approval(api):
    world = build(api)
    loan, _ = _defaulted_claim(world)
    today(api, dt.date(2022, 10, 20))
    write_off = world.bank().ok(
        "POST",
        "/write-offs",
        {"loan_id": loan["id"], "approved_on": "2022-09-30", "net_loss": "500000.00"},
        status=201,
    )
    assert write_off["evidence_due_on"] == "2022-10-19"  # 8, 9 (调休), 10 … 14, 17, 18, 19 Oct
    assert [e["rule"] for e in write_off["explanations"]] == ["CORE-WRITE-OFF", "X-16"]
    assert write_off["state"] == "approved"  # 第十四条 asks for no review before it


# ----------------------------------------------------------------------------- supervision


def test_X17_npl_rate_warning_rectification_suspension_and_resumption(api):
    world = build(api)
    for n in range(4):
        world.loan("small-a" if n == 0 else world.firm(f"f{n}")["name"], f"L-{n}", "1000000.00")
    loans = api.as_("office").ok("GET", "/loans")
    world.default(loans[0], "2022-09-01", dt.date(2022, 9, 2))
    office, approver = world.office(), api.as_("approver")
    base = f"/programs/{world.pid}"
    [alert] = office.ok("GET", f"{base}/monitoring")
    assert (alert["code"], alert["severity"]) == ("npl-over-limit", "action")
    assert alert["data"]["rate"] == "0.2500" and alert["data"]["rectification_filed_on"] is None

    world.bank().ok(
        "POST",
        f"{base}/supervision-filings",
        {
            "rule": "X-17",
            "period": "2022-09",
            "explanation": "个别企业经营困难",
            "rectification_plan": "加强贷后管理",
        },
        status=201,
    )
    [alert] = office.ok("GET", f"{base}/monitoring")
    assert alert["data"]["rectification_filed_on"] == "2022-09-02"

    bank_id = world.institutions["bank-a"]["id"]
    coop = f"/institutions/{bank_id}/cooperation"
    decision = {"action": "suspend", "reason": "不良率超过5%", "program_id": world.pid}
    assert office.post(coop, decision).status_code == 403  # the leading group decides
    assert approver.ok("POST", coop, decision)["cooperation"] == "suspended"
    refused = approver.post(coop, {**decision, "action": "resume"})
    assert refused.status_code == 422 and refused.json["rule"]["rule"] == "X-17"

    # Suspended: no compensation, even for a loan that was covered; the refusal cites
    # the policy's clauses in both languages, not the core's.
    claim = world.claim(world.bank(), loans[0], "1000000.00", status=422)
    assert_explained_in_both_languages(claim["rule"])
    assert (claim["rule"]["rule"], claim["rule"]["inputs"]["core_rule"]) == ("X-07", "CORE-COOP")
    assert claim["rule"]["clause"] == "新政办〔2021〕48号 第五条、第十五条"
    assert claim["rule"]["clause_en"].endswith("Articles 5 and 15")
    # Nor a covered loan: X-07 refuses it first.
    refused = world.loan("small-a", "L-S", "100000.00")
    assert refused["covered"] is False and refused["coverage"][0]["rule"] == "X-07"

    # The bad loan is settled; below 5% the leading group resumes.
    world.event(world.bank(), loans[0], "closure", "2022-09-02")
    assert approver.ok("POST", coop, {**decision, "action": "resume"})["cooperation"] == "active"


def test_X17_warning_at_the_city_average_npl_rate_the_office_enters(api):
    world = build(api, config={"npl_limit": "0.50"})
    world.loan("small-a", "L-1", "3000000.00")
    world.firm("b")
    bad = world.loan("b", "L-2", "1000000.00")
    world.default(bad, "2022-09-01", dt.date(2022, 9, 2))
    base = f"/programs/{world.pid}"
    assert world.office().ok("GET", f"{base}/monitoring") == []  # 0.25, under the 0.50 limit
    world.office().ok(
        "PUT",
        f"{base}/indicators/city_small_firm_npl_rate",
        {"effective_from": "2022-07-01", "value": "0.25", "note": "人民银行新乡市中心支行"},
    )
    [alert] = world.office().ok("GET", f"{base}/monitoring")
    assert (alert["code"], alert["explanation"]["rule"]) == ("npl-warning", "X-17")


def test_X18_fraud_claws_back_everything_paid_revokes_and_bans_for_3_years(api):
    world = build(api)
    _paid_claim(world)
    bank_id = world.institutions["bank-a"]["id"]
    clawback = api.as_("approver").ok(  # the leading group decides (第十六条)
        "POST",
        "/clawbacks",
        {"program_id": world.pid, "institution_id": bank_id, "reason": "虚构贷款骗取补偿"},
        key="clawback-1",
        status=201,
    )
    assert clawback["amount"] == "300000.00" and clawback["explanations"][0]["rule"] == "X-18"
    assert world.office().ok("GET", f"/institutions/{bank_id}")["cooperation"] == "revoked"
    [ban] = world.office().ok("GET", "/bans")
    assert (ban["rule"], ban["starts_on"], ban["ends_on"]) == ("X-18", "2023-01-05", "2026-01-05")
    # A loan the bank registers now is refused, revoked (X-07 第五条、第十六条) and banned
    # (X-18 第十六条), the core's refusals cited through the policy, in both languages.
    loan = world.loan("small-a", "L-after", "100000.00", issued="2023-01-05")
    refusals = [e for e in loan["coverage"] if not e["passed"]]
    assert [(e["rule"], e["inputs"]["core_rule"]) for e in refusals[:2]] == [
        ("X-07", "CORE-COOP"),
        ("X-18", "CORE-BAN"),
    ]
    assert refusals[0]["clause"] == "新政办〔2021〕48号 第五条、第十六条"
    assert_explained_in_both_languages(refusals, allowed=["L-after"])


def test_X18_a_debt_evading_firm_is_excluded_for_good(api):
    world = build(api)
    firm = world.firms["small-a"]
    world.office().ok(
        "POST",
        "/bans",
        {
            "program_id": world.pid,
            "subject_type": "firm",
            "subject_id": firm["id"],
            "rule": "X-18",
            "reason": "逃废银行债务",
        },
        status=201,
    )
    # The core's default decided the ban (riskshare_ban): under a Xinxiang program its answer
    # cites X-18 第十六条 (PolicyDescriptor.cites), not the core's rules.
    [ban] = world.office().ok("GET", "/bans")
    [decided] = ban["explanations"]
    assert (decided["rule"], decided["inputs"]["core_rule"]) == ("X-18", "CORE-BAN")
    assert decided["clause_en"].endswith(", Article 16")
    loan = world.loan("small-a", "L-1", "500000.00", issued="2024-08-01")
    assert loan["covered"] is False and "barred" in _reason(loan, "X-03")["en"]


def test_X19_monthly_fund_report_as_json_and_xlsx(api):
    world = build(api)
    _paid_claim(world)
    report = world.office().ok("GET", f"/programs/{world.pid}/reports/2023-01")
    assert report["fund"]["paid_in_period"] == {"compensation": "300000.00"}
    assert report["fund"]["pool_balance_at_end"] == "28700000.00"
    [section] = report["sections"]
    row = next(r for r in section["rows"] if r["institution"] == "bank-a")
    assert (row["npl_rate"], row["compensation_paid"]) == ("1.0000", "300000.00")
    xlsx = api.as_("approver").get(f"/programs/{world.pid}/reports/2023-01?format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    # The fund, the policy's section, and the loans issued in the month (none in January).
    assert book.sheetnames == ["资金情况", "xinxiang-institutions", "贷款明细"]
    assert [r[0] for r in book["贷款明细"].iter_rows(values_only=True)] == ["贷款编号", "Loan id"]
    paid = next(
        r for r in book["资金情况"].iter_rows(values_only=True) if r[1] == "Paid: compensation"
    )
    assert paid[2] == 300000  # in the period, a number


def test_X19_the_platforms_staff_read_the_monthly_report_and_banks_do_not(api):
    """X-19 第十五条: the platform (智慧金融平台, the reviewer) reports monthly; its staff
    read it."""
    world = build(api)
    path = f"/programs/{world.pid}/reports/2022-01"
    for role in ("reviewer", "office", "approver", "finance", "auditor"):
        assert api.as_(role).get(path).status_code == 200, role
    refused = world.bank().get(path)
    assert refused.status_code == 403
    assert "reviewer" in refused.json["detail"]


def test_X20_claims_are_visible_only_to_those_who_need_them_and_every_read_is_audited(api):
    world = build(api)
    _, claim = _defaulted_claim(world)
    path = f"/claims/{claim['id']}"
    for role in ("reviewer", "office", "approver", "finance", "auditor"):
        assert api.as_(role).get(path).status_code == 200, role
    assert world.bank().get(path).status_code == 200
    assert world.bank("bank-b").get(path).status_code == 404
    assert api.admin.get(f"/api/v1/tenants/{api.tenant}/claims/{claim['id']}").status_code == 403
    reads = [
        e
        for e in api.as_("auditor").ok("GET", "/audit/events?page_size=100")
        if e["action"] == "read" and e["record_type"] == "claims"
    ]
    assert len(reads) >= 6
    # 11.23: loans, plans, disbursements and recoveries are read as claims are: recorded.
    head = audit_head(api)
    reviewer = api.as_("reviewer")
    reviewer.ok("GET", f"/loans/{claim['loan_id']}")
    for listing in ("/plans", "/disbursements", "/recoveries"):
        reviewer.ok("GET", listing)
    recorded = [(e["action"], e["record_type"]) for e in audit_events_after(api, head)]
    assert recorded == [
        ("read", "loans"),
        ("list", "allocation_plans"),
        ("list", "disbursements"),
        ("list", "recoveries"),
    ]


def _npl_world(api, bad: str, good: str):
    """bank-a's platform loans: ``bad`` non-performing of ``bad`` + ``good`` outstanding."""
    world = build(api)
    world.firm("good-co")
    defaulted = world.loan("small-a", "L-bad", bad)
    world.loan("good-co", "L-good", good)
    world.default(defaulted, "2022-09-01", dt.date(2022, 9, 2))
    return world


def _city_average(world, value: str) -> None:
    world.office().ok(
        "PUT",
        f"/programs/{world.pid}/indicators/city_small_firm_npl_rate",
        {"effective_from": "2022-07-01", "value": value, "note": "人民银行新乡市中心支行"},
    )


@pytest.mark.parametrize(
    ("bad", "good", "over"),
    [
        ("500000.00", "9500000.00", False),  # exactly 5%: not above
        ("500400.00", "9499600.00", True),  # 5.004%: rounds to 5.00% yet is above
    ],
)
def test_X17_the_5_percent_limit_is_compared_unrounded(api, bad, good, over):
    """X-17 第十五条: above 5% (unrounded) an explanation and rectification plan is due and
    the leading group may suspend; resumption once below 5%."""
    world = _npl_world(api, bad, good)
    base = f"/programs/{world.pid}"
    alerts = world.office().ok("GET", f"{base}/monitoring")
    assert [a["code"] for a in alerts] == (["npl-over-limit"] if over else [])
    coop = f"/institutions/{world.institutions['bank-a']['id']}/cooperation"
    decision = {"action": "suspend", "reason": "不良率", "program_id": world.pid}
    response = api.as_("approver").post(coop, decision)
    assert response.status_code == (200 if over else 422)
    if over:
        [alert] = alerts
        assert alert["data"]["rate"] == "0.0500"  # shown rounded, decided unrounded
        assert (
            "5.004%" in alert["explanation"]["zh"] and "超过上限 5%" in alert["explanation"]["zh"]
        )
        # Not below 5%: the leading group cannot resume it yet.
        refused = api.as_("approver").post(coop, {**decision, "action": "resume"})
        assert refused.status_code == 422 and refused.json["rule"]["rule"] == "X-17"
    else:
        assert response.json["rule"]["rule"] == "X-17"
        assert "等于上限 5%" in response.json["rule"]["zh"]


@pytest.mark.parametrize(
    ("city", "warned"),
    [("0.05004", True), ("0.0500399", True), ("0.0500401", False)],
)
def test_X17_a_bank_above_5_percent_is_also_warned_against_the_city_average(api, city, warned):
    """X-17: the two measures are cumulative; at or above the city average (unrounded) is a
    risk warning, for a bank above 5% as well."""
    world = _npl_world(api, "500400.00", "9499600.00")  # 5.004%
    _city_average(world, city)
    codes = [a["code"] for a in world.office().ok("GET", f"/programs/{world.pid}/monitoring")]
    assert codes == ["npl-over-limit", "npl-warning"] if warned else ["npl-over-limit"]


def test_X17_exactly_the_city_average_is_warned(api):
    world = _npl_world(api, "500000.00", "9500000.00")  # 5%
    _city_average(world, "0.05")
    [alert] = world.office().ok("GET", f"/programs/{world.pid}/monitoring")
    assert (
        alert["code"] == "npl-warning"
        and "不低于全市小微企业平均不良率 5%" in (alert["explanation"]["zh"])
    )
