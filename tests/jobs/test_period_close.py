"""Period close, run by the real worker: once a period has ended, the period work each
policy declares happens as jobs. Xinxiang's year-end summary and proposed plan wait for the
office (X-12) and each month's report is stored for the leading group (X-19); Yanqing's half
year's claims become the DRC's review list (Y-12); and a pool that grew by a path that did
not tell the policy is re-evaluated at the month's close (Y-14). A close that runs again
makes no second plan or report."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from test_outbox import ask, db, rows

from conftest import wait_for
from riskshare.db import tenant_session
from riskshare.documents.models import Document
from riskshare.jobs.models import DONE
from riskshare.jobs.period_close import CLOSE, close_key, plan_period_closes
from riskshare.ledger import service as ledger
from riskshare.plans.models import AllocationPlan
from riskshare.testing import today

# The plugins' own test helpers build their worlds through the API as their tests do.
PLUGINS = Path(__file__).resolve().parents[2] / "policy_plugins"
for plugin in ("xinxiang", "yanqing"):
    if str(PLUGINS / plugin / "tests") not in sys.path:
        sys.path.append(str(PLUGINS / plugin / "tests"))

from xinxiang_world import build  # noqa: E402
from yanqing_steps import (  # noqa: E402
    claim,
    confirm_payment,
    graded_firm,
    half_year_plan,
    joint_review,
    non_performing,
    register_loan,
    setup,
)


def close(api, on, worker):
    """The scheduler's hourly asking on ``on`` (Asia/Shanghai), then every close it asked
    for run by the worker; returns the keys asked for this tenant."""
    today(api, on)
    asked = [
        key.split("/", 1)[1]
        for key in plan_period_closes(api.app.extensions["riskshare"])
        if key.startswith(f"{api.tenant}/")
    ]
    wait_for(
        lambda: all(r.state == DONE for r in rows(api)),
        what=f"the period close of {on}",
        log=worker.log_path,
    )
    return asked


def plans(api):
    return api.as_("office").ok("GET", "/plans")


def stored(api, program, role="office"):
    return api.as_(role).ok("GET", f"/programs/{program['id']}/reports/stored")


def counts(api):
    with tenant_session(db(api), api.tenant) as session:
        return (
            session.scalar(select(func.count()).select_from(AllocationPlan)),
            session.scalar(
                select(func.count())
                .select_from(Document)
                .where(Document.owner_type == "program_report")
            ),
        )


# ------------------------------------------------------------------------------- Xinxiang


def xinxiang_year(api):
    """2022: one claim approved (90,000 = 30% of 300,000), one rejected."""
    world = build(api)
    for name, principal in (("a", "300000.00"), ("b", "200000.00")):
        world.firm(name)
        loan = world.loan(name, f"L-{name}", principal)
        world.default(loan, "2022-09-01", dt.date(2022, 9, 2))
        made = world.claim(world.bank(), loan, principal)
        today(api, dt.date(2022, 9, 5))
        if name == "a":
            world.approve(made)
        else:
            api.as_("reviewer").ok(
                "POST",
                f"/claims/{made['id']}/reviews",
                {"decision": "reject", "opinion": "材料不全"},
                status=201,
            )
    return world


def test_X12_X19_the_year_end_close_proposes_the_plan_and_stores_the_report_once(api, worker):
    world = xinxiang_year(api)
    pid = world.pid
    asked = close(api, dt.date(2023, 1, 3), worker)
    assert asked == [
        close_key(pid, "plan", "2022"),
        close_key(pid, "report", "2022-12"),
        close_key(pid, "pool", "2022-12"),
    ]

    # the year's summary (approved and rejected) and the plan wait for the office.
    [plan] = plans(api)
    assert (plan["period"], plan["state"]) == ("2022", "draft")
    assert plan["proposed_by"] == "riskshare-jobs"
    assert [(i["allocated"], i["carried"]) for i in plan["items"]] == [("90000.00", "0.00")]
    summary = next(e for e in plan["explanations"] if e["result"] == "2 reviewed")
    assert summary["rule"] == "X-12"
    assert (summary["inputs"]["approved"], summary["inputs"]["rejected"]) == (1, 1)
    assert plan["summary_due_on"] == "2023-01-16"

    # December's report, stored for the leading group and the platform's staff.
    [report] = stored(api, world.program, role="reviewer")
    assert (report["period"], report["made_by"]) == ("2022-12", "riskshare-jobs")
    response = api.as_("approver").get(f"/programs/{pid}/reports/stored/{report['id']}")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames[0] == "资金情况" and "贷款明细" in book.sheetnames
    loans = list(book["贷款明细"].iter_rows(values_only=True))
    assert loans[1][:2] == ("Loan id", "Reference") and len(loans) == 2  # none issued in Dec
    # a bank does not read the fund's reports.
    assert stored_status(api, world.program, "lender", "bank-a") == 403

    # The hourly asking again, a retry under another key, and the next day: nothing new.
    assert close(api, dt.date(2023, 1, 3), worker) == asked
    for key in asked:
        [row] = [r for r in rows(api) if r.key == key]
        ask(api, CLOSE, f"{key}:again", **row.args)
    wait_for(lambda: all(r.state == DONE for r in rows(api)), what="the retried closes")
    close(api, dt.date(2023, 1, 4), worker)
    assert counts(api) == (1, 1)


def stored_status(api, program, role, institution=None):
    return (
        api.as_(role, institution=institution)
        .get(f"/programs/{program['id']}/reports/stored")
        .status_code
    )


def test_X12_a_year_without_reviewed_claims_proposes_no_plan(api, worker):
    world = build(api)
    close(api, dt.date(2023, 1, 3), worker)
    assert plans(api) == []
    assert [r["period"] for r in stored(api, world.program)] == ["2022-12"]


# -------------------------------------------------------------------------------- Yanqing


def approved_claim(api, program, insts, n, principal="1000000.00"):
    f, _ = graded_firm(api, program, insts, n, "medium")
    loan = register_loan(api, f, insts, f"L-{n}", principal=principal)
    today(api, dt.date(2025, 6, 2))
    non_performing(api, loan, "2025-06-01")
    made = claim(api, loan, principal)
    joint_review(api, made)
    return made


def test_Y12_the_half_years_claims_become_the_DRCs_review_list(api, worker):
    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api)
    made = approved_claim(api, program, insts, 1)
    asked = close(api, dt.date(2025, 7, 1), worker)
    assert close_key(program["id"], "plan", "2025-H1") in asked
    [plan] = plans(api)
    assert (plan["period"], plan["state"]) == ("2025-H1", "draft")
    assert [i["claim_id"] for i in plan["items"]] == [made["id"]]
    assert "Y-12" in {e["rule"] for e in plan["explanations"]}
    # Y-13 / 五: the half-yearly fund report is stored too.
    assert [r["period"] for r in stored(api, program)] == ["2025-H1"]


def test_Y14_a_pool_grown_behind_the_policys_back_resumes_at_the_months_close(api, worker):
    """Suspended at 1,000,000 of net compensation, restarting at 29,500,000 in the pool: an
    appropriation booked without the policy hearing of it (as a loaded history or a hand
    correction would be) is heard by January's close."""
    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api, suspend_at="1000000.00", resume_at="29500000.00")
    approved_claim(api, program, insts, 11, principal="2000000.00")
    today(api, dt.date(2026, 1, 5))
    half_year_plan(api, program, "2025-12-31")
    [payment] = api.as_("custodian", institution="yq-custodian").ok("GET", "/disbursements")
    confirm_payment(api, payment, "pay-1")
    with tenant_session(db(api), api.tenant) as session:
        ledger.transfer(
            session,
            program_id=program["id"],
            source_key="appropriation:behind-the-api",
            kind="appropriation",
            booked_on=dt.date(2026, 1, 15),
            memo="budget appropriation",
            debit="fund:pool",
            credit="fund:capital",
            amount=Decimal("500000.00"),
        )
    state_path = f"/yanqing/programs/{program['id']}/fund-state"
    assert api.as_("office").ok("GET", state_path)["suspended"] is True

    asked = close(api, dt.date(2026, 2, 2), worker)
    assert close_key(program["id"], "pool", "2026-01") in asked
    state = api.as_("office").ok("GET", state_path)
    assert (state["suspended"], state["changed_on"], state["pool_balance"]) == (
        False,
        "2026-02-02",
        "29500000.00",
    )
    assert state["explanation"][0]["rule"] == "Y-14"
