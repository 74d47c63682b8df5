"""The working-day calendar as configured: bundled data plus the operator's year tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.audit import service as audit
from riskshare.audit.events import snapshot
from riskshare.calendar.models import CalendarYear
from riskshare.calendar.workdays import DayStatus, Deadline, WorkdayCalendar, YearTable
from riskshare.db import Database
from riskshare.db.session import switch_tenant
from riskshare.errors import Invalid
from riskshare.tenants.models import Tenant


class CalendarService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cached: tuple[tuple, WorkdayCalendar] | None = None

    def calendar(self, session: Session | None = None) -> WorkdayCalendar:
        """The current calendar; rebuilt only when the operator's tables have changed.

        Pass the caller's session when it has one: on SQLite a second connection would wait
        for the write lock the first one holds.
        """
        if session is None:
            with self.db.session(None) as own:
                rows = own.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
        else:
            rows = session.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
        key = tuple((r.year, tuple(r.holidays), tuple(r.working_weekends), r.source) for r in rows)
        if self._cached is None or self._cached[0] != key:
            tables = [to_year_table(r) for r in rows]
            self._cached = (key, WorkdayCalendar(tables))
        return self._cached[1]

    def lazy(self, session: Session) -> WorkdayCalendar:
        """The current calendar, read through ``session`` only when first asked a question:
        most requests compute no deadline, and need not read the operator's tables."""
        return LazyCalendar(lambda: self.calendar(session))


class LazyCalendar(WorkdayCalendar):
    """A calendar that loads the real one on its first question and answers as it does."""

    def __init__(self, load: Callable[[], WorkdayCalendar]) -> None:  # no super(): lazy
        self._load = load
        self._loaded: WorkdayCalendar | None = None

    def _real(self) -> WorkdayCalendar:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def status(self, day: dt.date) -> DayStatus:
        return self._real().status(day)

    def is_working_day(self, day: dt.date) -> bool:
        return self._real().is_working_day(day)

    def add_working_days(self, start: dt.date, n: int) -> Deadline:
        return self._real().add_working_days(start, n)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        return self._real().working_days_between(start, end)

    def __getattr__(self, name: str) -> Any:
        # Anything else (the real calendar's internals) is the real calendar's.
        if name in ("_load", "_loaded"):
            raise AttributeError(name)
        return getattr(self._real(), name)


def to_year_table(row: CalendarYear) -> YearTable:
    return YearTable(
        year=row.year,
        holidays=frozenset(dt.date.fromisoformat(d) for d in row.holidays),
        working_weekends=frozenset(dt.date.fromisoformat(d) for d in row.working_weekends),
        source=row.source,
    )


def set_year(
    session: Session,
    year: int,
    *,
    holidays: list[dt.date],
    working_weekends: list[dt.date],
    source: str,
    actor: str,
) -> CalendarYear:
    """Set the holiday table of ``year`` (it overrides the bundled data for that year).

    Every tenant's deadlines are counted on this calendar, so the change is recorded in every
    tenant's audit log, with the table before and after: each tenant's auditors can see why
    a deadline moved.
    """
    try:
        YearTable(year, frozenset(holidays), frozenset(working_weekends), source)
    except ValueError as exc:
        raise Invalid(str(exc), errors=[{"pointer": "/holidays", "detail": str(exc)}]) from exc
    row = session.get(CalendarYear, year)
    before = None if row is None else snapshot(row)
    row = row or CalendarYear(year=year)
    row.holidays = sorted(d.isoformat() for d in holidays)
    row.working_weekends = sorted(d.isoformat() for d in working_weekends)
    row.source = source
    session.add(row)
    session.flush()
    after = snapshot(row)
    for tenant in session.scalars(select(Tenant.slug).order_by(Tenant.slug)).all():
        switch_tenant(session, tenant)
        audit.append(
            session,
            tenant=tenant,
            actor=actor,
            roles=["platform-admin"],
            action="calendar.set",
            record_type=CalendarYear.__tablename__,
            record_id=year,
            before=before,
            after=after,
        )
    return row
