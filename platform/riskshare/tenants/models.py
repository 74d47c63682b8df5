from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base
from riskshare.db.types import utcnow


class Tenant(Base):
    """A locality. The slug appears in URLs and in Keycloak group paths."""

    __tablename__ = "tenants"

    slug: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    # How many days back an action's effective date may go; None: any (history loading).
    backdate_limit_days: Mapped[int | None] = mapped_column(Integer(), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
