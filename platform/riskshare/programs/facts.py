"""The read-only questions policies may ask (``riskshare.toolkit.Facts``), answered from SQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from riskshare.api.context import Context

from riskshare.explain import Explanation
from riskshare.firms.models import Firm
from riskshare.institutions.models import Institution
from riskshare.ledger import service as ledger
from riskshare.loans.models import Loan, LoanEvent
from riskshare.plugins.types import (
    ClaimView,
    FirmView,
    InstitutionView,
    LoanEventView,
    LoanView,
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

    def institution(self, institution_id: int) -> InstitutionView:
        return institution_view(self.session.get_one(Institution, institution_id))

    def institutions(self, kind: str | None = None) -> list[InstitutionView]:
        query = select(Institution).order_by(Institution.id)
        if kind is not None:
            query = query.where(Institution.kind == kind)
        return [institution_view(i) for i in self.session.scalars(query)]

    def firm(self, firm_id: int) -> FirmView:
        return firm_view(self.session.get_one(Firm, firm_id))

    def loan(self, loan_id: int) -> LoanView:
        return loan_view(self.session.get_one(Loan, loan_id))

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

    def _bal(self, account: str, **kw: object) -> Decimal:
        if self.as_of is not None:
            start, end = kw.get("between") or (BEGINNING, self.as_of)  # type: ignore[misc]
            kw["between"] = (start, min(end, self.as_of))
        return ledger.balance(self.session, self.program_id, account, **kw)  # type: ignore[arg-type]

    def paid_total(self, kind: str = "compensation") -> Decimal:
        return self._bal(f"payable:{kind}", sign=1)

    def paid_between(self, start: dt.date, end: dt.date, kind: str = "compensation") -> Decimal:
        return self._bal(f"payable:{kind}", sign=1, between=(start, end))

    def returned_total(self, destination: str = "pool") -> Decimal:
        """Recoveries returned into the pool (``"pool"``), or remitted to the account of one
        of the policy's destinations (its ``Destination.account``)."""
        account = "fund:pool" if destination == "pool" else destination
        return self._bal(account, sign=1, kinds=["recovery_returned"])

    def pool_balance(self) -> Decimal:
        return self._bal("fund:pool")

    def account_balance(self, account: str, institution_id: int | None = None) -> Decimal:
        return self._bal(account, institution_id=institution_id)

    def compensation_paid_on_claim(self, claim_id: int) -> Decimal:
        from riskshare.disbursements.models import Disbursement

        query = select(Disbursement.amount).where(
            Disbursement.claim_id == claim_id,
            Disbursement.state == "confirmed",
            Disbursement.kind == "compensation",
        )
        if self.as_of is not None:
            query = query.where(Disbursement.confirmed_on <= self.as_of)
        return sum(self.session.scalars(query), Decimal("0.00"))

    def returned_on_claim(self, claim_id: int) -> Decimal:
        from riskshare.recoveries.models import Recovery

        rows = self.session.scalars(
            select(Recovery.amount_due).where(Recovery.claim_id == claim_id)
        )
        return sum(rows, Decimal("0.00"))

    def paid_to_institution(self, institution_id: int) -> Decimal:
        return self._bal("payable:compensation", sign=1, institution_id=institution_id)

    def claims(
        self,
        *,
        states: Sequence[str] | None = None,
        institution_id: int | None = None,
        loan_id: int | None = None,
    ) -> list[ClaimView]:
        from riskshare.claims.models import Claim
        from riskshare.documents.models import Document

        query = select(Claim).where(Claim.program_id == self.program_id).order_by(Claim.id)
        if states is not None:
            query = query.where(Claim.state.in_(list(states)))
        if institution_id is not None:
            query = query.where(Claim.institution_id == institution_id)
        if loan_id is not None:
            query = query.where(Claim.loan_id == loan_id)
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
        rows = self.session.scalars(
            select(Standing)
            .where(
                Standing.program_id == self.program_id,
                Standing.subject_type == subject_type,
                Standing.subject_id == subject_id,
            )
            .order_by(Standing.starts_on, Standing.id)
        )
        return [standing_view(r) for r in rows if on is None or r.in_force_on(on)]


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
    )
