from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money

# A firm's registration: in force (存续), cancelled by the firm (注销), revoked by the
# registering authority (吊销).
REGISTRATION_STATUSES = ("active", "cancelled", "revoked")


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
    # Where the firm is registered, as its licence states: the USCC's characters 3-8 name
    # the registering authority, which is not always the locality the firm is in.
    registered_address: Mapped[str | None] = mapped_column(String(300), default=None)
    # 有效存续: whether the registration is in force (REGISTRATION_STATUSES).
    registration_status: Mapped[str] = mapped_column(String(20), default="active")
    # 经营范围, as the licence states it.
    business_scope: Mapped[str | None] = mapped_column(Text(), default=None)
    # Its legal representative (法定代表人), by an identifier (an ID document's number): a ban
    # records it, so a policy can bar the person's other firms too (Yanqing Y-17).
    legal_representative_id: Mapped[str | None] = mapped_column(String(64), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    registered_by_institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id"), default=None
    )
