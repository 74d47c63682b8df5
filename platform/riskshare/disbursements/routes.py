from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.claims.routes import CLAIM_READERS
from riskshare.disbursements import service
from riskshare.disbursements.models import DISBURSEMENT_STATES
from riskshare.disbursements.schemas import ConfirmIn, DisbursementOut

blp = Blueprint(
    "disbursements",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/disbursements",
    description="Payments instructed by approved plans, confirmed by the payer.",
)


@blp.route("")
class DisbursementViews(MethodView):
    @blp.lists("disbursements")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DisbursementOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List disbursements"""
        ctx = current_context()
        return page(ctx.session, service.visible_disbursements(ctx))


@blp.route("/<int:disbursement_id>")
class DisbursementByIdViews(MethodView):
    @blp.reads("disbursements")
    @blp.roles(*CLAIM_READERS)
    @blp.response(200, DisbursementOut)
    def get(self, disbursement_id):
        """Get a disbursement"""
        return service.get_disbursement(current_context(), disbursement_id)


@blp.route("/<int:disbursement_id>/confirm")
class DisbursementConfirmViews(MethodView):
    @blp.step(
        DISBURSEMENT_STATES,
        "confirm",
        decided_by="riskshare_transition_roles; payer: PolicyDescriptor.payers",
    )
    @blp.moves_money
    @blp.arguments(ConfirmIn)
    @blp.response(200, DisbursementOut)
    def post(self, data, disbursement_id):
        """Confirm a payment was made (caps are checked and consumed here)"""
        return service.confirm(
            current_context(), disbursement_id, data["payment_reference"], data["effective_on"]
        )
