"""The loans API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Attributes, Date, EffectiveOn, Explanations, Integer, Money
from riskshare.loans.models import CLASSIFICATIONS, EVENT_KINDS, LOAN_KINDS


class LoanIn(ma.Schema):
    program_id = Integer(load_default=None)
    firm_id = Integer(required=True)
    lender_id = Integer(required=True)
    guarantor_id = Integer(load_default=None)
    insurer_id = Integer(load_default=None)
    reference = ma.fields.String(required=True, validate=validate.Length(1, 63))
    kind = ma.fields.String(required=True, validate=validate.OneOf(LOAN_KINDS))
    principal = Money(required=True, validate=validate.Range(min=0, min_inclusive=False))
    # Of a loan registered after its issue (or for history): what is still owed; at most the
    # principal, which it defaults to.
    outstanding = Money(load_default=None, validate=validate.Range(min=0, min_inclusive=False))
    issue_date = Date(required=True)
    maturity_date = Date(required=True)
    purpose = ma.fields.String(load_default="production and operation")
    classification = ma.fields.String(
        load_default="normal", validate=validate.OneOf(CLASSIFICATIONS)
    )
    attributes = Attributes("loan", load_default=dict)
    # When the loan was registered, when that is not today (loading history): on or after
    # its issue.
    effective_on = EffectiveOn()


class LoanOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    firm_id = Integer()
    lender_id = Integer()
    guarantor_id = Integer(allow_none=True)
    insurer_id = Integer(allow_none=True)
    reference = ma.fields.String()
    kind = ma.fields.String()
    principal = Money()
    outstanding = Money()
    issue_date = Date()
    maturity_date = Date()
    registered_on = Date()
    purpose = ma.fields.String()
    classification = ma.fields.String()
    non_performing = ma.fields.Boolean()
    state = ma.fields.String()
    covered = ma.fields.Boolean()
    coverage = Explanations()
    attributes = ma.fields.Dict()


class LoanEventIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(list(EVENT_KINDS)))
    event_date = Date(required=True)
    effective_on = EffectiveOn()
    classification = ma.fields.String(validate=validate.OneOf(CLASSIFICATIONS))
    # A payout's or a repayment's amount (a repayment's is required and positive).
    amount = Money(load_default=None)
    # The loan's outstanding principal as of the event, where the event changes it.
    outstanding = Money(load_default=None)
    data = Attributes("event", load_default=dict)


class LoanEventOut(ma.Schema):
    id = Integer()
    loan_id = Integer()
    kind = ma.fields.String()
    event_date = Date()
    filed_on = Date()
    filed_by = ma.fields.String()
    due_on = Date(allow_none=True)
    late = ma.fields.Boolean()
    working_days_late = Integer()
    amount = Money(allow_none=True)
    outstanding = Money()
    data = ma.fields.Dict()
    explanations = Explanations()


class LoanPatch(ma.Schema):
    """What a loan's lender or the office may correct; ``attributes`` is a JSON merge patch
    (a key set to null is removed)."""

    purpose = ma.fields.String(validate=validate.Length(1, 200))
    maturity_date = Date()
    attributes = Attributes("loan")


class CoverageChangeOut(ma.Schema):
    loan_id = Integer()
    reference = ma.fields.String()
    redecided = ma.fields.Boolean(
        metadata={
            "description": "false: the loan is no longer active or has a claim, and"
            " keeps its coverage (rule CORE-COVERAGE-KEPT)"
        }
    )
    covered_before = ma.fields.Boolean()
    covered = ma.fields.Boolean()
    changed = ma.fields.Boolean()
    coverage = Explanations()


class LoanCorrectionOut(ma.Schema):
    loan = ma.fields.Nested(LoanOut)
    corrected = ma.fields.List(ma.fields.String())
    coverage_change = ma.fields.Nested(CoverageChangeOut)
