from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.api.schemas import (
    DocumentContentOut,
    DocumentOut,
)
from riskshare.auth.roles import CORE_INSTITUTION_ROLES, FUND_STAFF
from riskshare.claims import service
from riskshare.claims.models import CLAIM_STATES
from riskshare.claims.schemas import ClaimIn, ClaimOut, ReviewIn, ReviewOut

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/claims",
    description="Claims for compensation, evidence and reviews (reads are audited).",
)

# claim data is for the claimant, the platform, the office, the leading group,
# finance and auditors; nobody else.
CLAIM_READERS = (*FUND_STAFF, *CORE_INSTITUTION_ROLES)


@blp.route("")
class ClaimViews(MethodView):
    @blp.lists("claims")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, ClaimOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List claims (the listing is audited; institutions see only their own)"""
        ctx = current_context()
        return page(ctx.session, service.visible_claims(ctx))

    @blp.roles("lender", "guarantor", "insurer")
    @blp.moves_money
    @blp.arguments(ClaimIn)
    @blp.response(201, ClaimOut)
    def post(self, data):
        """Submit a claim with its evidence; the policy computes and explains the amount"""
        return service.submit_claim(current_context(), data)


@blp.route("/<int:claim_id>")
class ClaimByIdViews(MethodView):
    @blp.reads("claims")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, ClaimOut)
    def get(self, claim_id):
        """Get a claim (the read is audited)"""
        return service.get_claim(current_context(), claim_id)


@blp.route("/<int:claim_id>/reviews")
class ClaimReviewViews(MethodView):
    @blp.reads("claims", id_from="claim_id")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, ReviewOut(many=True))
    def get(self, claim_id):
        """List a claim's reviews"""
        return service.claim_reviews(current_context(), claim_id)

    @blp.step(CLAIM_STATES, "review", "approve", "reject", decided_by="riskshare_required_reviews")
    @blp.moves_money
    @blp.arguments(ReviewIn)
    @blp.response(201, ClaimOut)
    def post(self, data, claim_id):
        """Write a review opinion: approve or reject"""
        return service.review_claim(current_context(), claim_id, data)


@blp.route("/<int:claim_id>/documents")
class ClaimDocumentViews(MethodView):
    @blp.lists("documents")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DocumentOut(many=True))
    def get(self, claim_id):
        """List a claim's evidence files"""
        return service.claim_documents(current_context(), claim_id)


@blp.route("/<int:claim_id>/documents/<int:document_id>")
class ClaimDocumentByIdViews(MethodView):
    @blp.downloads("documents")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DocumentContentOut)
    def get(self, claim_id, document_id):
        """Download one evidence file (base64), with its SHA-256"""
        return service.claim_document(current_context(), claim_id, document_id)
