"""What supervisors enter and what supervised institutions file back.

An *indicator* is a figure the office enters for a period (e.g. the city's average small-firm
NPL rate, X-17) that a policy's monitoring compares against. A *filing* is an institution's
answer to a supervision finding (an explanation and rectification plan, X-17).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import ExactDecimal


class Indicator(TenantScoped, TimestampMixin, Base):
    """A named figure in force from ``effective_from`` until the next entry of that name."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("tenant_id", "program_id", "name", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(63))
    effective_from: Mapped[dt.date] = mapped_column(Date())
    value: Mapped[Decimal] = mapped_column(ExactDecimal(18, 6))
    note: Mapped[str] = mapped_column(Text(), default="")
    entered_by: Mapped[str] = mapped_column(String(200))


class SupervisionFiling(TenantScoped, TimestampMixin, Base):
    """An institution's explanation and rectification plan answering a finding."""

    __tablename__ = "supervision_filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    rule: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    filed_on: Mapped[dt.date] = mapped_column(Date())
    filed_by: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text())
    rectification_plan: Mapped[str] = mapped_column(Text())
