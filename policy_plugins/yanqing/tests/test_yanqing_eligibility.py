"""Which firms a department or town may recommend (Y-02), over HTTP: registered in Yanqing
(division code or registered address), in existence with a concrete business, clean for two
years by date; and what the recommendation's and the joint review's answers say in Chinese."""

from __future__ import annotations

import datetime as dt

from yanqing_steps import (
    SEATS,
    YQ,
    approve,
    firm,
    graded_firm,
    prescreen,
    recommend,
    register_loan,
    setup,
    vote_all,
)

from riskshare.testing import english_in_chinese, today


def _y02(answer: dict) -> list[dict]:
    """The Y-02 explanations of a recommendation, or of a refusal (its refusing rule)."""
    if "checks" in answer:
        return [c for c in answer["checks"] if c["rule"] == "Y-02"]
    return [answer["rule"]]


def test_Y02_the_district_code_since_2015_and_the_former_county_code_are_both_Yanqing(yq):
    api, program, _ = yq
    for n, division in ((1, "110119"), (2, "110229")):
        rec = recommend(api, program, firm(api, n, division=division))
        [place] = [c for c in _y02(rec) if "registration_basis" in c["inputs"]]
        assert place["passed"] and place["inputs"]["registration_basis"] == "division_code"
        assert f"行政区划码 {division} 属延庆区" in place["zh"]


def test_Y02_a_firm_registered_elsewhere_with_its_address_in_Yanqing_is_recommended(yq):
    """The municipal bureau (110000) registered it; its registered address is in 延庆."""
    api, program, _ = yq
    municipal = firm(api, 3, division="110000", registered_address="北京市延庆区妫川路 1 号")
    rec = recommend(api, program, municipal)
    [place] = [c for c in _y02(rec) if "registration_basis" in c["inputs"]]
    assert place["inputs"]["registration_basis"] == "registered_address"
    assert "by its registered address '北京市延庆区妫川路 1 号'" in place["en"]
    assert "注册地址“北京市延庆区妫川路 1 号”在延庆区" in place["zh"]

    haidian = firm(api, 4, division="110108", registered_address="北京市海淀区中关村大街 1 号")
    refused = recommend(api, program, haidian, status=422)["rule"]
    assert refused["rule"] == "Y-02" and "outside Yanqing" in refused["en"]
    assert "注册地址“北京市海淀区中关村大街 1 号”亦不在延庆区" in refused["zh"]


def test_Y02_a_cancelled_or_revoked_firm_is_refused(yq):
    api, program, _ = yq
    for n, status, zh in ((5, "cancelled", "注销"), (6, "revoked", "吊销")):
        problem = recommend(api, program, firm(api, n, registration_status=status), status=422)
        assert problem["rule"]["rule"] == "Y-02"
        assert problem["rule"]["inputs"]["registration_status"] == status
        assert f"企业登记状态为{zh}，不属有效存续" in problem["rule"]["zh"]


def test_Y02_a_firm_without_a_business_scope_is_refused(yq):
    api, program, _ = yq
    problem = recommend(api, program, firm(api, 7, business_scope=None), status=422)
    assert problem["rule"]["rule"] == "Y-02"
    assert "no business scope is recorded" in problem["rule"]["en"]
    assert "未记录经营范围，无具体经营项目" in problem["rule"]["zh"]


def test_Y02_a_missing_business_scope_is_only_flagged_when_so_configured(api):
    today(api, dt.date(2025, 1, 10))
    program, _ = setup(api, missing_business_scope="flag")
    rec = recommend(api, program, firm(api, 8, business_scope=None))
    [existence] = [c for c in _y02(rec) if "business_scope" in c["inputs"]]
    assert existence["passed"] and "(flagged only)" in existence["en"]


def _entry(subject: str, dated: str, kind: str = "dishonest") -> dict:
    return {"subject": subject, "kind": kind, "dated": dated, "description": "被列为失信被执行人"}


