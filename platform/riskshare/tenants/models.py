from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base
from riskshare.db.types import JSONDoc, utcnow


class Tenant(Base):
    """A locality. The slug appears in URLs and in Keycloak group paths."""

    __tablename__ = "tenants"

    slug: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    # How many days back an action's effective date may go; None: any (history loading).
    backdate_limit_days: Mapped[int | None] = mapped_column(Integer(), default=None)
    # The policies the platform operator lets this tenant run: a program of any other is
    # refused. Named at onboarding (default: every policy installed then), so a plugin
    # installed later is runnable only where the operator allows it.
    policies: Mapped[list[str]] = mapped_column(JSONDoc, default=list, server_default=text("'[]'"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
