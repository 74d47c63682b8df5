"""Mainland-China working days, for deadlines written as "within N working days".

Policy texts set deadlines such as "逾期后 5 个工作日内报备" ("report within 5 working days
after the loan becomes overdue"). We read that as: the deadline is the N-th working day
*strictly after* the event day, so the event day itself never counts, even if it is a working
day. A working day is Monday to Friday unless it is a statutory holiday, plus the Saturdays and
Sundays the State Council designates as make-up working days (调休上班).

Where the data comes from, in order of precedence:

1. An operator-supplied :class:`YearTable` for that year. It overrides the bundled library even
   for years the library covers, because the people who run the fund are accountable for the
   deadlines they enforce: if the library is wrong or stale (the State Council has changed an
   arrangement after publication before, e.g. the 2020 Spring Festival extension), they must be
   able to correct it without waiting for a package release. It also lets them enter next year's
   arrangement as soon as it is announced.
2. The ``chinesecalendar`` package, which only knows a fixed range of years (2004–2026 in the
   installed version) and raises ``NotImplementedError`` outside it.
3. Weekends only. The result is then marked ``provisional`` rather than refused: a December
   event routinely has its deadline in January of a year nobody has published yet, and refusing
   to compute it would stop a filing from being accepted at all. A provisional deadline is
   usually right (most days are ordinary weekdays) and tells the caller to show a warning and
   recompute once the year's table is known.

Statuses are worked out a whole year at a time, on first use, and cached, so the library is
probed once per year and deadline arithmetic is a list lookup per day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import chinese_calendar

SOURCE_CHINESE_CALENDAR = "chinese-calendar"
SOURCE_WEEKENDS_ONLY = "weekends-only"

_SATURDAY = 5  # date.weekday(): Monday is 0, so 5 and 6 are the weekend


def _require_plain_date(value: object, what: str) -> dt.date:
    # A datetime is a date subclass, but it carries a time (and maybe a zone), so which calendar
    # day it denotes is the caller's decision; it also never compares equal to a plain date,
    # which would make set lookups silently miss.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"{what} must be a datetime.date (not a datetime), got {value!r}")
    return value


@dataclass(frozen=True)
class YearTable:
    """An operator-supplied holiday table for one year.

    :param year: the calendar year the table describes, completely.
    :param holidays: the weekdays (Mon–Fri) that are off. Weekend days need not be listed.
    :param working_weekends: the Saturdays and Sundays that are working days (调休上班).
    :param source: free text shown in explanations, e.g. ``"国办发明电〔2026〕7号"``.

    Any iterable of dates is accepted for the two sets and stored as a frozenset.
    """

    year: int
    holidays: frozenset[dt.date]
    working_weekends: frozenset[dt.date]
    source: str = "operator"

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise TypeError(f"YearTable.year must be an int, got {self.year!r}")
        if not dt.MINYEAR <= self.year <= dt.MAXYEAR:
            raise ValueError(f"YearTable.year {self.year} is outside {dt.MINYEAR}..{dt.MAXYEAR}")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError("YearTable.source must be a non-empty string")
        # Coerce to frozensets so the table is hashable and immutable whatever the caller passed
        # (a list read from JSON, a set); object.__setattr__ is the documented way in a frozen
        # dataclass.
        holidays = frozenset(_require_plain_date(d, "holiday") for d in self.holidays)
        working = frozenset(
            _require_plain_date(d, "working weekend") for d in self.working_weekends
        )
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "working_weekends", working)

        problems: list[str] = []
        for label, days in (("holidays", holidays), ("working_weekends", working)):
            other_year = sorted(d for d in days if d.year != self.year)
            if other_year:
                problems.append(
                    f"{label} has dates outside {self.year}: "
                    + ", ".join(d.isoformat() for d in other_year)
                )
        weekend_holidays = sorted(d for d in holidays if d.weekday() >= _SATURDAY)
        if weekend_holidays:
            problems.append(
                "holidays must be Monday–Friday (weekends are off anyway), got "
                + ", ".join(f"{d.isoformat()} ({d:%A})" for d in weekend_holidays)
            )
        weekday_working = sorted(d for d in working if d.weekday() < _SATURDAY)
        if weekday_working:
            problems.append(
                "working_weekends must be Saturday or Sunday, got "
                + ", ".join(f"{d.isoformat()} ({d:%A})" for d in weekday_working)
            )
        both = sorted(holidays & working)
        if both:
            problems.append(
                "dates listed both as holiday and as working weekend: "
                + ", ".join(d.isoformat() for d in both)
            )
        if problems:
            raise ValueError(f"invalid YearTable for {self.year}: " + "; ".join(problems))


@dataclass(frozen=True)
class DayStatus:
    """Whether one day is a working day, and on whose authority.

    :param provisional: True when no table covered the day and only weekends were considered.
    :param source: ``"chinese-calendar"``, the :class:`YearTable`'s source, or
        ``"weekends-only"``.
    """

    day: dt.date
    working: bool
    provisional: bool
    source: str


@dataclass(frozen=True)
class Deadline:
    """The N-th working day strictly after ``start``.

    :param provisional: True if any day examined between ``start`` (exclusive) and ``due``
        (inclusive) was provisional, i.e. the due date may move once that year is published.
    :param sources: the distinct sources consulted, in order of first use.
    """

    start: dt.date
    working_days: int
    due: dt.date
    provisional: bool
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "working_days": self.working_days,
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class _Year:
    """One year's statuses, indexed by day of year (0 = 1 January)."""

    first: dt.date
    working: tuple[bool, ...]
    provisional: bool
    source: str

    def index(self, day: dt.date) -> int:
        return (day - self.first).days


