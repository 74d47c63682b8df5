"""Programs: creating one validates its config against the policy's JSON Schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import jsonschema
from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.auth.principal import PLATFORM_ADMIN
from riskshare.context import Context
from riskshare.errors import Conflict, Forbidden, Invalid, pointer
from riskshare.ledger import service as ledger
from riskshare.ledger.models import JournalEntry
from riskshare.plugins.ask import pool_credited
from riskshare.plugins.manager import policy_registry
from riskshare.programs.models import Program
from riskshare.services import get_or_404, lock_program, on_effective_date
from riskshare.tenants.models import Tenant


def config_with_defaults(schema: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Fill top-level defaults from the schema, so the text's own figures apply unless changed."""
    filled = {
        name: prop["default"]
        for name, prop in schema.get("properties", {}).items()
        if "default" in prop
    }
    filled.update(config)
    return filled


def validate_config(schema: dict[str, Any], config: dict[str, Any]) -> list[dict[str, str]]:
    validator = jsonschema.Draft202012Validator(schema)
    return [
        {"pointer": "/config" + pointer(list(e.absolute_path)), "detail": e.message}
        for e in sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    ]


def create_program(ctx: Context, data: dict[str, Any]) -> Program:
    if ctx.roles == {PLATFORM_ADMIN} and ctx.session.scalar(select(Program.id).limit(1)):
        raise Forbidden(
            "A platform operator creates only a tenant's first program; the tenant's office"
            " creates the others.",
            kind="forbidden-role",
        )
    ctx = on_effective_date(ctx, data.get("effective_on"))
    registry = policy_registry(ctx.pm)
    descriptor = registry.get(data["policy"])
    if descriptor is None:
        raise Invalid(
            f"No enabled plugin offers the policy '{data['policy']}'.",
            errors=[{"pointer": "/policy", "detail": f"known: {sorted(registry)}"}],
        )
    # The tenant row's lock, as the audit chain takes it (FOR NO KEY UPDATE; a shared lock
    # here would deadlock two creations when each then appends to the chain): the
    # operator's change of the allow-list (FOR UPDATE) waits for this program and then sees
    # it, and this one waits for a change under way and reads the list it leaves.
    tenant = ctx.session.get(Tenant, ctx.tenant, with_for_update={"key_share": True})
    allowed = tenant.policies if tenant is not None else []
    if descriptor.name not in allowed:
        raise Forbidden(
            f"The platform operator has not allowed tenant '{ctx.tenant}' to run the policy"
            f" '{descriptor.name}' (allowed: {', '.join(allowed) or 'none'}); ask them to"
            f" add it (PUT /api/v1/platform/tenants/{ctx.tenant}/policies).",
            kind="policy-not-allowed",
            errors=[{"pointer": "/policy", "detail": f"allowed: {allowed}"}],
        )
    schema = dict(descriptor.config_schema)
    config = config_with_defaults(schema, data.get("config") or {})
    errors = validate_config(schema, config)
    if errors:
        raise Invalid(
            "The program config does not satisfy the policy's schema.",
            kind="config-invalid",
            errors=errors,
        )
    if data["effective_to"] < data["effective_from"]:
        raise Invalid(
            "effective_to is before effective_from.",
            errors=[{"pointer": "/effective_to", "detail": "before effective_from"}],
        )
    if ctx.session.scalar(select(Program.id).where(Program.code == data["code"])):
        raise Conflict(f"A program with code '{data['code']}' exists.")
    program = Program(
        code=data["code"],
        name=data["name"],
        policy=descriptor.name,
        policy_version=descriptor.version,
        config=config,
        fund_total=data["fund_total"],
        effective_from=data["effective_from"],
        effective_to=data["effective_to"],
    )
    ctx.session.add(program)
    ctx.session.flush()
    record_event(ctx, "program.create", program)
    appropriate(ctx, program, data["fund_total"], ctx.today, "initial")
    return program


def appropriate(ctx: Context, program: Program, amount: Decimal, on: dt.date, key: str) -> None:
    """Budget money put into the fund: Dr pool, Cr capital. ``key`` is the budget document's
    reference: the same appropriation recorded twice is refused, naming the first."""
    if amount <= 0:
        raise Invalid(
            "An appropriation must be positive.",
            errors=[{"pointer": "/amount", "detail": "must be > 0"}],
        )
    lock_program(ctx, program.id)
    source_key = f"appropriation:{key}"
    first = ledger.entry_by_source(ctx.session, program.id, source_key)
    if first is not None:
        raise Conflict(
            f"Appropriation '{key}' was recorded on {first.booked_on} (entry {first.id})"
            " already; give each budget document its own reference.",
            errors=[{"pointer": "/reference", "detail": "duplicate"}],
        )
    entry = ledger.transfer(
        ctx.session,
        program_id=program.id,
        source_key=source_key,
        kind="appropriation",
        booked_on=on,
        memo="budget appropriation",
        debit="fund:pool",
        credit="fund:capital",
        amount=amount,
    )
    record_event(ctx, "ledger.appropriation", program, after={"entry": entry.id, "amount": amount})
    pool_credited(ctx, program, "appropriation", amount)


def program_in_force(ctx: Context, issue_date: dt.date, program_id: int | None) -> Program:
    """The program a loan issued on ``issue_date`` is bound to."""
    if program_id is not None:
        # Named explicitly, the loan is bound even outside the window: the policy then
        # records it as not covered, with the reason, instead of the core refusing it.
        return get_or_404(ctx, Program, program_id, "program")
    candidates = ctx.session.scalars(select(Program).order_by(Program.id))
    in_force = [p for p in candidates if p.in_force_on(issue_date)]
    if len(in_force) == 1:
        return in_force[0]
    if not in_force:
        raise Invalid(
            f"No program of this tenant was in force on {issue_date}; the loan is"
            " outside every validity window.",
            kind="no-program",
            errors=[{"pointer": "/issue_date", "detail": "outside every program"}],
        )
    raise Invalid(
        "Several programs were in force on that date; name program_id.",
        errors=[{"pointer": "/program_id", "detail": "required"}],
    )


def journal(program: Program) -> Any:
    """The program's journal entries, oldest first (a query, for paging)."""
    return (
        select(JournalEntry).where(JournalEntry.program_id == program.id).order_by(JournalEntry.id)
    )


def ledger_report(ctx: Context, program: Program) -> dict[str, Any]:
    balances = ledger.trial_balance(ctx.session, program.id)
    wrong_side = ledger.wrong_side_accounts(ctx.session, program.id)
    return {
        "program_id": program.id,
        "balances": balances,
        "pool_balance": balances.get("fund:pool", Decimal("0.00")),
        "wrong_side": wrong_side,
        "balanced": sum(balances.values(), Decimal("0.00")) == 0
        and not ledger.unbalanced_entries(ctx.session, program.id)
        and not wrong_side,
    }


def list_programs(ctx: Context) -> Any:
    return select(Program).order_by(Program.id)
