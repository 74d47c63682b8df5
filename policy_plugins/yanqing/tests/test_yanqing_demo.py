"""The embedded demo's Yanqing tenant: firms at every step of the policy, checked over HTTP."""

from __future__ import annotations

import pytest

from riskshare.testing import ApiClient
from riskshare_yanqing import demo as yanqing_demo
from riskshare_yanqing.config import PANEL_SEATS


@pytest.fixture(scope="module")
def demo(rs_demo_app) -> ApiClient:
    return ApiClient(rs_demo_app, "yanqing")


def _program(api: ApiClient) -> dict:
    [program] = api.as_("auditor").ok("GET", "/programs")
    return program


def _by_stop(api: ApiClient, records: list[dict]) -> dict[str, dict]:
    """The demo's records keyed by where their firm stops (``demo.FIRMS``)."""
    names = {f["id"]: f["name"] for f in api.as_("office").ok("GET", "/firms?page_size=100")}
    stops = {name: stop for name, _, stop in yanqing_demo.FIRMS}
    return {stops[names[r["firm_id"]]]: r for r in records}


def _institution_id(api: ApiClient, code: str) -> int:
    institutions = api.as_("office").ok("GET", "/institutions?page_size=100")
    return next(i["id"] for i in institutions if i["code"] == code)


def _recommendations(api: ApiClient) -> dict[str, dict]:
    path = f"/yanqing/programs/{_program(api)['id']}/recommendations?page_size=100"
    recs = api.as_("office").ok("GET", path)
    assert len(recs) == len(yanqing_demo.FIRMS)  # loaded twice, not duplicated
    return _by_stop(api, recs)


def _loans(api: ApiClient) -> dict[str, dict]:
    return _by_stop(api, api.as_("auditor").ok("GET", "/loans?page_size=100"))


def test_Y03_to_Y08_firms_at_every_step_of_the_grading(demo: ApiClient) -> None:
    recs = _recommendations(demo)
    assert {stop: rec["state"] for stop, rec in recs.items()} == {
        "recommended": "recommended",
        "screened_out": "screened_out",
        "in_review": "in_review",
        "rejected": "rejected",
        "awaiting_approval": "awaiting_approval",
        "pushed": "pushed",
        "financing_failed": "in_review",
        "credit": "pushed",
        "guaranteed": "pushed",
        "insured": "pushed",
        "claim_submitted": "pushed",
        "claim_approved": "pushed",
        "claim_paid": "pushed",
    }
    ballots = demo.as_("office").ok(
        "GET", f"/yanqing/recommendations/{recs['in_review']['id']}/ballots"
    )
    assert 0 < len(ballots) < len(PANEL_SEATS)  # Y-06: some delegates have yet to vote
    assert "vetoed" in recs["rejected"]["outcome"][-1]["en"]
    assert (recs["awaiting_approval"]["grade"], recs["guaranteed"]["grade"]) == ("high", "high")
    assert recs["guaranteed"]["grade_effective_on"] is not None  # the district approved it
    pushed_to = {
        _institution_id(demo, code) for code in (yanqing_demo.BANK, yanqing_demo.GUARANTOR)
    }
    assert set(recs["pushed"]["pushed_to"]) == pushed_to
    failed = recs["financing_failed"]
    assert (failed["failed_attempts"], failed["review_round"], failed["pushed_to"]) == (1, 2, [])


def test_Y09_to_Y11_loans_through_the_three_channels_and_the_premium_subsidy(
    demo: ApiClient,
) -> None:
    loans = _loans(demo)
    assert {stop: (loan["kind"], loan["covered"]) for stop, loan in loans.items()} == {
        "credit": ("credit", True),
        "guaranteed": ("guaranteed", True),
        "insured": ("insured", True),
        "claim_submitted": ("credit", True),
        "claim_approved": ("credit", True),
        "claim_paid": ("credit", True),
    }
    assert loans["guaranteed"]["guarantor_id"] == _institution_id(demo, yanqing_demo.GUARANTOR)
    assert loans["guaranteed"]["attributes"]["lender_share"] == "0.30"
    assert loans["insured"]["insurer_id"] == _institution_id(demo, yanqing_demo.INSURER)

    office = demo.as_("office")
    [subsidy] = office.ok("GET", f"/yanqing/programs/{_program(demo)['id']}/premium-subsidies")
    assert (subsidy["loan_id"], subsidy["amount"]) == (loans["insured"]["id"], "20000.00")
    payment = office.ok("GET", f"/disbursements/{subsidy['disbursement_id']}")
    assert (payment["kind"], payment["payee_firm_id"], payment["state"]) == (
        "premium_subsidy",
        loans["insured"]["firm_id"],
        "confirmed",
    )
    assert payment["payer_role"] == "custodian"


def test_Y12_claims_submitted_approved_and_paid_through_the_half_year_plan(
    demo: ApiClient,
) -> None:
    auditor = demo.as_("auditor")
    stop_of_loan = {loan["id"]: stop for stop, loan in _loans(demo).items()}
    claims = {stop_of_loan[c["loan_id"]]: c for c in auditor.ok("GET", "/claims")}
    assert {stop: (c["state"], c["amount"]) for stop, c in claims.items()} == {
        "claim_submitted": ("submitted", "600000.00"),  # medium grade, 50% of 1,200,000
        "claim_approved": ("approved", "240000.00"),  # low grade, 20%
        "claim_paid": ("paid", "600000.00"),
    }
    [plan] = auditor.ok("GET", "/plans")
    assert (plan["period"], plan["state"]) == ("2025-H1", "paid")


def test_Y01_the_pool_holds_the_gains_less_what_was_paid(demo: ApiClient) -> None:
    books = demo.as_("auditor").ok("GET", f"/programs/{_program(demo)['id']}/ledger")
    # 30,000,000 + 150,000 gains − 20,000 subsidy − 600,000 (medium, 50% of 1,200,000)
    assert books["balanced"] and books["pool_balance"] == "29530000.00"
    assert demo.as_("auditor").ok("GET", "/audit/verification")["ok"] is True


def test_a_third_load_adds_nothing_and_the_clock_is_unpinned(demo: ApiClient) -> None:
    def everything() -> tuple:
        auditor = demo.as_("auditor")
        return _recommendations(demo), _loans(demo), auditor.ok("GET", "/claims?page_size=100")

    before = everything()
    yanqing_demo.load_demo(demo.app, demo.tenant)
    assert everything() == before
    assert demo.app.extensions["riskshare"].clock._pinned is None
