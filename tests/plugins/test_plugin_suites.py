"""A plugin's tests and lint run with the core's without an edit to the root.

``pyproject.toml`` names no plugin: pytest's ``testpaths`` and ruff's ``src`` are globs over
``policy_plugins/*``. The tests below copy the root's configuration into a scratch project,
add a plugin the repository has never seen, and ask pytest and ruff what they would do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p.parent.name for p in ROOT.glob("policy_plugins/*/pyproject.toml"))
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
        check=False,
    )


def _scratch(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    smoke = project / "policy_plugins" / "zhangjiakou" / "tests"
    smoke.mkdir(parents=True)
    (smoke / "test_zhangjiakou_smoke.py").write_text("def test_smoke():\n    pass\n")
    (project / "policy_plugins" / "zhangjiakou" / "riskshare_zhangjiakou").mkdir()
    return project


def test_the_root_configuration_names_no_plugin():
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert PLUGINS, "the repository ships plugins"
    for name in PLUGINS:
        assert name not in config, f"pyproject.toml names the plugin {name!r}"


def test_every_installed_plugins_tests_are_collected_by_default():
    result = _run([str(BIN / "pytest"), "--collect-only", "-q", "-p", "no:cacheprovider"], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.split("/tests/")[0] for line in result.stdout.splitlines() if "::" in line}
    for name in PLUGINS:
        assert f"policy_plugins/{name}" in collected, f"{name}'s tests are not collected"


def test_a_new_plugins_tests_are_collected_without_naming_it(tmp_path):
    project = _scratch(tmp_path)
    result = _run([str(BIN / "pytest"), "--collect-only", "-q", "-p", "no:cacheprovider"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "policy_plugins/zhangjiakou/tests/test_zhangjiakou_smoke.py::test_smoke" in result.stdout


def test_a_new_plugin_is_first_party_for_ruff_without_naming_it(tmp_path):
    project = _scratch(tmp_path)
    result = _run([str(BIN / "ruff"), "check", "--show-settings", "policy_plugins"], project)
    assert result.returncode == 0, result.stderr
    assert f'"{project / "policy_plugins" / "zhangjiakou"}"' in result.stdout


CONFTEST = """
import pytest
{imports}

@pytest.fixture(scope="session")
def rs_plugins():
    return {plugins}
"""

CHECK = """
from riskshare.plugins.manager import policy_registry

def test_the_app_has_{expected}_toy(rs_app_any):
    policies = policy_registry(rs_app_any.extensions["riskshare"].pm)
    assert ("toy" in policies) is {present}
"""


def test_each_suite_gets_the_app_with_its_own_plugins_whichever_runs_first(tmp_path):
    """A suite that adds the toy policy and one that adds nothing share one session: each
    test sees the app its own conftest asked for, in either order (the session-wide app
    used to carry the plugins of whichever suite ran first)."""
    project = tmp_path / "project"
    for suite, imports, plugins, expected, present in (
        ("plain", "", "[]", "no", False),
        ("toyed", "import toy_policy", '[("toy", toy_policy)]', "the", True),
    ):
        directory = project / suite
        directory.mkdir(parents=True)
        (directory / "conftest.py").write_text(
            textwrap.dedent(CONFTEST.format(imports=imports, plugins=plugins))
        )
        (directory / f"test_{suite}.py").write_text(
            textwrap.dedent(CHECK.format(expected=expected, present=present))
        )
    (project / "pytest.ini").write_text("[pytest]\n")
    for order in (["plain", "toyed"], ["toyed", "plain"]):
        result = _run(
            [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "-k", "sqlite", *order],
            project,
            PYTHONPATH=str(ROOT / "tests"),
        )
        assert result.returncode == 0, (order, result.stdout[-3000:], result.stderr[-3000:])
        assert "2 passed" in result.stdout, result.stdout[-3000:]
