from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import PAID_BY_PAYERS, Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.api.schemas import DatedActionIn
from riskshare.auth.roles import INSTITUTIONS
from riskshare.sanctions import service, standing
from riskshare.sanctions.models import CLAWBACK_STATES
from riskshare.sanctions.schemas import (
    BanIn,
    BanOut,
    ClawbackIn,
    ClawbackOut,
    CreditEntryIn,
    StandingLiftIn,
    StandingOut,
)

blp = Blueprint(
    "sanctions",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="Clawbacks, bans and policies' standing decisions.",
)

SUPERVISORS = ("office", "approver", "finance", "auditor", "reviewer")


@blp.route("/bans")
class BanViews(MethodView):
    @blp.lists("bans")
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


@blp.route("/bans/<int:ban_id>/credit-entry")
class BanCreditEntryViews(MethodView):
    @blp.roles("office", "approver")
    @blp.arguments(CreditEntryIn)
    @blp.response(200, BanOut)
    def post(self, data, ban_id):
        """Record that a ban was entered in a credit system: which, when, by whom"""
        return service.record_credit_entry(current_context(), ban_id, data)


@blp.route("/clawbacks")
class ClawbackViews(MethodView):
    @blp.lists("clawbacks")
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
    @blp.step(CLAWBACK_STATES, "confirm_repaid", decided_by=PAID_BY_PAYERS)
    @blp.moves_money
    @blp.arguments(DatedActionIn)
    @blp.response(200, ClawbackOut)
    def post(self, data, clawback_id):
        """Confirm a clawback was repaid into the pool"""
        return service.confirm_repaid(current_context(), clawback_id, data["effective_on"])


@blp.route("/programs/<int:program_id>/standings")
class StandingViews(MethodView):
    @blp.lists("standings")
    @blp.roles(*SUPERVISORS, INSTITUTIONS)
    @blp.response(200, StandingOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """List the standing decisions the program's policy recorded (suspensions of firms
        and institutions, which the core honours); an institution sees its own"""
        ctx = current_context()
        return page(ctx.session, standing.visible_standings(ctx, program_id))


@blp.route("/programs/<int:program_id>/standings/<int:standing_id>/lift")
class StandingLiftViews(MethodView):
    @blp.roles("office")
    @blp.arguments(StandingLiftIn)
    @blp.response(200, StandingOut)
    def post(self, data, program_id, standing_id):
        """Lift a policy's standing decision from today on"""
        return standing.lift_standing(current_context(), program_id, standing_id, data["reason"])
