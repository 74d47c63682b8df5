"""What the core hands to policies and what policies hand back.

Policies never receive ORM rows: they get frozen views, so a policy cannot change a record
behind the workflow's back, and the core can change its tables without breaking plugins.
Amounts are ``Decimal``; dates are ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol

from riskshare.calendar import Deadline
from riskshare.errors import NotFound
from riskshare.explain import Citation, Explanation, explanations_as_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from riskshare.testing.client import ApiClient

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
    :param sees_whole_tenant: its users see every institution's records even when their
        token names an institution (as the fund's staff do). Otherwise a user whose token
        names an institution sees only that institution's, whatever the role.
    """

    name: str
    title_zh: str
    title_en: str
    acts_for_institution: bool = False
    sees_whole_tenant: bool = False


@dataclass(frozen=True)
class Destination:
    """Somewhere other than the pool that recoveries are remitted to, by its ledger account.

    :param account: the debit account the core books the remittance to
        (``"budget:remitted"``); it is the policy's to name and never goes below zero.
    :param title_zh: how explanations and reports name it, in Chinese (``"财政专户"``).
    :param title_en: the same in English (``"the fiscal account"``).
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
    :param payer_institution: when ``payers`` name a role acting for an institution (a
        custodian, a trustee), the key of the program config (required by
        ``config_schema``) holding the code of the institution that pays for the program.
        Such a role is the payer of only the programs whose config names its institution,
        and holds no role in any other program: it neither reads nor confirms their money
        (``riskshare.auth.scope``). The core refuses to start a policy whose institution
        payers have no such key.
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
    :param plans_at_period_end: the period-close job proposes the allocation plan of each
        period (``riskshare_plan_period``) once it has ended, as the office's ``POST /plans``
        would (the policy's ``riskshare_propose_allocation`` decides it), so the summary and
        the proposal wait for the office instead of for someone to remember them; the office
        edits, submits or withdraws it like any other. Nothing is proposed for a period in
        which no claim was reviewed and none is due.
    :param stored_reports: the fund report periods (``"month"``, ``"quarter"``, ``"half"``,
        ``"year"``) whose report the period-close job generates once the period has ended
        and stores as an .xlsx document for the report's readers
        (``GET /programs/<id>/reports/stored``).
    :param cites: the policy's own rule and clause for the core's reason codes, so that what
        the core decides under its programs cites the policy's text: the core's refusal of
        an institution whose cooperation is suspended or revoked (``"CORE-COOP"``, or
        ``"CORE-COOP/suspended"`` and ``"CORE-COOP/revoked"`` apart), of a banned one
        (``"CORE-BAN"``), its pool checks (``"CORE-POOL"``) and its refusal of a payer
        acting for an institution in a program it does not pay for (``"CORE-PAYER"``,
        ``payer_institution``). Every answer of the
        program's hooks and every refusal the core makes itself is cited through it
        (``riskshare.explain.recite``); a code the policy does not name keeps the core's
        citation (平台通用规则 / Riskshare core rules).
    """

    name: str
    version: str
    title: str
    config_schema: Mapping[str, Any]
    description: str = ""
    roles: Sequence[Role] = ()
    institution_kinds: Sequence[str] = ()
    payers: Sequence[str] = ("finance",)
    payer_institution: str | None = None
    recovery_destinations: Mapping[str, Destination] = field(default_factory=dict)
    attribute_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    plans_at_period_end: bool = False
    stored_reports: Sequence[str] = ()
    cites: Mapping[str, Citation] = field(default_factory=dict)


