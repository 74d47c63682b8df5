"""docs/policies/ is checked against the code, so the pages stay true when the code changes:
every rule of a policy has its entry (a heading or a table row) citing the clause its
Rulebook cites, every key of its config schema is named, and the N-1 table is the one the
core classifies by."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from riskshare.firms import sme
from riskshare.toolkit import PolicyDescriptor, Rulebook

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "policies"


def _xinxiang() -> tuple[PolicyDescriptor, Rulebook]:
    from riskshare_xinxiang import explain, policy

    [descriptor] = policy.riskshare_policies()
    return descriptor, explain.explain


def _yanqing() -> tuple[PolicyDescriptor, Rulebook]:
    from riskshare_yanqing import explain, policy

    [descriptor] = policy.riskshare_policies()
    return descriptor, explain.explain


# policy -> (its page, its descriptor and rulebook, the rule ids its text has)
POLICIES: dict[str, tuple[str, Any, list[str]]] = {
    "xinxiang": ("xinxiang.md", _xinxiang, [f"X-{n:02d}" for n in range(1, 21)]),
    "yanqing": ("yanqing.md", _yanqing, [f"Y-{n:02d}" for n in range(1, 19)]),
}


def page(policy: str) -> str:
    return (DOCS / POLICIES[policy][0]).read_text(encoding="utf-8")


def rules_of(policy: str) -> list[str]:
    _, load, listed = POLICIES[policy]
    _, rulebook = load()
    return sorted(set(listed) | set(rulebook.clauses))


def entries(text: str, rule: str) -> list[str]:
    """The headings and table rows that open with ``rule``."""
    pattern = re.compile(rf"^(?:#+\s+|\|\s*){re.escape(rule)}\b.*$", re.M)
    return pattern.findall(text)


def clause_of(rulebook: Rulebook, rule: str) -> tuple[str, str | None]:
    """The Chinese clause a rulebook cites for ``rule``, and its English when the rulebook
    records one (a rulebook may keep the Chinese alone)."""
    clause = rulebook.clauses[rule]
    if isinstance(clause, tuple):
        return clause[0], clause[1]
    return clause, None


def schema_keys(policy: str) -> list[str]:
    _, load, _ = POLICIES[policy]
    descriptor, _ = load()
    return sorted(descriptor.config_schema["properties"])


def missing_keys(text: str, keys: list[str]) -> list[str]:
    return [key for key in keys if f"`{key}`" not in text]


@pytest.mark.parametrize(
    "policy, rule", [(p, r) for p in POLICIES for r in rules_of(p)], ids=lambda v: v
)
def test_every_rule_has_its_entry(policy, rule):
    assert entries(page(policy), rule), f"{rule} has no heading or table row in {policy}.md"


@pytest.mark.parametrize(
    "policy, rule",
    [(p, r) for p in POLICIES for r in sorted(POLICIES[p][1]()[1].clauses)],
    ids=lambda v: v,
)
def test_each_entry_cites_the_clause_the_code_cites(policy, rule):
    _, rulebook = POLICIES[policy][1]()
    zh, en = clause_of(rulebook, rule)
    cited = [line for line in entries(page(policy), rule) if zh in line]
    assert cited, f"{policy}.md: no entry of {rule} cites {zh}, the clause its explanations cite"
    if en is not None:
        assert any(en in line for line in cited), f"{policy}.md: {rule} is {zh} / {en}"


@pytest.mark.parametrize("policy", POLICIES)
def test_every_config_key_is_named(policy):
    keys = schema_keys(policy)
    assert keys, f"{policy} has a config schema with no keys"
    assert missing_keys(page(policy), keys) == [], f"config keys missing from {policy}.md"


def test_a_missing_key_or_rule_is_caught():
    """The checks above can fail: a page without a key, or without a rule, does not pass."""
    text = page("xinxiang")
    assert missing_keys(text.replace("`over_cap`", "over cap"), schema_keys("xinxiang")) == [
        "over_cap"
    ]
    assert entries(text, "X-13")
    assert not entries(re.sub(r"^(#+\s+|\|\s*)X-13\b", r"\1X-99", text, flags=re.M), "X-13")


# --- N-1: the table on the README is the one sme.py classifies by ------------------------

MEASURE = {"E": "employees", "R": "revenue", "A": "assets"}
CELL = re.compile(r"([ERA]) [<]? ?(\d+)")


def _bounds(cell: str) -> dict[str, int | Decimal]:
    found: dict[str, int | Decimal] = {}
    for letter, number in CELL.findall(cell):
        measure = MEASURE[letter]
        found[measure] = int(number) if measure == "employees" else Decimal(number) * sme.WAN
    return found


def n1_rows(text: str) -> dict[str, tuple[dict, dict, dict]]:
    """``industry value -> (sme_below, medium_from, small_from)`` as the README's table reads."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1].startswith("`") and cells[1].endswith("`"):
            rows[cells[1].strip("`")] = (_bounds(cells[2]), _bounds(cells[3]), _bounds(cells[4]))
    return rows


def test_the_n1_table_is_the_one_the_core_applies():
    rows = n1_rows((DOCS / "README.md").read_text(encoding="utf-8"))
    assert set(rows) == {i.value for i in sme.Industry}
    for industry, thresholds in sme.THRESHOLDS.items():
        below, medium, small = rows[industry.value]
        assert below == thresholds.sme_below.as_dict(), industry
        assert medium == thresholds.medium_from.as_dict(), industry
        assert small == thresholds.small_from.as_dict(), industry
        assert industry.label_zh in (DOCS / "README.md").read_text(encoding="utf-8")


def test_a_wrong_figure_in_the_n1_table_is_caught():
    text = (DOCS / "README.md").read_text(encoding="utf-8")
    wrong = text.replace("| E < 1000 or R < 40000 |", "| E < 1000 or R < 4000 |")
    assert wrong != text
    industry = sme.THRESHOLDS[sme.Industry.industry]
    assert n1_rows(wrong)["industry"][0] != industry.sme_below.as_dict()
