from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import Money


class JournalEntry(TenantScoped, TimestampMixin, Base):
    """One balanced movement. ``source_key`` names what caused it, so a retry cannot post twice.

    ``claim_id`` names the claim the movement concerns (a compensation granted or paid on it,
    a recovery due or returned on it), so per-claim figures are read from the ledger like
    every other figure, not from the records that caused the entries.
    """

    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("program_id", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    source_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    booked_on: Mapped[dt.date] = mapped_column(Date())
    memo: Mapped[str] = mapped_column(String(300))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), default=None, index=True)
    postings: Mapped[list[Posting]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", lazy="selectin"
    )


class Posting(TenantScoped, Base):
    """One side of an entry: positive is a debit, negative a credit."""

    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    account: Mapped[str] = mapped_column(String(80), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), default=None)
    amount: Mapped[Decimal] = mapped_column(Money())
    entry: Mapped[JournalEntry] = relationship(back_populates="postings")
