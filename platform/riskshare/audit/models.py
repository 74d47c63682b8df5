from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
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
    # HMAC of ``hash`` under the audit key (audit/anchor.py): only the application can make it.
    seal: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(TenantScoped, Base):
    """A signed statement of the chain's state: its last event, head hash and length.

    ``token`` is the JWS the audit key signed; the columns repeat its content for queries.
    Append-only like the events; auditors keep exported copies outside the database.
    """

    __tablename__ = "audit_checkpoints"
    __table_args__ = (UniqueConstraint("tenant_id", "last_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer())
    head_hash: Mapped[str] = mapped_column(String(64))
    events: Mapped[int] = mapped_column(Integer())
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    token: Mapped[str] = mapped_column(Text())
