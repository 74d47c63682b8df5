from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import Attributes, EffectiveOn, Explanations, Money, SQLCursorPage, page
from riskshare.loans import service
from riskshare.loans.models import CLASSIFICATIONS, EVENT_KINDS, LOAN_KINDS
from riskshare.programs.routes import ALL

blp = Blueprint(
    "loans",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/loans",
    description="Loans, their coverage decision and their events.",
)


class LoanIn(ma.Schema):
    program_id = ma.fields.Integer(load_default=None)
    firm_id = ma.fields.Integer(required=True)
    lender_id = ma.fields.Integer(required=True)
    guarantor_id = ma.fields.Integer(load_default=None)
    insurer_id = ma.fields.Integer(load_default=None)
    reference = ma.fields.String(required=True, validate=validate.Length(1, 63))
    kind = ma.fields.String(required=True, validate=validate.OneOf(LOAN_KINDS))
    principal = Money(required=True, validate=validate.Range(min=0, min_inclusive=False))
    # Of a loan registered after its issue (or for history): what is still owed; at most the
    # principal, which it defaults to.
    outstanding = Money(load_default=None, validate=validate.Range(min=0, min_inclusive=False))
    issue_date = ma.fields.Date(required=True)
    maturity_date = ma.fields.Date(required=True)
    purpose = ma.fields.String(load_default="production and operation")
    classification = ma.fields.String(
        load_default="normal", validate=validate.OneOf(CLASSIFICATIONS)
    )
    attributes = Attributes("loan", load_default=dict)
    # When the loan was registered, when that is not today (loading history): on or after
    # its issue.
    effective_on = EffectiveOn()


class LoanOut(ma.Schema):
    id = ma.fields.Integer()
    program_id = ma.fields.Integer()
    firm_id = ma.fields.Integer()
    lender_id = ma.fields.Integer()
    guarantor_id = ma.fields.Integer(allow_none=True)
    insurer_id = ma.fields.Integer(allow_none=True)
    reference = ma.fields.String()
    kind = ma.fields.String()
    principal = Money()
    outstanding = Money()
    issue_date = ma.fields.Date()
    maturity_date = ma.fields.Date()
    registered_on = ma.fields.Date()
    purpose = ma.fields.String()
    classification = ma.fields.String()
    non_performing = ma.fields.Boolean()
    state = ma.fields.String()
    covered = ma.fields.Boolean()
    coverage = Explanations()
    attributes = ma.fields.Dict()


class LoanPatch(ma.Schema):
    """What a loan's lender or the office may correct; ``attributes`` is a JSON merge patch
    (a key set to null is removed)."""

    purpose = ma.fields.String(validate=validate.Length(1, 200))
    maturity_date = ma.fields.Date()
    attributes = Attributes("loan")


class CoverageChangeOut(ma.Schema):
    loan_id = ma.fields.Integer()
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


class LoanEventIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(list(EVENT_KINDS)))
    event_date = ma.fields.Date(required=True)
    effective_on = EffectiveOn()
    classification = ma.fields.String(validate=validate.OneOf(CLASSIFICATIONS))
    # A payout's or a repayment's amount (a repayment's is required and positive).
    amount = Money(load_default=None)
    # The loan's outstanding principal as of the event, where the event changes it.
    outstanding = Money(load_default=None)
    data = Attributes("event", load_default=dict)


class LoanEventOut(ma.Schema):
    id = ma.fields.Integer()
    loan_id = ma.fields.Integer()
    kind = ma.fields.String()
    event_date = ma.fields.Date()
    filed_on = ma.fields.Date()
    filed_by = ma.fields.String()
    due_on = ma.fields.Date(allow_none=True)
    late = ma.fields.Boolean()
    working_days_late = ma.fields.Integer()
    amount = Money(allow_none=True)
    outstanding = Money()
    data = ma.fields.Dict()
    explanations = Explanations()


@blp.route("")
class LoanViews(MethodView):
    @blp.roles(*ALL)
    @blp.response(200, LoanOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List loans (institutions see only their own)"""
        ctx = current_context()
        return page(ctx.session, service.visible_loans(ctx))

    @blp.roles("lender", "guarantor")
    @blp.arguments(LoanIn)
    @blp.response(201, LoanOut)
    def post(self, data):
        """Register a loan; the policy decides and explains its coverage"""
        return service.register_loan(current_context(), data)


@blp.route("/<int:loan_id>")
class LoanByIdViews(MethodView):
    @blp.roles(*ALL)
    @blp.response(200, LoanOut)
    def get(self, loan_id):
        """Get a loan"""
        return service.get_loan(current_context(), loan_id)

    # The lender that registered it (an institution user: only its own loans) or the office.
    @blp.roles("office", "lender")
    @blp.arguments(LoanPatch)
    @blp.response(200, LoanCorrectionOut)
    def patch(self, data, loan_id):
        """Correct a loan's purpose, maturity or attributes; its coverage is decided again"""
        return service.correct_loan(current_context(), loan_id, data)


@blp.route("/<int:loan_id>/events")
class LoanEventViews(MethodView):
    @blp.roles(*ALL)
    @blp.response(200, LoanEventOut(many=True))
    def get(self, loan_id):
        """List a loan's events"""
        return service.loan_events(current_context(), loan_id)

    @blp.roles("lender", "guarantor")
    @blp.arguments(LoanEventIn)
    @blp.response(201, LoanEventOut)
    def post(self, data, loan_id):
        """File an event: overdue, reclassification, payout, repayment, restructuring, closure"""
        return service.file_event(current_context(), loan_id, data)
