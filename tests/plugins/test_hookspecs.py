"""The hook specifications are the public contract: each is documented and tested."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from riskshare.plugins import defaults, hookspec
from riskshare.plugins.dispatch import HookRelay

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
def test_the_typed_relay_states_each_hook_as_the_core_calls_it(name):
    """``ctx.hook`` is typed by ``HookRelay``; mypy trusts it, so it must say what pluggy does:
    the spec's arguments, keyword-only, and the spec's answer for a ``firstresult`` hook or
    the list of the plugins' answers for any other."""
    spec = getattr(hookspec, name)
    relay = getattr(HookRelay, name, None)
    assert relay is not None, f"HookRelay has no {name}: add it as the hookspec says"
    spec_sig, relay_sig = inspect.signature(spec), inspect.signature(relay)
    relay_params = [p for p in relay_sig.parameters.values() if p.name != "self"]
    assert [(p.name, p.annotation) for p in relay_params] == [
        (p.name, p.annotation) for p in spec_sig.parameters.values()
    ], f"HookRelay.{name} takes other arguments than the hookspec"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in relay_params), name
    firstresult = spec.riskshare_spec.get("firstresult", False)
    answer = spec_sig.return_annotation
    expected = answer if firstresult else f"list[{answer}]"
    assert relay_sig.return_annotation == expected, f"HookRelay.{name} answers the wrong type"


def test_the_typed_relay_has_no_hook_the_specs_lack():
    relayed = {n for n in vars(HookRelay) if n.startswith("riskshare_")}
    assert relayed == set(HOOKS)


def hook_tests(paths: list[Path]) -> dict[str, list[str]]:
    """Per hook, the test functions that exercise it: a ``test_*`` function whose body calls
    ``<anything>.riskshare_<name>(...)``, or one marked ``@pytest.mark.hooks("riskshare_<name>")``
    (an HTTP test; the ``hooks`` marker fails it unless the hook is answered while it runs).
    A mention in a string, a comment or an implementation does not count."""
    found: dict[str, list[str]] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not func.name.startswith("test_"):
                continue
            names = set()
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr.startswith("riskshare_")
                ):
                    names.add(node.func.attr)
            for decorator in func.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr == "hooks"
                ):
                    names |= {a.value for a in decorator.args if isinstance(a, ast.Constant)}
            for name in names:
                found.setdefault(name, []).append(f"{path.name}::{func.name}")
    return found


TEST_FILES = sorted(
    path
    for root in (TESTS, *TESTS.parent.glob("policy_plugins/*/tests"))
    for path in root.rglob("test_*.py")
    if path.resolve() != Path(__file__).resolve()
)
EXERCISED = hook_tests(TEST_FILES)


@pytest.mark.parametrize("name", HOOKS)
def test_plugin_hook_has_a_test_that_calls_it(name):
    assert EXERCISED.get(name), (
        f"no test function calls {name}(...) or is marked @pytest.mark.hooks({name!r})"
    )


def test_a_mention_is_not_a_test(tmp_path):
    """The check itself: names in strings, comments, implementations and helpers do not
    count; a call in a test's body and the marker do."""
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n"
        "def riskshare_ban(program):  # an implementation\n"
        "    return 'riskshare_clawback'\n"
        "def helper(hook):\n"
        "    return hook.riskshare_recovery(program=None)\n"
        "def test_mentions(hook):\n"
        "    assert 'riskshare_write_off' in str(hook)  # riskshare_deadline\n"
        "def test_calls(hook):\n"
        "    hook.riskshare_compensation(program=None)\n"
        "@pytest.mark.hooks('riskshare_monitoring')\n"
        "def test_marked(api):\n"
        "    pass\n",
        encoding="utf-8",
    )
    assert hook_tests([sample]) == {
        "riskshare_compensation": ["test_sample.py::test_calls"],
        "riskshare_monitoring": ["test_sample.py::test_marked"],
    }
