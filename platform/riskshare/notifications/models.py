"""A notification tells the people who must act that a deadline is near, today or missed.

One row per deadline, stage and addressee: ``key`` (unique in the tenant) names all three,
so the sweep that writes it again (a retried job, a second sweep the same day) adds nothing,
and each stage (``due_soon``, ``due_today``, ``late``) is sent once. A notification is
addressed to a role (the fund's staff: ``role`` set, ``institution_id`` None), to one
institution's users (``institution_id`` set, ``role`` None) or to one role of one
institution; who has read it is kept per user in ``notification_reads``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc

DUE_SOON, DUE_TODAY, LATE, ENDED = "due_soon", "due_today", "late", "ended"
STAGES = (DUE_SOON, DUE_TODAY, LATE, ENDED)


class Notification(TenantScoped, TimestampMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # kind:subject_type:subject_id:due_on:stage:addressee -- once per deadline and stage.
    key: Mapped[str] = mapped_column(String(200))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(10))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer())
    due_on: Mapped[dt.date] = mapped_column(Date())
    # The sweep's day: the day the reminder was sent.
    sent_on: Mapped[dt.date] = mapped_column(Date())
    role: Mapped[str | None] = mapped_column(String(40), default=None)
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id"), default=None, index=True
    )
    explanation: Mapped[Any] = mapped_column(JSONDoc, default=dict)


class NotificationRead(TenantScoped, Base):
    """A user has read a notification (once: the key is unique)."""

    __tablename__ = "notification_reads"
    __table_args__ = (UniqueConstraint("tenant_id", "notification_id", "reader"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    reader: Mapped[str] = mapped_column(String(200))  # the user's subject (token ``sub``)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
