"""Posting to the ledger and reading balances from it.

One chart of accounts serves every program (``fund:pool``, ``fund:capital``,
``expense:<kind>``, ``payable:<kind>``, ``recovery:receivable``, ``recovery:returned``,
``clawback:receivable``, ``clawback:ordered``, and the accounts policies name for their
recovery destinations and their own money). docs/ledger.md has the whole chart: what debits
and credits each account, its normal side, whether it is kept per institution, and which
``Facts`` question reads it. Policies read money through ``Facts``, not ``balance``.
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


class WrongSide(ValueError):
    """An entry would leave an account on the wrong side of zero (see ``normal_side``)."""

    def __init__(self, account: str, institution_id: int | None, balance: Decimal) -> None:
        self.account, self.institution_id, self.balance = account, institution_id, balance
        who = f" for institution {institution_id}" if institution_id is not None else ""
        super().__init__(f"{account}{who} would stand at {balance}")


def normal_side(account: str) -> int:
    """+1 for accounts that never go below zero, -1 for those never above, 0 for either.

    What is owed to institutions (``payable:*``) is a credit: paying more than was granted
    would turn it into a debit. What institutions owe back (``*:receivable``) is a debit:
    more returned than was due would turn it into a credit. The pool is money held: it
    cannot pay out what it does not have.
    """
    if account.startswith("payable:"):
        return -1
    if account.endswith(":receivable") or account == "fund:pool":
        return 1
    return 0


def _per_institution(account: str) -> bool:
    return account != "fund:pool"


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
    claim_id: int | None = None,
) -> JournalEntry:
    """Post one balanced entry; posting the same ``source_key`` again returns the first one.

    ``claim_id``: the claim the entry concerns, if any (``Facts`` reads per-claim money by it).
    """
    total = sum((amount for _, amount, _ in lines), ZERO)
    if total != ZERO or not lines:
        raise UnbalancedEntry(f"entry {source_key} does not balance: {total}")
    existing = entry_by_source(session, program_id, source_key)
    if existing is not None:
        return existing
    entry = JournalEntry(
        program_id=program_id,
        source_key=source_key,
        kind=kind,
        booked_on=booked_on,
        memo=memo,
        claim_id=claim_id,
    )
    for account, amount, institution_id in lines:
        entry.postings.append(
            Posting(
                program_id=program_id, account=account, amount=amount, institution_id=institution_id
            )
        )
    session.add(entry)
    session.flush()
    _check_sides(session, program_id, lines)
    return entry


def _check_sides(session: Session, program_id: int, lines: Sequence[Line]) -> None:
    """Refuse the entry (``WrongSide``) if it pushes a signed account past zero.

    The services check caps, the pool and what is owed before they post; this is the last
    wall behind them, so that no path, a plugin's included, can overdraw or overpay.
    """
    for account, amount, institution_id in lines:
        side = normal_side(account)
        if side == 0 or amount * side > 0:
            continue  # this line moves the account the safe way
        scope = institution_id if _per_institution(account) else None
        total = balance(session, program_id, account, institution_id=scope)
        if total * side < 0:
            raise WrongSide(account, scope, total)


def entry_by_source(session: Session, program_id: int, source_key: str) -> JournalEntry | None:
    return session.scalar(
        select(JournalEntry).where(
            JournalEntry.program_id == program_id, JournalEntry.source_key == source_key
        )
    )


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
    claim_id: int | None = None,
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
        claim_id=claim_id,
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
    claim_id: int | None = None,
) -> Decimal:
    """Sum of postings on ``account``; ``sign`` +1 sums only debits, -1 only credits.

    ``kinds`` keeps only entries of those kinds, ``between`` only those booked in the
    (inclusive) date range, ``claim_id`` only those concerning that claim.
    """
    query = select(func.coalesce(func.sum(Posting.amount), 0)).where(
        Posting.program_id == program_id, Posting.account == account
    )
    if institution_id is not None:
        query = query.where(Posting.institution_id == institution_id)
    if sign > 0:
        query = query.where(Posting.amount > 0)
    elif sign < 0:
        query = query.where(Posting.amount < 0)
    if kinds is not None or between is not None or claim_id is not None:
        query = query.join(JournalEntry, JournalEntry.id == Posting.entry_id)
        if kinds is not None:
            query = query.where(JournalEntry.kind.in_(kinds))
        if between is not None:
            query = query.where(JournalEntry.booked_on.between(*between))
        if claim_id is not None:
            query = query.where(JournalEntry.claim_id == claim_id)
    return Decimal(session.scalar(query) or 0).quantize(Decimal("0.01"))


def trial_balance(session: Session, program_id: int) -> dict[str, Decimal]:
    rows = session.execute(
        select(Posting.account, func.sum(Posting.amount))
        .where(Posting.program_id == program_id)
        .group_by(Posting.account)
        .order_by(Posting.account)
    ).all()
    return {account: Decimal(total).quantize(Decimal("0.01")) for account, total in rows}


def wrong_side_accounts(session: Session, program_id: int) -> list[dict[str, object]]:
    """Signed accounts (per institution where they are kept so) on the wrong side of zero:
    always empty unless a guard failed or the data was tampered."""
    rows = session.execute(
        select(Posting.account, Posting.institution_id, func.sum(Posting.amount))
        .where(Posting.program_id == program_id)
        .group_by(Posting.account, Posting.institution_id)
    ).all()
    totals: dict[tuple[str, int | None], Decimal] = {}
    for account, institution_id, total in rows:
        scope = institution_id if _per_institution(account) else None
        totals[(account, scope)] = totals.get((account, scope), ZERO) + Decimal(total)
    return [
        {"account": account, "institution_id": scope, "balance": total.quantize(ZERO)}
        for (account, scope), total in sorted(totals.items(), key=lambda kv: str(kv[0]))
        if total * normal_side(account) < 0
    ]


def unbalanced_entries(session: Session, program_id: int) -> list[int]:
    """Entries whose postings do not sum to zero: always empty unless the data was tampered."""
    rows = session.execute(
        select(Posting.entry_id)
        .where(Posting.program_id == program_id)
        .group_by(Posting.entry_id)
        .having(func.sum(Posting.amount) != 0)
    ).all()
    return [r[0] for r in rows]
