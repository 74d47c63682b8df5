"""Explanations citing the rule and the clause of the Yanqing text it comes from."""

from __future__ import annotations

from typing import Any

from riskshare.toolkit import Explanation, Rulebook

NAME = "yanqing"
TEXT = "延庆区中小微企业融资风险补偿实施方案"

CLAUSES: dict[str, str | tuple[str, str]] = {
    "Y-01": "二(二)",
    "Y-02": "二(一)",
    "Y-03": "二(三)、三(一)",
    "Y-04": "二(一)",
    "Y-05": "二(一)",
    "Y-06": "三(二)(三)",
    "Y-07": "二(四)、三(三)",
    "Y-08": "三(四)",
    "Y-09": "二(五)1",
    "Y-10": "二(五)2",
    "Y-11": ("二(五)3、三(八)另外", "Sections II(5)3 and III(8), last paragraph"),
    "Y-12": "三(五)(六)",
    "Y-13": "三(七)",
    "Y-14": "三(八)",
    "Y-15": "四(一)",
    "Y-16": "四(二)",
    "Y-17": "四(三)",
    "Y-18": "六",
}


explain = Rulebook(
    TEXT,
    CLAUSES,
    document_en="Implementation Plan for Financing Risk Compensation, Yanqing District",
)


# 四(二): an institution that breaks its cooperation agreement may have its cooperation
# ended (终止合作); the core's refusals of an institution suspended, ended or banned cite it,
# and its pool checks cite 二(二), the fund the custodian holds.
CITES = {
    "CORE-COOP": explain.citation("Y-16"),
    "CORE-BAN": explain.citation("Y-16"),
    "CORE-POOL": explain.citation("Y-01"),
    # Y-01: the custodian the DRC chose for the program (the config's ``custodian``) pays.
    "CORE-PAYER": explain.citation("Y-01"),
}


def check(
    rule: str, ok: bool, zh: str, en: str, *, threshold: Any = None, **inputs: Any
) -> Explanation:
    """A pass/fail rule: the result reads "passed" or "refused"."""
    return explain(
        rule,
        "passed" if ok else "refused",
        zh,
        en,
        passed=ok,
        threshold=threshold,
        **inputs,
    )
