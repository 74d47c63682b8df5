"""Plugins reach the core only through its facades.

A plugin's package code imports ``riskshare.toolkit`` and nothing else of ``riskshare``; its
tests and its demo module may also import ``riskshare.testing`` (the facade itself, not one
of its submodules). The core can then reorganise every other module without breaking a
plugin, and a plugin author reads two modules to know what there is.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import riskshare.testing
import riskshare.toolkit

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_FILES = sorted(
    path
    for path in ROOT.glob("policy_plugins/*/**/*.py")
    if not any(part.endswith(".egg-info") or part.startswith(".") for part in path.parts)
)
FACADES = {"riskshare.toolkit": riskshare.toolkit, "riskshare.testing": riskshare.testing}


def allowed_modules(path: Path) -> frozenset[str]:
    """Tests and demos (which drive the API as a user would) may use the testing facade."""
    relative = path.relative_to(ROOT).parts
    if "tests" in relative[2:] or path.name == "demo.py":
        return frozenset({"riskshare.toolkit", "riskshare.testing"})
    return frozenset({"riskshare.toolkit"})


def violations(source: str, allowed: frozenset[str]) -> list[str]:
    """Each import of ``riskshare`` outside ``allowed``, and each name a facade lacks."""
    found = []

    def check(line: int, module: str, names: list[str]) -> None:
        if module != "riskshare" and not module.startswith("riskshare."):
            return
        if module not in allowed:
            found.append(f"line {line}: imports {module}")
            return
        for name in names:
            if name not in FACADES[module].__all__:
                found.append(f"line {line}: {module} does not export {name}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check(node.lineno, alias.name, [])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "riskshare":
                # ``from riskshare import toolkit`` names a module, not an attribute.
                for alias in node.names:
                    check(node.lineno, f"riskshare.{alias.name}", [])
            else:
                check(node.lineno, node.module, [alias.name for alias in node.names])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            check(node.lineno, node.args[0].value, [])
    return found


def test_there_are_plugin_files_to_check():
    packages = {path.relative_to(ROOT).parts[1] for path in PLUGIN_FILES}
    assert {"xinxiang", "yanqing"} <= packages
    assert any("tests" in path.parts for path in PLUGIN_FILES)


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_plugin_imports_only_the_facades(path):
    problems = violations(path.read_text(encoding="utf-8"), allowed_modules(path))
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


TOOLKIT = frozenset({"riskshare.toolkit"})
BOTH = frozenset({"riskshare.toolkit", "riskshare.testing"})


@pytest.mark.parametrize(
    ("source", "allowed", "problem"),
    [
        ("from riskshare.records import enforce", BOTH, "imports riskshare.records"),
        ("import riskshare.plugins.manager", BOTH, "imports riskshare.plugins.manager"),
        ("from riskshare import records", BOTH, "imports riskshare.records"),
        ("from riskshare.testing.client import ApiClient", BOTH, "riskshare.testing.client"),
        ("from riskshare.testing import today", TOOLKIT, "imports riskshare.testing"),
        ("from riskshare.toolkit import not_a_name", TOOLKIT, "does not export not_a_name"),
        ("def f():\n    from riskshare.db import tenant_session", BOTH, "riskshare.db"),
        ("importlib.import_module('riskshare.ledger.service')", BOTH, "riskshare.ledger"),
    ],
)
def test_the_check_catches_each_way_round_the_facades(source, allowed, problem):
    [found] = violations(source, allowed)
    assert problem in found


def test_the_facades_themselves_pass():
    source = (
        "from riskshare.toolkit import hookimpl, migration_security\n"
        "from riskshare.testing import ApiClient, race, today\n"
        "from riskshare import toolkit\n"
        "import riskshare_xinxiang.config\n"
    )
    assert violations(source, BOTH) == []


def test_the_testing_facade_imports_without_pytest():
    """Demo modules import ``riskshare.testing`` when the embedded server loads its demo,
    where pytest need not be installed."""
    probe = "import sys, riskshare.testing; print('pytest' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"
