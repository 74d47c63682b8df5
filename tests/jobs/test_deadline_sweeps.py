"""The daily deadline sweep, run by the real worker: a missed deadline the core records (a
claim unreviewed past its review date) becomes one alert on /monitoring with its rule and
due date, whatever the retries and days, until the step is taken; sweeps are asked for on
working days in Asia/Shanghai only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from test_outbox import ask, db, rows

from conftest import wait_for
from factories import register_loan, setup_program
from riskshare.db import tenant_session
from riskshare.jobs import runner
from riskshare.jobs.models import DONE, DeadlineAlert
from riskshare.jobs.sweeps import SWEEP, plan_deadline_sweeps
from riskshare.testing import today

SUBMITTED = dt.date(2024, 3, 4)  # a Monday; the toy policy gives 5 working days (T-4)
DUE = dt.date(2024, 3, 11)


def unreviewed_claim(api):
    program, bank, firm = setup_program(api)
    loan = register_loan(api, firm, bank, "L-late", "100000.00", classification="loss")
    today(api, SUBMITTED)
    claim = api.as_("lender", institution="bank-a").ok(
        "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": "100000.00"}, status=201
    )
    assert claim["review_due_on"] == DUE.isoformat()
    return program, claim


def sweep(api, day, worker, key=None):
    outbox_id = ask(api, SWEEP, key or f"{SWEEP}:{day}", day=day)
    wait_for(
        lambda: any(r.id == outbox_id and r.state == DONE for r in rows(api)),
        what=f"the sweep of {day}",
        log=worker.log_path,
    )


def deadline_alerts(api, program, day):
    found = api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring?day={day}")
    return [a for a in found if a["code"].startswith("deadline.")]


def recorded(api):
    with tenant_session(db(api), api.tenant) as session:
        return session.scalar(select(func.count()).select_from(DeadlineAlert))


def test_a_missed_review_is_one_alert_with_its_rule_and_due_date(api, worker):
    program, claim = unreviewed_claim(api)
    sweep(api, DUE, worker)  # due that day: not late yet
    assert deadline_alerts(api, program, DUE) == []

    sweep(api, dt.date(2024, 3, 12), worker)
    [alert] = deadline_alerts(api, program, dt.date(2024, 3, 12))
    assert (alert["code"], alert["rule"], alert["due_on"]) == (
        "deadline.claim_review",
        "T-4",
        DUE.isoformat(),
    )
    assert (alert["subject_type"], alert["subject_id"]) == ("claim", claim["id"])
    assert alert["explanation"]["rule"] == "T-4" and "已逾期" in alert["explanation"]["zh"]

    # The next day, and the same day again under another key (a retry that slipped past
    # job_runs): still the one alert.
    sweep(api, dt.date(2024, 3, 13), worker)
    sweep(api, dt.date(2024, 3, 13), worker, key=f"{SWEEP}:2024-03-13:again")
    assert recorded(api) == 1
    assert len(deadline_alerts(api, program, dt.date(2024, 3, 13))) == 1

    # Reviewed late: the next sweep resolves the alert; the days before still show it.
    today(api, dt.date(2024, 3, 14))
    api.as_("reviewer").ok(
        "POST",
        f"/claims/{claim['id']}/reviews",
        {"decision": "approve", "opinion": "ok"},
        status=201,
    )
    sweep(api, dt.date(2024, 3, 15), worker)
    assert deadline_alerts(api, program, dt.date(2024, 3, 15)) == []
    assert len(deadline_alerts(api, program, dt.date(2024, 3, 13))) == 1


def test_a_sweep_run_twice_records_nothing_twice(api):
    unreviewed_claim(api)
    for key in ("first", "second"):
        outbox_id = ask(api, SWEEP, f"{SWEEP}:2024-03-12:{key}", day="2024-03-12")
        runner.execute(api.app, api.tenant, outbox_id)
    assert recorded(api) == 1


def test_sweeps_are_asked_for_on_working_days_once_a_day(api):
    ext = api.app.extensions["riskshare"]
    today(api, dt.date(2024, 3, 9))  # a Saturday
    assert api.tenant not in plan_deadline_sweeps(ext)
    today(api, dt.date(2024, 4, 4))  # 清明节 (Qingming), a statutory holiday on a Thursday
    assert api.tenant not in plan_deadline_sweeps(ext)
    today(api, dt.date(2024, 4, 7))  # a Sunday worked in exchange (调休): a working day
    assert api.tenant in plan_deadline_sweeps(ext)
    assert api.tenant in plan_deadline_sweeps(ext)  # the hourly asking again
    assert [r.key for r in rows(api)] == [f"{SWEEP}:2024-04-07"]
