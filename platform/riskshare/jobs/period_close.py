"""Period close: once a period has ended, the period work the program's policy declares runs
as jobs, so that it happens when it is due rather than when someone remembers it.

What a policy declares (``PolicyDescriptor``):

* ``plans_at_period_end``: the allocation plan of each ended period
  (``riskshare_plan_period``) is proposed for the office, as ``POST /plans`` would propose
  it: Xinxiang's year-end summary of reviewed claims and proposed plan (X-12), Yanqing's
  half-yearly review list (Y-12). The office edits, submits or withdraws it as any other.
* ``stored_reports``: the fund report of each ended period of those kinds is generated and
  stored as an .xlsx document for the report's readers (Xinxiang's monthly report, X-19).

And for every program, each month: when money went into the pool during the month, the
policy hears of it once more (``riskshare_pool_credited`` with the kind ``period_close``),
so a state that depends on the pool's balance (Y-14's suspension) is re-evaluated even when
the credit came by a path that did not tell the policy at the time.

``plan_period_closes`` (periodic, every ``RISKSHARE_PERIOD_CLOSE_INTERVAL``, on RQ's cron
scheduler) asks each tenant, in Asia/Shanghai, for the close of each program's latest ended
periods through the outbox, keyed ``period-close:<program>:<work>:<period>``: asking every
hour asks once. The job itself is idempotent by what it makes as well: a plan is one per
program and period, a stored report one per period, so a close that runs again (a retry, a
second key) makes no second plan or report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from riskshare.context import Context
from riskshare.db import tenant_session
from riskshare.errors import Conflict, Invalid
from riskshare.jobs.outbox import enqueue
from riskshare.jobs.registry import job
from riskshare.ledger.models import JournalEntry, Posting
from riskshare.plans.models import AllocationPlan
from riskshare.plans.service import claims_due, propose_plan
from riskshare.plugins.ask import pool_credited, program_of
from riskshare.plugins.manager import policy_hooks, policy_registry
from riskshare.plugins.types import Period, PolicyDescriptor, ProgramView
from riskshare.plugins.views import program_view
from riskshare.programs.models import Program
from riskshare.reports import service as reports
from riskshare.services import lock_program
from riskshare.tenants.models import Tenant

CLOSE = "period-close"
PLAN, REPORT, POOL = "plan", "report", "pool"
ZERO = Decimal("0.00")


def due_work(pm: Any, program: Program, today: dt.date) -> Iterator[tuple[str, Period]]:
    """The program's period work whose period ended before ``today``: its latest ended
    plan period, its latest ended period of each stored report, the latest ended month."""
    descriptor: PolicyDescriptor | None = policy_registry(pm).get(program.policy)
    if descriptor is None:
        return  # its plugin is not enabled here; the program's requests say so
    found: list[tuple[str, Period]] = []
    if descriptor.plans_at_period_end:
        ask = policy_hooks(pm).riskshare_plan_period
        pview = program_view(program)
        current = ask(program=pview, day=today)
        if current is not None:
            previous = ask(program=pview, day=current.start - dt.timedelta(days=1))
            if previous is not None:
                found.append((PLAN, previous))
    found += [(REPORT, reports.last_ended(kind, today)) for kind in descriptor.stored_reports]
    found.append((POOL, reports.last_ended("month", today)))
    # A period that ended before the program began has nothing of the program's in it.
    yield from ((work, period) for work, period in found if period.end >= program.effective_from)


def close_key(program_id: int, work: str, label: str) -> str:
    return f"{CLOSE}:{program_id}:{work}:{label}"


def plan_period_closes(ext: Any) -> list[str]:
    """Ask every tenant for the close of its programs' latest ended periods; return the
    ``tenant/key`` asked for (asking again with a key adds nothing)."""
    with tenant_session(ext.db, None) as session:
        tenants = list(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))
    asked = []
    for tenant in tenants:
        with tenant_session(ext.db, tenant) as session:
            today = ext.clock.today()
            for program in session.scalars(select(Program).order_by(Program.id)):
                for work, period in due_work(ext.pm, program, today):
                    key = close_key(program.id, work, period.label)
                    enqueue(
                        session,
                        tenant,
                        CLOSE,
                        key,
                        program_id=program.id,
                        work=work,
                        period=period.label,
                        start=period.start,
                        end=period.end,
                        day=today,
                    )
                    asked.append(f"{tenant}/{key}")
    return asked


@job(CLOSE)
def period_close(
    ctx: Context, program_id: int, work: str, period: str, start: str, end: str, day: str
) -> dict[str, Any]:
    """One piece of a program's period work, as of ``day`` (the day it was asked for)."""
    ctx = dataclasses.replace(ctx, today=dt.date.fromisoformat(day))
    program, pview = program_of(ctx, program_id)
    closed = Period(period, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    return {"work": work, "period": period, **WORK[work](ctx, program, pview, closed)}


def propose(ctx: Context, program: Program, pview: ProgramView, period: Period) -> dict[str, Any]:
    """X-12, Y-12: the period's plan, proposed for the office unless it exists already."""
    existing = ctx.session.scalar(
        select(AllocationPlan.id).where(
            AllocationPlan.program_id == program.id, AllocationPlan.period == period.label
        )
    )
    if existing is not None:
        return {"plan_id": existing, "proposed": False, "reason": "the plan exists already"}
    dues, held = claims_due(ctx, program.id, period)
    if not dues and not held and not _reviewed_in(ctx, program.id, period):
        return {"plan_id": None, "proposed": False, "reason": "no claim reviewed or due"}
    try:
        # A refusal (every claim held by another live plan) leaves nothing half-written.
        with ctx.session.begin_nested():
            plan = propose_plan(ctx, program.id, period.end)
    except (Conflict, Invalid) as refused:
        return {"plan_id": None, "proposed": False, "reason": refused.detail}
    return {"plan_id": plan.id, "proposed": True}


def _reviewed_in(ctx: Context, program_id: int, period: Period) -> bool:
    from riskshare.claims.models import Claim

    return bool(
        ctx.session.scalar(
            select(func.count())
            .select_from(Claim)
            .where(
                Claim.program_id == program_id,
                Claim.reviewed_on.between(period.start, period.end),
            )
        )
    )


def store_report(
    ctx: Context, program: Program, pview: ProgramView, period: Period
) -> dict[str, Any]:
    """X-19: the period's fund report as a workbook, stored for its readers, once."""
    existing = reports.stored_of_period(ctx, program.id, period.label)
    if existing is not None:
        return {"document_id": existing.id, "stored": False}
    report = reports.compose(ctx, program, pview, period)
    content = reports.as_xlsx(report, reports.loan_rows(ctx, program.id, period))
    return {
        "document_id": reports.store_report(ctx, program.id, period, content).id,
        "stored": True,
    }


def reevaluate_pool(
    ctx: Context, program: Program, pview: ProgramView, period: Period
) -> dict[str, Any]:
    """Y-14: the policy hears once more of what went into the pool in the month."""
    credited = Decimal(
        ctx.session.scalar(
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(
                Posting.program_id == program.id,
                Posting.account == "fund:pool",
                Posting.amount > 0,
                JournalEntry.booked_on.between(period.start, period.end),
            )
        )
        or 0
    ).quantize(ZERO)
    if credited > ZERO:
        lock_program(ctx, program.id)  # as every credit's own hearing is
        pool_credited(ctx, program, "period_close", credited)
    return {"credited": str(credited)}


WORK: dict[str, Callable[[Context, Program, ProgramView, Period], dict[str, Any]]] = {
    PLAN: propose,
    REPORT: store_report,
    POOL: reevaluate_pool,
}