def test_Y02_a_bad_credit_record_within_two_years_before_the_application_refuses_it(yq):
    """Recommended on 2025-01-10: a record of 2023-01-11 is within the two years, one of
    2023-01-10 (the same day two years earlier) is not."""
    api, program, _ = yq
    inside = {"controller": "张三", "entries": [_entry("controller", "2023-01-11")]}
    problem = recommend(api, program, firm(api, 10), credit_record=inside, status=422)
    refusal = problem["rule"]
    assert refusal["rule"] == "Y-02" and refusal["inputs"]["since"] == "2023-01-10"
    assert "controller: dishonest on 2023-01-11" in refusal["en"]
    assert "实际控制人于 2023-01-11 有失信记录" in refusal["zh"]

    firm_inside = {"entries": [_entry("firm", "2024-12-31", kind="illegal")]}
    problem = recommend(api, program, firm(api, 11), credit_record=firm_inside, status=422)
    assert "企业于 2024-12-31 有违法记录" in problem["rule"]["zh"]

    older = {
        "controller": "李四",
        "entries": [_entry("controller", "2023-01-10"), _entry("firm", "2020-06-01")],
    }
    rec = recommend(api, program, firm(api, 12), credit_record=older)
    [clean] = [c for c in _y02(rec) if "entries_older" in c["inputs"]]
    assert clean["passed"] and clean["inputs"]["entries_older"] == 2
    assert "另有 2 条记录早于 2023-01-10（含），已满 2 年，不影响。" in clean["zh"]
    assert [e["dated"] for e in rec["credit_record"]["entries"]] == ["2023-01-10", "2020-06-01"]


def test_Y02_clean_record_years_is_applied_and_an_entry_after_the_application_is_a_422(api):
    today(api, dt.date(2025, 1, 10))
    program, _ = setup(api, clean_record_years=3)
    three_years = {"entries": [_entry("controller", "2022-06-01")]}
    problem = recommend(api, program, firm(api, 13), credit_record=three_years, status=422)
    assert problem["rule"]["threshold"] == 3 and problem["rule"]["inputs"]["since"] == "2022-01-10"
    future = {"entries": [_entry("firm", "2025-01-11")]}
    problem = recommend(api, program, firm(api, 14), credit_record=future, status=422)
    assert problem["errors"][0]["pointer"] == "/credit_record/entries/0/dated"


REPRESENTATIVE = "110229198001011234"


def test_Y17_a_ban_covers_the_legal_representative_and_records_the_credit_system_entry(yq):
    """Firm 20 evaded its debt; 21, graded before, and 22 have the same legal representative:
    both are refused while the ban lasts (2025-01-10 to 2028-01-10), 23 is not."""
    api, program, insts = yq
    office = api.as_("office")
    banned = firm(api, 20, legal_representative_id=REPRESENTATIVE)
    sister, _ = graded_firm(api, program, insts, 21, "medium")
    corrected = office.ok(
        "PATCH", f"/firms/{sister['id']}", {"legal_representative_id": REPRESENTATIVE}
    )
    assert corrected["firm"]["legal_representative_id"] == REPRESENTATIVE
    ban = office.ok(
        "POST",
        "/bans",
        {
            "program_id": program["id"],
            "subject_type": "firm",
            "subject_id": banned["id"],
            "rule": "Y-17",
            "reason": "恶意逃避债务",
        },
        status=201,
    )
    assert ban["legal_representative_id"] == REPRESENTATIVE and ban["ends_on"] == "2028-01-10"
    assert "及其法定代表人" in ban["explanations"][0]["zh"]

    # Y-17 纳入信用记录: which system, when, by whom; once.
    path = f"/bans/{ban['id']}/credit-entry"
    early = office.ok("POST", path, {"effective_on": "2025-01-09"}, status=422)
    assert early["errors"][0]["pointer"] == "/effective_on"
    entered = office.ok("POST", path, {})
    assert (entered["credit_system"], entered["credit_entered_on"]) == (
        "全国信用信息共享平台",
        "2025-01-10",
    )
    assert entered["credit_entered_by"]
    again = office.ok("POST", path, {"system": "信用中国"}, status=409)
    assert again["ban_id"] == ban["id"] and "全国信用信息共享平台 on 2025-01-10" in again["detail"]

    # The same legal representative's other firms: no covered loan, no recommendation.
    loan = register_loan(api, sister, insts, "L-sister")
    [refusal] = [c for c in loan["coverage"] if not c["passed"]]
    assert refusal["rule"] == "Y-17" and refusal["inputs"]["bans"] == [ban["id"]]
    assert "延庆企业20" in refusal["zh"] and "禁止及于其法定代表人" in refusal["zh"]
    other = firm(api, 22, legal_representative_id=REPRESENTATIVE)
    problem = recommend(api, program, other, status=422)
    assert problem["rule"]["rule"] == "Y-17" and "legal representative" in problem["rule"]["en"]
    unrelated = firm(api, 23, legal_representative_id="110229199002022345")
    recommend(api, program, unrelated)
    assert english_in_chinese([refusal, problem, ban]) == []

    # The ban ends on 2028-01-10 (exclusive): the day before it still refuses, then not.
    today(api, dt.date(2028, 1, 9))
    assert recommend(api, program, other, status=422)["rule"]["rule"] == "Y-17"
    today(api, dt.date(2028, 1, 10))
    recommend(api, program, other)


