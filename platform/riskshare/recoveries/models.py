from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money
from riskshare.workflow import StateMachine

RECOVERY_STATES = StateMachine.define(
    "recovery",
    "due",
    [("confirm_return", "due", "returned", "finance custodian")],
)

WRITE_OFF_STATES = StateMachine.define(
    "write_off",
    "approved",
    [("submit_evidence", "approved", "evidenced", "lender guarantor")],
)


class Recovery(TenantScoped, TimestampMixin, Base):
    __tablename__ = "recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date())
    recovered: Mapped[Decimal] = mapped_column(Money())
    costs: Mapped[Decimal] = mapped_column(Money())
    amount_due: Mapped[Decimal] = mapped_column(Money())
    destination: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    state: Mapped[str] = mapped_column(String(20), default="due")
    returned_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    reported_by: Mapped[str] = mapped_column(String(200))
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)


class WriteOff(TenantScoped, TimestampMixin, Base):
    """A loan written off (核销); the institution owes the approval's evidence."""

    __tablename__ = "write_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    approved_on: Mapped[dt.date] = mapped_column(Date())
    net_loss: Mapped[Decimal] = mapped_column(Money())
    evidence_due_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    evidence_submitted_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    late: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20), default="approved")
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
