"""Recommendation, joint review, the district's approval and pushes (Y-02 … Y-08), over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from yanqing_steps import (
    DOCUMENTS,
    SEATS,
    YQ,
    approve,
    documents,
    firm,
    graded_firm,
    prescreen,
    push,
    recommend,
    uscc,
    vote,
    vote_all,
)

from riskshare.testing import today


def test_Y02_Y03_a_complete_recommendation_records_its_checks(yq):
    api, program, _ = yq
    rec = recommend(api, program, firm(api, 1), affiliates=[], shareholders=["张三"])
    assert rec["state"] == "recommended" and rec["quarter"] == "2025-Q1"
    assert {c["rule"] for c in rec["checks"]} == {"Y-02", "Y-03", "Y-04", "Y-05", "Y-17"}
    assert all(c["passed"] for c in rec["checks"])

    # Y-03: the documents are kept with their SHA-256; another town does not see them.
    path = f"{YQ}/recommendations/{rec['id']}/documents"
    kept = api.as_("office").ok("GET", path)
    assert [d["kind"] for d in kept] == list(DOCUMENTS)
    sent = documents(DOCUMENTS[0])[0]
    content = base64.b64decode(sent["content_base64"])
    assert kept[0]["sha256"] == hashlib.sha256(content).hexdigest()
    download = api.as_("recommender", institution="yq-tourism").ok("GET", f"{path}/{kept[0]['id']}")
    assert download["content_base64"] == sent["content_base64"]
    other_town = api.as_("recommender", institution="yq-town")
    assert other_town.call("GET", path).status_code == 404


def test_Y02_a_firm_registered_outside_Yanqing_is_not_recommended(yq):
    api, program, _ = yq
    problem = recommend(api, program, firm(api, 2, division="110108"), status=422)
    assert problem["rule"]["rule"] == "Y-02" and "110108" in problem["rule"]["en"]


def test_Y02_large_firms_are_not_recommended_but_medium_ones_are(yq):
    api, program, _ = yq
    large = firm(api, 4, employees=400, revenue="200000000")
    assert large["size_class"] == "large"
    assert recommend(api, program, large, status=422)["rule"]["rule"] == "Y-02"
    medium = firm(api, 5, employees=150, revenue="20000000")
    assert medium["size_class"] == "medium"
    recommend(api, program, medium)


def test_Y03_missing_documents_refuse_the_recommendation(yq):
    api, program, _ = yq
    docs = documents(*(k for k in DOCUMENTS if k != "tax_filings"))
    problem = recommend(api, program, firm(api, 6), documents=docs, status=422)
    assert problem["rule"]["rule"] == "Y-03" and "tax_filings" in problem["rule"]["en"]


def test_Y03_only_departments_and_towns_recommend(yq):
    api, program, _ = yq
    f = firm(api, 7)
    body = {
        "firm_id": f["id"],
        "financing_need": "100000.00",
        "documents": [],
        "credit_record": {"entries": []},
    }
    bank = api.as_("recommender", institution="yq-bank")
    assert bank.post(f"{YQ}/programs/{program['id']}/recommendations", body).status_code == 403


def test_Y03_a_department_recommends_only_the_firms_it_registered(yq):
    """Y-03: each department or town recommends the firms it brought (registered itself); a
    firm another department, or the DRC, registered is refused (403 citing Y-03 in both
    languages, naming neither the firm's name nor its registrar) and nothing is stored."""
    api, program, _ = yq
    theirs = firm(api, 13)  # registered by yq-tourism
    ours = firm(api, 14, by="yq-town")
    staff = api.as_("office").ok(
        "POST",
        "/firms",
        {
            "uscc": uscc(15, "110119"),
            "name": "延庆企业15",
            "industry": "software_it",
            "employees": 60,
            "revenue": "8000000",
            "business_scope": "软件开发、技术服务",
        },
        status=201,
    )
    for other in (theirs, staff):
        refused = recommend(api, program, other, recommender="yq-town", status=403)
        assert refused["rule"]["rule"] == "Y-03" and refused["rule"]["passed"] is False
        assert "二(三)" in refused["rule"]["clause"]
        assert "本单位登记" in refused["rule"]["zh"] and "registered" in refused["rule"]["en"]
        assert other["name"] not in str(refused) and "yq-tourism" not in str(refused)
    listed = api.as_("office").ok("GET", f"{YQ}/programs/{program['id']}/recommendations")
    assert listed == []
    assert recommend(api, program, ours, recommender="yq-town")["firm_id"] == ours["id"]
    assert recommend(api, program, theirs)["firm_id"] == theirs["id"]  # by its registrar


def test_Y03_quarterly_counts_are_reported_against_the_target(yq):
    api, program, _ = yq
    for n in (8, 9):
        recommend(api, program, firm(api, n))
    recommend(api, program, firm(api, 10, by="yq-town"), recommender="yq-town")
    rows = api.as_("office").ok(
        "GET", f"{YQ}/programs/{program['id']}/recommendation-counts?quarter=2025-Q1"
    )
    counts = {r["institution"]: (r["recommended"], r["met"]) for r in rows}
    assert counts == {"yq-tourism": (2, False), "yq-town": (1, False)}
    later = api.as_("office").ok(
        "GET", f"{YQ}/programs/{program['id']}/recommendation-counts?quarter=2025-Q2"
    )
    assert [r["recommended"] for r in later] == [0, 0]  # a report, listing the silent too


def test_Y04_a_financing_need_above_5_million_is_refused(yq):
    api, program, _ = yq
    problem = recommend(api, program, firm(api, 11), financing_need="5000000.01", status=422)
    assert problem["rule"]["rule"] == "Y-04"
    recommend(api, program, firm(api, 12), financing_need="5000000.00")  # inclusive


def _reviewed(api, program, n, guarantor_seat=False):
    rec = recommend(api, program, firm(api, n))
    return prescreen(api, rec, guarantor_seat=guarantor_seat)


def test_Y06_the_majority_decides_the_grade(yq):
    api, program, _ = yq
    rec = _reviewed(api, program, 20)
    rec = vote_all(api, rec, {"drc": "low", "finance": "medium", "industry": "medium"})
    assert rec["state"] == "in_review"  # the bank's delegate has not voted yet
    rec = vote(api, rec, "bank", "medium")
    assert (rec["state"], rec["grade"], rec["grade_effective_on"]) == (
        "graded",
        "medium",
        "2025-01-10",
    )
    outcome = rec["outcome"][-1]
    assert outcome["rule"] == "Y-06" and outcome["inputs"]["decided_by"] == "majority"
    assert "3 of the 4 votes cast, more than half" in outcome["en"]
    assert outcome["zh"].startswith("联审结果：中等级（少数服从多数：4 票中 3 票，过半数")


def test_Y06_four_votes_without_a_majority_are_decided_by_the_DRC_not_the_plurality(yq):
    """high, high, low, medium: high leads but has only 2 of 4 votes, not more than half."""
    api, program, _ = yq
    rec = _reviewed(api, program, 26)
    rec = vote_all(api, rec, {"finance": "high", "industry": "high", "bank": "medium"})
    rec = vote(api, rec, "drc", "low")
    assert (rec["state"], rec["grade"]) == ("graded", "low")
    outcome = rec["outcome"][-1]
    assert outcome["inputs"]["decided_by"] == "drc" and outcome["threshold"] == 3
    assert "no choice has more than half of the 4 votes cast" in outcome["en"]
    assert "4 票中没有任何意见过半数，以区发展改革委的意见为准" in outcome["zh"]


def test_Y06_five_votes_need_three_for_a_majority(yq):
    """With the guarantee company seated, 3 of 5 is a majority; 2 of 5 is not."""
    api, program, _ = yq
    three = _reviewed(api, program, 27, guarantor_seat=True)
    three = vote_all(
        api,
        three,
        {"drc": "low", "finance": "medium", "industry": "medium", "bank": "medium"},
    )
    three = vote(api, three, "guarantor", "low")
    assert three["grade"] == "medium" and three["outcome"][-1]["inputs"]["decided_by"] == "majority"

    two = _reviewed(api, program, 28, guarantor_seat=True)
    two = vote_all(
        api, two, {"drc": "low", "finance": "medium", "industry": "medium", "bank": "high"}
    )
    two = vote(api, two, "guarantor", "high")
    assert two["grade"] == "low" and two["outcome"][-1]["inputs"]["decided_by"] == "drc"
    assert two["outcome"][-1]["threshold"] == 3


def test_Y06_the_DRC_vetoes(yq):
    api, program, _ = yq
    rec = _reviewed(api, program, 21)
    rec = vote_all(api, rec, {"finance": "low", "industry": "low", "bank": "low", "drc": "reject"})
    assert rec["state"] == "rejected" and rec["grade"] is None
    assert "vetoed" in rec["outcome"][-1]["en"]
    assert rec["outcome"][-1]["inputs"]["decided_by"] == "drc"
    assert "区发展改革委一票否决" in rec["outcome"][-1]["zh"]


def test_Y06_each_seat_has_its_own_delegate(yq):
    api, program, _ = yq
    rec = _reviewed(api, program, 25)
    path = f"{YQ}/recommendations/{rec['id']}/votes"
    ballot = {"grade": "low", "opinion": "意见"}
    banker = api.as_("panelist", user="banker", institution="yq-bank")
    wrong_seat = banker.ok("POST", path, {**ballot, "seat": "drc"}, status=403)
    assert wrong_seat["detail"] == "The drc seat is not held by a delegate of a bank."
    official = api.as_("panelist", user="official")
    not_a_bank = official.ok("POST", path, {**ballot, "seat": "bank"}, status=403)
    assert not_a_bank["detail"] == "The bank seat is not held by a delegate of government."
    official.ok("POST", path, {**ballot, "seat": "drc"})
    twice = official.ok("POST", path, {**ballot, "seat": "finance"}, status=409)
    assert "voted in this round" in twice["detail"]
    assert api.as_("office").ok("GET", f"{YQ}/recommendations/{rec['id']}")["state"] == "in_review"


def test_Y06_Y07_tie_goes_to_the_DRC_vote(yq):
    api, program, _ = yq
    rec = _reviewed(api, program, 22)
    rec = vote_all(
        api, rec, {"drc": "low", "finance": "medium", "industry": "medium", "bank": "low"}
    )
    assert (rec["state"], rec["grade"]) == ("graded", "low")
    assert rec["outcome"][-1]["inputs"]["decided_by"] == "drc"
    assert "the drc delegate's vote decides" in rec["outcome"][-1]["en"]


def test_Y06_the_guarantee_company_votes_when_the_prescreen_asks_for_it(yq):
    api, program, _ = yq
    rec = _reviewed(api, program, 23, guarantor_seat=True)
    rec = vote_all(api, rec, dict.fromkeys(SEATS, "low"))
    assert rec["state"] == "in_review"
    assert vote(api, rec, "guarantor", "low")["state"] == "graded"
    unseated = vote(api, _reviewed(api, program, 24), "guarantor", "low", status=422)
    assert unseated["errors"][0]["pointer"] == "/seat"
    again = vote(api, rec, "drc", "high", status=409)  # graded: every seat has voted
    # The 409 names the first vote (Y-06: one vote per seat a round).
    [first] = [
        b
        for b in api.as_("auditor").ok("GET", f"{YQ}/recommendations/{rec['id']}/ballots")
        if b["seat"] == "drc"
    ]
    assert again["vote_id"] == first["id"]
    assert again["detail"] == (
        f"The drc delegate has voted already in round 1: vote {first['id']} (low), on 2025-01-10."
    )


def test_Y07_a_high_grade_waits_for_the_district_and_at_most_two_a_year(yq):
    api, program, insts = yq
    for n in (30, 31):
        graded_firm(api, program, insts, n, "high")
    rec = _reviewed(api, program, 32)
    rec = vote_all(api, rec, dict.fromkeys(SEATS, "high"))
    assert (rec["state"], rec["grade"], rec["grade_effective_on"]) == (
        "awaiting_approval",
        "high",
        None,
    )
    assert (
        api.as_("office").post(f"{YQ}/recommendations/{rec['id']}/approval", {}).status_code == 403
    )
    problem = approve(api, rec, status=422)
    assert problem["rule"]["rule"] == "Y-07" and problem["rule"]["threshold"] == 2
    # Refused, the firm goes back to joint review for a new round.
    back = approve(api, rec, decision="refuse")
    assert (back["state"], back["review_round"], back["grade"]) == ("in_review", 2, None)
    today(api, dt.date(2026, 1, 5))  # a new calendar year has a new quota
    rec = vote_all(api, back, dict.fromkeys(SEATS, "high"))
    assert approve(api, rec)["grade_effective_on"] == "2026-01-05"


def test_Y08_failed_financing_returns_to_joint_review_and_stops_after_two(yq):
    api, program, insts = yq
    _, rec = graded_firm(api, program, insts, 40, "medium")
    assert rec["state"] == "pushed" and rec["pushed_to"] == sorted(
        [insts["yq-bank"]["id"], insts["yq-guarantee"]["id"]]
    )
    office = api.as_("office")
    path = f"{YQ}/recommendations/{rec['id']}/financing-failures"
    rec = office.ok("POST", path, {"reason": "银行未审批"})
    assert (rec["state"], rec["failed_attempts"], rec["grade"]) == ("in_review", 1, None)
    assert rec["outcome"][-1]["rule"] == "Y-08"
    rec = vote_all(api, rec, dict.fromkeys(SEATS, "low"))
    rec = push(api, rec, insts["yq-bank"])
    rec = office.ok("POST", path, {"reason": "担保未通过"})
    assert (rec["state"], rec["failed_attempts"]) == ("exhausted", 2)
    refused = office.post(
        f"{YQ}/recommendations/{rec['id']}/pushes", {"institution_ids": [insts["yq-bank"]["id"]]}
    )
    assert refused.status_code == 409


def test_Y01_yanqing_resources_exist_only_under_yanqing_programs(yq):
    api, _, _ = yq
    other = api.as_("office").ok(
        "POST",
        "/programs",
        {
            "code": "another-policy",
            "name": "另一政策",
            "policy": "xinxiang",
            "config": {},
            "fund_total": "1000000.00",
            "effective_from": "2025-01-01",
            "effective_to": "2025-12-31",
        },
        status=201,
    )
    for resource in ("recommendations", "premium-subsidies", "penalties", "fund-state"):
        path = f"{YQ}/programs/{other['id']}/{resource}"
        assert api.as_("office").call("GET", path).status_code == 404, resource
