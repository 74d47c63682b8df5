"""Riverside county over HTTP: a committee that decides, a trust company that pays, a yearly
cap per institution, a pause the policy decides, and recoveries into the county's reserve.

registration → claim → committee review → quarterly plan → committee approval → payment by
the trustee → pause (R-7) → recovery remitted to the reserve (R-8), on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from riverside_county import LOSS, County

from riskshare.testing import (
    assert_explained_in_both_languages,
    english_in_chinese,
    explanations_in,
    today,
)


@pytest.fixture
def county(api):
    return County(api)


def test_R1_a_loan_with_a_misspelt_mode_is_refused_before_it_is_written(county):
    county.firm("river-a")
    answer = county.api.as_("lender", institution="bank-a").post(
        "/loans",
        {
            "firm_id": county.firms["river-a"]["id"],
            "lender_id": county.institutions["bank-a"]["id"],
            "reference": "L-x",
            "kind": "credit",
            "principal": "100000.00",
            "issue_date": "2025-01-06",
            "maturity_date": "2026-01-06",
            "attributes": {"mdoe": "bank"},
        },
    )
    assert answer.status_code == 422
    pointers = [e["pointer"] for e in answer.get_json()["errors"]]
    assert "/attributes/mdoe" in pointers
    assert county.api.as_("auditor").ok("GET", "/loans") == []


def test_R1_R2_a_guaranteed_loan_is_claimed_by_its_guarantor_not_the_bank(county):
    county.firm("river-a")
    loan = county.loan(
        "river-a",
        "G-1",
        "800000.00",
        mode="guarantee",
        guarantor_id=county.institutions["guar-a"]["id"],
        **LOSS,
    )
    assert loan["covered"] is True and loan["coverage"][-1]["rule"] == "R-1"
    refused = county.claim(loan, "800000.00", status=422)
    assert refused["rule"]["rule"] == "R-2"
    claim = county.claim(loan, "800000.00", by=("guarantor", "guar-a"))
    assert claim["ratio"] == "0.250000" and claim["amount"] == "200000.00"  # R-3 guarantee


def test_R3_size_tiers_and_the_innovation_bonus(county):
    county.firm("plain")
    county.firm("inventive", innovative=True)
    small = county.claim(county.loan("plain", "S-1", "1000000.00", **LOSS), "1000000.00")
    large = county.claim(county.loan("plain", "B-1", "2000000.00", **LOSS), "2000000.00")
    bonus = county.claim(county.loan("inventive", "I-1", "400000.00", **LOSS), "400000.00")
    assert (small["ratio"], small["amount"]) == ("0.300000", "300000.00")  # small tier
    assert (large["ratio"], large["amount"]) == ("0.200000", "400000.00")  # large tier
    assert (bonus["ratio"], bonus["amount"]) == ("0.350000", "140000.00")  # 0.30 + 0.05
    [explanation] = [e for e in bonus["explanations"] if e["rule"] == "R-3"]
    assert "innovative firm" in explanation["en"] and "创新企业" in explanation["zh"]


def test_the_whole_riverside_lifecycle_with_its_committee_trustee_cap_pause_and_reserve(county):
    api = county.api
    county.firm("river-a")
    county.firm("river-b")
    first = county.loan("river-a", "L-1", "1000000.00", **LOSS)
    second = county.loan("river-b", "L-2", "2000000.00", **LOSS)
    later = county.loan("river-b", "L-3", "800000.00")

    # the committee reviews; the core's reviewer role has no say in this program.
    claim_1 = county.claim(first, "1000000.00")  # 300,000 (small tier)
    claim_2 = county.claim(second, "2000000.00")  # 400,000 (large tier)
    reviewer = api.as_("reviewer").post(
        f"/claims/{claim_1['id']}/reviews", {"decision": "approve", "opinion": "ok"}
    )
    assert reviewer.status_code == 403
    county.committee_approves(claim_1)
    county.committee_approves(claim_2)

    # the first quarter's plan, once the quarter has ended, grants bank-a at most
    # its 300,000 yearly room and carries the rest, though the pool holds far more.
    today(api, dt.date(2025, 4, 2))
    plan = county.plan("2025-03-31")
    assert plan["period"] == "2025-Q1"
    by_claim = {item["claim_id"]: item for item in plan["items"]}
    assert by_claim[claim_1["id"]]["allocated"] == "300000.00"
    assert by_claim[claim_2["id"]]["allocated"] == "0.00"
    assert by_claim[claim_2["id"]]["carried"] == "400000.00"
    # The office cannot edit its way past the cap.
    edited = api.as_("office").patch(
        f"/plans/{plan['id']}",
        {"items": [{"claim_id": claim_2["id"], "allocated": "100000.00"}]},
    )
    assert edited.status_code == 422 and edited.get_json()["rule"]["rule"] == "R-4"
    api.as_("office").ok("POST", f"/plans/{plan['id']}/submit")
    # the committee approves plans, not the core's approver.
    assert api.as_("approver").post(f"/plans/{plan['id']}/approve", {}).status_code == 403
    api.as_("committee").ok("POST", f"/plans/{plan['id']}/approve")

    # The trust company pays (the program's payer); finance has no part in it.
    [payment] = county.trustee().ok("GET", "/disbursements")
    assert (
        api.as_("finance")
        .post(f"/disbursements/{payment['id']}/confirm", {"payment_reference": "F-1"})
        .status_code
        == 403
    )
    paid = county.trustee().ok(
        "POST", f"/disbursements/{payment['id']}/confirm", {"payment_reference": "TR-1"}
    )
    assert paid["state"] == "confirmed"
    assert api.as_("auditor").ok("GET", f"/claims/{claim_1['id']}")["state"] == "paid"

    # paid 300,000 against 3,800,000 lent (above 3%: 114,000): monitoring pauses bank-a
    # until next year, and the core refuses it new business with R-7.
    today(api, dt.date(2025, 4, 3))
    alerts = api.as_("office").ok("GET", f"{county.base()}/monitoring")
    [pause] = [a for a in alerts if a["code"] == "paused"]
    assert pause["explanation"]["rule"] == "R-7" and pause["data"]["until"] == "2026-01-01"
    api.as_("office").ok("GET", f"{county.base()}/monitoring")  # run again: still one
    [standing] = api.as_("office").ok("GET", f"{county.base()}/standings")
    assert standing["rule"] == "R-7"
    bank_b_loan = county.loan("river-b", "L-9", "100000.00", bank="bank-b")
    assert bank_b_loan["covered"] is True
    paused_loan = county.loan("river-b", "L-4", "100000.00")
    assert paused_loan["covered"] is False
    assert paused_loan["coverage"][0]["rule"] == "R-7"
    api.as_("lender", institution="bank-a").ok(
        "POST",
        f"/loans/{later['id']}/events",
        {"kind": "classification_change", "event_date": "2025-04-03", "classification": "loss"},
        status=201,
    )
    refused = county.claim(later, "800000.00", status=422)
    assert refused["rule"]["rule"] == "R-7"

    # a recovery on the paid claim goes to the county's reserve, remitted by the trustee.
    recovery = api.as_("lender", institution="bank-a").ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claim_1["id"],
            "received_on": "2025-04-03",
            "recovered": "100000.00",
            "costs": "0.00",
        },
        status=201,
    )
    assert recovery["amount_due"] == "30000.00"  # 100,000 × 0.30
    assert recovery["destination"] == "reserve"
    assert recovery["explanations"][0]["rule"] == "R-8"
    county.trustee().ok("POST", f"/recoveries/{recovery['id']}/confirm-return")
    ledger = api.as_("auditor").ok("GET", f"{county.base()}/ledger")
    assert ledger["balanced"] is True
    assert ledger["pool_balance"] == "4700000.00"  # 5,000,000 − 300,000; the return is not pooled
    assert ledger["balances"]["reserve:remitted"] == "30000.00"

    # Everything the county answered explains itself in both languages, Chinese in Chinese
    # terms (the banks' loan numbers, the institutions' names and the quarters are data).
    auditor = api.as_("auditor")
    answers = [plan, alerts, recovery, paused_loan, refused]
    for path in ("/loans?page_size=100", "/claims?page_size=100", "/plans", "/disbursements"):
        answers.append(auditor.ok("GET", path))
    data = [loan["reference"] for loan in answers[5]]
    data += [i["name"] for i in county.institutions.values()] + ["2025-Q1", "2025-Q2"]
    leaks = english_in_chinese(answers, allowed=data)
    assert leaks == [], "\n".join(leaks)
    assert_explained_in_both_languages(explanations_in(answers), allowed=data)


def test_a_policy_that_names_no_citation_keeps_the_cores_for_a_suspended_bank(county):
    """Riverside declares no ``cites``: the core's refusal of a bank whose cooperation is
    suspended cites the core's rule in both languages, as it does under any such policy."""
    county.firm("river-a")
    covered = county.loan("river-a", "L-1", "100000.00", **LOSS)
    today(county.api, dt.date(2025, 2, 3))
    bank = county.institutions["bank-a"]
    county.api.as_("office").ok(
        "POST", f"/institutions/{bank['id']}/cooperation", {"action": "suspend", "reason": "审计"}
    )
    loan = county.loan("river-a", "L-2", "100000.00")
    refusal = loan["coverage"][0]
    assert loan["covered"] is False
    assert (refusal["rule"], refusal["clause"], refusal["clause_en"]) == (
        "CORE-COOP",
        "平台通用规则",
        "Riskshare core rules",
    )
    assert_explained_in_both_languages(refusal, allowed=[bank["name"]])
    assert county.claim(covered, "100000.00", status=422)["rule"]["rule"] == "CORE-COOP"