def attribute_schema(
    title: str, *, required: Sequence[str] = (), **properties: Mapping[str, Any]
) -> dict[str, Any]:
    """One record's entry of ``PolicyDescriptor.attribute_schemas``: a closed draft 2020-12
    object schema of ``properties`` (each with its ``title`` and ``description``), with
    ``required`` keys, as the core's meta-schema asks."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "additionalProperties": False,
        "properties": dict(properties),
    }
    if required:
        schema["required"] = list(required)
    return schema


# The fund report periods a policy may store at each period end (``stored_reports``).
REPORT_PERIOD_KINDS = ("month", "quarter", "half", "year")

# The records whose ``attributes`` (a loan event's ``data``) a policy may declare.
ATTRIBUTE_RECORDS = ("firm", "loan", "claim", "event")


# --------------------------------------------------------------------------- demo tenants


@dataclass(frozen=True)
class DemoInstitution:
    """An institution of a demo tenant, created as ``POST /institutions`` would.

    :param code: its code, unique in the tenant; demo users name it to act for it.
    :param name: its name.
    :param kind: a core kind (``bank``, ``guarantor``, ``insurer``) or one the policy declares.
    :param attributes: the policy's attributes of institutions.
    """

    code: str
    name: str
    kind: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoFirm:
    """A firm of a demo tenant, registered as ``POST /firms`` would (a valid USCC).

    :param uscc: its unified social credit code, with a correct check character.
    :param name: its name.
    :param industry: its industry, as the size classification reads it.
    :param employees: headcount (None: unknown).
    :param revenue: yearly revenue in yuan (None: unknown).
    :param assets: total assets in yuan (None: unknown).
    :param attributes: the policy's attributes of firms.
    """

    uscc: str
    name: str
    industry: str
    employees: int | None = None
    revenue: Decimal | None = None
    assets: Decimal | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoUser:
    """A demo user: one role, acting for one of the tenant's institutions or for none.

    The user is called ``<tenant>-<role>``; ``riskshare demo`` prints a development token for
    each, and the tenant's story should act under the same names so the audit trail reads as
    if those users had done it.

    :param role: a core role or one a policy declares.
    :param institution: the code of the institution it acts for (one of the tenant's
        ``institutions``), or None for the fund's staff.
    """

    role: str
    institution: str | None = None


@dataclass(frozen=True)
class DemoTenant:
    """A tenant of the embedded demo, as ``riskshare_demo_tenants`` describes it.

    The core creates the tenant with its institutions and firms if the tenant does not
    exist yet (an existing one is left as it is), then calls ``story``.

    :param slug: the tenant's slug (lowercase letters, digits and hyphens).
    :param name: its display name.
    :param institutions: institutions created with the tenant.
    :param firms: firms registered with the tenant.
    :param users: the demo users; a token is printed for each.
    :param story: called as ``story(api)`` with an :class:`riskshare.testing.ApiClient`
        bound to the tenant, after the tenant exists, on every load: it adds the policy's
        programs, loans and claims through the HTTP API, and must add nothing when they are
        there already. ``api.today(day)`` pins the platform's date for the steps of a story;
        the core unpins it afterwards.
    """

    slug: str
    name: str
    institutions: Sequence[DemoInstitution] = ()
    firms: Sequence[DemoFirm] = ()
    users: Sequence[DemoUser] = ()
    story: Callable[[ApiClient], None] | None = None

    def username(self, user: DemoUser) -> str:
        return f"{self.slug}-{user.role}"


# --------------------------------------------------------------------------- views


class RecordNotFound(NotFound, LookupError):
    """``Facts`` was asked for a record the tenant does not have (``Facts.loan(999)``).

    A domain error like any other, so the API answers it with a 404 problem naming the
    record; a policy that expects a record may be missing asks the ``_or_none`` form
    instead (``Facts.loan_or_none``).
    """

    def __init__(self, record: str, record_id: object) -> None:
        self.record, self.record_id = record, record_id
        super().__init__(f"There is no {record} {record_id}.")


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
    cooperation_since: dt.date | None = None
    """When its cooperation last changed (suspended, revoked, resumed); None: never."""
    cooperation_until: dt.date | None = None
    """The end of a suspension, when one was given."""
    cooperation_reason: str | None = None


@dataclass(frozen=True)
class FirmView:
    id: int
    uscc: str
    name: str
    industry: str
    size_class: str
    region: str | None
    attributes: Mapping[str, Any]
    employees: int | None = None
    revenue: Decimal | None = None
    assets: Decimal | None = None
    """The figures registered with the firm, its size class was derived from (None: not given)."""
    registered_by_institution_id: int | None = None
    registered_address: str | None = None
    """The registered address on its licence (None: not recorded)."""
    registration_status: str = "active"
    """``active`` (存续), ``cancelled`` (注销) or ``revoked`` (吊销)."""
    business_scope: str | None = None
    """Its business scope (经营范围) as the licence states it (None: not recorded)."""
    legal_representative_id: str | None = None
    """Its legal representative (法定代表人), by an identifier (None: not recorded)."""


@dataclass(frozen=True)
class LoanView:
    """A loan as registered, or as asked to be registered (``id`` is None then).

    ``registered_on`` is the registration's effective date (``effective_on`` of the request,
    else the day it was made); ``outstanding``, ``classification`` and ``state`` are as of
    the loan's latest event (or as of ``Facts.as_of``).
    """

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
    registered_on: dt.date | None = None

    @property
    def non_performing(self) -> bool:
        return self.classification in ("substandard", "doubtful", "loss")


@dataclass(frozen=True)
class LoanEventView:
    """A filed loan event, with the loan's figures after it and how the policy read it."""

    kind: str
    event_date: dt.date
    filed_on: dt.date
    institution_id: int
    amount: Decimal | None
    data: Mapping[str, Any]
    outstanding: Decimal | None = None
    classification: str | None = None
    state: str | None = None
    due_on: dt.date | None = None
    late: bool = False


