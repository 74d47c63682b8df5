"""Working-day arithmetic (docs/policies/README.md, "Working days").

"Within N working days after event E" means the deadline is the N-th working day strictly after
the date of E. Holiday dates asserted here were read from the installed chinesecalendar data
(and match the State Council notices for those years).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from riskshare.calendar import (
    SOURCE_CHINESE_CALENDAR,
    SOURCE_WEEKENDS_ONLY,
    DayStatus,
    Deadline,
    WorkdayCalendar,
    YearTable,
)
from riskshare.calendar import workdays as workdays_module

D = dt.date

# An invented 2027 arrangement: 1 January (Friday) and 4 January (Monday) off, Saturday
# 9 January worked in exchange.
TABLE_2027 = YearTable(
    year=2027,
    holidays=frozenset({D(2027, 1, 1), D(2027, 1, 4)}),
    working_weekends=frozenset({D(2027, 1, 9)}),
    source="operator: 2027 notice",
)


@pytest.fixture
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


# -- ordinary weeks ------------------------------------------------------------------------------


def test_five_working_days_after_a_plain_monday_is_the_next_monday(
    calendar: WorkdayCalendar,
) -> None:
    # 2025-03-10 is a Monday with no holiday nearby; the Monday itself does not count.
    deadline = calendar.add_working_days(D(2025, 3, 10), 5)
    assert deadline == Deadline(
        start=D(2025, 3, 10),
        working_days=5,
        due=D(2025, 3, 17),
        provisional=False,
        sources=(SOURCE_CHINESE_CALENDAR,),
    )


def test_one_working_day_after_a_friday_skips_the_weekend(calendar: WorkdayCalendar) -> None:
    assert calendar.add_working_days(D(2025, 3, 14), 1).due == D(2025, 3, 17)


def test_start_day_never_counts_even_when_it_is_a_working_day(calendar: WorkdayCalendar) -> None:
    assert calendar.is_working_day(D(2025, 3, 11))
    assert calendar.add_working_days(D(2025, 3, 10), 1).due == D(2025, 3, 11)


# -- statutory holidays and adjusted working weekends ---------------------------------------------


@pytest.mark.parametrize("day", [D(2025, 10, d) for d in range(1, 9)])
def test_national_day_2025_october_1_to_8_are_off(calendar: WorkdayCalendar, day: dt.date) -> None:
    assert not calendar.is_working_day(day)


@pytest.mark.parametrize("day", [D(2025, 9, 28), D(2025, 10, 11)])
def test_national_day_2025_adjusted_weekends_are_working_days(
    calendar: WorkdayCalendar, day: dt.date
) -> None:
    assert day.weekday() >= 5  # Sunday 28 September, Saturday 11 October
    assert calendar.is_working_day(day)
    assert calendar.status(day) == DayStatus(
        day=day, working=True, provisional=False, source=SOURCE_CHINESE_CALENDAR
    )


def test_deadline_spanning_national_day_2025_skips_holiday_and_counts_saturday_oct_11(
    calendar: WorkdayCalendar,
) -> None:
    # From Tuesday 30 September: Oct 9 (1), Oct 10 (2), Sat Oct 11 (3), Oct 13 (4), Oct 14 (5).
    deadline = calendar.add_working_days(D(2025, 9, 30), 5)
    assert deadline.due == D(2025, 10, 14)
    assert not deadline.provisional


def test_one_working_day_after_friday_sep_26_2025_is_sunday_sep_28(
    calendar: WorkdayCalendar,
) -> None:
    assert calendar.add_working_days(D(2025, 9, 26), 1).due == D(2025, 9, 28)


def test_spring_festival_2026_feb_15_to_23_off_and_saturdays_feb_14_and_28_worked(
    calendar: WorkdayCalendar,
) -> None:
    for day in (D(2026, 2, d) for d in range(15, 24)):
        assert not calendar.is_working_day(day), day
    assert calendar.is_working_day(D(2026, 2, 14))  # Saturday
    assert calendar.is_working_day(D(2026, 2, 28))  # Saturday
    assert calendar.is_working_day(D(2026, 2, 24))  # first weekday back


def test_deadline_spanning_spring_festival_2026(calendar: WorkdayCalendar) -> None:
    # From Friday 13 February: Sat Feb 14 (1), holiday to Feb 23, then Feb 24..27 (2..5),
    # and Saturday Feb 28 is the sixth.
    assert calendar.add_working_days(D(2026, 2, 13), 5).due == D(2026, 2, 27)
    assert calendar.add_working_days(D(2026, 2, 13), 6).due == D(2026, 2, 28)


def test_x08_overdue_on_2021_09_30_must_be_filed_by_2021_10_13(calendar: WorkdayCalendar) -> None:
    # the lender files within 5 working days of the overdue. National Day 2021 ran
    # Oct 1-7 with Saturday Oct 9 worked: Oct 8 (1), Sat Oct 9 (2), Oct 11 (3), 12 (4), 13 (5).
    deadline = calendar.add_working_days(D(2021, 9, 30), 5)
    assert deadline.due == D(2021, 10, 13)
    assert deadline.as_dict() == {
        "start": "2021-09-30",
        "working_days": 5,
        "due": "2021-10-13",
        "provisional": False,
        "sources": ["chinese-calendar"],
    }
    json.dumps(deadline.as_dict())  # JSON-safe as it stands


def test_x08_filing_on_2021_10_14_is_one_working_day_late(calendar: WorkdayCalendar) -> None:
    overdue = D(2021, 9, 30)
    assert calendar.working_days_between(overdue, D(2021, 10, 13)) == 5  # on time
    assert calendar.working_days_between(overdue, D(2021, 10, 14)) == 6  # 6 > 5: late


# -- years without data --------------------------------------------------------------------------


def test_year_2027_without_table_uses_weekends_only_and_is_provisional(
    calendar: WorkdayCalendar,
) -> None:
    # 1 January 2027 will surely be a holiday, but nobody has published 2027 yet: the answer is
    # a provisional weekends-only one, never an error.
    assert calendar.status(D(2027, 1, 1)) == DayStatus(
        day=D(2027, 1, 1), working=True, provisional=True, source=SOURCE_WEEKENDS_ONLY
    )
    assert not calendar.is_working_day(D(2027, 1, 2))  # Saturday
    deadline = calendar.add_working_days(D(2027, 1, 1), 5)
    assert deadline.due == D(2027, 1, 8)
    assert deadline.provisional
    assert deadline.sources == (SOURCE_WEEKENDS_ONLY,)


def test_years_before_the_library_data_are_weekends_only_too(calendar: WorkdayCalendar) -> None:
    status = calendar.status(D(2003, 10, 1))  # Wednesday; the library starts at 2004
    assert status.working and status.provisional and status.source == SOURCE_WEEKENDS_ONLY


def test_deadline_from_late_december_2026_into_2027_is_provisional(
    calendar: WorkdayCalendar,
) -> None:
    # From Tuesday 29 December 2026: Dec 30 (1), Dec 31 (2), then 2027 on weekends alone:
    # Fri Jan 1 (3), Mon Jan 4 (4), Tue Jan 5 (5).
    deadline = calendar.add_working_days(D(2026, 12, 29), 5)
    assert deadline.due == D(2027, 1, 5)
    assert deadline.provisional
    assert deadline.sources == (SOURCE_CHINESE_CALENDAR, SOURCE_WEEKENDS_ONLY)


def test_deadline_that_ends_before_the_uncovered_year_is_not_provisional(
    calendar: WorkdayCalendar,
) -> None:
    deadline = calendar.add_working_days(D(2026, 12, 29), 2)
    assert deadline.due == D(2026, 12, 31)
    assert not deadline.provisional
    assert deadline.sources == (SOURCE_CHINESE_CALENDAR,)


def test_operator_table_for_2027_makes_the_same_deadline_final_and_honours_its_days() -> None:
    calendar = WorkdayCalendar([TABLE_2027])
    # Dec 30 (1), Dec 31 (2), Jan 1 off, weekend, Jan 4 off, Jan 5 (3), Jan 6 (4), Jan 7 (5).
    deadline = calendar.add_working_days(D(2026, 12, 29), 5)
    assert deadline.due == D(2027, 1, 7)
    assert not deadline.provisional
    assert deadline.sources == (SOURCE_CHINESE_CALENDAR, "operator: 2027 notice")
    # Jan 8 (6), Saturday Jan 9 worked (7), Jan 11 (8).
    assert calendar.add_working_days(D(2026, 12, 29), 7).due == D(2027, 1, 9)
    assert calendar.status(D(2027, 1, 9)) == DayStatus(
        day=D(2027, 1, 9), working=True, provisional=False, source="operator: 2027 notice"
    )
    assert not calendar.is_working_day(D(2027, 1, 4))
    assert not calendar.is_working_day(D(2027, 1, 16))  # an unlisted Saturday stays off
    # 2028 is still uncovered.
    assert calendar.status(D(2028, 3, 1)).provisional


def test_operator_table_overrides_chinese_calendar_for_a_covered_year() -> None:
    # Suppose the operator corrects 2025: 8 October worked, 28 September not worked.
    correction = YearTable(
        year=2025,
        holidays=frozenset(D(2025, 10, d) for d in (1, 2, 3, 6, 7)),
        working_weekends=frozenset({D(2025, 10, 11)}),
        source="operator: corrected 2025",
    )
    calendar = WorkdayCalendar([correction])
    assert calendar.status(D(2025, 10, 8)) == DayStatus(
        day=D(2025, 10, 8), working=True, provisional=False, source="operator: corrected 2025"
    )
    assert not calendar.is_working_day(D(2025, 9, 28))
    assert calendar.is_working_day(D(2025, 10, 11))
    # The table describes its whole year: Labour Day 2025, which it omits, is a working day.
    assert calendar.is_working_day(D(2025, 5, 1))
    # Other years still come from the library.
    assert calendar.status(D(2024, 10, 1)) == DayStatus(
        day=D(2024, 10, 1), working=False, provisional=False, source=SOURCE_CHINESE_CALENDAR
    )


# -- caching -------------------------------------------------------------------------------------


def test_library_is_probed_once_per_year_and_never_leaks_not_implemented_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dt.date] = []
    real: Callable[[dt.date], bool] = workdays_module.chinese_calendar.is_workday

    def counting(day: dt.date) -> bool:
        calls.append(day)
        return real(day)

    monkeypatch.setattr(workdays_module.chinese_calendar, "is_workday", counting)
    calendar = WorkdayCalendar()

    for _ in range(3):
        calendar.add_working_days(D(2027, 1, 1), 200)
    assert calls == [D(2027, 1, 1)]  # one failed probe, then cached as uncovered

    calls.clear()
    for _ in range(3):
        calendar.add_working_days(D(2025, 1, 1), 200)
    assert len(calls) == 365  # the whole year once, then cached


def test_long_deadline_agrees_with_working_days_between(calendar: WorkdayCalendar) -> None:
    start = D(2025, 6, 30)
    deadline = calendar.add_working_days(start, 400)  # into 2027
    assert calendar.working_days_between(start, deadline.due) == 400
    assert calendar.working_days_between(start, deadline.due - dt.timedelta(days=1)) == 399
    assert deadline.provisional
    assert deadline.sources == (SOURCE_CHINESE_CALENDAR, SOURCE_WEEKENDS_ONLY)


# -- working_days_between ------------------------------------------------------------------------


def test_working_days_between_counts_after_start_up_to_and_including_end(
    calendar: WorkdayCalendar,
) -> None:
    # Mon 10 March 2025 to Mon 17 March: Mar 11-14 and Mar 17.
    assert calendar.working_days_between(D(2025, 3, 10), D(2025, 3, 17)) == 5
    assert calendar.working_days_between(D(2025, 3, 14), D(2025, 3, 16)) == 0  # weekend only
    # National Day 2025: Sep 30 .. Oct 8 contains no working day.
    assert calendar.working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0


@pytest.mark.parametrize(
    ("start", "end"), [(D(2025, 3, 10), D(2025, 3, 10)), (D(2025, 3, 17), D(2025, 3, 10))]
)
def test_working_days_between_is_zero_when_end_is_not_after_start(
    calendar: WorkdayCalendar, start: dt.date, end: dt.date
) -> None:
    assert calendar.working_days_between(start, end) == 0


def test_working_days_between_across_years_uses_each_years_source() -> None:
    with_table = WorkdayCalendar([TABLE_2027])
    without = WorkdayCalendar()
    # Dec 30, Dec 31, then Jan 1..Jan 11 2027: weekends-only has 7, the table removes Jan 1 and
    # Jan 4 and adds Saturday Jan 9.
    assert without.working_days_between(D(2026, 12, 29), D(2027, 1, 11)) == 2 + 7
    assert with_table.working_days_between(D(2026, 12, 29), D(2027, 1, 11)) == 2 + 6


# -- invalid input -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -1])
def test_add_working_days_refuses_fewer_than_one_day(calendar: WorkdayCalendar, n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar.add_working_days(D(2025, 3, 10), n)


def test_datetime_is_refused_because_its_calendar_day_depends_on_the_zone(
    calendar: WorkdayCalendar,
) -> None:
    with pytest.raises(TypeError, match="not a datetime"):
        calendar.is_working_day(dt.datetime(2025, 3, 10, 12, 0))


def test_year_table_refuses_dates_from_another_year() -> None:
    with pytest.raises(ValueError, match=r"holidays has dates outside 2027: 2026-12-31"):
        YearTable(2027, frozenset({D(2026, 12, 31)}), frozenset())


def test_year_table_refuses_a_holiday_on_a_weekend() -> None:
    with pytest.raises(ValueError, match=r"holidays must be Monday.Friday.*2027-01-02"):
        YearTable(2027, frozenset({D(2027, 1, 2)}), frozenset())


def test_year_table_refuses_a_working_weekend_on_a_weekday() -> None:
    with pytest.raises(
        ValueError, match=r"working_weekends must be Saturday or Sunday.*2027-01-05"
    ):
        YearTable(2027, frozenset(), frozenset({D(2027, 1, 5)}))


def test_year_table_refuses_a_day_that_is_both_holiday_and_working() -> None:
    with pytest.raises(ValueError, match=r"both as holiday and as working weekend: 2027-01-09"):
        YearTable(2027, frozenset({D(2027, 1, 9)}), frozenset({D(2027, 1, 9)}))


def test_year_table_accepts_lists_and_stores_frozensets() -> None:
    table = YearTable(2027, [D(2027, 1, 1)], [D(2027, 1, 9)])  # type: ignore[arg-type]
    assert table.holidays == frozenset({D(2027, 1, 1)})
    assert isinstance(table.working_weekends, frozenset)
    assert table.source == "operator"


def test_two_tables_for_the_same_year_are_refused() -> None:
    with pytest.raises(ValueError, match="more than one YearTable given for 2027"):
        WorkdayCalendar([TABLE_2027, TABLE_2027])
