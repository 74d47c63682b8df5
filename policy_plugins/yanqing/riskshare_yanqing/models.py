"""The plugin's own records: recommendations and their joint review, the custodian's pool,
premium subsidies and penalties. Tenant-scoped like the core's (row-level security in the
migration), so one district never sees another's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.toolkit import (
    Base,
    JSONDoc,
    Money,
    Ratio,
    StateMachine,
    TenantScoped,
    TimestampMixin,
)

# Y-03 … Y-08: recommended → pre-screened → joint review → (district approval) → graded →
# pushed; a failed financing goes back to joint review, too many failures end it.
RECOMMENDATION_STATES = StateMachine.define(
    "yanqing_recommendation",
    "recommended",
    [
        ("prescreen", "recommended", "in_review", "office"),
        ("screen_out", "recommended", "screened_out", "office"),
        ("vote", "in_review", "=", "panelist"),
        ("grade", "in_review", "graded", "panelist"),
        ("await_approval", "in_review", "awaiting_approval", "panelist"),
        ("reject", "in_review", "rejected", "panelist"),
        ("approve", "awaiting_approval", "graded", "approver"),
        ("refuse", "awaiting_approval", "in_review", "approver"),
        ("push", ("graded", "pushed"), "pushed", "office"),
        ("fail", "pushed", "in_review", "office"),
        ("exhaust", "pushed", "exhausted", "office"),
    ],
)


class Recommendation(TenantScoped, TimestampMixin, Base):
    """A firm a department or town recommended to a program, and its grading. Its documents
    (Y-03) are stored with the core's documents, owner type ``yanqing_recommendation``."""

    __tablename__ = "yanqing_recommendations"
    __table_args__ = (UniqueConstraint("tenant_id", "program_id", "firm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    # The firm's USCC, which other recommendations name as an affiliate or shareholder (Y-05).
    firm_uscc: Mapped[str] = mapped_column(String(18), index=True)
    recommender_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    recommended_on: Mapped[dt.date] = mapped_column(Date())
    quarter: Mapped[str] = mapped_column(String(7))
    financing_need: Mapped[Decimal] = mapped_column(Money())
    focus_sector: Mapped[str | None] = mapped_column(String(63), default=None)
    affiliates: Mapped[list[str]] = mapped_column(JSONDoc)
    shareholders: Mapped[list[str]] = mapped_column(JSONDoc)
    credit_record: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    checks: Mapped[list[Any]] = mapped_column(JSONDoc)
    state: Mapped[str] = mapped_column(String(20), default="recommended")
    guarantor_seat: Mapped[bool] = mapped_column(Boolean(), default=False)
    review_round: Mapped[int] = mapped_column(Integer(), default=1)
    grade: Mapped[str | None] = mapped_column(String(10), default=None)
    grade_effective_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    # The date of its latest step (the recommendation, a pre-screen, a vote, a decision, a
    # push, a failure): a step dated (effective_on) before it is refused. None on rows from
    # before yanqing_0002, which read ``recommended_on`` instead (``last_step_on``).
    stepped_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    outcome: Mapped[list[Any]] = mapped_column(JSONDoc, default=list)
    pushed_to: Mapped[list[int]] = mapped_column(JSONDoc, default=list)
    failed_attempts: Mapped[int] = mapped_column(Integer(), default=0)

    @property
    def last_step_on(self) -> dt.date:
        return self.stepped_on or self.recommended_on


class Vote(TenantScoped, TimestampMixin, Base):
    """One delegate's grade (or rejection) in one round of the joint review (Y-06): one vote
    per seat and one per delegate in each round."""

    __tablename__ = "yanqing_votes"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "review_round", "seat"),
        UniqueConstraint("recommendation_id", "review_round", "voter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("yanqing_recommendations.id"), index=True
    )
    review_round: Mapped[int] = mapped_column(Integer())
    seat: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str] = mapped_column(String(10))
    opinion: Mapped[str] = mapped_column(String(2000))
    voter: Mapped[str] = mapped_column(String(200))
    voted_on: Mapped[dt.date] = mapped_column(Date())


