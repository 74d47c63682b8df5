"""The read-only questions policies may ask (``riskshare.toolkit.Facts``), answered from SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

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
)
from riskshare.plugins.views import (
    claim_view,
    firm_view,
    institution_view,
    loan_event_view,
    loan_view,
)
from riskshare.sanctions.models import Ban


class SessionFacts:
    def __init__(self, session: Session, program_id: int, today: dt.date) -> None:
        self.session = session
        self.program_id = program_id
        self.today = today

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
        rows = self.session.scalars(
            select(Loan).where(Loan.program_id == self.program_id).order_by(Loan.id)
        )
        return [loan_view(r) for r in rows]

    def active_bans(self, subject_type: str, subject_id: int, on: dt.date) -> list[str]:
        bans = self.session.scalars(
            select(Ban).where(Ban.subject_type == subject_type, Ban.subject_id == subject_id)
        )
        return [f"{b.rule}: {b.reason}" for b in bans if b.active_on(on)]

    def _bal(self, account: str, **kw: object) -> Decimal:
        return ledger.balance(self.session, self.program_id, account, **kw)  # type: ignore[arg-type]

    def paid_total(self, kind: str = "compensation") -> Decimal:
        return self._bal(f"payable:{kind}", sign=1)

    def paid_between(self, start: dt.date, end: dt.date, kind: str = "compensation") -> Decimal:
        return self._bal(f"payable:{kind}", sign=1, between=(start, end))

    def returned_total(self, destination: str = "pool") -> Decimal:
        if destination == "treasury":
            return self._bal("treasury:remitted")
        return self._bal("fund:pool", sign=1, kinds=["recovery_returned"])

    def pool_balance(self) -> Decimal:
        return self._bal("fund:pool")

    def account_balance(self, account: str, institution_id: int | None = None) -> Decimal:
        return self._bal(account, institution_id=institution_id)

    def compensation_paid_on_claim(self, claim_id: int) -> Decimal:
        from riskshare.disbursements.models import Disbursement

        rows = self.session.scalars(
            select(Disbursement.amount).where(
                Disbursement.claim_id == claim_id,
                Disbursement.state == "confirmed",
                Disbursement.kind == "compensation",
            )
        )
        return sum(rows, Decimal("0.00"))

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
