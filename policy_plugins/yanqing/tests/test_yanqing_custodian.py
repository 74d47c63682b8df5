"""The custodian's fee and its own reports (Y-01), and the half-yearly recovery report to the
district government (Y-13), through the HTTP API.

Y-01: the DRC and the finance bureau set each year's fee rate within the configured bounds
(15%-20%) according to the custodian's performance when they book the fee, once a year.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from yanqing_steps import (
    YQ,
    claim,
    confirm_payment,
    graded_firm,
    half_year_plan,
    joint_review,
    ledger,
    non_performing,
    paid_on_its_own,
    register_loan,
    setup,
)

from riskshare.testing import english_in_chinese, race, today

COPIES = 10


def _gain(api, program, amount, reference, **extra):
    return api.as_("custodian", institution="yq-custodian").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/gains",
        {"amount": amount, "reference": reference, **extra},
        status=201,
    )


def _fees(program):
    return f"{YQ}/programs/{program['id']}/custodian-fees"


# --- Y-01 the year's fee rate ---------------------------------------------------------------


def test_Y01_the_years_fee_rate_is_set_on_the_custodians_performance_when_booked(yq):
    api, program, _ = yq
    _gain(api, program, "123456.78", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.as_("finance")
    body = {"year": 2025, "rate": "0.175", "performance": "托管规范，增值稳健，报告及时"}
    fee = finance.ok("POST", _fees(program), body, key="fee-2025", status=201)
    # 123,456.78 × 0.175 = 21,604.9365, exact and rounded half up to the fen once.
    assert (fee["amount"], fee["rate"]) == ("21604.94", "0.175000")
    assert fee["note"] == "托管规范，增值稳健，报告及时"
    [why] = fee["explanation"]
    assert why["rule"] == "Y-01" and "二(二)" in why["clause"]
    assert "根据资金托管机构履职情况（托管规范，增值稳健，报告及时）" in why["zh"]
    assert why["inputs"]["rate"] == "0.175" and why["inputs"]["bounds"] == ["0.15", "0.20"]

    books = ledger(api, program)
    assert books["balanced"] is True and books["wrong_side"] == []
    assert books["balances"]["fund:fees"] == "21604.94"
    assert books["pool_balance"] == "30101851.84"  # 30,000,000 + 123,456.78 − 21,604.94
    entries = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger/entries")
    [entry] = [e for e in entries if e["kind"] == "custodian_fee"]
    assert sorted((p["account"], p["amount"]) for p in entry["postings"]) == [
        ("fund:fees", "21604.94"),
        ("fund:pool", "-21604.94"),
    ]

    # Once a year: a second booking, at another rate, is refused and names the first.
    again = finance.ok(
        "POST", _fees(program), {**body, "rate": "0.20"}, key="fee-2025-b", status=409
    )
    assert again["fund_event_id"] == fee["id"]
    assert ledger(api, program)["balances"]["fund:fees"] == "21604.94"


def test_Y01_without_a_rate_the_programs_default_applies(yq):
    api, program, _ = yq
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    body = {"year": 2025, "performance": "履职良好"}
    fee = api.as_("office").ok("POST", _fees(program), body, key="fee", status=201)
    assert (fee["amount"], fee["rate"]) == ("15000.00", "0.150000")


def test_Y01_a_rate_outside_the_bounds_is_refused_naming_the_bound(yq):
    api, program, _ = yq
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.as_("finance")
    for rate, bound in (("0.149999", "custodian_fee_rate_min"), ("0.21", "custodian_fee_rate_max")):
        body = {"year": 2025, "rate": rate, "performance": "履职一般"}
        problem = finance.ok("POST", _fees(program), body, key=f"fee-{rate}", status=422)
        assert problem["errors"][0]["pointer"] == "/rate"
        assert bound in problem["detail"] and bound in problem["errors"][0]["detail"]
    assert "fund:fees" not in ledger(api, program)["balances"]  # nothing booked
    missing = finance.ok("POST", _fees(program), {"year": 2025}, key="fee-np", status=422)
    assert "performance" in str(missing)
    fee = finance.ok(  # the bound itself is allowed (15%–20%)
        "POST",
        _fees(program),
        {"year": 2025, "rate": "0.20", "performance": "履职优秀"},
        key="fee-max",
        status=201,
    )
    assert fee["amount"] == "20000.00"


def test_Y01_the_fee_rate_bounds_are_config_and_bind_the_default_too(api):
    today(api, dt.date(2025, 1, 10))
    program, _ = setup(api, custodian_fee_rate_min="0.16", custodian_fee_rate_max="0.18")
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.as_("finance")
    body = {"year": 2025, "performance": "履职良好"}
    problem = finance.ok("POST", _fees(program), body, key="fee-default", status=422)
    assert "custodian_fee_rate_min = 0.16" in problem["detail"]  # the default 0.15 is below
    problem = finance.ok("POST", _fees(program), {**body, "rate": "0.19"}, key="f19", status=422)
    assert "custodian_fee_rate_max = 0.18" in problem["detail"]
    fee = finance.ok("POST", _fees(program), {**body, "rate": "0.16"}, key="f16", status=201)
    assert fee["amount"] == "16000.00"


def test_Y01_ten_simultaneous_fee_bookings_at_different_rates_book_one(yq, rs_live):
    api, program, _ = yq
    _gain(api, program, "100000.00", "2025-H1")
    today(api, dt.date(2026, 1, 5))
    finance = api.live(rs_live, "finance")
    rates = [f"0.{150 + 5 * n}" for n in range(COPIES)]  # 0.150 … 0.195
    responses = race(
        [
            lambda r=r: finance.post(
                _fees(program), {"year": 2025, "rate": r, "performance": "履职良好"}, key=r
            )
            for r in rates
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (COPIES - 1), [r.text[:200] for r in responses]
    [fee] = [r.json() for r in responses if r.status_code == 201]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert all(p["fund_event_id"] == fee["id"] for p in refused)
    books = ledger(api, program)
    assert books["balanced"] is True and books["wrong_side"] == []
    # The one booked fee, at the winner's rate, and nothing else.
    assert books["balances"]["fund:fees"] == fee["amount"]
    assert fee["amount"] == f"{100000 * float(fee['rate']):.2f}"


# --- Y-01 / 五 the custodian's own reports --------------------------------------------------


def _reports(program):
    return f"{YQ}/programs/{program['id']}/custodian-reports"


def _file(api, program, kind, period, status=201, institution="yq-custodian", **extra):
    body = {"kind": kind, "period": period, "document_reference": f"延托报 {period}", **extra}
    return api.as_("custodian", institution=institution).ok(
        "POST", _reports(program), body, status=status
    )


def _overdue(api, program, day):
    """The overdue custodian reports monitoring shows on ``day``, as (kind, period, due)."""
    found = api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring?day={day}")
    return {
        (a["data"]["kind"], a["data"]["period"], a["data"]["due_on"])
        for a in found
        if a["code"] == "yanqing-custodian-report-overdue"
    }


def test_Y01_the_custodians_reports_are_due_after_each_half_year_and_by_31_May(yq):
    api, program, _ = yq
    today(api, dt.date(2025, 6, 30))
    early = _file(api, program, "half_yearly", "2025-H1", status=422)  # the half year is not over
    assert early["errors"][0]["pointer"] == "/period"
    bad = _file(api, program, "half_yearly", "2025", status=422)
    assert "2025-H1 or 2025-H2" in bad["detail"]

    today(api, dt.date(2025, 7, 30))
    h1 = _file(api, program, "half_yearly", "2025-H1", summary="上半年资金池变化情况")
    assert (h1["due_on"], h1["filed_on"], h1["late"]) == ("2025-07-30", "2025-07-30", False)
    assert h1["explanation"][0]["rule"] == "Y-01" and h1["explanation"][0]["passed"] is True
    assert "2025 年上半年" in h1["explanation"][0]["zh"]

    today(api, dt.date(2026, 2, 5))
    h2 = _file(api, program, "half_yearly", "2025-H2")  # due 30 January: filed, and late
    assert (h2["due_on"], h2["late"]) == ("2026-01-30", True)
    assert h2["explanation"][0]["passed"] is False and "已逾期" in h2["explanation"][0]["zh"]
    annual = _file(api, program, "annual", "2025", effective_on="2026-02-01")
    assert (annual["due_on"], annual["filed_on"], annual["late"]) == (
        "2026-05-31",
        "2026-02-01",
        False,
    )
    again = _file(api, program, "annual", "2025", status=409)
    assert again["custodian_report_id"] == annual["id"]

    listed = api.as_("finance").ok("GET", _reports(program))
    assert [(r["kind"], r["period"]) for r in listed] == [
        ("annual", "2025"),
        ("half_yearly", "2025-H1"),
        ("half_yearly", "2025-H2"),
    ]
    halves = api.as_("office").ok("GET", f"{_reports(program)}?kind=half_yearly")
    assert [r["period"] for r in halves] == ["2025-H1", "2025-H2"]


def test_Y01_the_half_yearly_report_days_are_config(api):
    today(api, dt.date(2025, 1, 10))
    program, _ = setup(api, half_yearly_report_days=10, annual_report_due="04-30")
    today(api, dt.date(2025, 7, 11))
    assert _file(api, program, "half_yearly", "2025-H1")["due_on"] == "2025-07-10"
    today(api, dt.date(2026, 1, 2))
    assert _file(api, program, "annual", "2025")["due_on"] == "2026-04-30"
    assert _overdue(api, program, "2026-01-02") == set()
    today(api, dt.date(2026, 1, 11))
    assert _overdue(api, program, "2026-01-11") == {("half_yearly", "2025-H2", "2026-01-10")}


def test_Y01_a_missing_report_is_overdue_from_the_day_after_its_due_date_until_filed(yq):
    api, program, _ = yq
    today(api, dt.date(2025, 7, 30))
    assert _overdue(api, program, "2025-07-30") == set()  # due today: not late yet
    found = api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring?day=2025-07-30")
    [due] = [a for a in found if a["code"] == "yanqing-custodian-report-due"]
    assert (due["severity"], due["data"]["period"]) == ("warning", "2025-H1")

    today(api, dt.date(2025, 7, 31))
    assert _overdue(api, program, "2025-07-31") == {("half_yearly", "2025-H1", "2025-07-30")}
    found = api.as_("auditor").ok("GET", f"/programs/{program['id']}/monitoring?day=2025-07-31")
    [alert] = [a for a in found if a["code"] == "yanqing-custodian-report-overdue"]
    assert alert["severity"] == "action"
    why = alert["explanation"]
    assert why["rule"] == "Y-01" and "二(二)" in why["clause"] and why["threshold"] == "2025-07-30"
    assert (
        why["zh"] == "资金托管机构应于 2025-07-30 前报送 2025 年上半年"
        "风险补偿资金变化情况报告（半年），逾期未报。"
    )
    assert english_in_chinese(found) == []

    today(api, dt.date(2025, 8, 4))
    _file(api, program, "half_yearly", "2025-H1")
    assert _overdue(api, program, "2025-08-04") == set()
    # Monitoring as of a day before the filing still shows the report missing then.
    assert _overdue(api, program, "2025-08-01") == {("half_yearly", "2025-H1", "2025-07-30")}

    # The annual report on 2025: due by 31 May 2026, overdue from 1 June.
    today(api, dt.date(2026, 1, 20))
    _file(api, program, "half_yearly", "2025-H2")
    today(api, dt.date(2026, 6, 1))
    assert _overdue(api, program, "2026-05-31") == set()
    assert _overdue(api, program, "2026-06-01") == {("annual", "2025", "2026-05-31")}
    _file(api, program, "annual", "2025")
    assert _overdue(api, program, "2026-06-01") == set()


def test_Y01_only_the_programs_custodian_files_its_reports_and_reads_them(yq, other_api):
    """Y-01: the program's config names its custodian; a custodian acting for another
    institution neither files nor reads the program's reports (403 citing Y-01), and is the
    custodian of its own program only."""
    api, program, _ = yq
    office = api.as_("office")
    office.ok(
        "POST",
        "/institutions",
        {"code": "yq-custodian-2", "name": "托管二", "kind": "custodian"},
        201,
    )
    second = office.ok(
        "POST",
        "/programs",
        {
            "code": "yanqing-2025-b",
            "name": "延庆二期",
            "policy": "yanqing",
            "config": {"custodian": "yq-custodian-2"},
            "fund_total": "1000000.00",
            "effective_from": "2025-01-01",
            "effective_to": "2027-12-31",
        },
        status=201,
    )
    today(api, dt.date(2025, 7, 5))
    body = {"kind": "half_yearly", "period": "2025-H1", "document_reference": "x"}
    assert office.call("POST", _reports(program), body).status_code == 403
    lender = api.as_("lender", institution="yq-bank")
    assert lender.call("POST", _reports(program), body).status_code == 403
    not_custodian = api.as_("custodian", institution="yq-bank").ok(
        "POST", _reports(program), body, status=403
    )
    assert "custodian" in not_custodian["detail"]
    assert api.as_("office").ok("GET", _reports(program)) == []  # nothing was filed

    mine = _file(api, program, "half_yearly", "2025-H1")
    refused = _file(
        api, program, "half_yearly", "2025-H1", status=403, institution="yq-custodian-2"
    )
    rule = refused["rule"]
    assert (rule["rule"], rule["inputs"]["core_rule"]) == ("Y-01", "CORE-PAYER")
    assert "二(二)" in rule["clause"] and "yq-custodian" in rule["zh"]
    assert "yq-custodian-2" in rule["en"] and "托管机构" in rule["zh"]
    assert english_in_chinese(refused, ["yq-custodian-2", "yq-custodian", "yanqing-2025"]) == []
    theirs = _file(api, second, "half_yearly", "2025-H1", institution="yq-custodian-2")
    custodian = api.as_("custodian", institution="yq-custodian")
    custodian_2 = api.as_("custodian", institution="yq-custodian-2")
    assert [r["id"] for r in custodian.ok("GET", _reports(program))] == [mine["id"]]
    assert [r["id"] for r in custodian_2.ok("GET", _reports(second))] == [theirs["id"]]
    assert custodian_2.ok("GET", _reports(program), status=403)["rule"]["rule"] == "Y-01"
    assert custodian.call("GET", _reports(second)).status_code == 403
    for role in ("office", "reviewer", "finance", "auditor"):
        assert len(api.as_(role).ok("GET", _reports(program))) == 1
    assert lender.call("GET", _reports(program)).status_code == 403

    # Another district's users do not reach this program's reports at all.
    other_api.as_("office").ok(
        "POST", "/institutions", {"code": "yq-custodian", "name": "托管", "kind": "custodian"}, 201
    )
    outsider = other_api.as_("custodian", institution="yq-custodian")
    assert outsider.call("GET", _reports(program)).status_code == 404
    assert outsider.call("POST", _reports(program), body).status_code == 404
    assert other_api.as_("auditor").call("GET", _reports(program)).status_code == 404


def test_Y01_a_custodian_the_program_does_not_name_neither_pays_nor_reads_its_money(yq):
    """Y-01: the custodian the program's config names (``custodian``) alone confirms its
    payments, books its gains and reads its money records; another custodian of the tenant
    finds none of them (404, an empty list) or is refused citing Y-01 (403), and changes
    nothing."""
    api, program, insts = yq
    api.as_("office").ok(
        "POST",
        "/institutions",
        {"code": "yq-custodian-2", "name": "托管二", "kind": "custodian"},
        201,
    )
    f, _ = graded_firm(api, program, insts, 301, "medium")
    loan = register_loan(api, f, insts, "YQ-301", principal="1000000.00")
    today(api, dt.date(2025, 5, 10))
    non_performing(api, loan, "2025-05-09")
    joint_review(api, claim(api, loan, "1000000.00"))
    today(api, dt.date(2025, 7, 3))
    paid_on_its_own(api, program)
    plan = half_year_plan(api, program, "2025-06-30")
    pid = program["id"]
    custodian = api.as_("custodian", institution="yq-custodian")
    [payment] = custodian.ok("GET", "/disbursements")
    books = ledger(api, program)

    other = api.as_("custodian", institution="yq-custodian-2")
    assert other.ok("GET", "/disbursements") == []
    assert other.ok("GET", "/plans") == [] and other.ok("GET", "/recoveries") == []
    for path in (f"/disbursements/{payment['id']}", f"/plans/{plan['id']}"):
        assert other.call("GET", path).status_code == 404
    confirm = f"/disbursements/{payment['id']}/confirm"
    assert other.call("POST", confirm, {"payment_reference": "x"}, key="x").status_code == 404
    for path in (
        f"/programs/{pid}/ledger",
        f"/programs/{pid}/ledger/entries",
        f"{YQ}/programs/{pid}/fund-state",
        f"{YQ}/programs/{pid}/premium-subsidies",
    ):
        refused = other.ok("GET", path, status=403)
        assert refused["rule"]["rule"] == "Y-01", path
    gain = {"amount": "1.00", "reference": "G"}
    refused = other.ok("POST", f"{YQ}/programs/{pid}/gains", gain, key="g", status=403)
    assert refused["rule"]["inputs"]["core_rule"] == "CORE-PAYER"
    assert "yq-custodian-2" in refused["rule"]["en"] and "托管机构" in refused["rule"]["zh"]
    assert ledger(api, program) == books
    assert custodian.ok("GET", f"/disbursements/{payment['id']}")["state"] == "instructed"

    # The program's own custodian reads and pays it.
    assert custodian.ok("GET", f"/programs/{pid}/ledger")["balanced"] is True
    assert confirm_payment(api, payment, "pay-301")["state"] == "confirmed"


# --- Y-13 / 五 the half-yearly recovery report to the district government -------------------


def _recover(api, claim_, received_on, recovered, costs="0.00", *, confirm=True):
    recovery = api.as_("lender", institution="yq-bank").ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claim_["id"],
            "received_on": received_on,
            "recovered": recovered,
            "costs": costs,
        },
        status=201,
    )
    if confirm:
        api.as_("finance").ok("POST", f"/recoveries/{recovery['id']}/confirm-return")
    return recovery


def _recoveries_section(report):
    [section] = [s for s in report["sections"] if s["key"] == "yanqing-recoveries"]
    return section


def test_Y13_the_half_yearly_report_lists_each_compensated_loans_recovery_and_reconciles(yq):
    api, program, insts = yq
    firms = {
        name: graded_firm(api, program, insts, n, grade)[0]
        for n, (name, grade) in enumerate((("A", "medium"), ("B", "low"), ("C", "medium")), 201)
    }
    loans = {name: register_loan(api, f, insts, f"YQ-{name}") for name, f in firms.items()}
    today(api, dt.date(2025, 5, 10))
    for loan in loans.values():
        non_performing(api, loan, "2025-05-09")
    claims = {"A": claim(api, loans["A"], "3000000.00"), "B": claim(api, loans["B"], "1234567.89")}
    assert claims["B"]["amount"] == "246913.58"  # 20%, half up
    for c in claims.values():
        joint_review(api, c)
    claim(api, loans["C"], "1000000.00")  # claimed, never reviewed nor paid
    today(api, dt.date(2025, 7, 3))
    paid_on_its_own(api, program)  # Y-12: the first half year is paid on its own, approved
    half_year_plan(api, program, "2025-06-30")
    custodian = api.as_("custodian", institution="yq-custodian")
    for n, d in enumerate(custodian.ok("GET", "/disbursements")):
        confirm_payment(api, d, f"pay-{n}")

    # 2025-H2: A recovers 1,000,000.01 less 0.01 of costs (half back to the pool, returned);
    # B recovers 100,000 (20% due back, not returned yet) and is then written off.
    today(api, dt.date(2025, 9, 1))
    _recover(api, claims["A"], "2025-09-01", "1000000.01", "0.01")
    _recover(api, claims["B"], "2025-09-01", "100000.00", confirm=False)
    today(api, dt.date(2025, 10, 10))
    write_off = api.as_("lender", institution="yq-bank").ok(
        "POST",
        "/write-offs",
        {
            "loan_id": loans["B"]["id"],
            "ground": "bankruptcy_liquidation",
            "approved_on": "2025-10-10",
            "net_loss": "226913.58",
        },
        status=201,
    )
    for role in ("reviewer", "finance"):
        api.as_(role).ok(
            "POST",
            f"/write-offs/{write_off['id']}/reviews",
            {"decision": "approve", "opinion": "同意核销"},
        )
    # 2026-H1: A recovers 200,000 more.
    today(api, dt.date(2026, 2, 1))
    _recover(api, claims["A"], "2026-02-01", "200000.00")

    office = api.as_("office")
    report = office.ok("GET", f"/programs/{program['id']}/reports/2025-H2")
    section = _recoveries_section(report)
    rows = {r["loan"]: r for r in section["rows"]}
    assert list(rows) == ["YQ-A", "YQ-B", "合计 total"]  # C was claimed, never compensated
    assert {k: rows["YQ-A"][k] for k in ("compensated_in_period", "recovered_in_period")} == {
        "compensated_in_period": "1500000.00",
        "recovered_in_period": "1000000.01",
    }
    assert (rows["YQ-A"]["due_to_pool_in_period"], rows["YQ-A"]["returned_in_period"]) == (
        "500000.00",
        "500000.00",
    )
    assert rows["YQ-A"]["written_off"] == "0.00"
    b = rows["YQ-B"]
    assert (b["compensated_to_date"], b["recovered_to_date"], b["due_to_pool_to_date"]) == (
        "246913.58",
        "100000.00",
        "20000.00",
    )
    assert (b["returned_to_date"], b["written_off"], b["loan_state"]) == (
        "0.00",
        "226913.58",  # 246,913.58 compensated − 20,000 due back
        "written_off",
    )
    total = rows["合计 total"]
    # The per-loan sums reconcile with the fund report's aggregate, to the fen.
    assert total["compensated_in_period"] == report["fund"]["paid_in_period"]["compensation"]
    assert total["compensated_to_date"] == report["fund"]["paid_to_date"]["compensation"]
    assert total["compensated_to_date"] == "1746913.58"
    assert total["returned_in_period"] == report["fund"]["returned_to_pool_in_period"]
    assert total["returned_to_date"] == report["fund"]["returned_to_pool_to_date"] == "500000.00"
    assert total["written_off"] == "226913.58"
    [why] = section["explanations"]
    assert why["rule"] == "Y-13" and "三(七)" in why["clause"]
    assert english_in_chinese(section["explanations"]) == []

    later = office.ok("GET", f"/programs/{program['id']}/reports/2026-H1")
    rows = {r["loan"]: r for r in _recoveries_section(later)["rows"]}
    a = rows["YQ-A"]
    assert (a["compensated_in_period"], a["compensated_to_date"]) == ("0.00", "1500000.00")
    assert (a["recovered_in_period"], a["returned_in_period"], a["returned_to_date"]) == (
        "200000.00",
        "100000.00",
        "600000.00",
    )
    assert rows["合计 total"]["returned_in_period"] == later["fund"]["returned_to_pool_in_period"]
    assert rows["合计 total"]["returned_to_date"] == later["fund"]["returned_to_pool_to_date"]

    # The same section in the workbook: a sheet of its own, the same figures.
    response = api.as_("auditor").get(f"/programs/{program['id']}/reports/2025-H2?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["yanqing-recoveries"]
    title, _period, zh, en, *table = list(sheet.iter_rows(values_only=True))
    assert title[0] == section["title"]
    assert zh[:6] == ("贷款编号", "贷款", "企业", "申请机构", "贷款状态", "本期代偿")
    assert en[-1] == "Written off"
    header = tuple(section["columns"])
    by_loan = {r[header.index("loan")]: dict(zip(header, r, strict=True)) for r in table[:3]}
    # Amounts are numbers, formatted with thousands separators.
    assert by_loan["YQ-B"]["written_off"] == 226913.58  # a float, as Excel keeps it
    assert by_loan["合计 total"]["compensated_to_date"] == 1746913.58
    assert by_loan["合计 total"]["returned_in_period"] == 500000
    assert sheet.cell(5, header.index("written_off") + 1).number_format == "#,##0.00"
