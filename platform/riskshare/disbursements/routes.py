from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import EffectiveOn, Money, SQLCursorPage, page
from riskshare.claims.routes import CLAIM_READERS
from riskshare.disbursements import service

blp = Blueprint(
    "disbursements",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/disbursements",
    description="Payments instructed by approved plans, confirmed by the payer.",
)


class DisbursementOut(ma.Schema):
    id = ma.fields.Integer()
    program_id = ma.fields.Integer()
    plan_item_id = ma.fields.Integer(allow_none=True)
    claim_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    payee_institution_id = ma.fields.Integer(allow_none=True)
    payee_firm_id = ma.fields.Integer(allow_none=True)
    amount = Money()
    payer_role = ma.fields.String()
    state = ma.fields.String()
    instructed_on = ma.fields.Date()
    confirmed_on = ma.fields.Date(allow_none=True)
    confirmed_by = ma.fields.String(allow_none=True)
    payment_reference = ma.fields.String(allow_none=True)


class ConfirmIn(ma.Schema):
    payment_reference = ma.fields.String(load_default=None, validate=validate.Length(1, 100))
    effective_on = EffectiveOn()


@blp.route("")
class DisbursementViews(MethodView):
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DisbursementOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List disbursements"""
        ctx = current_context()
        return page(ctx.session, service.visible_disbursements(ctx))


@blp.route("/<int:disbursement_id>")
class DisbursementByIdViews(MethodView):
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DisbursementOut)
    def get(self, disbursement_id):
        """Get a disbursement"""
        return service.get_disbursement(current_context(), disbursement_id)


@blp.route("/<int:disbursement_id>/confirm")
class DisbursementConfirmViews(MethodView):
    @blp.step(("payer",), "riskshare_transition_roles; payer: PolicyDescriptor.payers")
    @blp.moves_money
    @blp.arguments(ConfirmIn)
    @blp.response(200, DisbursementOut)
    def post(self, data, disbursement_id):
        """Confirm a payment was made (caps are checked and consumed here)"""
        return service.confirm(
            current_context(), disbursement_id, data["payment_reference"], data["effective_on"]
        )
