from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money
from riskshare.workflow import StateMachine

CLAWBACK_STATES = StateMachine.define(
    "clawback",
    "ordered",
    [("confirm_repaid", "ordered", "repaid", "payer")],
)


class Clawback(TenantScoped, TimestampMixin, Base):
    __tablename__ = "clawbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    decided_on: Mapped[dt.date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(Text())
    amount: Mapped[Decimal] = mapped_column(Money())
    state: Mapped[str] = mapped_column(String(20), default="ordered")
    repaid_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)


class Ban(TenantScoped, TimestampMixin, Base):
    """A firm or institution barred from compensation until ``ends_on`` (None: for good).

    A ban bars its subject in every program of the tenant; ``program_id`` names the program
    whose policy decided its length, when the office imposed it under that program's rule.
    """

    __tablename__ = "bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), default=None)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer(), index=True)
    rule: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text())
    starts_on: Mapped[dt.date] = mapped_column(Date())
    ends_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    lifted_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    # A firm's legal representative when the firm was banned (None: not recorded, or not a
    # firm): a policy may bar the person's other firms while the ban lasts (Yanqing Y-17).
    legal_representative_id: Mapped[str | None] = mapped_column(
        String(64), default=None, index=True
    )
    # That the ban was entered in a credit system (录入信用系统): which, when and by whom.
    credit_system: Mapped[str | None] = mapped_column(String(200), default=None)
    credit_entered_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    credit_entered_by: Mapped[str | None] = mapped_column(String(200), default=None)

    def active_on(self, day: dt.date) -> bool:
        if self.lifted_on and self.lifted_on <= day:
            return False
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


class Standing(TenantScoped, TimestampMixin, Base):
    """A program's policy's own decision to suspend a firm or institution, which the core
    then honours (``riskshare.toolkit.suspend``; see ``sanctions/standing.py`` for what a
    suspension blocks).

    In force from ``starts_on`` up to, not including, ``until`` (None: until lifted), in
    the program whose policy recorded it; ``lifted_on`` ends it early (the office's lift).
    One record per program, subject, rule and first day: the same decision recorded again
    is the same record.
    """

    __tablename__ = "standings"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id",
            "program_id",
            "subject_type",
            "subject_id",
            "rule",
            "starts_on",
            name="uq_standings_one_decision_a_day",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer(), index=True)
    rule: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text())
    starts_on: Mapped[dt.date] = mapped_column(Date())
    until: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    explanations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    # The user whose request the policy decided in (a monitoring run, a payment ...).
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_on: Mapped[dt.date] = mapped_column(Date())
    lifted_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    lifted_by: Mapped[str | None] = mapped_column(String(200), default=None)
    lift_reason: Mapped[str | None] = mapped_column(Text(), default=None)

    def in_force_on(self, day: dt.date) -> bool:
        if self.lifted_on is not None and self.lifted_on <= day:
            return False
        return self.starts_on <= day and (self.until is None or day < self.until)