def test_Y02_Y06_the_recommendation_and_grading_answers_say_everything_in_Chinese(yq):
    """Every Chinese sentence of the recommendation's checks, a refusal, the joint review's
    outcomes (majority, the DRC's decision, the veto), the district's approval, a failed
    financing and the quarterly counts holds no English code."""
    api, program, insts = yq
    answers = []
    unclean = {"entries": [_entry("controller", "2024-05-01")]}
    answers.append(recommend(api, program, firm(api, 40), credit_record=unclean, status=422))
    answers.append(recommend(api, program, firm(api, 41, division="110108"), status=422))
    revoked = firm(api, 42, registration_status="revoked")
    answers.append(recommend(api, program, revoked, status=422))
    wrong_sector = recommend(api, program, firm(api, 43), focus_sector="mining", status=201)
    answers.append(wrong_sector)
    split = prescreen(api, recommend(api, program, firm(api, 44)))
    no_majority = {"drc": "low", "finance": "high", "industry": "high", "bank": "medium"}
    answers.append(vote_all(api, split, no_majority))
    vetoed = prescreen(api, recommend(api, program, firm(api, 45)))
    answers.append(vote_all(api, vetoed, dict(dict.fromkeys(SEATS, "low"), drc="reject")))
    high = prescreen(api, recommend(api, program, firm(api, 46)))
    answers.append(approve(api, vote_all(api, high, dict.fromkeys(SEATS, "high"))))
    _, pushed = graded_firm(api, program, insts, 47, "medium")
    office = api.as_("office")
    failed = f"{YQ}/recommendations/{pushed['id']}/financing-failures"
    answers.append(office.ok("POST", failed, {"reason": "银行未审批"}))
    answers.append(
        office.ok("GET", f"{YQ}/programs/{program['id']}/recommendation-counts?quarter=2025-Q1")
    )
    # The institutions' names in this test are their codes; the sector is the recommender's.
    assert english_in_chinese(answers, allowed=[*insts, "mining"]) == []


def test_Y02_a_firm_revoked_after_its_grade_gets_no_covered_loan(yq):
    """Y-02 holds at the loan as at the recommendation: the firm may have been revoked or
    have moved away since it was graded; and the answer is in Chinese terms throughout."""
    api, program, insts = yq
    f, _ = graded_firm(api, program, insts, 40, "medium")
    api.as_("office").ok("PATCH", f"/firms/{f['id']}", {"registration_status": "revoked"})
    loan = register_loan(api, f, insts, "L-revoked")
    refusals = [e for e in loan["coverage"] if not e["passed"]]
    assert loan["covered"] is False
    assert [e["rule"] for e in refusals] == ["Y-02"]
    assert "吊销" in refusals[0]["zh"]
    grade = next(e for e in loan["coverage"] if e["rule"] == "Y-07")
    assert "中等级" in grade["zh"]
    assert english_in_chinese(loan["coverage"], allowed=["L-revoked", f["name"]]) == []
