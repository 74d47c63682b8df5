from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text
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

    def active_on(self, day: dt.date) -> bool:
        if self.lifted_on and self.lifted_on <= day:
            return False
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)
