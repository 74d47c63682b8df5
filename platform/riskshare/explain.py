"""Explanations: every policy decision says which rule made it and why.

A decision is returned to the API caller and stored with the record it concerns, so the
explanation must be plain JSON: amounts and ratios travel as strings, never floats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# The clause of the core's own rules, which no policy text states.
CORE_CLAUSE = "平台通用规则"
CORE_CLAUSE_EN = "Riskshare core rules"

_CJK = re.compile(r"[\u3400-\u9fff]")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
_ARTICLE = re.compile(r"第([零一二三四五六七八九十百]+)条")
_SECTION = re.compile(r"([一二三四五六七八九十]+)((?:[(（][一二三四五六七八九十]+[)）])*)(\d*)")


def chinese_number(text: str) -> int:
    """``"十九"`` → 19, ``"二十一"`` → 21, ``"一百零五"`` → 105 (the numbers clauses use)."""
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total += (digit or 1) * 100
            digit = 0
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _DIGITS[char]
    return total + digit


def _roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out += letters
            number -= value
    return out


def _one_clause(part: str) -> tuple[str, str] | None:
    if match := _ARTICLE.fullmatch(part):
        return "Article", str(chinese_number(match[1]))
    if match := _SECTION.fullmatch(part):
        subsections = re.findall(r"[一二三四五六七八九十]+", match[2])
        return "Section", _roman(chinese_number(match[1])) + "".join(
            f"({chinese_number(s)})" for s in subsections
        ) + match[3]
    return None


def english_clause(clause: str) -> str:
    """The English of a clause's Chinese numbering: ``"第十一条"`` → ``"Article 11"``,
    ``"第九条、第十条"`` → ``"Articles 9 and 10"``, ``"三(六)"`` → ``"Section III(6)"``,
    ``"二(三)、三(一)"`` → ``"Sections II(3) and III(1)"``; the core's own clause →
    ``"Riskshare core rules"``. A clause it cannot read is returned as it is (a policy
    then names the English itself, as :class:`Rulebook` allows)."""
    if clause == CORE_CLAUSE:
        return CORE_CLAUSE_EN
    read = [_one_clause(p.strip()) for p in clause.split("、")]
    parts = [part for part in read if part is not None]
    if not parts or len(parts) < len(read):
        return clause
    kinds = {kind for kind, _ in parts}
    numbers = [number for _, number in parts]
    if len(kinds) > 1:
        return " and ".join(f"{kind} {number}" for kind, number in parts)
    kind = kinds.pop()
    if len(numbers) == 1:
        return f"{kind} {numbers[0]}"
    return f"{kind}s {', '.join(numbers[:-1])} and {numbers[-1]}"


def jsonable(value: Any) -> Any:
    """Turn decision inputs into JSON-safe values without losing precision."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        raise TypeError("floats are not allowed in explanations; use Decimal")
    return value


@dataclass(frozen=True)
class Explanation:
    """Why one rule gave the result it gave.

    :param rule: the rule id from docs/policies/, e.g. ``"X-13"`` or ``"N-1"``.
    :param clause: where the rule stands in the source text, in Chinese, e.g.
        ``"新政办〔2021〕48号 第十一条"``.
    :param result: the outcome of this rule alone (``"covered"``, ``"30%"``, ``"late"`` ...).
    :param zh: one sentence in Chinese for the people who administer the fund.
    :param en: the same sentence in English.
    :param inputs: the figures the rule looked at.
    :param threshold: the ratio, limit or bound that applied, if any.
    :param passed: False when this rule refused or limited something.
    :param clause_en: the same place in English (``"... Article 11"``); when not given it is
        read from the Chinese numbering of ``clause`` (:func:`english_clause`).
    """

    rule: str
    clause: str
    result: str
    zh: str
    en: str
    inputs: dict[str, Any] = field(default_factory=dict)
    threshold: Any = None
    passed: bool = True
    clause_en: str = ""

    def __post_init__(self) -> None:
        if not self.clause_en:
            object.__setattr__(self, "clause_en", english_clause(self.clause))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "clause_en": self.clause_en,
            "result": self.result,
            "passed": self.passed,
            "threshold": jsonable(self.threshold),
            "inputs": jsonable(self.inputs),
            "zh": self.zh,
            "en": self.en,
        }


