from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import PAID_BY_PAYERS, Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.api.schemas import DatedActionIn, ReviewDecisionIn
from riskshare.claims.routes import CLAIM_READERS
from riskshare.recoveries import service
from riskshare.recoveries.models import RECOVERY_STATES, WRITE_OFF_STATES
from riskshare.recoveries.schemas import (
    EvidenceIn,
    RecoveryIn,
    RecoveryOut,
    WriteOffIn,
    WriteOffOut,
)

blp = Blueprint(
    "recoveries",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="Recoveries on compensated loans, and write-offs.",
)


@blp.route("/recoveries")
class RecoveryViews(MethodView):
    @blp.lists("recoveries")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, RecoveryOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List recoveries"""
        ctx = current_context()
        return page(ctx.session, service.visible_recoveries(ctx))

    @blp.roles("lender", "guarantor")
    @blp.moves_money
    @blp.arguments(RecoveryIn)
    @blp.response(201, RecoveryOut)
    def post(self, data):
        """Report money recovered on a compensated loan; the policy says what to return"""
        return service.report_recovery(current_context(), data)


@blp.route("/recoveries/<int:recovery_id>")
class RecoveryByIdViews(MethodView):
    @blp.reads("recoveries")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, RecoveryOut)
    def get(self, recovery_id):
        """Get a recovery"""
        return service.get_recovery(current_context(), recovery_id)


@blp.route("/recoveries/<int:recovery_id>/confirm-return")
class RecoveryReturnViews(MethodView):
    @blp.step(RECOVERY_STATES, "confirm_return", decided_by=PAID_BY_PAYERS)
    @blp.moves_money
    @blp.arguments(DatedActionIn)
    @blp.response(200, RecoveryOut)
    def post(self, data, recovery_id):
        """Confirm the amount due was returned (to the pool or where the policy sends it)"""
        return service.confirm_return(current_context(), recovery_id, data["effective_on"])


@blp.route("/write-offs")
class WriteOffViews(MethodView):
    @blp.lists("write_offs")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, WriteOffOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List write-offs"""
        ctx = current_context()
        return page(ctx.session, service.visible_write_offs(ctx))

    @blp.roles("lender", "guarantor")
    @blp.moves_money
    @blp.arguments(WriteOffIn)
    @blp.response(201, WriteOffOut)
    def post(self, data):
        """Record a write-off (核销); the evidence deadline is set by the policy"""
        return service.record_write_off(current_context(), data)


@blp.route("/write-offs/<int:write_off_id>/reviews")
class WriteOffReviewViews(MethodView):
    @blp.step(
        WRITE_OFF_STATES,
        "review",
        "approve",
        "reject",
        decided_by="riskshare_write_off (its reviewers)",
    )
    @blp.moves_money
    @blp.arguments(ReviewDecisionIn)
    @blp.response(200, WriteOffOut)
    def post(self, data, write_off_id):
        """Approve or reject a write-off the policy has reviewed; the last approval writes
        the loan off"""
        return service.review_write_off(current_context(), write_off_id, data)


@blp.route("/write-offs/<int:write_off_id>/evidence")
class WriteOffEvidenceViews(MethodView):
    @blp.roles("lender", "guarantor")
    @blp.moves_money
    @blp.arguments(EvidenceIn)
    @blp.response(200, WriteOffOut)
    def post(self, data, write_off_id):
        """Submit the write-off approval's evidence"""
        return service.submit_write_off_evidence(
            current_context(), write_off_id, data["documents"], data["effective_on"]
        )
