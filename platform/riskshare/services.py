"""Finding, locking and dating the records a service changes.

Every service reads its records through these: a record of another tenant, or one the caller
may not see, is absent (404); a change that moves money locks its program first; an action's
business date is checked once, here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import select

from riskshare.context import Context
from riskshare.errors import Conflict, Invalid, NotFound
from riskshare.programs.models import Program

T = TypeVar("T")


# The records' names in Chinese, for the Chinese answer of a 404 (others show their name).
RECORDS_ZH = {
    "loan": "贷款",
    "claim": "代偿申请",
    "program": "项目",
    "institution": "机构",
    "firm": "企业",
    "plan": "分配方案",
    "document": "文件",
    "report job": "报告任务",
    "import": "导入任务",
    "event": "贷款事项",
    "recovery": "追偿记录",
    "disbursement": "拨付记录",
}


def not_found(what: str, record_id: object) -> NotFound:
    """The same answer for absent records and records the caller may not see."""
    return NotFound(
        f"There is no {what} {record_id}.",
        detail_zh=f"没有编号为 {record_id} 的{RECORDS_ZH.get(what, what)}。",
    )


def already_done(detail: str, **ids: int) -> Conflict:
    """409: what the request would do is done already; ``detail`` says by what, and ``ids``
    name the record (``claim_id=12``) so a client can go to it."""
    return Conflict(detail, extra=ids)


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


def _bad_date(pointer: str, detail: str) -> Invalid:
    return Invalid(
        f"The effective date is not allowed: {detail}",
        errors=[{"pointer": pointer, "detail": detail}],
    )
