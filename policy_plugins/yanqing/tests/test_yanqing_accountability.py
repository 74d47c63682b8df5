"""Y-15 (四(一)): a recommending department or town whose firms needed compensation twice in
one year is flagged for the district's performance review."""

from __future__ import annotations

import datetime as dt

from yanqing_steps import claim, graded_firm, joint_review, non_performing, register_loan

from riskshare.testing import assert_explained_in_both_languages, today


def _flags(api, program, day):
    alerts = api.as_("office").ok("GET", f"/programs/{program['id']}/monitoring?day={day}")
    return {a["subject_id"]: a for a in alerts if a["code"] == "yanqing-department-flag"}


def _compensated(api, program, insts, n, recommender):
    f, _ = graded_firm(api, program, insts, n, "medium", recommender=recommender)
    loan = register_loan(api, f, insts, f"L-{n}", principal="1000000.00")
    return loan


def test_Y15_a_department_is_flagged_at_its_second_compensated_firm_in_a_year(yq):
    api, program, insts = yq
    tourism, town = insts["yq-tourism"], insts["yq-town"]
    loans = [
        _compensated(api, program, insts, 21, "yq-tourism"),
        _compensated(api, program, insts, 22, "yq-tourism"),
        _compensated(api, program, insts, 23, "yq-town"),
    ]
    today(api, dt.date(2025, 6, 2))
    for loan in loans:
        non_performing(api, loan, "2025-06-01")
    claims = [claim(api, loan, "1000000.00") for loan in loans]

    # One compensated firm each: nobody is flagged yet.
    joint_review(api, claims[0])
    joint_review(api, claims[2])
    assert _flags(api, program, "2025-06-30") == {}

    # The department's second firm needs compensation in the same year: flagged, the town
    # with one is not.
    joint_review(api, claims[1])
    flags = _flags(api, program, "2025-06-30")
    assert set(flags) == {tourism["id"]} and town["id"] not in flags
    why = flags[tourism["id"]]["explanation"]
    assert (why["rule"], why["threshold"], why["inputs"]["firms"]) == (
        "Y-15",
        2,
        sorted({loan["firm_id"] for loan in loans[:2]}),
    )
    assert "绩效考核" in why["zh"] and "performance review" in why["en"]

    # Counted per calendar year: the next year starts clean.
    assert _flags(api, program, "2026-01-05") == {}


def test_Y16_an_institution_whose_cooperation_is_ended_gets_no_coverage_or_claim(yq):
    """Y-16 (四(二)): the core refuses an institution whose cooperation is suspended or
    ended, and cites the policy's clause for it, in both languages, not the core's."""
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 31, "medium")
    covered = register_loan(api, f, insts, "L-31", principal="1000000.00")
    assert covered["covered"] is True
    today(api, dt.date(2025, 6, 2))
    non_performing(api, covered, "2025-06-01")
    bank = insts["yq-bank"]
    api.as_("office").ok(
        "POST",
        f"/institutions/{bank['id']}/cooperation",
        {"action": "revoke", "reason": "与企业合谋骗贷"},
    )

    refused = claim(api, covered, "1000000.00", status=422)
    rule = refused["rule"]
    assert (rule["rule"], rule["result"], rule["inputs"]["core_rule"]) == (
        "Y-16",
        "revoked",
        "CORE-COOP",
    )
    assert rule["clause"].endswith(" 四(二)") and rule["clause_en"].endswith(", Section IV(2)")
    assert_explained_in_both_languages(rule, allowed=[bank["name"]])

    g, _ = graded_firm(api, program, insts, 32, "medium")
    loan = register_loan(api, g, insts, "L-32", principal="1000000.00", issue_date="2025-06-02")
    assert loan["covered"] is False and loan["coverage"][0]["rule"] == "Y-16"
    assert_explained_in_both_languages(loan["coverage"], allowed=[bank["name"], "L-32"])
