"""Working-day calendar for mainland China, used to compute filing deadlines."""

from riskshare.calendar.workdays import (
    SOURCE_CHINESE_CALENDAR,
    SOURCE_WEEKENDS_ONLY,
    DayStatus,
    Deadline,
    WorkdayCalendar,
    YearTable,
)

__all__ = [
    "SOURCE_CHINESE_CALENDAR",
    "SOURCE_WEEKENDS_ONLY",
    "DayStatus",
    "Deadline",
    "WorkdayCalendar",
    "YearTable",
]
