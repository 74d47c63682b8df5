from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money
from riskshare.workflow import StateMachine

DISBURSEMENT_STATES = StateMachine.define(
    "disbursement",
    "instructed",
    [
        ("confirm", "instructed", "confirmed", "payer"),
        ("cancel", "instructed", "cancelled", "office"),
    ],
)


class Disbursement(TenantScoped, TimestampMixin, Base):
    __tablename__ = "disbursements"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"), default=None)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), default=None)
    kind: Mapped[str] = mapped_column(String(30), default="compensation")
    payee_institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id"), default=None
    )
    payee_firm_id: Mapped[int | None] = mapped_column(ForeignKey("firms.id"), default=None)
    amount: Mapped[Decimal] = mapped_column(Money())
    payer_role: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="instructed")
    instructed_on: Mapped[dt.date] = mapped_column(Date())
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    confirmed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    payment_reference: Mapped[str | None] = mapped_column(String(100), default=None)
    # The payment this one is the rest of: the policy paid only part of that one when it was
    # confirmed (``PaymentDecision.pay_now``), and this part is owed until it is confirmed.
    remainder_of: Mapped[int | None] = mapped_column(ForeignKey("disbursements.id"), default=None)
    # A compensation payment's part of its claim's shares (who bears what), adding up to
    # its amount.
    shares: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