class FundState(TenantScoped, TimestampMixin, Base):
    """Whether compensation is suspended (Y-14); changed only under the program lock."""

    __tablename__ = "yanqing_fund_states"
    __table_args__ = (UniqueConstraint("program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    suspended: Mapped[bool] = mapped_column(Boolean(), default=False)
    changed_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    explanation: Mapped[list[Any]] = mapped_column(JSONDoc, default=list)


class FundEvent(TenantScoped, TimestampMixin, Base):
    """The custodian's side of the pool: gains, fees (with the year's rate and, in ``note``,
    the performance it was set on), suspensions (Y-01, Y-14); annual reports filed before
    yanqing_0004, which files them as ``CustodianReport``."""

    __tablename__ = "yanqing_fund_events"
    __table_args__ = (UniqueConstraint("program_id", "kind", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer())
    booked_on: Mapped[dt.date] = mapped_column(Date())
    amount: Mapped[Decimal | None] = mapped_column(Money(), default=None)
    # A fee's rate, set for its year within the configured bounds (Y-01); None otherwise.
    rate: Mapped[Decimal | None] = mapped_column(Ratio(), default=None)
    note: Mapped[str] = mapped_column(String(2000), default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[list[Any]] = mapped_column(JSONDoc, default=list)


class Subsidy(TenantScoped, TimestampMixin, Base):
    """A loan-insurance premium subsidy paid to the firm on a DRC notice (Y-11). The
    application's documents are stored with the core's, owner type ``yanqing_subsidy``."""

    __tablename__ = "yanqing_subsidies"
    __table_args__ = (UniqueConstraint("tenant_id", "loan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"))
    premium: Mapped[Decimal] = mapped_column(Money())
    rate: Mapped[Decimal] = mapped_column(Ratio())
    amount: Mapped[Decimal] = mapped_column(Money())
    disbursement_id: Mapped[int] = mapped_column(ForeignKey("disbursements.id"))
    noticed_by: Mapped[str] = mapped_column(String(200))
    noticed_on: Mapped[dt.date] = mapped_column(Date())
    explanation: Mapped[list[Any]] = mapped_column(JSONDoc)


class Penalty(TenantScoped, TimestampMixin, Base):
    """A measure against an institution decided per case (Y-16); the same measure against
    the same institution on the same day is one decision, recorded once."""

    __tablename__ = "yanqing_penalties"
    __table_args__ = (
        UniqueConstraint(
            "program_id",
            "institution_id",
            "measure",
            "decided_on",
            # The convention's name would pass PostgreSQL's 63 characters.
            name="uq_yanqing_penalties_institution_measure_day",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    measure: Mapped[str] = mapped_column(String(20))
    max_ratio: Mapped[Decimal | None] = mapped_column(Ratio(), default=None)
    reason: Mapped[str] = mapped_column(String(2000))
    decided_on: Mapped[dt.date] = mapped_column(Date())
    decided_by: Mapped[str] = mapped_column(String(200))


class CustodianReport(TenantScoped, TimestampMixin, Base):
    """A report the custodian files itself (Y-01, 五): the pool's changes every half year
    (``half_yearly``, period ``2025-H1``) and last year's operating or audit report
    (``annual``, period ``2025``), each once, with the day it was due and the day it was
    filed; monitoring shows one missing after its due date."""

    __tablename__ = "yanqing_custodian_reports"
    __table_args__ = (UniqueConstraint("program_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    # The custodian institution that filed it.
    custodian_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))
    due_on: Mapped[dt.date] = mapped_column(Date())
    filed_on: Mapped[dt.date] = mapped_column(Date())
    filed_by: Mapped[str] = mapped_column(String(200))
    # The report's own number or file reference (e.g. 延托报〔2025〕3号).
    document_reference: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(2000), default="")
    late: Mapped[bool] = mapped_column(Boolean(), default=False)
    explanation: Mapped[list[Any]] = mapped_column(JSONDoc, default=list)


# Y-12 原则上一年一拨付，如有特殊情况可调整: the DRC asks for a half year's own notice, with its
# reason; the finance bureau approves or refuses it.
EXTRA_PAYMENT_STATES = StateMachine.define(
    "yanqing_extra_payment",
    "requested",
    [
        ("approve", "requested", "approved", "finance"),
        ("refuse", "requested", "refused", "finance"),
    ],
)


class ExtraPayment(TenantScoped, TimestampMixin, Base):
    """A special case (特殊情况) in which a half year's approved claims get a compensation
    notice of their own instead of waiting for the year's (Y-12); one request per half year."""

    __tablename__ = "yanqing_extra_payments"
    __table_args__ = (UniqueConstraint("program_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(2000))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_on: Mapped[dt.date] = mapped_column(Date())
    state: Mapped[str] = mapped_column(String(20), default="requested")
    opinion: Mapped[str | None] = mapped_column(String(2000), default=None)
    decided_by: Mapped[str | None] = mapped_column(String(200), default=None)
    decided_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    explanation: Mapped[list[Any]] = mapped_column(JSONDoc, default=list)
