"""Posting to the ledger and reading balances from it.

Accounts (one chart for every program; a plugin may add its own names):

=====================  ===========================================================
``fund:pool``          money the fund holds (debit balance)
``fund:capital``       appropriations from the budget (credit balance)
``fund:gains``         investment gains credited to the pool
``fund:fees``          fees paid out of the pool (e.g. the custodian's)
``expense:<kind>``     compensation, subsidies ... granted (approved in a plan)
``payable:<kind>``     granted but not yet paid, per institution
``recovery:receivable``  recoveries an institution owes back, per institution
``recovery:returned``  contra-expense: what recoveries gave back
``treasury:remitted``  recoveries that went to the treasury instead of the pool
``clawback:receivable``  compensation an institution must repay, per institution
``clawback:ordered``   contra-expense of clawbacks
=====================  ===========================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riskshare.ledger.models import JournalEntry, Posting

ZERO = Decimal("0.00")


class UnbalancedEntry(ValueError):
    pass


Line = tuple[str, Decimal, int | None]  # account, amount (+debit/-credit), institution


def post(
    session: Session,
    *,
    program_id: int,
    source_key: str,
    kind: str,
    booked_on: dt.date,
    memo: str,
    lines: Sequence[Line],
) -> JournalEntry:
    """Post one balanced entry; posting the same ``source_key`` again returns the first one."""
    total = sum((amount for _, amount, _ in lines), ZERO)
    if total != ZERO or not lines:
        raise UnbalancedEntry(f"entry {source_key} does not balance: {total}")
    existing = session.scalar(
        select(JournalEntry).where(
            JournalEntry.program_id == program_id, JournalEntry.source_key == source_key
        )
    )
    if existing is not None:
        return existing
    entry = JournalEntry(
        program_id=program_id, source_key=source_key, kind=kind, booked_on=booked_on, memo=memo
    )
    for account, amount, institution_id in lines:
        entry.postings.append(
            Posting(
                program_id=program_id, account=account, amount=amount, institution_id=institution_id
            )
        )
    session.add(entry)
    session.flush()
    return entry


def transfer(
    session: Session,
    *,
    program_id: int,
    source_key: str,
    kind: str,
    booked_on: dt.date,
    memo: str,
    debit: str,
    credit: str,
    amount: Decimal,
    institution_id: int | None = None,
) -> JournalEntry:
    """The common two-line entry: ``amount`` from ``credit`` to ``debit``."""
    return post(
        session,
        program_id=program_id,
        source_key=source_key,
        kind=kind,
        booked_on=booked_on,
        memo=memo,
        lines=[(debit, amount, institution_id), (credit, -amount, institution_id)],
    )


def balance(
    session: Session,
    program_id: int,
    account: str,
    *,
    institution_id: int | None = None,
    sign: int = 0,
    kinds: Sequence[str] | None = None,
    between: tuple[dt.date, dt.date] | None = None,
) -> Decimal:
    """Sum of postings on ``account``; ``sign`` +1 sums only debits, -1 only credits."""
    query = select(func.coalesce(func.sum(Posting.amount), 0)).where(
        Posting.program_id == program_id, Posting.account == account
    )
    if institution_id is not None:
        query = query.where(Posting.institution_id == institution_id)
    if sign > 0:
        query = query.where(Posting.amount > 0)
    elif sign < 0:
        query = query.where(Posting.amount < 0)
    if kinds is not None or between is not None:
        query = query.join(JournalEntry, JournalEntry.id == Posting.entry_id)
        if kinds is not None:
            query = query.where(JournalEntry.kind.in_(kinds))
        if between is not None:
            query = query.where(JournalEntry.booked_on.between(*between))
    return Decimal(session.scalar(query) or 0).quantize(Decimal("0.01"))


def trial_balance(session: Session, program_id: int) -> dict[str, Decimal]:
    rows = session.execute(
        select(Posting.account, func.sum(Posting.amount))
        .where(Posting.program_id == program_id)
        .group_by(Posting.account)
        .order_by(Posting.account)
    ).all()
    return {account: Decimal(total).quantize(Decimal("0.01")) for account, total in rows}


def unbalanced_entries(session: Session, program_id: int) -> list[int]:
    """Entries whose postings do not sum to zero: always empty unless the data was tampered."""
    rows = session.execute(
        select(Posting.entry_id)
        .where(Posting.program_id == program_id)
        .group_by(Posting.entry_id)
        .having(func.sum(Posting.amount) != 0)
    ).all()
    return [r[0] for r in rows]
