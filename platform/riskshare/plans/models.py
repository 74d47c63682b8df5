from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money
from riskshare.workflow import StateMachine

PLAN_STATES = StateMachine.define(
    "plan",
    "draft",
    [
        ("edit", "draft", "=", "office"),
        ("submit", "draft", "submitted", "office"),
        ("return", "submitted", "draft", "approver"),
        ("approve", "submitted", "approved", "approver"),
        ("complete", "approved", "paid", "finance custodian"),
    ],
)


class AllocationPlan(TenantScoped, TimestampMixin, Base):
    __tablename__ = "allocation_plans"
    __table_args__ = (UniqueConstraint("tenant_id", "program_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[dt.date] = mapped_column(Date())
    period_end: Mapped[dt.date] = mapped_column(Date())
    summary_due_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    proposed_by: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    approved_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    capacity: Mapped[Decimal] = mapped_column(Money())
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)


class PlanItem(TenantScoped, Base):
    """One claim's share of a plan; what it does not get is carried or dropped."""

    __tablename__ = "plan_items"
    __table_args__ = (UniqueConstraint("plan_id", "claim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("allocation_plans.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    requested: Mapped[Decimal] = mapped_column(Money())
    allocated: Mapped[Decimal] = mapped_column(Money())
    carried: Mapped[Decimal] = mapped_column(Money())
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
