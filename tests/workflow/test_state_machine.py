"""The state machine as a unit: who may take a step, from which states, and what the
program's ``payer`` stands for; and the core's machines have no dead ends."""

from __future__ import annotations

import pytest

from riskshare.claims.models import CLAIM_STATES
from riskshare.disbursements.models import DISBURSEMENT_STATES
from riskshare.institutions.models import COOPERATION
from riskshare.loans.models import LOAN_STATES
from riskshare.plans.models import PLAN_STATES
from riskshare.recoveries.models import RECOVERY_STATES, WRITE_OFF_STATES
from riskshare.sanctions.models import CLAWBACK_STATES
from riskshare.workflow import StateMachine, TransitionRefused

PAYMENT = StateMachine.define(
    "payment",
    "instructed",
    [
        ("confirm", "instructed", "paid", "payer"),
        ("annotate", ("instructed", "paid"), "=", "office auditor"),
        ("cancel", "instructed", "cancelled", "office"),
    ],
)


def test_a_permitted_role_takes_the_step_from_a_source_state():
    step = PAYMENT.check("cancel", "instructed", {"office"})
    assert (step.name, step.target) == ("cancel", "cancelled")
    assert PAYMENT.check("annotate", "paid", {"auditor", "lender"}).target == "="


def test_a_role_not_named_is_refused_with_403_naming_the_roles():
    with pytest.raises(TransitionRefused) as refused:
        PAYMENT.check("cancel", "instructed", {"lender", "auditor"})
    assert refused.value.status == 403
    assert "needs one of the roles ['office']" in str(refused.value)


def test_a_step_from_a_state_it_does_not_leave_is_refused_with_409_naming_the_states():
    with pytest.raises(TransitionRefused) as refused:
        PAYMENT.check("cancel", "paid", {"office"})
    assert refused.value.status == 409
    assert "cannot cancel from state 'paid' (only from ['instructed'])" in str(refused.value)


def test_roles_are_checked_before_the_state():
    """A caller who may not take the step learns nothing about the record's state."""
    with pytest.raises(TransitionRefused) as refused:
        PAYMENT.check("cancel", "paid", {"lender"})
    assert refused.value.status == 403


def test_payer_stands_for_the_programs_payers():
    assert PAYMENT.check("confirm", "instructed", {"finance"}).target == "paid"  # default
    assert PAYMENT.check("confirm", "instructed", {"trustee"}, payers=("trustee",))
    with pytest.raises(TransitionRefused) as refused:
        PAYMENT.check("confirm", "instructed", {"finance"}, payers=("trustee",))
    assert "['trustee']" in str(refused.value)


def test_payer_is_not_a_role_anyone_holds():
    with pytest.raises(TransitionRefused):
        PAYMENT.check("confirm", "instructed", {"payer"})


def test_a_policys_roles_replace_the_machines_and_may_name_the_payer():
    assert PAYMENT.check("cancel", "instructed", {"committee"}, allowed=["committee"])
    with pytest.raises(TransitionRefused):
        PAYMENT.check("cancel", "instructed", {"office"}, allowed=["committee"])
    assert PAYMENT.check(
        "cancel", "instructed", {"trustee"}, allowed=["payer"], payers=("trustee",)
    )


def test_states_are_the_initial_the_sources_and_the_targets_not_the_stay_marker():
    assert PAYMENT.states == {"instructed", "paid", "cancelled"}
    assert PAYMENT.as_table()[1] == {
        "transition": "annotate",
        "from": ["instructed", "paid"],
        "to": "=",
        "roles": ["auditor", "office"],
    }


CORE_MACHINES = [
    LOAN_STATES,
    CLAIM_STATES,
    PLAN_STATES,
    DISBURSEMENT_STATES,
    RECOVERY_STATES,
    WRITE_OFF_STATES,
    CLAWBACK_STATES,
    COOPERATION,
]


# States a service creates records in besides the machine's initial one: a write-off the
# policy wants reviewed starts under review (recoveries/service.py, record_write_off).
ENTRY_STATES = {"write_off": {"under_review"}}


@pytest.mark.parametrize("machine", CORE_MACHINES, ids=lambda m: m.record)
def test_every_state_of_a_core_machine_is_reachable_and_every_step_has_roles(machine):
    reached = {machine.initial, *ENTRY_STATES.get(machine.record, ())}
    frontier = list(reached)
    while frontier:
        state = frontier.pop()
        for step in machine.transitions.values():
            if state in step.sources and step.target not in reached | {"="}:
                reached.add(step.target)
                frontier.append(step.target)
    assert reached == machine.states, f"unreachable: {machine.states - reached}"
    assert all(step.roles for step in machine.transitions.values())
