"""Reminders of deadlines, sent by the daily sweep run by the real worker: each deadline is
reminded once per stage (due soon, due today, late) to the people who must act, whatever
the retries and the sweeps of later days; each user reads its own inbox (its roles, its
institution) and marks what it has read; an institution never sees another's."""

from __future__ import annotations

import datetime as dt

from test_deadline_sweeps import DUE, sweep, unreviewed_claim
from test_outbox import ask

from factories import register_loan, setup_program
from riskshare.jobs import runner
from riskshare.jobs.sweeps import SWEEP
from riskshare.testing import today

INBOX = "/notifications"


def inbox(caller, query=""):
    return caller.ok("GET", f"{INBOX}{query}")


def stages(caller):
    return sorted((n["subject_type"], n["subject_id"], n["stage"]) for n in inbox(caller))


def test_each_stage_of_a_review_deadline_is_sent_once(api, worker):
    """T-4 (the toy policy's 5 working days to review): the claim submitted on 4 March is
    due on 11 March; the reviewers are reminded on the 6th (due within 3 working days), on
    the 11th (due today) and on the 12th (late), once each however often the sweep runs."""
    program, claim = unreviewed_claim(api)
    reviewer = api.as_("reviewer")

    sweep(api, dt.date(2024, 3, 5), worker)  # due in 4 working days: nothing yet
    assert inbox(reviewer) == []

    sweep(api, dt.date(2024, 3, 6), worker)
    [soon] = inbox(reviewer)
    assert (soon["stage"], soon["rule"], soon["due_on"]) == ("due_soon", "T-4", DUE.isoformat())
    assert (soon["subject_type"], soon["subject_id"]) == ("claim", claim["id"])
    assert (soon["kind"], soon["role"], soon["program_id"]) == (
        "claim_review",
        "reviewer",
        program["id"],
    )
    assert soon["explanation"]["rule"] == "T-4" and "即将到期" in soon["explanation"]["zh"]
    assert soon["read"] is False

    # The same day again under another key (a retry that slipped past job_runs) and the
    # next working day: still due soon, sent already.
    sweep(api, dt.date(2024, 3, 6), worker, key=f"{SWEEP}:2024-03-06:again")
    sweep(api, dt.date(2024, 3, 7), worker)
    assert len(inbox(reviewer)) == 1

    sweep(api, DUE, worker)
    sweep(api, DUE, worker, key=f"{SWEEP}:{DUE}:again")
    sweep(api, dt.date(2024, 3, 12), worker)
    sweep(api, dt.date(2024, 3, 13), worker)
    sweep(api, dt.date(2024, 3, 13), worker, key=f"{SWEEP}:2024-03-13:again")
    claim_key = ("claim", claim["id"])
    assert stages(reviewer) == [
        (*claim_key, "due_soon"),
        (*claim_key, "due_today"),
        (*claim_key, "late"),
    ]
    [late] = inbox(reviewer, "?unread=true&page_size=1")  # newest first
    assert late["stage"] == "late" and "已逾期" in late["explanation"]["zh"]

    # Read marks are each user's own.
    assert reviewer.ok("GET", f"{INBOX}/counts") == {"total": 3, "unread": 3}
    assert reviewer.ok("POST", f"{INBOX}/{late['id']}/read")["read"] is True
    reviewer.ok("POST", f"{INBOX}/{late['id']}/read")  # again: nothing changes
    assert reviewer.ok("GET", f"{INBOX}/counts") == {"total": 3, "unread": 2}
    assert [n["id"] for n in inbox(reviewer, "?unread=false")] == [late["id"]]
    colleague = api.as_("reviewer", user="second-reviewer")
    assert colleague.ok("GET", f"{INBOX}/counts") == {"total": 3, "unread": 3}
    # Not addressed to the lender (nor to the office): the reviewers act.
    assert inbox(api.as_("lender", institution="bank-a")) == []
    assert inbox(api.as_("office")) == []


MATURITY = dt.date(2024, 6, 3)  # overdue from 4 June
FILING_DUE = dt.date(2024, 6, 12)  # 5 working days on (10 June is the Dragon Boat Festival)


def test_an_unfiled_overdue_reaches_its_bank_and_no_other(api, worker):
    """X-08's overdue filing (the toy policy's own 5 working days, T-4): a loan of bank-a
    matured unpaid and not filed overdue reminds bank-a's users, due soon and then late;
    bank-b's lender sees none of it, cannot mark it read, and counts nothing."""
    program, bank, firm = setup_program(api)
    api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    loan = register_loan(api, firm, bank, "L-matured", maturity_date=MATURITY.isoformat())
    bank_a, bank_b = (api.as_("lender", institution=b) for b in ("bank-a", "bank-b"))

    sweep(api, dt.date(2024, 6, 5), worker)  # due in 4 working days
    assert inbox(bank_a) == []
    sweep(api, dt.date(2024, 6, 6), worker)
    sweep(api, dt.date(2024, 6, 13), worker)
    sweep(api, dt.date(2024, 6, 13), worker, key=f"{SWEEP}:2024-06-13:again")
    found = inbox(bank_a)
    assert sorted(n["stage"] for n in found) == ["due_soon", "late"]
    assert {(n["subject_type"], n["subject_id"], n["rule"], n["due_on"]) for n in found} == {
        ("loan", loan["id"], "T-4", FILING_DUE.isoformat())
    }
    assert {n["institution_id"] for n in found} == {bank["id"]}

    assert inbox(bank_b) == []
    assert bank_b.ok("GET", f"{INBOX}/counts") == {"total": 0, "unread": 0}
    bank_b.call("POST", f"{INBOX}/{found[0]['id']}/read", expect=404)
    assert bank_a.ok("GET", f"{INBOX}/counts") == {"total": 2, "unread": 2}

    # The late filing also shows on /monitoring with its rule and due date.
    [alert] = [
        a
        for a in api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring?day=2024-06-13")
        if a["code"] == "deadline.overdue_filing"
    ]
    assert (alert["rule"], alert["due_on"], alert["subject_id"]) == (
        "T-4",
        FILING_DUE.isoformat(),
        loan["id"],
    )


def test_a_filed_overdue_is_reminded_no_more(api):
    """Filed (late) on the 13th: the sweep of the 14th finds nothing owed."""
    _program, bank, firm = setup_program(api)
    loan = register_loan(api, firm, bank, "L-matured", maturity_date=MATURITY.isoformat())
    bank_a = api.as_("lender", institution="bank-a")
    runner.execute(api.app, api.tenant, ask(api, SWEEP, "s-07", day="2024-06-07"))
    today(api, dt.date(2024, 6, 13))
    bank_a.ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {"kind": "overdue_filing", "event_date": "2024-06-04"},
        status=201,
    )
    runner.execute(api.app, api.tenant, ask(api, SWEEP, "s-14", day="2024-06-14"))
    assert [n["stage"] for n in inbox(bank_a)] == ["due_soon"]
