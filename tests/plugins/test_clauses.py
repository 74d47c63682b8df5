"""Every explanation cites its clause in Chinese and in English (第十一条 / Article 11)."""

from __future__ import annotations

import pytest

from riskshare.explain import CORE_CLAUSE, english_clause, recite
from riskshare.testing import assert_explained_in_both_languages
from riskshare.toolkit import Citation, Explanation, Rulebook


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("第十一条", "Article 11"),
        ("第十九条", "Article 19"),
        ("第九条、第十条", "Articles 9 and 10"),
        ("第四条、第五条、第六条", "Articles 4, 5 and 6"),
        ("三(六)", "Section III(6)"),
        ("三（二）（三）", "Section III(2)(3)"),
        ("二(三)、三(一)", "Sections II(3) and III(1)"),
        ("二(五)1", "Section II(5)1"),
        ("六", "Section VI"),
        ("第二条、三(一)", "Article 2 and Section III(1)"),
        (CORE_CLAUSE, "Riskshare core rules"),
    ],
)
def test_the_chinese_numbering_of_a_clause_reads_in_english(zh: str, en: str) -> None:
    assert english_clause(zh) == en


def test_a_rulebook_cites_document_and_clause_in_both_languages() -> None:
    book = Rulebook(
        "示例办法",
        {"A-1": "第三条", "A-2": ("三(八)另外", "Section III(8), last paragraph")},
        document_en="Example Measures",
    )
    explanation = book("A-1", "ok", "中文。", "English.")
    assert (explanation.clause, explanation.clause_en) == (
        "示例办法 第三条",
        "Example Measures, Article 3",
    )
    assert book.cite("A-2") == (
        "示例办法 三(八)另外",
        "Example Measures, Section III(8), last paragraph",
    )
    assert explanation.as_dict()["clause_en"] == "Example Measures, Article 3"


def test_a_rulebook_refuses_a_clause_it_cannot_put_in_english() -> None:
    with pytest.raises(ValueError, match="A-2"):
        Rulebook("示例办法", {"A-2": "三(八)另外"}, document_en="Example Measures")


def test_an_explanation_made_directly_reads_its_clause_in_english() -> None:
    assert Explanation("N-1", "第十一条", "ok", "中文。", "English.").clause_en == "Article 11"


def _core_refusal(result: str) -> Explanation:
    return Explanation(
        "CORE-COOP", CORE_CLAUSE, result, "甲银行暂停合作。", "Bank A is suspended.", passed=False
    )


def test_a_policy_cites_the_cores_refusal_by_code_or_by_code_and_result() -> None:
    book = Rulebook("示例办法", {"A-7": "第五条"}, document_en="Example Measures")
    cites = {
        "CORE-COOP/revoked": book.citation("A-7", "第五条、第十六条"),
        "CORE-COOP": book.citation("A-7"),
    }
    revoked = recite(_core_refusal("revoked"), cites)
    assert (revoked.rule, revoked.clause, revoked.clause_en) == (
        "A-7",
        "示例办法 第五条、第十六条",
        "Example Measures, Articles 5 and 16",
    )
    assert revoked.inputs["core_rule"] == "CORE-COOP" and revoked.passed is False
    suspended = recite(_core_refusal("suspended"), cites)
    assert (suspended.clause, suspended.clause_en) == (
        "示例办法 第五条",
        "Example Measures, Article 5",
    )
    assert_explained_in_both_languages([revoked, suspended])


def test_what_a_policy_does_not_cite_keeps_its_own_citation() -> None:
    cites = {"CORE-POOL": Citation("A-1", "第二条")}
    core = _core_refusal("suspended")
    assert recite(core, cites) is core  # a code the policy does not name
    own = Explanation("A-1", "示例办法 第三条", "ok", "中文。", "English.")
    assert recite(own, {"A-1": Citation("A-9", "第九条")}) is own  # not the core's


def test_a_citation_refuses_a_clause_left_without_english() -> None:
    with pytest.raises(ValueError, match="A-2"):
        Citation("A-2", "三(八)另外")


def test_assert_explained_in_both_languages_fails_on_what_it_checks() -> None:
    good = Explanation("A-1", "第三条", "ok", "中文。", "English.")
    assert_explained_in_both_languages(good)
    for bad in (
        Explanation("A-1", "第三条", "ok", "规模 small。", "English."),
        Explanation("A-1", "§3", "ok", "中文。", "English."),
        Explanation("A-1", "第三条", "ok", "中文。", "中文。"),
        Explanation("A-1", "三(八)另外", "ok", "中文。", "English."),
    ):
        with pytest.raises(AssertionError):
            assert_explained_in_both_languages(bad)
