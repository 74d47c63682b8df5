from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.loans import service
from riskshare.loans.schemas import (
    LoanCorrectionOut,
    LoanEventIn,
    LoanEventOut,
    LoanIn,
    LoanOut,
    LoanPatch,
)
from riskshare.programs.routes import ALL

blp = Blueprint(
    "loans",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/loans",
    description="Loans, their coverage decision and their events.",
)


@blp.route("")
class LoanViews(MethodView):
    @blp.lists("loans")
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
    @blp.reads("loans")
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
    @blp.reads("loans", id_from="loan_id")
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
