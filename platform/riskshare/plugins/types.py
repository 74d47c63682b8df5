"""What the core hands to policies and what policies hand back.

Policies never receive ORM rows: they get frozen views, so a policy cannot change a record
behind the workflow's back, and the core can change its tables without breaking plugins.
Amounts are ``Decimal``; dates are ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol

from riskshare.calendar import Deadline
from riskshare.explain import Explanation, explanations_as_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FEN = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the fen, half up, as the end of every computation must."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- registration


@dataclass(frozen=True)
class Role:
    """A role a policy adds to the core's, granted through the Keycloak group
    ``/tenants/<tenant>/<name>``.

    :param name: the role's name in group paths and in state machines (``"trustee"``).
    :param title_zh: what the console calls it, in Chinese.
    :param title_en: what the console calls it, in English.
    :param acts_for_institution: its users act for one institution (the token's
        ``institution`` attribute) and see only that institution's records.
    """

    name: str
    title_zh: str
    title_en: str
    acts_for_institution: bool = False


@dataclass(frozen=True)
class Destination:
    """Somewhere other than the pool that recoveries are remitted to, by its ledger account.

    :param account: the debit account the core books the remittance to
        (``"treasury:remitted"``); it is the policy's to name and never goes below zero.
    :param title_zh: how explanations and reports name it, in Chinese (``"市国库"``).
    :param title_en: the same in English (``"the city treasury"``).
    """

    account: str
    title_zh: str
    title_en: str


@dataclass(frozen=True)
class PolicyDescriptor:
    """A policy a plugin offers.

    :param name: stable identifier stored on programs (``"toy"``).
    :param version: the policy's version; a revised text is a new version.
    :param title: human title, usually the document's own.
    :param config_schema: JSON Schema (draft 2020-12) of the program config; it must satisfy
        the core's meta-schema ``schemas/policy-config.meta.json``.
    :param roles: roles the policy uses beyond the core's (``office``, ``reviewer``,
        ``approver``, ``finance``, ``auditor``, ``lender``, ``guarantor``, ``insurer``).
    :param institution_kinds: kinds of institution it needs beyond the core's (``bank``,
        ``guarantor``, ``insurer``).
    :param payers: the roles that pay and confirm the program's money out and back in
        (payments, repayments of clawbacks, returned recoveries): the ``payer`` of the
        core's state machines. The finance bureau by default.
    :param recovery_destinations: where, besides ``"pool"``, its recoveries may be remitted
        (``RecoveryDecision.destination``), each with the account it is booked to.
    :param attribute_schemas: what the policy reads from the free-form ``attributes`` of the
        records it is shown, keyed by record (``"firm"``, ``"loan"``, ``"claim"``, and
        ``"event"`` for a loan event's ``data``): a JSON Schema (draft 2020-12) per record,
        satisfying the core's meta-schema ``schemas/policy-attributes.meta.json`` (an object,
        ``additionalProperties: false``, a title and description per property). The API
        refuses, with a 422 pointing at the key, an attribute that no schema declares (a
        misspelt ``mdoe`` must not make a covered loan) or that breaks its schema; a record a
        policy declares nothing for takes no attributes in its programs. A firm belongs to
        the tenant, not to one program: its keys are those of the tenant's programs' policies
        (of every installed policy while the tenant has no program yet), each checked by
        every policy that declares it. Numbers with a fraction are refused
        (amounts and ratios travel as decimal strings, ``{"type": "string", "pattern": ...}``).
        When a firm or a loan is corrected (``PATCH``), ``riskshare_loan_coverage`` is asked
        again of the registered loan (its ``id`` set); the loan's own earlier decision must
        not count against it.
    """

    name: str
    version: str
    title: str
    config_schema: Mapping[str, Any]
    description: str = ""
    roles: Sequence[Role] = ()
    institution_kinds: Sequence[str] = ()
    payers: Sequence[str] = ("finance",)
    recovery_destinations: Mapping[str, Destination] = field(default_factory=dict)
    attribute_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


# The records whose ``attributes`` (a loan event's ``data``) a policy may declare.
ATTRIBUTE_RECORDS = ("firm", "loan", "claim", "event")


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class ProgramView:
    id: int
    tenant: str
    code: str
    policy: str
    policy_version: str
    config: Mapping[str, Any]
    fund_total: Decimal
    effective_from: dt.date
    effective_to: dt.date


@dataclass(frozen=True)
class InstitutionView:
    id: int
    code: str
    name: str
    kind: str
    cooperation: str
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class FirmView:
    id: int
    uscc: str
    name: str
    industry: str
    size_class: str
    region: str | None
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class LoanView:
    """A loan as registered, or as asked to be registered (``id`` is None then)."""

    id: int | None
    reference: str
    kind: str
    principal: Decimal
    outstanding: Decimal
    issue_date: dt.date
    maturity_date: dt.date
    purpose: str
    classification: str
    state: str
    firm_id: int
    lender_id: int
    guarantor_id: int | None
    insurer_id: int | None
    covered: bool | None
    attributes: Mapping[str, Any]
    program_id: int

    @property
    def non_performing(self) -> bool:
        return self.classification in ("substandard", "doubtful", "loss")


@dataclass(frozen=True)
class LoanEventView:
    kind: str
    event_date: dt.date
    filed_on: dt.date
    institution_id: int
    amount: Decimal | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class ClaimView:
    id: int | None
    loan_id: int
    institution_id: int
    submitted_on: dt.date
    claimed_principal: Decimal
    state: str
    amount: Decimal | None
    ratio: Decimal | None
    approved_amount: Decimal | None
    attributes: Mapping[str, Any]
    document_kinds: frozenset[str]
    reviewed_on: dt.date | None = None


@dataclass(frozen=True)
class RecoveryView:
    received_on: dt.date
    recovered: Decimal
    costs: Decimal


@dataclass(frozen=True)
class PaymentView:
    """A payment about to be confirmed: caps and pool thresholds are checked against it."""

    kind: str
    amount: Decimal
    paid_on: dt.date
    payee_institution_id: int | None
    payee_firm_id: int | None
    claim_id: int | None


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ClaimDue:
    """An approved claim with money still owed on it when a plan is proposed."""

    claim_id: int
    institution_id: int
    approved_on: dt.date
    approved_amount: Decimal
    paid: Decimal
    outstanding: Decimal


# --------------------------------------------------------------------------- decisions


class Refusable:
    """A decision made of explanations: the first one that did not pass refuses it."""

    explanations: Sequence[Explanation]

    @property
    def refusing(self) -> Explanation | None:
        return next((e for e in self.explanations if not e.passed), None)


@dataclass(frozen=True)
class Decision(Refusable):
    """Yes or no, with every rule that was applied."""

    allowed: bool
    explanations: Sequence[Explanation] = ()

    def as_json(self) -> list[dict]:
        return explanations_as_json(list(self.explanations))


@dataclass(frozen=True)
class EventDecision:
    """A policy's reading of a filed loan event: accepted or not, its deadline, lateness."""

    accepted: bool
    deadline: Deadline | None = None
    late: bool = False
    working_days_late: int = 0
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class Compensation:
    """How much a claim is worth: ``amount = to_money(base * ratio)``."""

    base: Decimal
    ratio: Decimal
    amount: Decimal
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class DeadlineDecision:
    deadline: Deadline
    explanation: Explanation


