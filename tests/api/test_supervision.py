"""Supervision and reports through the public contract, with the toy policy.

Indicators the office enters, the policies' monitoring alerts, institutions' rectification
filings, cooperation decisions taken under a program's policy, and the fund report in JSON
and .xlsx (riskshare_cooperation_change, riskshare_monitoring, riskshare_report_sections).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from factories import register_loan, setup_program
from riskshare.testing.pytest_plugin import today


def _funded_program_with_bad_loan(api):
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    loan = register_loan(api, firm, bank)
    today(api, dt.date(2024, 9, 10))
    api.as_("lender", institution="bank-a").ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {"kind": "classification_change", "event_date": "2024-09-09", "classification": "loss"},
        status=201,
    )
    return program, bank


@pytest.mark.hooks("riskshare_cooperation_change")
def test_riskshare_cooperation_change_lets_the_policy_refuse_a_resumption(api):
    program, bank = _funded_program_with_bad_loan(api)
    office = api.as_("office")
    path = f"/institutions/{bank['id']}/cooperation"
    suspended = office.ok(
        "POST", path, {"action": "suspend", "reason": "NPL", "program_id": program["id"]}
    )
    assert suspended["cooperation"] == "suspended"
    refused = office.post(
        path, {"action": "resume", "reason": "fixed", "program_id": program["id"]}
    )
    assert refused.status_code == 422
    assert refused.json["rule"]["rule"] == "T-6"
    assert office.ok("GET", f"/institutions/{bank['id']}")["cooperation"] == "suspended"


@pytest.mark.hooks("riskshare_monitoring")
def test_riskshare_monitoring_compares_with_the_indicator_the_office_entered(api):
    program, _ = _funded_program_with_bad_loan(api)
    base = f"/programs/{program['id']}"
    assert api.as_("office").ok("GET", f"{base}/monitoring") == []
    api.as_("office").ok(
        "PUT",
        f"{base}/indicators/pool_floor",
        {"effective_from": "2024-09-01", "value": "1500000", "note": "toy floor"},
    )
    [alert] = api.as_("auditor").ok("GET", f"{base}/monitoring")
    assert alert["code"] == "pool-floor"
    assert alert["explanation"]["rule"] == "T-7"
    assert alert["explanation"]["threshold"] == "1500000.000000"
    # Before the indicator took effect there is nothing to compare with.
    assert api.as_("office").ok("GET", f"{base}/monitoring?day=2024-08-31") == []
    assert api.as_("lender", institution="bank-a").get(f"{base}/monitoring").status_code == 403


def test_institutions_file_rectification_plans_and_see_only_their_own(api):
    program, _ = _funded_program_with_bad_loan(api)
    api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    path = f"/programs/{program['id']}/supervision-filings"
    body = {"rule": "T-7", "period": "2024-09", "explanation": "说明", "rectification_plan": "整改"}
    filed = api.as_("lender", institution="bank-a").ok("POST", path, body, status=201)
    assert filed["filed_on"] == "2024-09-10"
    assert len(api.as_("office").ok("GET", path)) == 1
    assert api.as_("lender", institution="bank-b").ok("GET", path) == []
    assert api.as_("office").post(path, body).status_code == 403


@pytest.mark.hooks("riskshare_report_sections")
def test_riskshare_report_sections_fund_report_as_json_and_xlsx(api):
    program, _ = _funded_program_with_bad_loan(api)
    base = f"/programs/{program['id']}/reports"
    report = api.as_("office").ok("GET", f"{base}/2024-03")
    assert (report["start"], report["end"]) == ("2024-03-01", "2024-03-31")
    assert report["fund"]["appropriated_to_date"] == "1000000.00"
    assert report["fund"]["pool_balance_at_end"] == "1000000.00"
    assert report["activity"]["loans_registered"] == 1
    assert report["sections"][0]["key"] == "toy-pool"
    # February precedes the program's initial appropriation: the pool was empty at its end.
    assert api.as_("office").ok("GET", f"{base}/2024-02")["fund"]["pool_balance_at_end"] == "0.00"

    response = api.as_("auditor").get(f"{base}/2024-H1?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["资金情况", "toy-pool", "贷款明细"]
    # Amounts are numbers (formatted), under Chinese headings.
    rows = {r[0]: r for r in book["资金情况"].iter_rows(values_only=True)}
    assert rows["财政拨入资金"][4] == 1000000
    [pool] = [c for c in book["toy-pool"]["B"] if c.value == 1000000]
    assert pool.number_format == "#,##0.00"

    bad = api.as_("office").get(f"{base}/2024-13")
    assert bad.status_code == 422 and bad.json["errors"][0]["pointer"] == "/period"
    assert api.as_("lender", institution="bank-a").get(f"{base}/2024").status_code == 403