@dataclass(frozen=True)
class ClaimView:
    """A claim, or one asked to be submitted (``id`` is None then).

    ``approved_on`` is the day it was approved (None: not approved), ``paid_on`` the day the
    payment that settled it in full was confirmed (None: not paid in full yet; what was paid
    so far is ``Facts.paid(claim_id=...)``).
    """

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
    approved_on: dt.date | None = None
    paid_on: dt.date | None = None


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
class ReviewView:
    """A review opinion (审核意见) written on a claim of the program.

    :param claim_id: the claim reviewed.
    :param institution_id: the claimant.
    :param role: the reviewing role.
    :param decision: ``"approve"`` or ``"reject"``.
    :param opinion: the reviewer's text.
    :param reviewed_on: the day it was written.
    """

    claim_id: int
    institution_id: int
    role: str
    decision: str
    opinion: str
    reviewed_on: dt.date


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ClaimDue:
    """An approved claim with money still owed on it when a plan is proposed.

    ``paid`` is what earlier plans dealt with (allocated, or dropped); ``loan_id`` and the
    claim's ``attributes`` let a policy allocate per loan or per compensation mode.
    """

    claim_id: int
    institution_id: int
    approved_on: dt.date
    approved_amount: Decimal
    paid: Decimal
    outstanding: Decimal
    loan_id: int
    attributes: Mapping[str, Any] = field(default_factory=dict)


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
class PaymentDecision(Decision):
    """A payment check's answer that may pay part of the payment now.

    ``pay_now`` (None: all of it) is the part paid when the payment is confirmed; the rest
    stays owed as a new instructed payment to the same payee (``remainder_of`` names the
    first), which is confirmed later, when the policy allows it.
    """

    pay_now: Decimal | None = None


@dataclass(frozen=True)
class EventDecision:
    """A policy's reading of a filed loan event: accepted or not, its deadline, lateness."""

    accepted: bool
    deadline: Deadline | None = None
    late: bool = False
    working_days_late: int = 0
    explanations: Sequence[Explanation] = ()


@dataclass(frozen=True)
class Share:
    """The part of a claim's compensation one institution bears, when the payee shares it
    with another (a guarantee company with the lender, by their agreed split).

    :param institution_id: the institution.
    :param role: its part in the loan, ``"guarantor"`` or ``"lender"``.
    :param amount: its part, to the fen.
    """

    institution_id: int
    role: str
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id,
            "role": self.role,
            "amount": str(self.amount),
        }


