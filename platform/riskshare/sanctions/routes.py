from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.api.schemas import DatedActionIn
from riskshare.sanctions import service
from riskshare.sanctions.schemas import BanIn, BanOut, ClawbackIn, ClawbackOut

blp = Blueprint(
    "sanctions", __name__, url_prefix="/api/v1/tenants/<tenant>", description="Clawbacks and bans."
)

SUPERVISORS = ("office", "approver", "finance", "auditor", "reviewer")


@blp.route("/bans")
class BanViews(MethodView):
    @blp.roles(*SUPERVISORS)
    @blp.response(200, BanOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List bans"""
        ctx = current_context()
        return page(ctx.session, service.list_bans(ctx))

    @blp.roles("office", "approver")
    @blp.arguments(BanIn)
    @blp.response(201, BanOut)
    def post(self, data):
        """Ban a firm or an institution, for some years or for good"""
        return service.impose_ban(current_context(), data)


@blp.route("/bans/<int:ban_id>/lift")
class BanLiftViews(MethodView):
    @blp.roles("office", "approver")
    @blp.response(200, BanOut)
    def post(self, ban_id):
        """Lift a ban"""
        return service.lift_ban(current_context(), ban_id)


@blp.route("/clawbacks")
class ClawbackViews(MethodView):
    @blp.roles(*SUPERVISORS)
    @blp.response(200, ClawbackOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List clawbacks"""
        ctx = current_context()
        return page(ctx.session, service.list_clawbacks(ctx))

    @blp.roles("approver")
    @blp.moves_money
    @blp.arguments(ClawbackIn)
    @blp.response(201, ClawbackOut)
    def post(self, data):
        """Claw back compensation from an institution found to have cheated"""
        return service.order_clawback(current_context(), data)


@blp.route("/clawbacks/<int:clawback_id>/confirm-repaid")
class ClawbackRepaidViews(MethodView):
    @blp.step(("payer",), "riskshare_transition_roles; payer: PolicyDescriptor.payers")
    @blp.moves_money
    @blp.arguments(DatedActionIn)
    @blp.response(200, ClawbackOut)
    def post(self, data, clawback_id):
        """Confirm a clawback was repaid into the pool"""
        return service.confirm_repaid(current_context(), clawback_id, data["effective_on"])
