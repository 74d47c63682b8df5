"""The core asks a program's own policy and the defaults, never another plugin's hooks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from riskshare.plugins.manager import get_plugin_manager, policy_hooks
from riskshare.toolkit import Decision, PolicyDescriptor, ProgramView, hookimpl

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Test policy",
    "type": "object",
    "additionalProperties": False,
    "properties": {"note": {"title": "Note", "description": "Unused.", "type": "string"}},
}


def _policy(name: str, reviewer: str) -> object:
    """A plugin answering two hooks for every program it is asked about, with no guard."""

    class Plugin:
        @hookimpl
        def riskshare_policies(self):
            return [PolicyDescriptor(name, "1", name, SCHEMA)]

        @hookimpl
        def riskshare_required_reviews(self, program, claim):
            return [reviewer]

        @hookimpl
        def riskshare_monitoring(self, program, day, facts):
            return [f"{name} alert"]

        @hookimpl
        def riskshare_claim_eligibility(self, program, loan, claim, facts):
            return Decision(False, [])

    Plugin.__name__ = f"{name.title()}Plugin"
    return Plugin()


def _program(policy: str) -> ProgramView:
    day = dt.date(2024, 1, 1)
    return ProgramView(1, "t", "p", policy, "1", {}, Decimal("0"), day, day)


@pytest.fixture(scope="module")
def hooks():
    pm = get_plugin_manager(
        [], extra_plugins=[("alpha", _policy("alpha", "panel")), ("beta", _policy("beta", "dean"))]
    )
    return policy_hooks(pm)


def test_a_hook_is_answered_by_the_programs_own_policy_only(hooks):
    for policy, reviewer in (("alpha", "panel"), ("beta", "dean")):
        answer = hooks.riskshare_required_reviews(program=_program(policy), claim=None, facts=None)
        assert answer == [reviewer]


def test_collecting_hooks_gather_only_the_programs_policy(hooks):
    day = dt.date(2024, 1, 2)
    answers = hooks.riskshare_monitoring(program=_program("beta"), day=day, facts=None)
    assert answers == [["beta alert"]]


def test_a_program_of_an_unknown_policy_gets_the_core_defaults(hooks):
    assert hooks.riskshare_required_reviews(program=_program("gamma"), claim=None, facts=None) == [
        "reviewer"
    ]
    # The default eligibility allows; neither plugin's refusal reaches this program.
    decision = hooks.riskshare_claim_eligibility(
        program=_program("gamma"), loan=None, claim=None, facts=None
    )
    assert decision.allowed


def test_hooks_without_a_program_go_to_every_plugin(hooks):
    names = sorted(d.name for batch in hooks.riskshare_policies() for d in batch)
    assert names == ["alpha", "beta"]


def test_a_program_hook_called_without_a_program_is_a_programming_error(hooks):
    with pytest.raises(TypeError, match="program="):
        hooks.riskshare_required_reviews(claim=None, facts=None)
