from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate
from sqlalchemy import select

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import EffectiveOn, Explanations, Money, SQLCursorPage, page
from riskshare.api.schemas import DatedActionIn
from riskshare.auth.roles import INSTITUTIONS
from riskshare.sanctions import service, standing
from riskshare.sanctions.models import Clawback

blp = Blueprint(
    "sanctions",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="Clawbacks, bans and policies' standing decisions.",
)

SUPERVISORS = ("office", "approver", "finance", "auditor", "reviewer")


class BanIn(ma.Schema):
    program_id = ma.fields.Integer(
        load_default=None,
        metadata={"description": "the program whose rule is applied; its policy sets the length"},
    )
    subject_type = ma.fields.String(required=True, validate=validate.OneOf(list(service.SUBJECTS)))
    subject_id = ma.fields.Integer(required=True)
    rule = ma.fields.String(required=True, validate=validate.Length(1, 20))
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))
    starts_on = ma.fields.Date(load_default=None)
    years = ma.fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "omit for a permanent ban"},
    )


class BanOut(ma.Schema):
    id = ma.fields.Integer()
    program_id = ma.fields.Integer(allow_none=True)
    subject_type = ma.fields.String()
    subject_id = ma.fields.Integer()
    rule = ma.fields.String()
    reason = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date(allow_none=True)
    lifted_on = ma.fields.Date(allow_none=True)
    explanations = Explanations()


class ClawbackIn(ma.Schema):
    program_id = ma.fields.Integer(required=True)
    institution_id = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))
    effective_on = EffectiveOn()


class ClawbackOut(ma.Schema):
    id = ma.fields.Integer()
    program_id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    decided_on = ma.fields.Date()
    reason = ma.fields.String()
    amount = Money()
    state = ma.fields.String()
    repaid_on = ma.fields.Date(allow_none=True)
    explanations = Explanations()


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
        return page(current_context().session, select(Clawback).order_by(Clawback.id))

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


class StandingOut(ma.Schema):
    id = ma.fields.Integer()
    program_id = ma.fields.Integer()
    subject_type = ma.fields.String(metadata={"description": "institution or firm"})
    subject_id = ma.fields.Integer()
    rule = ma.fields.String(metadata={"description": "the policy's rule that decided it"})
    reason = ma.fields.String()
    starts_on = ma.fields.Date()
    until = ma.fields.Date(
        allow_none=True,
        metadata={"description": "first day it no longer applies; null: until lifted"},
    )
    explanations = Explanations()
    recorded_by = ma.fields.String()
    recorded_on = ma.fields.Date()
    lifted_on = ma.fields.Date(allow_none=True)
    lifted_by = ma.fields.String(allow_none=True)
    lift_reason = ma.fields.String(allow_none=True)


class StandingLiftIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))


@blp.route("/programs/<int:program_id>/standings")
class StandingViews(MethodView):
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
