"""Turn ORM rows into the frozen views policies receive."""

from __future__ import annotations

from riskshare.claims.models import Claim
from riskshare.firms.models import Firm
from riskshare.institutions.models import Institution
from riskshare.loans.models import Loan, LoanEvent
from riskshare.plugins.types import (
    ClaimView,
    FirmView,
    InstitutionView,
    LoanEventView,
    LoanView,
    ProgramView,
)
from riskshare.programs.models import Program


def program_view(p: Program) -> ProgramView:
    return ProgramView(
        p.id,
        p.tenant_id,
        p.code,
        p.policy,
        p.policy_version,
        dict(p.config),
        p.fund_total,
        p.effective_from,
        p.effective_to,
    )


def institution_view(i: Institution) -> InstitutionView:
    return InstitutionView(
        i.id,
        i.code,
        i.name,
        i.kind,
        i.cooperation,
        dict(i.attributes or {}),
        cooperation_since=i.cooperation_since,
        cooperation_until=i.cooperation_until,
        cooperation_reason=i.cooperation_reason,
    )


def firm_view(f: Firm) -> FirmView:
    return FirmView(
        f.id,
        f.uscc,
        f.name,
        f.industry,
        f.size_class,
        f.region,
        dict(f.attributes or {}),
        employees=f.employees,
        revenue=f.revenue,
        assets=f.assets,
        registered_by_institution_id=f.registered_by_institution_id,
        registered_address=f.registered_address,
        registration_status=f.registration_status,
        business_scope=f.business_scope,
        legal_representative_id=f.legal_representative_id,
    )


def loan_view(loan: Loan) -> LoanView:
    return LoanView(
        id=loan.id,
        reference=loan.reference,
        kind=loan.kind,
        principal=loan.principal,
        outstanding=loan.outstanding,
        issue_date=loan.issue_date,
        maturity_date=loan.maturity_date,
        purpose=loan.purpose,
        classification=loan.classification,
        state=loan.state,
        firm_id=loan.firm_id,
        lender_id=loan.lender_id,
        guarantor_id=loan.guarantor_id,
        insurer_id=loan.insurer_id,
        covered=loan.covered,
        attributes=dict(loan.attributes or {}),
        program_id=loan.program_id,
        registered_on=loan.registered_on,
    )


def claim_view(c: Claim, document_kinds: frozenset[str] = frozenset()) -> ClaimView:
    return ClaimView(
        id=c.id,
        loan_id=c.loan_id,
        institution_id=c.institution_id,
        submitted_on=c.submitted_on,
        claimed_principal=c.claimed_principal,
        state=c.state,
        amount=c.amount,
        ratio=c.ratio,
        approved_amount=c.approved_amount,
        attributes=dict(c.attributes or {}),
        document_kinds=document_kinds,
        reviewed_on=c.reviewed_on,
        # Only an approval sets the approved amount; a rejection is reviewed, not approved.
        approved_on=c.reviewed_on if c.approved_amount is not None else None,
        paid_on=c.paid_on,
    )


def loan_event_view(e: LoanEvent) -> LoanEventView:
    return LoanEventView(
        e.kind,
        e.event_date,
        e.filed_on,
        e.institution_id,
        e.amount,
        dict(e.data or {}),
        outstanding=e.outstanding,
        classification=e.classification,
        state=e.state,
        due_on=e.due_on,
        late=e.late,
    )
