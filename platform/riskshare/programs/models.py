from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money


class Program(TenantScoped, TimestampMixin, Base):
    """A policy in force for a tenant. Its row is also the lock that serialises payments."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    policy: Mapped[str] = mapped_column(String(63))
    policy_version: Mapped[str] = mapped_column(String(20))
    config: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    fund_total: Mapped[Decimal] = mapped_column(Money())
    effective_from: Mapped[dt.date] = mapped_column(Date())
    effective_to: Mapped[dt.date] = mapped_column(Date())
    status: Mapped[str] = mapped_column(String(20), default="active")

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day <= self.effective_to