def test_R5_only_the_trust_company_the_program_names_pays_and_reads_its_money(county):
    """R-5: the program's config names its trust company (``trustee``, required); a trustee
    acting for another trust company is nobody in the program: its payments and plans are
    absent (404, empty lists), its own routes refuse it citing R-5, and nothing is paid."""
    api = county.api
    office = api.as_("office")
    office.ok(
        "POST",
        "/institutions",
        {"code": "trust-b", "name": "TRUST B", "kind": "trust_company"},
        201,
    )
    county.firm("river-a")
    loan = county.loan("river-a", "L-1", "1000000.00", **LOSS)
    county.committee_approves(county.claim(loan, "1000000.00"))
    today(api, dt.date(2025, 4, 2))
    plan = county.plan("2025-03-31")
    office.ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("committee").ok("POST", f"/plans/{plan['id']}/approve")
    [payment] = county.trustee().ok("GET", "/disbursements")

    other = api.as_("trustee", institution="trust-b")
    assert other.ok("GET", "/disbursements") == [] and other.ok("GET", "/plans") == []
    assert other.call("GET", f"/disbursements/{payment['id']}").status_code == 404
    confirm = f"/disbursements/{payment['id']}/confirm"
    assert other.call("POST", confirm, {"payment_reference": "X"}).status_code == 404
    refused = other.ok("GET", f"{county.base()}/ledger", status=403)["rule"]
    assert (refused["rule"], refused["inputs"]["core_rule"]) == ("R-5", "CORE-PAYER")
    assert "trust-b" in refused["en"] and "受托管理机构" in refused["zh"]
    assert county.trustee().ok("GET", f"/disbursements/{payment['id']}")["state"] == "instructed"
    paid = county.trustee().ok("POST", confirm, {"payment_reference": "TR-1"})
    assert paid["state"] == "confirmed"

    # A program that names no trust company is refused when it is created.
    body = {**county.program, "code": "riverside-b", "config": {}}
    body = {k: body[k] for k in ("code", "name", "policy", "config", "fund_total")} | {
        "effective_from": "2025-01-01",
        "effective_to": "2027-12-31",
    }
    problem = office.ok("POST", "/programs", body, status=422)
    assert any("trustee" in str(e) for e in problem["errors"]), problem
