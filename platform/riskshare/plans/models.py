from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

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
        ("reject", "submitted", "rejected", "approver"),
        ("withdraw", ("draft", "submitted"), "withdrawn", "office"),
        ("complete", "approved", "paid", "payer"),
    ],
)
# A plan in one of these states holds its claims: no other plan may take them meanwhile.
LIVE_PLAN_STATES = ("draft", "submitted", "approved")
# Plans that granted what they allocate (their payments are instructed).
GRANTED_PLAN_STATES = ("approved", "paid")


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
    proposed_on: Mapped[dt.date] = mapped_column(Date())
    approved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    approved_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    capacity: Mapped[Decimal] = mapped_column(Money())
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)


class PlanItem(TenantScoped, Base):
    """One claim's share of a plan; what it does not get is carried or dropped."""

    __tablename__ = "plan_items"
    __table_args__ = (
        UniqueConstraint("plan_id", "claim_id"),
        # One settlement per claim, backed by the database: a claim is held by at most one
        # live plan, even when two plans are proposed at the same moment.
        Index(
            "uq_plan_items_live_claim",
            "claim_id",
            unique=True,
            postgresql_where=text("holds_claim"),
            sqlite_where=text("holds_claim"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("allocation_plans.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    requested: Mapped[Decimal] = mapped_column(Money())
    allocated: Mapped[Decimal] = mapped_column(Money())
    carried: Mapped[Decimal] = mapped_column(Money())
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    # True while the plan is live (LIVE_PLAN_STATES); released when it is rejected,
    # withdrawn or paid, so that what it carried can go into a later plan.
    holds_claim: Mapped[bool] = mapped_column(Boolean(), default=True)


def release_claims(session: Session, plan_id: int) -> None:
    """The plan no longer holds its claims (rejected, withdrawn, or paid)."""
    session.execute(update(PlanItem).where(PlanItem.plan_id == plan_id).values(holds_claim=False))
