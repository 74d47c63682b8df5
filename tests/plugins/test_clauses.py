"""Every explanation cites its clause in Chinese and in English (第十一条 / Article 11)."""

from __future__ import annotations

import pytest

from riskshare.explain import CORE_CLAUSE, english_clause
from riskshare.toolkit import Explanation, Rulebook


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
