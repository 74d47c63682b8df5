"""The embedded demo: the Xinxiang program with loans and claims in every state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from riskshare.testing import ApiClient


@pytest.fixture(scope="module")
def demo(rs_demo_app) -> ApiClient:
    return ApiClient(rs_demo_app, "xinxiang")


def _loans(api: ApiClient) -> dict[str, dict]:
    loans = api.as_("auditor").ok("GET", "/loans?page_size=100")
    return {loan["reference"]: loan for loan in loans}


def _failed_rules(loan: dict) -> list[str]:
    return [e["rule"] for e in loan["coverage"] if not e["passed"]]


def test_the_xinxiang_program_follows_the_2021_text(demo: ApiClient) -> None:
    [program] = demo.as_("auditor").ok("GET", "/programs")
    assert (program["code"], program["policy"], program["policy_version"]) == (
        "xinxiang-2021",
        "xinxiang",
        "2021",
    )
    assert (program["effective_from"], program["effective_to"]) == ("2021-08-20", "2024-08-19")
    assert program["fund_total"] == "29000000.00"


def test_loans_in_every_state_covered_and_not(demo: ApiClient) -> None:
    loans = _loans(demo)
    assert len(loans) == 15  # loaded twice, not duplicated
    states = {ref: (loan["state"], loan["covered"]) for ref, loan in loans.items()}
    assert states["ZY-2022-001"] == ("active", True)
    assert states["NX-2022-001"] == ("active", True)  # a new agricultural operator
    assert states["ZY-2022-006"] == ("overdue", True)
    assert states["ZY-2022-009"] == ("written_off", True)
    assert states["ZY-2022-010"] == ("closed", True)
    assert loans["ZY-2022-011"]["kind"] == "guaranteed" and loans["ZY-2022-011"]["covered"]
    not_covered = {ref: _failed_rules(loans[ref]) for ref, (_, ok) in states.items() if not ok}
    assert not_covered == {
        "ZY-2022-002": ["X-03"],  # registered in Zhengzhou
        "ZY-2022-003": ["X-03"],  # a large firm
        "ZY-2022-004": ["X-05"],  # a mortgage loan
        "ZY-2022-005": ["X-04"],  # not through the platform
        "ZY-2021-099": ["X-02"],  # issued before the program
    }


def test_events_filed_on_time_late_and_the_guarantor_payout(demo: ApiClient) -> None:
    loans, auditor = _loans(demo), demo.as_("auditor")

    def events(reference: str) -> list[dict]:
        return auditor.ok("GET", f"/loans/{loans[reference]['id']}/events")

    [on_time] = events("ZY-2022-006")
    [late] = events("ZY-2022-007")
    assert (on_time["late"], late["late"], late["working_days_late"]) == (False, True, 2)
    kinds = [e["kind"] for e in events("ZY-2022-011")]
    assert kinds == ["overdue_filing", "guarantor_payout"]


def test_claims_submitted_approved_paid_recovered(demo: ApiClient) -> None:
    auditor = demo.as_("auditor")
    by_loan = {c["loan_id"]: c for c in auditor.ok("GET", "/claims")}
    loans = _loans(demo)
    claimed = {ref: by_loan[loan["id"]] for ref, loan in loans.items() if loan["id"] in by_loan}
    assert {ref: claim["state"] for ref, claim in claimed.items()} == {
        "ZY-2022-008": "paid",  # through the 2022 year-end allocation plan
        "ZY-2022-012": "approved",
        "ZY-2022-013": "submitted",
    }
    [plan] = auditor.ok("GET", "/plans")
    assert plan["state"] == "paid"  # every disbursement confirmed by finance
    assert {d["state"] for d in auditor.ok("GET", "/disbursements")} == {"confirmed"}
    [recovery] = auditor.ok("GET", "/recoveries")
    assert (recovery["state"], recovery["destination"]) == ("returned", "treasury")
    [write_off] = auditor.ok("GET", "/write-offs")
    assert write_off["loan_id"] == loans["ZY-2022-009"]["id"]


def test_the_ledger_balances_and_the_audit_chain_verifies(demo: ApiClient) -> None:
    auditor = demo.as_("auditor")
    [program] = auditor.ok("GET", "/programs")
    ledger = auditor.ok("GET", f"/programs/{program['id']}/ledger")
    assert ledger["balanced"] is True
    assert ledger["pool_balance"] == "28700000.00"  # 300,000 paid; the recovery goes to treasury
    assert ledger["balances"]["treasury:remitted"] == "105000.00"
    assert auditor.ok("GET", "/audit/verification")["ok"] is True


def test_the_clock_is_unpinned_after_loading(demo: Any) -> None:
    assert demo.app.extensions["riskshare"].clock._pinned is None


def test_the_demo_does_not_need_pytest() -> None:
    code = "import sys, riskshare_xinxiang.demo; sys.exit('pytest' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)
