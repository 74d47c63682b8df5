"""Taking a step of a state machine: who may take it, and the audited change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from riskshare.audit.events import record_event, snapshot
from riskshare.auth.scope import program_roles
from riskshare.context import Context
from riskshare.errors import Problem
from riskshare.plugins.manager import role_catalogue
from riskshare.plugins.types import ProgramView
from riskshare.workflow import StateMachine, TransitionRefused


def transition(
    ctx: Context,
    machine: StateMachine,
    obj: Any,
    name: str,
    program: ProgramView | None,
    changes: dict[str, Any] | None = None,
    state_attr: str = "state",
    *,
    as_roles: Iterable[str] | None = None,
    allowed: Iterable[str] | None = None,
) -> None:
    """Move ``obj`` through ``machine`` if the caller's roles allow it; audit the change.

    ``changes`` are further attributes set by the same step, so the audit event's before
    and after show the whole step. ``as_roles`` replaces the caller's roles when the step is
    another party's, taken on its behalf (the caller is still the audited actor).
    ``allowed`` names the roles the policy already decided for this record (a claim's
    required reviews, a write-off's reviewers) in place of the machine's defaults.
    """
    t = check_transition(
        ctx, machine, obj, name, program, state_attr, as_roles=as_roles, allowed=allowed
    )
    before = snapshot(obj)
    for key, value in (changes or {}).items():
        setattr(obj, key, value)
    if t.target != "=":
        setattr(obj, state_attr, t.target)
    ctx.session.flush()
    record_event(ctx, f"{machine.record}.{name}", obj, before=before)


def check_transition(
    ctx: Context,
    machine: StateMachine,
    obj: Any,
    name: str,
    program: ProgramView | None,
    state_attr: str = "state",
    *,
    as_roles: Iterable[str] | None = None,
    allowed: Iterable[str] | None = None,
) -> Any:
    """Refuse (403/409 problem) unless the caller may take ``name`` from the current state.

    Who may take it is the one authority for the step: the machine's roles, unless the
    program's policy assigns it to others (``riskshare_transition_roles``) or ``allowed``
    names the roles the policy decided for this record.
    """
    if allowed is None and program is not None:
        allowed = ctx.hook.riskshare_transition_roles(
            program=program, record=machine.record, transition=name
        )
    payers = role_catalogue(ctx.pm).payers(program.policy if program is not None else None)
    try:
        if as_roles is not None:
            roles: Iterable[str] = as_roles
        else:
            # A payer acting for an institution counts only in the programs it pays for.
            roles = ctx.roles if program is None else program_roles(ctx, program)
        return machine.check(name, getattr(obj, state_attr), roles, allowed, payers)
    except TransitionRefused as exc:
        raise Problem(exc.status, str(exc), kind="transition-refused") from exc
