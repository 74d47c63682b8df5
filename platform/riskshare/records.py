"""Helpers every service uses: fetch-or-404, audited transitions, asking the policy."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import inspect, select

from riskshare.api.context import Context
from riskshare.api.problems import Problem, refused
from riskshare.audit import service as audit
from riskshare.explain import jsonable
from riskshare.plugins.manager import role_catalogue
from riskshare.plugins.types import Decision, ProgramView
from riskshare.plugins.views import program_view
from riskshare.programs.facts import SessionFacts
from riskshare.programs.models import Program
from riskshare.workflow import StateMachine, TransitionRefused

T = TypeVar("T")


def not_found(what: str, record_id: object) -> Problem:
    """The same answer for absent records and records the caller may not see."""
    return Problem(404, f"There is no {what} {record_id}.", kind="not-found")


def already_done(detail: str, **ids: int) -> Problem:
    """409: what the request would do is done already; ``detail`` says by what, and ``ids``
    name the record (``claim_id=12``) so a client can go to it."""
    return Problem(409, detail, kind="conflict", extra=ids)


def get_or_404(ctx: Context, model: type[T], record_id: int, what: str | None = None) -> T:
    """The record of this tenant, or 404 (records of other tenants do not exist here)."""
    obj = ctx.session.get(model, record_id)
    if obj is None:
        raise not_found(what or model.__name__.lower(), record_id)
    return obj


def lock_program(ctx: Context, program_id: int) -> Program:
    """Lock the program's row: every change that moves or commits a fund's money is
    serialised here, so caps, the pool and a record's state are re-read after the lock and
    cannot change under the caller until it commits.

    Take it before anything else that locks (the audit chain's tenant row), so that two
    money changes always lock in the same order and never deadlock.
    """
    program = ctx.session.scalar(
        select(Program)
        .where(Program.id == program_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if program is None:
        raise not_found("program", program_id)
    return program


def lock_for_change(ctx: Context, query: Any, what: str, record_id: object) -> tuple[Program, Any]:
    """The record ``query`` selects (one the caller may see), locked with its program.

    The record is read once to find its program, the program is locked, and the record is
    read again, locked, as it stands after every change committed before the lock: its
    state, and whatever the caller checks next, is current, and a second identical request
    waits here and then finds what the first one did.
    """
    record = ctx.session.scalar(query)
    if record is None:
        raise not_found(what, record_id)
    program = lock_program(ctx, record.program_id)
    record = ctx.session.scalar(query.with_for_update().execution_options(populate_existing=True))
    if record is None:
        raise not_found(what, record_id)
    return program, record


def on_effective_date(
    ctx: Context,
    given: dt.date | None,
    *,
    not_before: dt.date | None = None,
    previous: str = "the record's previous step",
    pointer: str = "/effective_on",
) -> Context:
    """The context of an action dated ``given`` (its value date), or today when not given.

    Everything the action records and computes (the record's date, its ledger entries, the
    caps and periods it checks) then uses that date as "today"; the record still keeps the
    time it was written (``created_at``, and the audit event's ``at``). A date in the future,
    before ``not_before`` (the step it follows) or further back than the tenant allows is
    refused with the field's pointer.
    """
    if given is None:
        return ctx
    not_after_today(ctx, given, pointer)
    if not_before is not None and given < not_before:
        raise _bad_date(pointer, f"{given} is before {previous} ({not_before}).")
    limit = ctx.extra.get("backdate_limit_days")
    if limit is not None and (ctx.today - given).days > limit:
        raise _bad_date(
            pointer,
            f"{given} is more than {limit} days back; this tenant allows dates from"
            f" {ctx.today - dt.timedelta(days=limit)} on.",
        )
    return dataclasses.replace(ctx, today=given)


def not_after_today(ctx: Context, day: dt.date, pointer: str) -> None:
    """A business date the request names (a receipt, an approval) cannot be in the future."""
    if day > ctx.today:
        raise _bad_date(pointer, f"{day} is in the future (today is {ctx.today}).")


def _bad_date(pointer: str, detail: str) -> Problem:
    return Problem(
        422,
        f"The effective date is not allowed: {detail}",
        kind="validation",
        errors=[{"pointer": pointer, "detail": detail}],
    )


def snapshot(obj: Any) -> dict[str, Any]:
    """The record's columns, for the audit log's before/after."""
    mapper = inspect(type(obj))
    return {
        col.key: jsonable(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in ("content",)
    }


def record_event(
    ctx: Context, action: str, obj: Any, before: Any = None, after: Any = None
) -> None:
    audit.append(
        ctx.session,
        tenant=ctx.tenant,
        actor=ctx.actor,
        roles=ctx.roles,
        action=action,
        record_type=type(obj).__tablename__,
        record_id=getattr(obj, "id", None) or getattr(obj, "slug", ""),
        before=before,
        after=snapshot(obj) if after is None else after,
    )


def record_read(ctx: Context, obj: Any) -> None:
    """Reads of claims and compensation data are audited too (X-20)."""
    record_access(ctx, type(obj).__tablename__, obj.id)


def record_access(ctx: Context, record_type: str, record_id: object, action: str = "read") -> None:
    audit.append(
        ctx.session,
        tenant=ctx.tenant,
        actor=ctx.actor,
        roles=ctx.roles,
        action=action,
        record_type=record_type,
        record_id=record_id,
    )


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
        roles = ctx.roles if as_roles is None else as_roles
        return machine.check(name, getattr(obj, state_attr), roles, allowed, payers)
    except TransitionRefused as exc:
        raise Problem(exc.status, str(exc), kind="transition-refused") from exc


def program_of(ctx: Context, program_id: int) -> tuple[Program, ProgramView]:
    program = get_or_404(ctx, Program, program_id, "program")
    return program, program_view(program)


def facts(ctx: Context, program_id: int) -> SessionFacts:
    return SessionFacts(ctx.session, program_id, ctx.today, context=ctx)


def require(decision: Any, question: str, policy: str) -> Any:
    """A policy that leaves a mandatory question unanswered is a configuration fault."""
    if decision is None:
        raise Problem(
            422,
            f"The policy '{policy}' gives no answer to '{question}'; is its plugin enabled?",
            kind="policy-missing",
        )
    return decision


def enforce(decision: Decision, status: int = 422) -> None:
    if not decision.allowed:
        refusing = decision.refusing
        raise refused(refusing.as_dict() if refusing else {"rule": "?", "en": "refused"}, status)


def payee_scope(ctx: Context) -> int | None:
    """The institution whose payments and recoveries the caller sees, or None for all.

    A payer that acts for an institution (a bank holding the pool, say) pays out to every
    institution and is repaid by each, so it sees every institution's.
    """
    return None if ctx.roles & role_catalogue(ctx.pm).all_payers else ctx.institution_id
