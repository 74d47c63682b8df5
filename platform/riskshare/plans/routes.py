from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.api.schemas import DatedActionIn
from riskshare.auth.roles import FUND_STAFF
from riskshare.plans import service
from riskshare.plans.models import PLAN_STATES
from riskshare.plans.schemas import PlanEditIn, PlanIn, PlanOut

blp = Blueprint(
    "plans",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/plans",
    description="Allocation plans (补偿分配方案): proposal, edits, approval.",
)

PLAN_READERS = FUND_STAFF


@blp.route("")
class PlanViews(MethodView):
    @blp.lists("allocation_plans")
    @blp.roles(*PLAN_READERS)
    @blp.response(200, PlanOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List allocation plans"""
        ctx = current_context()
        return page(ctx.session, service.list_plans(ctx))

    @blp.roles("office")
    @blp.moves_money
    @blp.arguments(PlanIn)
    @blp.response(201, PlanOut)
    def post(self, data):
        """Propose the plan of a finished period; the policy allocates within the caps"""
        return service.propose_plan(
            current_context(), data["program_id"], data["day"], data["effective_on"]
        )


@blp.route("/<int:plan_id>")
class PlanByIdViews(MethodView):
    @blp.reads("allocation_plans")
    @blp.roles(*PLAN_READERS)
    @blp.response(200, PlanOut)
    def get(self, plan_id):
        """Get a plan with its items"""
        return service.get_plan(current_context(), plan_id)

    @blp.roles("office")
    @blp.moves_money
    @blp.arguments(PlanEditIn)
    @blp.response(200, PlanOut)
    def patch(self, data, plan_id):
        """Edit allocations (the policy checks the caps)"""
        return service.edit_plan(current_context(), plan_id, data["items"])


def _action_view(action: str, summary: str) -> None:
    @blp.route(f"/<int:plan_id>/{action}", endpoint=f"plan_{action}")
    class PlanActionView(MethodView):
        @blp.step(PLAN_STATES, action, decided_by="riskshare_transition_roles")
        @blp.moves_money
        @blp.doc(summary=summary)
        @blp.arguments(DatedActionIn)
        @blp.response(200, PlanOut)
        def post(self, data, plan_id):
            return service.advance_plan(current_context(), plan_id, action, data["effective_on"])


_action_view("submit", "Submit a plan for approval")
_action_view("approve", "Approve a plan; its payments are instructed")
_action_view("return", "Return a plan to the office for changes")
_action_view("reject", "Reject a plan; its claims are free for another plan")
_action_view("withdraw", "Withdraw a plan; its claims are free for another plan")
