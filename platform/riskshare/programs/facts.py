"""The read-only questions policies may ask (``riskshare.toolkit.Facts``), answered from SQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from riskshare.claims.models import Claim
    from riskshare.context import Context

from riskshare.explain import Explanation
from riskshare.firms.models import Firm
from riskshare.institutions.models import Institution
from riskshare.ledger import service as ledger
from riskshare.loans.models import Loan, LoanEvent
from riskshare.plugins.types import (
    BanView,
    ClaimView,
    FirmView,
    InstitutionView,
    LoanEventView,
    LoanView,
    RecordNotFound,
    ReviewView,
    StandingView,
)
from riskshare.plugins.views import (
    claim_view,
    firm_view,
    institution_view,
    loan_event_view,
    loan_view,
)
from riskshare.sanctions.models import Ban, Standing

BEGINNING = dt.date(1900, 1, 1)
FOREVER = dt.date(9999, 12, 31)
ZERO = Decimal("0.00")
T = TypeVar("T")


class SessionFacts:
    """Facts of one program, as they stand now or, with ``as_of``, at the end of that day.

    As of a past day (a report of a closed period), money counts only what was booked by
    then and loans appear as they stood then, so the same question asked later gets the
    same answer.
    """

    def __init__(
        self,
        session: Session,
        program_id: int,
        today: dt.date,
        as_of: dt.date | None = None,
        context: Context | None = None,
    ) -> None:
        self.session = session
        self.program_id = program_id
        self.today = today
        self.as_of = as_of
        # The request's context, for the policy's own decisions (riskshare.toolkit.suspend)
        # to be recorded and audited in its name; None where facts are only read (reports).
        self.context = context

    def _get(self, model: type[T], what: str, record_id: int) -> T:
        row = self.session.get(model, record_id)
        if row is None:
            raise RecordNotFound(what, record_id)
        return row

    def institution(self, institution_id: int) -> InstitutionView:
        return institution_view(self._get(Institution, "institution", institution_id))

    def institution_or_none(self, institution_id: int | None) -> InstitutionView | None:
        row = None if institution_id is None else self.session.get(Institution, institution_id)
        return None if row is None else institution_view(row)

    def institutions(self, kind: str | None = None) -> list[InstitutionView]:
        query = select(Institution).order_by(Institution.id)
        if kind is not None:
            query = query.where(Institution.kind == kind)
        return [institution_view(i) for i in self.session.scalars(query)]

    def firm(self, firm_id: int) -> FirmView:
        return firm_view(self._get(Firm, "firm", firm_id))

    def firm_or_none(self, firm_id: int | None) -> FirmView | None:
        row = None if firm_id is None else self.session.get(Firm, firm_id)
        return None if row is None else firm_view(row)

    def loan(self, loan_id: int) -> LoanView:
        return loan_view(self._get(Loan, "loan", loan_id))

    def loan_or_none(self, loan_id: int | None) -> LoanView | None:
        row = None if loan_id is None else self.session.get(Loan, loan_id)
        return None if row is None else loan_view(row)

    def claim(self, claim_id: int) -> ClaimView:
        found = self.claim_or_none(claim_id)
        if found is None:
            raise RecordNotFound("claim", claim_id)
        return found

    def claim_or_none(self, claim_id: int | None) -> ClaimView | None:
        from riskshare.claims.models import Claim

        if claim_id is None:
            return None
        found = self._claim_views(select(Claim).where(Claim.id == claim_id))
        return found[0] if found else None

    def firm_loans(self, firm_id: int) -> list[LoanView]:
        rows = self.session.scalars(select(Loan).where(Loan.firm_id == firm_id).order_by(Loan.id))
        return [loan_view(r) for r in rows]

    def institution_loans(self, institution_id: int) -> list[LoanView]:
        rows = self.session.scalars(
            select(Loan)
            .where(Loan.program_id == self.program_id)
            .where((Loan.lender_id == institution_id) | (Loan.guarantor_id == institution_id))
            .order_by(Loan.id)
        )
        return [loan_view(r) for r in rows]

    def program_loans(self) -> list[LoanView]:
        query = select(Loan).where(Loan.program_id == self.program_id).order_by(Loan.id)
        if self.as_of is None:
            return [loan_view(r) for r in self.session.scalars(query)]
        loans = list(self.session.scalars(query.where(Loan.issue_date <= self.as_of)))
        return [loan_as_of(loan, events) for loan, events in self._events_by_loan(loans)]

    def _events_by_loan(self, loans: list[Loan]) -> list[tuple[Loan, list[LoanEvent]]]:
        from riskshare.recoveries.models import WriteOff

        events: dict[int, list[LoanEvent]] = defaultdict(list)
        for event in self.session.scalars(
            select(LoanEvent)
            .where(LoanEvent.loan_id.in_([loan.id for loan in loans]))
            .where(LoanEvent.event_date <= self.as_of)
            .order_by(LoanEvent.event_date, LoanEvent.id)
        ):
            events[event.loan_id].append(event)
        written_off = set(
            self.session.scalars(
                select(WriteOff.loan_id).where(
                    WriteOff.loan_id.in_([loan.id for loan in loans]),
                    WriteOff.state.in_(("approved", "evidenced")),
                    WriteOff.decided_on <= self.as_of,
                )
            )
        )
        out = []
        for loan in loans:
            loan_events = events[loan.id]
            if loan.id in written_off:
                loan_events = [*loan_events, None]  # type: ignore[list-item]
            out.append((loan, loan_events))
        return out

    def active_bans(self, subject_type: str, subject_id: int, on: dt.date) -> list[str]:
        bans = self.session.scalars(
            select(Ban).where(Ban.subject_type == subject_type, Ban.subject_id == subject_id)
        )
        return [f"{b.rule}: {b.reason}" for b in bans if b.active_on(on)]

    def bans_covering(self, firm: FirmView, on: dt.date) -> list[BanView]:
        own = (Ban.subject_type == "firm") & (Ban.subject_id == firm.id)
        reach = own
        if firm.legal_representative_id:
            reach = own | (Ban.legal_representative_id == firm.legal_representative_id)
        bans = self.session.scalars(select(Ban).where(reach).order_by(Ban.starts_on, Ban.id))
        return [
            BanView(
                b.id,
                b.subject_type,
                b.subject_id,
                b.rule,
                b.reason,
                b.starts_on,
                b.ends_on,
                b.legal_representative_id,
                b.credit_entered_on,
            )
            for b in bans
            if b.active_on(on)
        ]

    # ------------------------------------------------------------------ money, from the ledger
    #
    # Every figure below is a sum of postings (docs/ledger.md has the chart: which entry debits
    # and credits each account). Flows (``paid``, ``granted`` ...) count what moved in the
    # inclusive range ``start``..``end`` (either open), as a positive amount; balances
    # (``pool_balance``, ``unpaid`` ...) are what stood at the end of ``on`` (default: now).
    # With ``as_of`` nothing booked after that day counts, whatever range is asked.

    def _until(self, day: dt.date | None) -> dt.date | None:
        if self.as_of is None:
            return day
        return self.as_of if day is None else min(day, self.as_of)

    def _flow(
        self,
        account: str,
        side: int,
        *,
        kinds: Sequence[str] | None = None,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """What ``account`` was debited (``side`` +1) or credited (-1), as a positive amount."""
        end = self._until(end)
        between = None if start is None and end is None else (start or BEGINNING, end or FOREVER)
        total = ledger.balance(
            self.session,
            self.program_id,
            account,
            institution_id=institution_id,
            sign=side,
            kinds=kinds,
            between=between,
            claim_id=claim_id,
        )
        # Debits sum to at least zero, credits to at most zero: the flow is the size.
        return abs(total)

    def debits(
        self,
        account: str,
        *,
        kinds: Sequence[str] | None = None,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        return self._flow(
            account,
            1,
            kinds=kinds,
            institution_id=institution_id,
            claim_id=claim_id,
            start=start,
            end=end,
        )

    def credits(
        self,
        account: str,
        *,
        kinds: Sequence[str] | None = None,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        return self._flow(
            account,
            -1,
            kinds=kinds,
            institution_id=institution_id,
            claim_id=claim_id,
            start=start,
            end=end,
        )

    def granted(
        self,
        kind: str = "compensation",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        return self.credits(
            f"payable:{kind}",
            institution_id=institution_id,
            claim_id=claim_id,
            start=start,
            end=end,
        )

    def paid(
        self,
        kind: str = "compensation",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        return self.debits(
            f"payable:{kind}",
            institution_id=institution_id,
            claim_id=claim_id,
            start=start,
            end=end,
        )

    def unpaid(
        self,
        kind: str = "compensation",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        on: dt.date | None = None,
    ) -> Decimal:
        account = f"payable:{kind}"
        # From zero, not negated: a settled payable reads 0.00, never -0.00.
        return ZERO - self._balance(
            account, institution_id=institution_id, claim_id=claim_id, on=on
        )

    def recoveries_due(
        self,
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        return self.debits(
            "recovery:receivable",
            institution_id=institution_id,
            claim_id=claim_id,
            start=start,
            end=end,
        )

    def recovered(
        self,
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        from riskshare.recoveries.models import Recovery

        end = self._until(end)
        query = select(func.coalesce(func.sum(Recovery.recovered), 0)).where(
            Recovery.program_id == self.program_id
        )
        for column, value in (
            (Recovery.institution_id, institution_id),
            (Recovery.claim_id, claim_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if start is not None:
            query = query.where(Recovery.received_on >= start)
        if end is not None:
            query = query.where(Recovery.received_on <= end)
        return Decimal(self.session.scalar(query) or 0).quantize(ZERO)

    def returned(
        self,
        destination: str | None = "pool",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        # Every return credits the receivable; the destination is the account it debits.
        if destination is None:
            account, side = "recovery:receivable", -1
        else:
            account, side = ("fund:pool" if destination == "pool" else destination), 1
        return self._flow(
            account,
            side,
            kinds=["recovery_returned"],
            institution_id=institution_id,
            claim_id=claim_id,
            start=start,
            end=end,
        )

    def clawed_back(
        self,
        *,
        institution_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        return self.debits(
            "clawback:receivable", institution_id=institution_id, start=start, end=end
        )

    def clawbacks_repaid(
        self,
        *,
        institution_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        return self.credits(
            "clawback:receivable", institution_id=institution_id, start=start, end=end
        )

    def appropriated(self, *, start: dt.date | None = None, end: dt.date | None = None) -> Decimal:
        return self.credits("fund:capital", start=start, end=end)

    def _balance(
        self,
        account: str,
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        on: dt.date | None = None,
    ) -> Decimal:
        on = self._until(on)
        return ledger.balance(
            self.session,
            self.program_id,
            account,
            institution_id=institution_id,
            claim_id=claim_id,
            between=None if on is None else (BEGINNING, on),
        )

    def pool_balance(self, on: dt.date | None = None) -> Decimal:
        return self._balance("fund:pool", on=on)

    def account_balance(
        self, account: str, institution_id: int | None = None, on: dt.date | None = None
    ) -> Decimal:
        return self._balance(account, institution_id=institution_id, on=on)

    # The first contract's names, each one of the queries above.

    def paid_total(self, kind: str = "compensation") -> Decimal:
        return self.paid(kind)

    def paid_between(self, start: dt.date, end: dt.date, kind: str = "compensation") -> Decimal:
        return self.paid(kind, start=start, end=end)

    def paid_to_institution(self, institution_id: int) -> Decimal:
        return self.paid(institution_id=institution_id)

    def returned_total(self, destination: str = "pool") -> Decimal:
        return self.returned(destination)

    def compensation_paid_on_claim(self, claim_id: int) -> Decimal:
        return self.paid(claim_id=claim_id)

    def returned_on_claim(self, claim_id: int) -> Decimal:
        return self.recoveries_due(claim_id=claim_id)

    def claims(
        self,
        *,
        states: Sequence[str] | None = None,
        institution_id: int | None = None,
        loan_id: int | None = None,
    ) -> list[ClaimView]:
        from riskshare.claims.models import Claim

        query = select(Claim).where(Claim.program_id == self.program_id).order_by(Claim.id)
        if states is not None:
            query = query.where(Claim.state.in_(list(states)))
        if institution_id is not None:
            query = query.where(Claim.institution_id == institution_id)
        if loan_id is not None:
            query = query.where(Claim.loan_id == loan_id)
        return self._claim_views(query)

    def _claim_views(self, query: Select[Claim]) -> list[ClaimView]:
        from riskshare.documents.models import Document

        rows = list(self.session.scalars(query))
        kinds: dict[int, set[str]] = defaultdict(set)
        for owner_id, kind in self.session.execute(
            select(Document.owner_id, Document.kind).where(
                Document.owner_type == "claim", Document.owner_id.in_([c.id for c in rows])
            )
        ):
            kinds[owner_id].add(kind)
        return [claim_view(c, frozenset(kinds[c.id])) for c in rows]

    def loan_events(self, loan_id: int) -> list[LoanEventView]:
        rows = self.session.scalars(
            select(LoanEvent).where(LoanEvent.loan_id == loan_id).order_by(LoanEvent.id)
        )
        return [loan_event_view(r) for r in rows]

    def reviews(
        self, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ReviewView]:
        from riskshare.claims.models import Claim, Review

        query = (
            select(Review, Claim.institution_id)
            .join(Claim, Claim.id == Review.claim_id)
            .where(Claim.program_id == self.program_id)
            .order_by(Review.reviewed_on, Review.id)
        )
        if start is not None:
            query = query.where(Review.reviewed_on >= start)
        if end is not None:
            query = query.where(Review.reviewed_on <= end)
        return [
            ReviewView(r.claim_id, institution_id, r.role, r.decision, r.opinion, r.reviewed_on)
            for r, institution_id in self.session.execute(query)
        ]

    def indicator(self, name: str, on: dt.date) -> Decimal | None:
        from riskshare.supervision.models import Indicator

        return self.session.scalar(
            select(Indicator.value)
            .where(
                Indicator.program_id == self.program_id,
                Indicator.name == name,
                Indicator.effective_from <= on,
            )
            .order_by(Indicator.effective_from.desc())
            .limit(1)
        )

    def filings(self, institution_id: int, rule: str) -> list[dt.date]:
        from riskshare.supervision.models import SupervisionFiling

        return list(
            self.session.scalars(
                select(SupervisionFiling.filed_on)
                .where(
                    SupervisionFiling.program_id == self.program_id,
                    SupervisionFiling.institution_id == institution_id,
                    SupervisionFiling.rule == rule,
                )
                .order_by(SupervisionFiling.filed_on)
            )
        )

    # -- standing decisions (riskshare.toolkit.suspend / lift)

    def standings(
        self, subject_type: str, subject_id: int, on: dt.date | None = None
    ) -> list[StandingView]:
        memo = self.session.info.get(STANDINGS_MEMO)
        if memo is not None:
            rows = _memoised_standings(self.session, memo, self.program_id).get(
                (subject_type, subject_id), []
            )
        else:
            rows = list(
                self.session.scalars(
                    select(Standing)
                    .where(
                        Standing.program_id == self.program_id,
                        Standing.subject_type == subject_type,
                        Standing.subject_id == subject_id,
                    )
                    .order_by(Standing.starts_on, Standing.id)
                )
            )
        return [standing_view(r) for r in rows if on is None or r.in_force_on(on)]


# A session that registers many records in one transaction (a bulk import's batch) asks
# whether each firm and institution is suspended: with ``remember_standings(session)`` the
# program's standings are read once and kept until the session writes or rolls back a
# standing (then read again), instead of four queries a record.
STANDINGS_MEMO = "riskshare.standings_memo"


def remember_standings(session: Session) -> None:
    session.info[STANDINGS_MEMO] = {}


def _memoised_standings(
    session: Session, memo: dict[int, dict[tuple[str, int], list[Standing]]], program_id: int
) -> dict[tuple[str, int], list[Standing]]:
    if program_id not in memo:
        by_subject: dict[tuple[str, int], list[Standing]] = defaultdict(list)
        for row in session.scalars(
            select(Standing)
            .where(Standing.program_id == program_id)
            .order_by(Standing.starts_on, Standing.id)
        ):
            by_subject[(row.subject_type, row.subject_id)].append(row)
        memo[program_id] = dict(by_subject)
    return memo[program_id]


@sa_event.listens_for(Session, "before_flush")
def _forget_standings_on_write(session: Session, _context: object, _instances: object) -> None:
    memo = session.info.get(STANDINGS_MEMO)
    if memo and any(isinstance(o, Standing) for o in (*session.new, *session.dirty)):
        memo.clear()


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_standings_on_rollback(session: Session, _previous: object) -> None:
    # A savepoint rolled back may have held a standing the memo read after its flush.
    memo = session.info.get(STANDINGS_MEMO)
    if memo:
        memo.clear()


def loan_as_of(loan: Loan, events: Sequence[LoanEvent | None]) -> LoanView:
    """The loan as it stood after ``events`` (filed in order; ``None``: written off)."""
    view = loan_view(loan)
    outstanding, classification, state = (
        loan.registered_outstanding,
        loan.registered_classification,
        "active",
    )
    for event in events:
        if event is None:
            state = "written_off"
        else:
            outstanding, classification, state = (
                event.outstanding,
                event.classification,
                event.state,
            )
    return dataclasses.replace(
        view, outstanding=outstanding, classification=classification, state=state
    )


def standing_view(row: Standing) -> StandingView:
    return StandingView(
        id=row.id,
        program_id=row.program_id,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        rule=row.rule,
        reason=row.reason,
        starts_on=row.starts_on,
        until=row.until,
        explanations=tuple(explanation_of(e) for e in row.explanations or []),
        recorded_on=row.recorded_on,
        lifted_on=row.lifted_on,
    )


def explanation_of(data: dict) -> Explanation:
    """An explanation as stored (``Explanation.as_dict``), back as one."""
    return Explanation(
        data["rule"],
        data.get("clause", ""),
        data.get("result", ""),
        data.get("zh", ""),
        data.get("en", ""),
        inputs=dict(data.get("inputs") or {}),
        threshold=data.get("threshold"),
        passed=data.get("passed", True),
        clause_en=data.get("clause_en", ""),
    )
