"""Every rule of the two policies is proved by at least one test named for it
(``test_X07_...``, ``test_Y15_...``), so a reader looking for a rule's proof finds it by
name, and a rule that nobody tests shows up here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from riskshare_xinxiang.explain import explain as xinxiang_rules
from riskshare_yanqing.explain import explain as yanqing_rules

ROOT = Path(__file__).resolve().parents[2]
POLICIES = {
    "xinxiang": ("X", 20, xinxiang_rules.clauses),
    "yanqing": ("Y", 18, yanqing_rules.clauses),
}


def _named_rules(policy: str, letter: str) -> set[str]:
    """The rule ids the policy's test functions name: ``test_X01_X02_...`` names two."""
    found = set()
    for path in (ROOT / "policy_plugins" / policy / "tests").glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                for token in node.name.split("_"):
                    if match := re.fullmatch(rf"{letter}(\d\d)", token, re.IGNORECASE):
                        found.add(f"{letter}-{match[1]}")
    return found


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_every_rule_has_a_test_named_for_it(policy: str) -> None:
    letter, count, rulebook = POLICIES[policy]
    rules = {f"{letter}-{n:02d}" for n in range(1, count + 1)}
    assert rules <= set(rulebook), f"rules missing from the {policy} rulebook"
    assert sorted(rules - _named_rules(policy, letter)) == []
