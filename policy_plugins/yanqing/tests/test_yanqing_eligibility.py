"""Which firms a department or town may recommend (Y-02), over HTTP: registered in Yanqing
(division code or registered address), in existence with a concrete business, clean for two
years by date; and what the recommendation's and the joint review's answers say in Chinese."""

from __future__ import annotations

import datetime as dt

from yanqing_steps import firm, recommend, setup

from riskshare.testing import today


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
