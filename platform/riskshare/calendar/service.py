"""The working-day calendar as configured: bundled data plus the operator's year tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.calendar.models import CalendarYear
from riskshare.calendar.workdays import WorkdayCalendar, YearTable
from riskshare.db import Database


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


def to_year_table(row: CalendarYear) -> YearTable:
    return YearTable(
        year=row.year,
        holidays=frozenset(dt.date.fromisoformat(d) for d in row.holidays),
        working_weekends=frozenset(dt.date.fromisoformat(d) for d in row.working_weekends),
        source=row.source,
    )
