"""R-4 under simultaneous requests, through a real threaded server on PostgreSQL.

The committee approves under the program's lock and the core asks the policy's
``riskshare_check_allocation`` again there, so two plans that each fit bank-a's yearly room
alone cannot both be granted, however close together they are approved; and ten clicks of
the trustee on one payment pay it once.
"""

from __future__ import annotations

import datetime as dt

from riverside_county import LOSS, County

from riskshare.testing import race, today


def test_R4_two_quarter_plans_approved_at_once_grant_one_institution_at_most_its_yearly_room(
    api, rs_live
):
    county = County(api)
    county.firm("river-a")
    loan = county.loan("river-a", "L-q1", "800000.00", **LOSS)
    county.committee_approves(county.claim(loan, "800000.00"))  # 240,000 (R-3: 0.30)

    # Each plan alone fits bank-a's 300,000 room: Q1's takes the claim approved in Q1,
    # Q2's (proposed while Q1's is still waiting, nothing granted yet) the one of Q2.
    today(api, dt.date(2025, 4, 2))
    q1 = county.plan("2025-03-31")
    api.as_("office").ok("POST", f"/plans/{q1['id']}/submit")
    today(api, dt.date(2025, 5, 6))
    loan = county.loan("river-a", "L-q2", "800000.00", issue_date="2025-05-06", **LOSS)
    county.committee_approves(county.claim(loan, "800000.00"))
    today(api, dt.date(2025, 7, 2))
    q2 = county.plan("2025-06-30")
    api.as_("office").ok("POST", f"/plans/{q2['id']}/submit")
    for plan in (q1, q2):
        assert [i["allocated"] for i in plan["items"]] == ["240000.00"]

    committee = api.live(rs_live, "committee")
    responses = race(
        [lambda p=p: committee.post(f"/plans/{p['id']}/approve", {}) for p in (q1, q2)]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 422], [(r.status_code, r.text[:300]) for r in responses]
    [loser] = [r.json() for r in responses if r.status_code == 422]
    assert loser["rule"]["rule"] == "R-4" and loser["rule"]["passed"] is False
    assert loser["rule"]["inputs"]["room"] == "60000.00"  # 300,000 − the winner's 240,000
    ledger = api.as_("auditor").ok("GET", f"{county.base()}/ledger")
    assert ledger["balanced"] is True
    assert ledger["balances"]["expense:compensation"] == "240000.00"


def test_ten_simultaneous_confirmations_by_the_trustee_pay_once(api, rs_live):
    county = County(api)
    county.firm("river-a")
    loan = county.loan("river-a", "L-1", "500000.00", **LOSS)
    claim = county.committee_approves(county.claim(loan, "500000.00"))  # 150,000
    today(api, dt.date(2025, 4, 2))
    plan = county.plan("2025-03-31")
    api.as_("office").ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("committee").ok("POST", f"/plans/{plan['id']}/approve")
    [payment] = county.trustee().ok("GET", "/disbursements")

    trustee = api.live(rs_live, "trustee", institution="trust")
    responses = race(
        [
            lambda: trustee.post(
                f"/disbursements/{payment['id']}/confirm", {"payment_reference": "TR-1"}
            )
            for _ in range(10)
        ]
    )
    assert sorted(r.status_code for r in responses).count(200) == 1
    assert api.as_("auditor").ok("GET", f"/claims/{claim['id']}")["state"] == "paid"
    ledger = api.as_("auditor").ok("GET", f"{county.base()}/ledger")
    assert ledger["balanced"] is True and ledger["pool_balance"] == "4850000.00"
