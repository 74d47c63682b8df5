"""docs/writing-a-policy-plugin.md is itself tested: its worked example is the Riverside plugin,
installed and tested with the rest, and every code block it quotes from a file is that file's
text; it names every hook of the contract."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from riskshare.plugins import hookspec

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "writing-a-policy-plugin.md"
QUOTED = re.compile(r"<!-- from (\S+) -->\n```\w*\n(.*?)\n```", re.S)


def quoted_blocks(text: str) -> list[tuple[str, str]]:
    return QUOTED.findall(text)


def test_the_guide_quotes_its_worked_example():
    blocks = quoted_blocks(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    assert {path.split("/")[1] for path, _ in blocks} == {"riverside"}


@pytest.mark.parametrize(
    "path, block", quoted_blocks(GUIDE.read_text(encoding="utf-8")), ids=lambda v: v[:60]
)
def test_each_quoted_block_is_the_files_own_text(path, block):
    assert block in (ROOT / path).read_text(encoding="utf-8"), (
        f"the guide's copy of {path} is stale"
    )


def test_a_block_that_parts_ways_with_its_file_is_caught(tmp_path):
    """The check above can fail: a block edited in the guide alone is not in the file."""
    [(path, block)] = quoted_blocks(
        "<!-- from policy_plugins/riverside/riskshare_riverside/policy.py -->\n"
        "```python\ndef riskshare_plan_period(program, day):\n    return None\n```"
    )
    assert block not in (ROOT / path).read_text(encoding="utf-8")


def test_the_worked_example_is_an_installed_policy_with_tests():
    names = {ep.name for ep in entry_points(group="riskshare.policies")}
    assert "riverside" in names
    tests = ROOT / "policy_plugins" / "riverside" / "tests"
    assert sorted(p.name for p in tests.glob("test_riverside_*.py")) == [
        "test_riverside_concurrency.py",
        "test_riverside_lifecycle.py",
    ]


@pytest.mark.parametrize("name", sorted(n for n in dir(hookspec) if n.startswith("riskshare_")))
def test_the_guide_names_every_hook(name):
    assert f"`{name}`" in GUIDE.read_text(encoding="utf-8"), f"{name} is missing from the guide"
