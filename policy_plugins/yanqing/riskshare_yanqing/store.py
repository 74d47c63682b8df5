"""Reading and saving the plugin's own records.

Hooks read them through ``facts.session`` (the request's transaction, so under the program
lock when the core holds it); routes through the request context's session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.toolkit import (
    Context,
    Problem,
    ProgramView,
    lock_program,
    program_of,
    record_event,
)
from riskshare_yanqing.explain import NAME
from riskshare_yanqing.models import FundState, Recommendation


def yanqing_program(ctx: Context, program_id: int, *, lock: bool = False) -> ProgramView:
    """The program as a view, or 404 when it is not one of this policy's.

    ``lock``: for a change that moves the pool's money, the program's row is locked first,
    so what the change checks (a reference recorded, a loan subsidised) stays true until it
    commits and a second identical request finds the first.
    """
    _, pview = program_of(ctx, program_id)
    if pview.policy != NAME:
        raise Problem(404, f"Program {program_id} is not a Yanqing program.", kind="not-found")
    if lock:
        lock_program(ctx, program_id)
        _, pview = program_of(ctx, program_id)  # as it stands after the lock
    return pview


def recommendation_of(s: Session, program_id: int, firm_id: int) -> Recommendation | None:
    return s.scalar(
        select(Recommendation).where(
            Recommendation.program_id == program_id, Recommendation.firm_id == firm_id
        )
    )


def fund_state_of(s: Session, program_id: int) -> FundState | None:
    """Whether compensation is suspended (Y-14); None until the first suspension."""
    return s.scalar(select(FundState).where(FundState.program_id == program_id))


def save(ctx: Context, action: str, record: Any) -> Any:
    """Add a new record of the plugin, flush it for its id and audit its creation."""
    ctx.session.add(record)
    ctx.session.flush()
    record_event(ctx, action, record)
    return record


def invalid(detail: str, pointer: str, reason: str) -> Problem:
    """A 422 validation problem pointing at one field of the request body."""
    return Problem(422, detail, kind="validation", errors=[{"pointer": pointer, "detail": reason}])


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def as_list(value: Any) -> list[Any]:
    return list(value or [])
