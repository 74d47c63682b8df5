"""The public facade for policy plugins: import from here, and only from here.

Everything a plugin needs — the hook marker, the decision and view types, the explanation,
the working-day calendar, money rounding, the blueprint class for its own routes — is
re-exported here, so the core can reorganise its modules without breaking plugins.
"""

from riskshare import labels
from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import Date as DateField
from riskshare.api.fields import EffectiveOn, Explanations, SQLCursorPage, page
from riskshare.api.fields import Integer as IntegerField
from riskshare.api.fields import Money as MoneyField
from riskshare.api.fields import Ratio as RatioField
from riskshare.api.schemas import DatedActionIn, DocumentContentOut, DocumentIn, DocumentOut
from riskshare.audit.events import record_access, record_event
from riskshare.auth.scope import money_scope, program_roles, scoped
from riskshare.calendar import Deadline, WorkdayCalendar, YearTable
from riskshare.context import Context
from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc, Money, Ratio
from riskshare.disbursements.service import instruct_payment
from riskshare.documents.service import attach_documents, document_of, documents_of
from riskshare.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Problem,
    Refused,
    refused,
)
from riskshare.explain import (
    Citation,
    Explanation,
    Rulebook,
    explanations_as_json,
    jsonable,
)
from riskshare.firms.registration import RegisteredPlace, registered_in
from riskshare.firms.sme import INDUSTRY_LABELS
from riskshare.ledger.service import balance as ledger_balance
from riskshare.ledger.service import transfer as ledger_transfer
from riskshare.migrations import security as migration_security
from riskshare.plugins.apportion import largest_remainder
from riskshare.plugins.ask import enforce, facts, program_of
from riskshare.plugins.defaults import (
    accept_event,
    allocate_within_pool,
    allocation_within_pool,
    ban_as_asked,
    calendar_year,
    claw_back_everything,
    clawback_due,
    default_payment_check,
    institution_in_good_standing,
    pool_check,
    pro_rata_recovery,
    write_off_unreviewed,
)
from riskshare.plugins.hookspec import hookimpl
from riskshare.plugins.types import (
    FEN,
    Alert,
    Allocation,
    AllocationLine,
    BanDecision,
    BanView,
    ClaimDue,
    ClaimView,
    ClawbackDecision,
    Compensation,
    DeadlineDecision,
    Decision,
    DemoFirm,
    DemoInstitution,
    DemoTenant,
    DemoUser,
    Destination,
    EventDecision,
    Facts,
    FirmView,
    InstitutionView,
    LoanEventView,
    LoanView,
    PaymentDecision,
    PaymentView,
    Period,
    PolicyDescriptor,
    ProgramView,
    RecordNotFound,
    RecoveryDecision,
    RecoveryView,
    ReportSection,
    ReviewView,
    Role,
    Share,
    StandingView,
    WriteOffDecision,
    WriteOffView,
    attribute_schema,
    to_money,
)
from riskshare.sanctions.standing import lift, suspend
from riskshare.services import (
    already_done,
    get_or_404,
    lock_for_change,
    lock_program,
    not_after_today,
    not_found,
    on_effective_date,
)
from riskshare.workflow import StateMachine
from riskshare.workflow.transitions import transition

# A policy's own records (its tables, state machines, routes and ledger postings) are built
# from the names below; they get the same tenant scoping, audit and problem responses as the
# core's own.
__all__ = [
    "FEN",
    "INDUSTRY_LABELS",
    "Alert",
    "Allocation",
    "AllocationLine",
    "BanDecision",
    "BanView",
    "Base",
    "Blueprint",
    "Citation",
    "ClaimDue",
    "ClaimView",
    "ClawbackDecision",
    "Compensation",
    "Conflict",
    "Context",
    "DateField",
    "DatedActionIn",
    "Deadline",
    "DeadlineDecision",
    "Decision",
    "DemoFirm",
    "DemoInstitution",
    "DemoTenant",
    "DemoUser",
    "Destination",
    "DocumentContentOut",
    "DocumentIn",
    "DocumentOut",
    "DomainError",
    "EffectiveOn",
    "EventDecision",
    "Explanation",
    "Explanations",
    "Facts",
    "FirmView",
    "Forbidden",
    "InstitutionView",
    "IntegerField",
    "Invalid",
    "JSONDoc",
    "LoanEventView",
    "LoanView",
    "Money",
    "MoneyField",
    "NotFound",
    "PaymentDecision",
    "PaymentView",
    "Period",
    "PolicyDescriptor",
    "Problem",
    "ProgramView",
    "Ratio",
    "RatioField",
    "RecordNotFound",
    "RecoveryDecision",
    "RecoveryView",
    "Refused",
    "RegisteredPlace",
    "ReportSection",
    "ReviewView",
    "Role",
    "Rulebook",
    "SQLCursorPage",
    "Share",
    "StandingView",
    "StateMachine",
    "TenantScoped",
    "TimestampMixin",
    "WorkdayCalendar",
    "WriteOffDecision",
    "WriteOffView",
    "YearTable",
    "accept_event",
    "allocate_within_pool",
    "allocation_within_pool",
    "already_done",
    "attach_documents",
    "attribute_schema",
    "ban_as_asked",
    "calendar_year",
    "claw_back_everything",
    "clawback_due",
    "current_context",
    "default_payment_check",
    "document_of",
    "documents_of",
    "enforce",
    "explanations_as_json",
    "facts",
    "get_or_404",
    "hookimpl",
    "institution_in_good_standing",
    "instruct_payment",
    "jsonable",
    "labels",
    "largest_remainder",
    "ledger_balance",
    "ledger_transfer",
    "lift",
    "lock_for_change",
    "lock_program",
    "migration_security",
    "money_scope",
    "not_after_today",
    "not_found",
    "on_effective_date",
    "page",
    "pool_check",
    "pro_rata_recovery",
    "program_of",
    "program_roles",
    "record_access",
    "record_event",
    "refused",
    "registered_in",
    "scoped",
    "suspend",
    "to_money",
    "transition",
    "write_off_unreviewed",
]