@dataclass(frozen=True)
class AllocationLine:
    claim_id: int
    allocated: Decimal
    carried: Decimal
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class Allocation:
    capacity: Decimal
    lines: Sequence[AllocationLine]
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class RecoveryDecision:
    amount_due: Decimal
    destination: str  # "pool": back into the fund; else one of the policy's destinations
    deadline: Deadline | None
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class WriteOffView:
    """A write-off (核销) an institution asks to record for a loan's remaining loss."""

    loan_id: int
    institution_id: int
    ground: str | None
    approved_on: dt.date
    net_loss: Decimal


@dataclass(frozen=True)
class WriteOffDecision(Refusable):
    """Whether a write-off may be recorded, and which roles must each approve it before it
    takes effect (none: at once)."""

    allowed: bool
    explanations: Sequence[Explanation] = ()
    reviewers: Sequence[str] = ()


@dataclass(frozen=True)
class BanDecision(Refusable):
    """Whether a ban may be imposed, and for how many years (None: for good)."""

    allowed: bool
    years: int | None
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class ClawbackDecision:
    amount: Decimal
    ban_years: int | None
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class ReportSection:
    """A policy's own part of a fund report: a titled table, with how it was computed."""

    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, Any]]
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class Alert:
    """Something supervisors must look at (an NPL warning, a pool threshold ...)."""

    code: str
    severity: str  # "info" | "warning" | "action"
    subject_type: str
    subject_id: int | None
    explanation: Explanation
    data: Mapping[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- facts


class Facts(Protocol):
    """Read-only questions a policy may ask about the tenant's records and the fund."""

    today: dt.date
    session: Session
    """The request's database session, for a plugin's own tables: reads see the same
    transaction (and the program lock, when the core holds it), and a record a hook adds
    commits or rolls back with the request."""

    def institution(self, institution_id: int) -> InstitutionView: ...

    def institutions(self, kind: str | None = None) -> list[InstitutionView]:
        """The tenant's institutions, optionally of one kind (``"bank"``, ``"guarantor"`` ...)."""
        ...

    def firm(self, firm_id: int) -> FirmView: ...

    def loan(self, loan_id: int) -> LoanView: ...

    def firm_loans(self, firm_id: int) -> list[LoanView]: ...

    def institution_loans(self, institution_id: int) -> list[LoanView]: ...

    def program_loans(self) -> list[LoanView]:
        """Every loan of the program, oldest first (one read, for figures per institution)."""
        ...

    def active_bans(self, subject_type: str, subject_id: int, on: dt.date) -> list[str]: ...

    def paid_total(self, kind: str = "compensation") -> Decimal: ...

    def paid_between(self, start: dt.date, end: dt.date, kind: str = "compensation") -> Decimal: ...

    def returned_total(self, destination: str = "pool") -> Decimal: ...

    def pool_balance(self) -> Decimal: ...

    def account_balance(self, account: str, institution_id: int | None = None) -> Decimal: ...

    def compensation_paid_on_claim(self, claim_id: int) -> Decimal: ...

    def returned_on_claim(self, claim_id: int) -> Decimal: ...

    def paid_to_institution(self, institution_id: int) -> Decimal: ...

    def claims(
        self,
        *,
        states: Sequence[str] | None = None,
        institution_id: int | None = None,
        loan_id: int | None = None,
    ) -> list[ClaimView]:
        """The program's claims, oldest first, optionally only those in ``states``, of one
        claimant or on one loan."""
        ...

    def loan_events(self, loan_id: int) -> list[LoanEventView]:
        """The loan's filed events, oldest first."""
        ...

    def indicator(self, name: str, on: dt.date) -> Decimal | None:
        """The figure the office entered under ``name`` in force on ``on`` (None: none yet)."""
        ...

    def filings(self, institution_id: int, rule: str) -> list[dt.date]:
        """When the institution filed an explanation and rectification plan under ``rule``."""
        ...