def _weekday_flags(year: int) -> list[bool]:
    first = dt.date(year, 1, 1)
    length = (dt.date(year, 12, 31) - first).days + 1
    return [(first + dt.timedelta(days=i)).weekday() < _SATURDAY for i in range(length)]


class WorkdayCalendar:
    """Answers working-day questions from operator tables, chinesecalendar, or weekends alone.

    :param tables: operator :class:`YearTable` s. Each overrides chinesecalendar for its year
        (so an operator can correct the bundled data) and covers years the library lacks.
        Two tables for the same year are refused rather than one silently winning.

    Instances are cheap to keep around; each year is computed on first use and cached. The
    cache is only ever filled with identical values, so concurrent readers are harmless.
    """

    def __init__(self, tables: Iterable[YearTable] = ()) -> None:
        self._tables: dict[int, YearTable] = {}
        for table in tables:
            if not isinstance(table, YearTable):
                raise TypeError(f"expected YearTable, got {table!r}")
            if table.year in self._tables:
                raise ValueError(f"more than one YearTable given for {table.year}")
            self._tables[table.year] = table
        self._years: dict[int, _Year] = {}

    # -- per-year data -------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        first = dt.date(year, 1, 1)
        flags = _weekday_flags(year)

        table = self._tables.get(year)
        if table is not None:
            # The table describes the whole year: anything it does not list is an ordinary day.
            for day in table.holidays:
                flags[(day - first).days] = False
            for day in table.working_weekends:
                flags[(day - first).days] = True
            return _Year(first, tuple(flags), provisional=False, source=table.source)

        library_flags = self._library_year(year, len(flags))
        if library_flags is not None:
            return _Year(first, library_flags, provisional=False, source=SOURCE_CHINESE_CALENDAR)

        return _Year(first, tuple(flags), provisional=True, source=SOURCE_WEEKENDS_ONLY)

    @staticmethod
    def _library_year(year: int, length: int) -> tuple[bool, ...] | None:
        """The whole year from chinesecalendar, or None if it has no data for that year."""
        first = dt.date(year, 1, 1)
        try:
            return tuple(
                chinese_calendar.is_workday(first + dt.timedelta(days=i)) for i in range(length)
            )
        except NotImplementedError:
            # The documented signal for "no data for this year".
            return None
        except (LookupError, ValueError):
            # Not documented, but a year the library cannot answer for must degrade to
            # weekends-only like any other uncovered year rather than fail a filing. Anything
            # else (a TypeError, say) is a bug and should surface.
            return None

    # -- public API ----------------------------------------------------------------------------

    def status(self, day: dt.date) -> DayStatus:
        """Whether ``day`` is a working day, whether that is provisional, and the source."""
        _require_plain_date(day, "day")
        info = self._year(day.year)
        return DayStatus(
            day=day,
            working=info.working[info.index(day)],
            provisional=info.provisional,
            source=info.source,
        )

    def is_working_day(self, day: dt.date) -> bool:
        _require_plain_date(day, "day")
        info = self._year(day.year)
        return info.working[info.index(day)]

    def add_working_days(self, start: dt.date, n: int) -> Deadline:
        """The deadline for "within ``n`` working days after ``start``".

        That is the ``n``-th working day strictly after ``start``; ``start`` itself never counts.
        Never raises for years without data: those days are judged by weekends alone and the
        result is marked provisional.
        """
        _require_plain_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {n!r}")
        if n < 1:
            raise ValueError(f"n must be at least 1 working day, got {n}")

        sources: list[str] = []
        provisional = False
        remaining = n
        day = start
        info = self._year(day.year)
        while remaining:
            day += dt.timedelta(days=1)
            if day.year != info.first.year:
                info = self._year(day.year)
            # Every day examined counts towards provenance, off days included: a holiday that
            # pushed the deadline back is as much part of the answer as the day it landed on.
            if info.source not in sources:
                sources.append(info.source)
            provisional = provisional or info.provisional
            if info.working[info.index(day)]:
                remaining -= 1
        return Deadline(
            start=start,
            working_days=n,
            due=day,
            provisional=provisional,
            sources=tuple(sources),
        )

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days ``d`` satisfy ``start < d <= end`` (0 if ``end <= start``).

        With ``due = add_working_days(start, n).due`` this is ``n`` at ``end == due``; for a
        filing made on ``end`` it tells how many working days after the event it came, and so
        how late it was.
        """
        _require_plain_date(start, "start")
        _require_plain_date(end, "end")
        if end <= start:
            return 0
        first = start + dt.timedelta(days=1)
        total = 0
        # Sum whole slices per year rather than stepping day by day, so long spans stay cheap.
        for year in range(first.year, end.year + 1):
            info = self._year(year)
            lo = info.index(first) if year == first.year else 0
            hi = info.index(end) + 1 if year == end.year else len(info.working)
            total += sum(info.working[lo:hi])
        return total
