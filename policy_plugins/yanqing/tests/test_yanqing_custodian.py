"""The custodian's fee and its own reports (Y-01), and the half-yearly recovery report to the
district government (Y-13), through the HTTP API.

Y-01: the DRC and the finance bureau set each year's fee rate within the configured bounds
(15%-20%) according to the custodian's performance when they book the fee, once a year.
"""

from __future__ import annotations

import datetime as dt

from yanqing_steps import YQ, ledger, setup

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
        why["zh"] == "资金托管机构应于 2025-07-30 前报送2025 年上半年"
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


def test_Y01_only_the_custodian_files_its_reports_and_each_sees_its_own(yq, other_api):
    api, program, _ = yq
    office = api.as_("office")
    office.ok(
        "POST",
        "/institutions",
        {"code": "yq-custodian-2", "name": "托管二", "kind": "custodian"},
        201,
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
    theirs = _file(api, program, "annual", "2024", status=422, institution="yq-custodian-2")
    assert "before the program started" in theirs["detail"]
    today(api, dt.date(2026, 1, 5))
    theirs = _file(api, program, "half_yearly", "2025-H2", institution="yq-custodian-2")
    own = api.as_("custodian", institution="yq-custodian").ok("GET", _reports(program))
    assert [r["id"] for r in own] == [mine["id"]]
    other = api.as_("custodian", institution="yq-custodian-2").ok("GET", _reports(program))
    assert [r["id"] for r in other] == [theirs["id"]]
    for role in ("office", "reviewer", "finance", "auditor"):
        assert len(api.as_(role).ok("GET", _reports(program))) == 2
    assert lender.call("GET", _reports(program)).status_code == 403

    # Another district's users do not reach this program's reports at all.
    other_api.as_("office").ok(
        "POST", "/institutions", {"code": "yq-custodian", "name": "托管", "kind": "custodian"}, 201
    )
    outsider = other_api.as_("custodian", institution="yq-custodian")
    assert outsider.call("GET", _reports(program)).status_code == 404
    assert outsider.call("POST", _reports(program), body).status_code == 404
    assert other_api.as_("auditor").call("GET", _reports(program)).status_code == 404
