"""The one rule for payers acting for an institution, below the routes: the state machines
and the report readers count such a role only in the programs whose config names its
institution (the routes' own refusal and the hidden records are walked over HTTP in
tests/api/test_isolation.py and policy_plugins/yanqing/tests/test_yanqing_custodian.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from riskshare.auth.principal import Principal
from riskshare.auth.scope import program_roles
from riskshare.context import Context
from riskshare.disbursements.models import DISBURSEMENT_STATES
from riskshare.errors import Forbidden, Problem
from riskshare.plugins.manager import get_plugin_manager
from riskshare.plugins.types import ProgramView
from riskshare.reports.service import check_report_reader
from riskshare.workflow.transitions import check_transition

PROGRAM = ProgramView(
    1,
    "t",
    "yanqing-2025",
    "yanqing",
    "1",
    {"custodian": "yq-custodian"},
    None,
    dt.date(2025, 1, 1),
    dt.date(2027, 12, 31),
)


def _custodian(institution: str, *roles: str) -> Context:
    principal = Principal("s", "u", {"t": frozenset(("custodian", *roles))}, False, institution)
    return Context(
        session=None,  # type: ignore[arg-type]
        tenant="t",
        principal=principal,
        roles=frozenset(("custodian", *roles)),
        pm=get_plugin_manager(["yanqing"]),
        calendar=None,  # type: ignore[arg-type]
        today=dt.date(2025, 7, 1),
        institution_id=7,
    )


INSTRUCTED = SimpleNamespace(state="instructed")


def test_the_programs_custodian_confirms_its_payment_and_reads_its_reports():
    ctx = _custodian("yq-custodian")
    assert program_roles(ctx, PROGRAM) == {"custodian"}
    check_transition(ctx, DISBURSEMENT_STATES, INSTRUCTED, "confirm", PROGRAM)
    check_report_reader(ctx, PROGRAM)


def test_another_custodian_is_nobody_in_the_program():
    ctx = _custodian("yq-custodian-2", "auditor")
    assert program_roles(ctx, PROGRAM) == {"auditor"}
    with pytest.raises(Problem) as refused:
        check_transition(ctx, DISBURSEMENT_STATES, INSTRUCTED, "confirm", PROGRAM)
    assert refused.value.status == 403
    alone = _custodian("yq-custodian-2")
    with pytest.raises(Forbidden, match="you have none in it"):
        check_report_reader(alone, PROGRAM)


def test_a_custodian_acting_for_no_institution_pays_for_nothing():
    ctx = _custodian(None, "office")  # type: ignore[arg-type]
    assert program_roles(ctx, PROGRAM) == {"office"}
