from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import EffectiveOn, Explanations, Money, Ratio, SQLCursorPage, page
from riskshare.api.schemas import (
    DocumentContentOut,
    DocumentIn,
    DocumentOut,
    ReviewDecisionIn,
)
from riskshare.audit.events import record_access
from riskshare.auth.roles import CORE_INSTITUTION_ROLES, FUND_STAFF
from riskshare.claims import service

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/claims",
    description="Claims for compensation, evidence and reviews (reads are audited).",
)

# claim data is for the claimant, the platform, the office, the leading group,
# finance and auditors; nobody else.
CLAIM_READERS = (*FUND_STAFF, *CORE_INSTITUTION_ROLES)


class ClaimIn(ma.Schema):
    loan_id = ma.fields.Integer(required=True)
    claimed_principal = Money(required=True, validate=validate.Range(min=0, min_inclusive=False))
    statement = ma.fields.String(load_default=None)
    attributes = ma.fields.Dict(load_default=dict)
    documents = ma.fields.List(ma.fields.Nested(DocumentIn), load_default=list)
    effective_on = EffectiveOn()


class ClaimOut(ma.Schema):
    id = ma.fields.Integer()
    program_id = ma.fields.Integer()
    loan_id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    submitted_on = ma.fields.Date()
    submitted_by = ma.fields.String()
    claimed_principal = Money()
    ratio = Ratio()
    amount = Money()
    approved_amount = Money(allow_none=True)
    state = ma.fields.String()
    review_due_on = ma.fields.Date(allow_none=True)
    reviewed_on = ma.fields.Date(allow_none=True)
    statement = ma.fields.String(allow_none=True)
    explanations = Explanations()
    attributes = ma.fields.Dict()


class ReviewIn(ReviewDecisionIn):
    approved_amount = Money(load_default=None)


class ReviewOut(ma.Schema):
    id = ma.fields.Integer()
    claim_id = ma.fields.Integer()
    reviewer = ma.fields.String()
    role = ma.fields.String()
    decision = ma.fields.String()
    opinion = ma.fields.String()
    reviewed_on = ma.fields.Date()
    late = ma.fields.Boolean()


@blp.route("")
class ClaimViews(MethodView):
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, ClaimOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List claims (the listing is audited; institutions see only their own)"""
        ctx = current_context()
        record_access(ctx, "claims", "*", action="list")
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
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, ClaimOut)
    def get(self, claim_id):
        """Get a claim (the read is audited)"""
        return service.get_claim(current_context(), claim_id)


@blp.route("/<int:claim_id>/reviews")
class ClaimReviewViews(MethodView):
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, ReviewOut(many=True))
    def get(self, claim_id):
        """List a claim's reviews"""
        return service.claim_reviews(current_context(), claim_id)

    @blp.step(("reviewer",), "riskshare_required_reviews")
    @blp.moves_money
    @blp.arguments(ReviewIn)
    @blp.response(201, ClaimOut)
    def post(self, data, claim_id):
        """Write a review opinion: approve or reject"""
        return service.review_claim(current_context(), claim_id, data)


@blp.route("/<int:claim_id>/documents")
class ClaimDocumentViews(MethodView):
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DocumentOut(many=True))
    def get(self, claim_id):
        """List a claim's evidence files"""
        return service.claim_documents(current_context(), claim_id)


@blp.route("/<int:claim_id>/documents/<int:document_id>")
class ClaimDocumentByIdViews(MethodView):
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DocumentContentOut)
    def get(self, claim_id, document_id):
        """Download one evidence file (base64), with its SHA-256"""
        return service.claim_document(current_context(), claim_id, document_id)
