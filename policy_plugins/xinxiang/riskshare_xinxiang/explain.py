"""Explanations citing the rule and the clause of 新政办〔2021〕48号 it comes from."""

from __future__ import annotations

from riskshare.toolkit import Rulebook

CLAUSES = {
    "X-01": "第二条",
    "X-02": "第十九条",
    "X-03": "第三条",
    "X-04": "第四条",
    "X-05": "第四条、第五条",
    "X-06": "第四条",
    "X-07": "第五条",
    "X-08": "第九条",
    "X-09": "第九条",
    "X-10": "第十条",
    "X-11": "第九条、第十条",
    "X-12": "第九条、第十条",
    "X-13": "第十一条",
    "X-14": "第十一条",
    "X-15": "第十二条",
    "X-16": "第十三条",
    "X-17": "第十五条",
    "X-18": "第十六条",
    "X-19": "第十五条",
    "X-20": "第十七条",
}


DOCUMENT = "新政办〔2021〕48号"
DOCUMENT_EN = "Xinxiang Municipal Government Office Document No. 48 (2021)"

explain = Rulebook(DOCUMENT, CLAUSES, document_en=DOCUMENT_EN)

# 第十条 says for a guaranteed loan what 第九条 says for a bank's: the guarantee company files
# the overdue within 5 working days, claims, and has its claim reviewed within 10 working
# days. Explanations of its filings and claims cite 第十条.
explain_guarantor = Rulebook(
    DOCUMENT, {**CLAUSES, "X-08": "第十条", "X-11": "第十条"}, document_en=DOCUMENT_EN
)

# The core's refusals under a Xinxiang program, cited where the text says them: an institution
# whose cooperation the leading group suspended (第十五条) or revoked (第十六条) is no longer
# a cooperating institution (第五条, X-07); a banned institution may not claim for three years
# (第十六条, X-18); the pool is the fund of 第二条.
CITES = {
    "CORE-COOP/suspended": explain.citation("X-07", "第五条、第十五条"),
    "CORE-COOP/revoked": explain.citation("X-07", "第五条、第十六条"),
    "CORE-COOP": explain.citation("X-07"),
    "CORE-BAN": explain.citation("X-18"),
    "CORE-POOL": explain.citation("X-01"),
}
