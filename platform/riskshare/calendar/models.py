from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TimestampMixin
from riskshare.db.types import JSONDoc


class CalendarYear(TimestampMixin, Base):
    """An operator's holiday table for one year (platform-wide, like the State Council's)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSONDoc)
    working_weekends: Mapped[list[str]] = mapped_column(JSONDoc)
    source: Mapped[str] = mapped_column(String(200))
    extra: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
