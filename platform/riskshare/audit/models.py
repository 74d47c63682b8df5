from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped
from riskshare.db.types import JSONDoc


class AuditEvent(TenantScoped, Base):
    """Who did or read what, when; ``hash`` covers this row and the previous row's hash."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer())
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[Any] = mapped_column(JSONDoc, default=None)
    after: Mapped[Any] = mapped_column(JSONDoc, default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