@dataclass(frozen=True)
class Compensation:
    """How much a claim is worth: ``amount = to_money(base * ratio)``; ``shares``, when the
    payee shares it, add up to ``amount`` exactly (``largest_remainder``)."""

    base: Decimal
    ratio: Decimal
    amount: Decimal
    explanations: Sequence[Explanation] = ()
    shares: Sequence[Share] = ()


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
    """A policy's own part of a fund report: a titled table, with how it was computed.

    ``headings`` names columns for people (``{"opening_pool": "期初余额 Opening pool"}``:
    Chinese, then English); a column without one is named by the core's own list of common
    columns (``riskshare.reports.layout``), else by its key. The .xlsx and PDF give amounts
    (two decimals) thousands separators and columns named ``*rate``, ``*ratio`` or
    ``*share`` percentages.
    """

    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, Any]]
    explanations: Sequence[Explanation] = ()
    headings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Alert:
    """Something supervisors must look at (an NPL warning, a pool threshold ...)."""

    code: str
    severity: str  # "info" | "warning" | "action"
    subject_type: str
    subject_id: int | None
    explanation: Explanation
    data: Mapping[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- standing


@dataclass(frozen=True)
class StandingView:
    """A policy's own standing decision about a firm or institution: suspended in its
    program from ``starts_on`` up to, not including, ``until`` (None: until lifted).

    Recorded with ``riskshare.toolkit.suspend``; the core honours it (see ``suspend`` for
    which steps it blocks) with ``explanations``, the policy's own reasons.
    """

    id: int
    program_id: int
    subject_type: str  # "institution" | "firm"
    subject_id: int
    rule: str
    reason: str
    starts_on: dt.date
    until: dt.date | None
    explanations: Sequence[Explanation]
    recorded_on: dt.date
    lifted_on: dt.date | None


@dataclass(frozen=True)
class BanView:
    """A ban in force (``/bans``): its subject barred from ``starts_on`` up to, not
    including, ``ends_on`` (None: for good), under ``rule``. ``legal_representative_id`` is
    the banned firm's legal representative when it was banned; ``credit_entered_on`` the day
    the ban was entered in a credit system (None: not yet)."""

    id: int
    subject_type: str  # "firm" | "institution"
    subject_id: int
    rule: str
    reason: str
    starts_on: dt.date
    ends_on: dt.date | None
    legal_representative_id: str | None
    credit_entered_on: dt.date | None


# --------------------------------------------------------------------------- facts


class Facts(Protocol):
    """Read-only questions a policy may ask about the tenant's records and the fund.

    Lookups by id (``loan``, ``firm``, ``institution``, ``claim``) raise ``RecordNotFound``
    (a ``LookupError``) for an id the tenant does not have; their ``_or_none`` forms answer
    None instead.

    Money is read from the program's ledger only (``docs/ledger.md`` has the chart of
    accounts and which question reads which account). Flows (``paid``, ``granted``,
    ``recoveries_due``, ``returned``, ``clawed_back`` ...) are positive sums of what moved
    in the inclusive date range ``start``..``end`` (either end open), optionally of one
    institution and, for compensation and recoveries, of one claim. Balances
    (``pool_balance``, ``unpaid``, ``account_balance``) stand at the end of ``on`` (default:
    now). When ``as_of`` is set (a report of a closed period), nothing booked after it
    counts, whatever range is asked.
    """

    today: dt.date
    as_of: dt.date | None
    session: Session
    """The request's database session, for a plugin's own tables: reads see the same
    transaction (and the program lock, when the core holds it), and a record a hook adds
    commits or rolls back with the request."""

    # ------------------------------------------------------------------ records

    def institution(self, institution_id: int) -> InstitutionView: ...

    def institution_or_none(self, institution_id: int | None) -> InstitutionView | None: ...

    def institutions(self, kind: str | None = None) -> list[InstitutionView]:
        """The tenant's institutions, optionally of one kind (``"bank"``, ``"guarantor"`` ...)."""
        ...

    def firm(self, firm_id: int) -> FirmView: ...

    def firm_or_none(self, firm_id: int | None) -> FirmView | None: ...

    def loan(self, loan_id: int) -> LoanView: ...

    def loan_or_none(self, loan_id: int | None) -> LoanView | None: ...

    def firm_loans(self, firm_id: int) -> list[LoanView]: ...

    def institution_loans(self, institution_id: int) -> list[LoanView]: ...

    def program_loans(self) -> list[LoanView]:
        """Every loan of the program, oldest first (one read, for figures per institution)."""
        ...

    def claim(self, claim_id: int) -> ClaimView: ...

    def claim_or_none(self, claim_id: int | None) -> ClaimView | None: ...

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

    def reviews(
        self, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ReviewView]:
        """The review opinions written on the program's claims between ``start`` and ``end``
        (inclusive, either open), approving and rejecting, in the order written."""
        ...

    def active_bans(self, subject_type: str, subject_id: int, on: dt.date) -> list[str]: ...

    def bans_covering(self, firm: FirmView, on: dt.date) -> list[BanView]:
        """The bans in force on ``on`` that reach ``firm``: its own, and those of any firm
        banned while its legal representative was this firm's (by ``legal_representative_id``;
        none when the firm has none recorded), oldest first."""
        ...

    def indicator(self, name: str, on: dt.date) -> Decimal | None:
        """The figure the office entered under ``name`` in force on ``on`` (None: none yet)."""
        ...

    def filings(self, institution_id: int, rule: str) -> list[dt.date]:
        """When the institution filed an explanation and rectification plan under ``rule``."""
        ...

    # ------------------------------------------------------------------ money flows

    def granted(
        self,
        kind: str = "compensation",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """Granted for payment (a plan's approval, a policy's ``instruct_payment``): credits
        on ``payable:<kind>``."""
        ...

    def paid(
        self,
        kind: str = "compensation",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """Paid out, by the day the payer confirmed it: debits on ``payable:<kind>``.
        ``kind`` is the payment's (``"compensation"``, ``"premium_subsidy"`` ...)."""
        ...

    def recoveries_due(
        self,
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """What recoveries made due back to the fund, by the day they were received, whether
        returned yet or not: debits on ``recovery:receivable``."""
        ...

    def recovered(
        self,
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """What the institutions reported recovering from the borrowers (gross, before
        recovery costs), by receipt day: a record's figure, not the fund's money (the fund's
        share is ``recoveries_due``)."""
        ...

    def returned(
        self,
        destination: str | None = "pool",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """Recoveries returned (confirmed), by the day of return: into the pool
        (``"pool"``), to the account one of the policy's destinations names (its
        ``Destination.account``, e.g. ``"reserve:remitted"``), or anywhere (None)."""
        ...

    def clawed_back(
        self,
        *,
        institution_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """Clawbacks ordered, by the day of the order: debits on ``clawback:receivable``."""
        ...

    def clawbacks_repaid(
        self,
        *,
        institution_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Decimal:
        """Clawbacks repaid into the pool: credits on ``clawback:receivable``."""
        ...

    def appropriated(self, *, start: dt.date | None = None, end: dt.date | None = None) -> Decimal:
        """Budget appropriations put into the fund: credits on ``fund:capital``."""
        ...

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
        """Debits on any account (a policy's own, ``"fund:fees"``), optionally only of
        entries of ``kinds``; the questions above are all built on this and ``credits``."""
        ...

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
        """Credits on any account, as a positive amount (``"fund:gains"``)."""
        ...

    # ------------------------------------------------------------------ balances

    def pool_balance(self, on: dt.date | None = None) -> Decimal:
        """What the pool holds at the end of ``on``."""
        ...

    def unpaid(
        self,
        kind: str = "compensation",
        *,
        institution_id: int | None = None,
        claim_id: int | None = None,
        on: dt.date | None = None,
    ) -> Decimal:
        """Granted and not yet paid at the end of ``on``: the ``payable:<kind>`` balance,
        as a positive amount."""
        ...

    def account_balance(
        self, account: str, institution_id: int | None = None, on: dt.date | None = None
    ) -> Decimal:
        """Any account's balance, signed as posted (debits positive, credits negative)."""
        ...

    # ------------------------------------------------------------------ the first contract's

    def paid_total(self, kind: str = "compensation") -> Decimal:
        """``paid(kind)``."""
        ...

    def paid_between(self, start: dt.date, end: dt.date, kind: str = "compensation") -> Decimal:
        """``paid(kind, start=start, end=end)``."""
        ...

    def paid_to_institution(self, institution_id: int) -> Decimal:
        """``paid(institution_id=institution_id)``."""
        ...

    def returned_total(self, destination: str = "pool") -> Decimal:
        """``returned(destination)``."""
        ...

    def compensation_paid_on_claim(self, claim_id: int) -> Decimal:
        """``paid(claim_id=claim_id)``."""
        ...

    def returned_on_claim(self, claim_id: int) -> Decimal:
        """``recoveries_due(claim_id=claim_id)``: what recoveries made due on the claim
        (returned or not), as it always meant."""

    # -- standing decisions (riskshare.toolkit.suspend / lift)

    def standings(
        self, subject_type: str, subject_id: int, on: dt.date | None = None
    ) -> list[StandingView]:
        """The program's standing decisions about the firm or institution (``subject_type``
        ``"firm"`` or ``"institution"``) in force on ``on``, oldest first; with ``on``
        None, every one ever recorded, lifted or ended included."""
        ...
