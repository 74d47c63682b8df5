from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money, Ratio
from riskshare.workflow import StateMachine

CLAIM_STATES = StateMachine.define(
    "claim",
    "submitted",
    [
        ("review", "submitted", "=", "reviewer finance"),
        ("approve", "submitted", "approved", "reviewer finance"),
        ("reject", "submitted", "rejected", "reviewer finance"),
        ("withdraw", "submitted", "withdrawn", "lender guarantor insurer"),
        ("settle", "approved", "paid", "payer"),
    ],
)
# A claim in one of these states is open: an institution has at most one open claim per loan.
OPEN_CLAIM_STATES = ("submitted", "approved")
OPEN_CLAIM_WHERE = "state IN ({})".format(", ".join(f"'{s}'" for s in OPEN_CLAIM_STATES))


class Claim(TenantScoped, TimestampMixin, Base):
    """An institution's request to be compensated for principal lost on one loan."""

    __tablename__ = "claims"
    __table_args__ = (
        # Backs the service's check when two identical claims arrive at the same moment.
        Index(
            "uq_claims_open_per_loan",
            "loan_id",
            "institution_id",
            unique=True,
            postgresql_where=text(OPEN_CLAIM_WHERE),
            sqlite_where=text(OPEN_CLAIM_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    submitted_on: Mapped[dt.date] = mapped_column(Date())
    submitted_by: Mapped[str] = mapped_column(String(200))
    claimed_principal: Mapped[Decimal] = mapped_column(Money())
    ratio: Mapped[Decimal] = mapped_column(Ratio())
    amount: Mapped[Decimal] = mapped_column(Money())
    approved_amount: Mapped[Decimal | None] = mapped_column(Money(), default=None)
    state: Mapped[str] = mapped_column(String(20), default="submitted")
    review_due_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    # The day the payment that settled it in full was confirmed.
    paid_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    statement: Mapped[str | None] = mapped_column(Text(), default=None)
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    # Who bears what part of the compensation when the payee shares it (a guarantee company
    # with the lender): ``[{institution_id, role, amount}]``, adding up to the approved
    # amount (before approval, to the amount).
    shares: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)


class Review(TenantScoped, TimestampMixin, Base):
    """One reviewer's opinion on a claim (审核意见)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("claim_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(10))
    opinion: Mapped[str] = mapped_column(Text())
    reviewed_on: Mapped[dt.date] = mapped_column(Date())
    late: Mapped[bool] = mapped_column(default=False)
