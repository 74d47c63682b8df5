from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money


class Firm(TenantScoped, TimestampMixin, Base):
    """A borrowing firm, identified by its USCC (N-2) and sized per N-1."""

    __tablename__ = "firms"
    __table_args__ = (UniqueConstraint("tenant_id", "uscc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40))
    employees: Mapped[int | None] = mapped_column(Integer(), default=None)
    revenue: Mapped[Decimal | None] = mapped_column(Money(), default=None)
    assets: Mapped[Decimal | None] = mapped_column(Money(), default=None)
    size_class: Mapped[str] = mapped_column(String(10))
    size_explanation: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    region: Mapped[str | None] = mapped_column(String(100), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    registered_by_institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id"), default=None
    )
