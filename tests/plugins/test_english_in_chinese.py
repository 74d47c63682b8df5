"""riskshare.testing.english_in_chinese: the check policies' tests run over their answers."""

from __future__ import annotations

from riskshare.testing import english_in_chinese


def test_english_words_and_identifiers_in_chinese_sentences_are_found():
    answer = {
        "coverage": [
            {"rule": "X-03", "zh": "企业（规模 small）符合条件。", "en": "The firm is eligible."},
            {"rule": "X-12", "zh": "按 pro_rata_carry 分配。", "en": "mode pro_rata_carry"},
        ],
        "rule": {"zh": "贷款分类为 loss。"},
    }
    found = english_in_chinese(answer)
    assert found == [
        "/coverage/0/zh: 企业（规模 small）符合条件。 — small",
        "/coverage/1/zh: 按 pro_rata_carry 分配。 — pro, rata, carry",
        "/rule/zh: 贷款分类为 loss。 — loss",
    ]


def test_figures_dates_uscc_codes_and_allowed_tokens_pass():
    answer = [
        {"zh": "2022-09-01 逾期，补偿 75000.06 元，比例 0.30，不良率 5.004%。"},
        {"zh": "企业 91410702MA0000001X 与 N2410702MA0000002Y 注册地在新乡市。"},
        {"zh": "核销贷款 XX-b0 的净损失 3600000.00 元。"},
        {"en": "English sentences are not checked", "zh_note": "nor other keys"},
    ]
    assert english_in_chinese(answer, allowed=["XX-b0"]) == []
    assert english_in_chinese(answer) == ["/2/zh: 核销贷款 XX-b0 的净损失 3600000.00 元。 — XX, b"]