@dataclass(frozen=True)
class Citation:
    """Where a policy's text says what one of the core's own rules applies, in both
    languages: ``Citation("X-07", "新政办〔2021〕48号 第五条、第十五条")``. A policy maps the
    core's reason codes to its citations (``PolicyDescriptor.cites``), so that a refusal the
    core makes under its program (a suspended or banned institution, the pool) names the
    policy's rule and clause instead of the core's.

    :param rule: the policy's rule id.
    :param clause: the clause in Chinese, document included.
    :param clause_en: the same in English; read from the Chinese numbering when not given.
    """

    rule: str
    clause: str
    clause_en: str = ""

    def __post_init__(self) -> None:
        if not self.clause_en:
            object.__setattr__(self, "clause_en", english_clause(self.clause))
        if _CJK.search(self.clause_en):
            raise ValueError(f"{self.rule}: give the English of clause {self.clause!r}")


def recite(explanation: Explanation, cites: Mapping[str, Citation]) -> Explanation:
    """``explanation`` cited through a policy's ``cites`` when it is one of the core's own
    (its clause is the core's) and the policy names a citation for its rule: the key
    ``"<rule>/<result>"`` first (``"CORE-COOP/revoked"``), then ``"<rule>"``. The core's
    reason code stays in the inputs (``core_rule``); anything else is returned as it is."""
    if explanation.clause != CORE_CLAUSE or not cites:
        return explanation
    citation = cites.get(f"{explanation.rule}/{explanation.result}") or cites.get(explanation.rule)
    if citation is None:
        return explanation
    return dataclasses.replace(
        explanation,
        rule=citation.rule,
        clause=citation.clause,
        clause_en=citation.clause_en,
        inputs={**explanation.inputs, "core_rule": explanation.rule},
    )


def explanations_as_json(explanations: list[Explanation] | tuple[Explanation, ...]) -> list[dict]:
    return [e.as_dict() for e in explanations]


class Rulebook:
    """A policy's rules and the clauses they come from, making explanations that cite both,
    in Chinese and in English.

    ``Rulebook("新政办〔2021〕48号", {"X-13": "第十一条"}, document_en="Xinxiang ... No. 48")
    ("X-13", "300000.00", zh, en, threshold=ratio, principal=p)`` gives an
    :class:`Explanation` whose clause names the document and the article
    (``"新政办〔2021〕48号 第十一条"`` / ``"Xinxiang ... No. 48, Article 11"``); keyword
    arguments other than ``passed`` and ``threshold`` are the inputs the decision used.
    A clause whose numbering :func:`english_clause` cannot read is given as a pair
    ``(zh, en)``; the rulebook refuses, when it is made, a clause with no English.
    """

    def __init__(
        self, document: str, clauses: Mapping[str, str | tuple[str, str]], *, document_en: str
    ) -> None:
        self.document = document
        self.document_en = document_en
        self.clauses: dict[str, tuple[str, str]] = {}
        for rule, clause in clauses.items():
            zh, en = clause if isinstance(clause, tuple) else (clause, english_clause(clause))
            if _CJK.search(en):
                raise ValueError(f"{rule}: give the English of clause {zh!r} as a (zh, en) pair")
            self.clauses[rule] = (zh, en)

    def citation(self, rule: str, clause: str | None = None) -> Citation:
        """``rule`` as a :class:`Citation` of this document, at its own clause or at
        ``clause`` (Chinese numbering) when the core's rule stands on a wider one."""
        if clause is None:
            zh, en = self.cite(rule)
            return Citation(rule, zh, en)
        return Citation(
            rule, f"{self.document} {clause}", f"{self.document_en}, {english_clause(clause)}"
        )

    def cite(self, rule: str) -> tuple[str, str]:
        """Where ``rule`` stands, in Chinese and in English, document included."""
        zh, en = self.clauses[rule]
        return f"{self.document} {zh}", f"{self.document_en}, {en}"

    def __call__(
        self,
        rule: str,
        result: str,
        zh: str,
        en: str,
        *,
        passed: bool = True,
        threshold: Any = None,
        **inputs: Any,
    ) -> Explanation:
        clause, clause_en = self.cite(rule)
        return Explanation(
            rule,
            clause,
            result,
            zh,
            en,
            inputs=inputs,
            threshold=threshold,
            passed=passed,
            clause_en=clause_en,
        )
