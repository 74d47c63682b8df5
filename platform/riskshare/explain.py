"""Explanations: every policy decision says which rule made it and why.

A decision is returned to the API caller and stored with the record it concerns, so the
explanation must be plain JSON: amounts and ratios travel as strings, never floats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


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
    :param clause: where the rule stands in the source text, e.g. ``"第十一条"``.
    :param result: the outcome of this rule alone (``"covered"``, ``"30%"``, ``"late"`` ...).
    :param zh: one sentence in Chinese for the people who administer the fund.
    :param en: the same sentence in English.
    :param inputs: the figures the rule looked at.
    :param threshold: the ratio, limit or bound that applied, if any.
    :param passed: False when this rule refused or limited something.
    """

    rule: str
    clause: str
    result: str
    zh: str
    en: str
    inputs: dict[str, Any] = field(default_factory=dict)
    threshold: Any = None
    passed: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "result": self.result,
            "passed": self.passed,
            "threshold": jsonable(self.threshold),
            "inputs": jsonable(self.inputs),
            "zh": self.zh,
            "en": self.en,
        }


def explanations_as_json(explanations: list[Explanation] | tuple[Explanation, ...]) -> list[dict]:
    return [e.as_dict() for e in explanations]


class Rulebook:
    """A policy's rules and the clauses they come from, making explanations that cite both.

    ``Rulebook("新政办〔2021〕48号", {"X-13": "第十一条"})("X-13", "300000.00", zh, en,
    threshold=ratio, principal=p)`` gives an :class:`Explanation` whose clause names the
    document and the article; keyword arguments other than ``passed`` and ``threshold`` are
    the inputs the decision used.
    """

    def __init__(self, document: str, clauses: dict[str, str]) -> None:
        self.document = document
        self.clauses = clauses

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
        return Explanation(
            rule,
            f"{self.document} {self.clauses[rule]}",
            result,
            zh,
            en,
            inputs=inputs,
            threshold=threshold,
            passed=passed,
        )
