"""The public facade for policy plugins: import from here, and only from here.

Everything a plugin needs — the hook marker, the decision and view types, the explanation,
the working-day calendar, money rounding, the blueprint class for its own routes — is
re-exported here, so the core can reorganise its modules without breaking plugins.
"""

from riskshare.api.blueprint import Blueprint
from riskshare.calendar import Deadline, WorkdayCalendar, YearTable
from riskshare.explain import Explanation, explanations_as_json, jsonable
from riskshare.plugins.defaults import institution_in_good_standing, pro_rata_recovery
from riskshare.plugins.hookspec import hookimpl
from riskshare.plugins.types import (
    FEN,
    Alert,
    Allocation,
    AllocationLine,
    ClaimDue,
    ClaimView,
    ClawbackDecision,
    Compensation,
    DeadlineDecision,
    Decision,
    EventDecision,
    Facts,
    FirmView,
    InstitutionView,
    LoanEventView,
    LoanView,
    PaymentView,
    Period,
    PolicyDescriptor,
    ProgramView,
    RecoveryDecision,
    RecoveryView,
    ReportSection,
    to_money,
)

__all__ = [
    "FEN",
    "Alert",
    "Allocation",
    "AllocationLine",
    "Blueprint",
    "ClaimDue",
    "ClaimView",
    "ClawbackDecision",
    "Compensation",
    "Deadline",
    "DeadlineDecision",
    "Decision",
    "EventDecision",
    "Explanation",
    "Facts",
    "FirmView",
    "InstitutionView",
    "LoanEventView",
    "LoanView",
    "PaymentView",
    "Period",
    "PolicyDescriptor",
    "ProgramView",
    "RecoveryDecision",
    "RecoveryView",
    "ReportSection",
    "WorkdayCalendar",
    "YearTable",
    "explanations_as_json",
    "hookimpl",
    "institution_in_good_standing",
    "jsonable",
    "pro_rata_recovery",
    "to_money",
]
