"""The hook specifications are the public contract: each is documented and tested."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from riskshare.plugins import defaults, hookspec

HOOKS = sorted(name for name in dir(hookspec) if name.startswith("riskshare_"))
TESTS = Path(__file__).resolve().parents[1]


def test_there_are_hooks():
    assert len(HOOKS) >= 10


@pytest.mark.parametrize("name", HOOKS)
def test_plugin_hook_is_documented(name):
    func = getattr(hookspec, name)
    doc = inspect.getdoc(func) or ""
    assert doc, f"{name} has no docstring"
    for param in inspect.signature(func).parameters:
        assert f":param {param}:" in doc, f"{name} does not document :param {param}:"
    assert "Example::" in doc, f"{name} has no example"


@pytest.mark.parametrize("name", sorted(n for n in HOOKS if hasattr(defaults, n)))
def test_a_hook_with_a_core_default_says_what_it_does(name):
    """A policy answering the hook replaces the default; the docstring tells it what that
    default did and which toolkit function to build on."""
    doc = inspect.getdoc(getattr(hookspec, name)) or ""
    assert "Default:" in doc, f"{name} has a core default its docstring does not describe"


@pytest.mark.parametrize("name", HOOKS)
def test_plugin_hook_has_a_test(name):
    """Some test outside this file names the hook (calls, implements or asserts on it)."""
    pattern = re.compile(rf"\b{name}\b")
    for path in TESTS.rglob("*.py"):
        if path.name == Path(__file__).name:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            return
    pytest.fail(f"no test mentions {name}")
