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
    [("confirm_return", "due", "returned", "payer")],
)

# A write-off the policy wants reviewed waits in under_review; the policy names which of
# these roles review it (riskshare_write_off), so the machine lists every staff role.
WRITE_OFF_REVIEWERS = "office reviewer finance approver"
WRITE_OFF_STATES = StateMachine.define(
    "write_off",
    "approved",
    [
        ("review", "under_review", "=", WRITE_OFF_REVIEWERS),
        ("approve", "under_review", "approved", WRITE_OFF_REVIEWERS),
        ("reject", "under_review", "rejected", WRITE_OFF_REVIEWERS),
        ("submit_evidence", "approved", "evidenced", "lender guarantor"),
    ],
)
OPEN_WRITE_OFF_STATES = ("under_review", "approved", "evidenced")


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
    """A loan written off (核销); the institution owes the approval's evidence.

    When the policy names reviewers, it waits for their approvals (``reviews``) before the
    loan is written off; a rejected one stays on record and the loan may be tried again.
    """

    __tablename__ = "write_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    ground: Mapped[str | None] = mapped_column(String(40), default=None)
    approved_on: Mapped[dt.date] = mapped_column(Date())
    net_loss: Mapped[Decimal] = mapped_column(Money())
    reviewers: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    reviews: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    decided_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    evidence_due_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    evidence_submitted_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    late: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20), default="approved")
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
