from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc
from riskshare.workflow import StateMachine

COOPERATION = StateMachine.define(
    "institution",
    "active",
    [
        ("suspend", "active", "suspended", "office approver"),
        ("resume", "suspended", "active", "office approver"),
        ("revoke", ("active", "suspended"), "revoked", "office approver"),
    ],
)


class Institution(TenantScoped, TimestampMixin, Base):
    __tablename__ = "institutions"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    cooperation: Mapped[str] = mapped_column(String(20), default="active")
    cooperation_reason: Mapped[str | None] = mapped_column(Text(), default=None)
    cooperation_since: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    cooperation_until: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
