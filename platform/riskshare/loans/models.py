from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money
from riskshare.workflow import StateMachine

LOAN_KINDS = (
    "credit",
    "ip_pledge",
    "patent_pledge",
    "trademark_pledge",
    "guaranteed",
    "insured",
    "mortgage",
    "other",
)

# N-3 five-tier classification, in order of increasing risk.
CLASSIFICATIONS = ("normal", "special_mention", "substandard", "doubtful", "loss")
NON_PERFORMING = frozenset({"substandard", "doubtful", "loss"})

LOAN_STATES = StateMachine.define(
    "loan",
    "active",
    [
        ("file_overdue", ("active", "overdue"), "overdue", "lender guarantor"),
        ("reclassify", ("active", "overdue"), "=", "lender"),
        ("record_payout", ("active", "overdue"), "overdue", "guarantor"),
        ("repay", ("active", "overdue"), "=", "lender guarantor"),
        ("restructure", "overdue", "active", "lender"),
        ("close", ("active", "overdue"), "closed", "lender"),
        ("write_off", ("active", "overdue"), "written_off", "lender"),
    ],
)

EVENT_KINDS = {
    "overdue_filing": "file_overdue",
    "classification_change": "reclassify",
    "guarantor_payout": "record_payout",
    "repayment": "repay",
    "restructuring": "restructure",
    "closure": "close",
}


class Loan(TenantScoped, TimestampMixin, Base):
    __tablename__ = "loans"
    __table_args__ = (UniqueConstraint("tenant_id", "lender_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    guarantor_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), default=None)
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), default=None)
    reference: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(30))
    principal: Mapped[Decimal] = mapped_column(Money())
    outstanding: Mapped[Decimal] = mapped_column(Money())
    # As registered, before any event: with each event's values after it, the loan can be
    # seen as it stood on any past date (reports as of their period).
    registered_outstanding: Mapped[Decimal] = mapped_column(Money())
    registered_classification: Mapped[str] = mapped_column(String(20))
    issue_date: Mapped[dt.date] = mapped_column(Date())
    maturity_date: Mapped[dt.date] = mapped_column(Date())
    # The registration's business date (its effective_on), which created_at is not when
    # history is loaded.
    registered_on: Mapped[dt.date] = mapped_column(Date())
    purpose: Mapped[str] = mapped_column(String(200), default="production and operation")
    classification: Mapped[str] = mapped_column(String(20), default="normal")
    state: Mapped[str] = mapped_column(String(20), default="active")
    covered: Mapped[bool] = mapped_column(Boolean())
    coverage: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)

    @property
    def non_performing(self) -> bool:
        return self.classification in NON_PERFORMING

    def institution_ids(self) -> set[int]:
        return {i for i in (self.lender_id, self.guarantor_id, self.insurer_id) if i}


class LoanEvent(TenantScoped, TimestampMixin, Base):
    """Something that happened to a loan, filed by its institution.

    One event of a kind per loan and day: a second filing of the same fact is a mistake or a
    retry, and would count twice (a repayment would reduce the outstanding principal again).
    """

    __tablename__ = "loan_events"
    __table_args__ = (UniqueConstraint("loan_id", "kind", "event_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    event_date: Mapped[dt.date] = mapped_column(Date())
    filed_on: Mapped[dt.date] = mapped_column(Date())
    filed_by: Mapped[str] = mapped_column(String(200))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    due_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    late: Mapped[bool] = mapped_column(Boolean(), default=False)
    working_days_late: Mapped[int] = mapped_column(Integer(), default=0)
    amount: Mapped[Decimal | None] = mapped_column(Money(), default=None)
    # The loan's outstanding principal once the event is filed (after a repayment, less it).
    outstanding: Mapped[Decimal] = mapped_column(Money())
    classification: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
