from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import EffectiveOn, SQLCursorPage, page
from riskshare.institutions import service
from riskshare.institutions.models import Institution
from riskshare.programs.routes import ALL
from riskshare.services import get_or_404

blp = Blueprint(
    "institutions",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/institutions",
    description="Banks, guarantors, insurers, and the kinds of institution policies add.",
)


def known_kind(kind: str) -> None:
    """A kind the core or an installed policy declares (read per request: plugins add kinds)."""
    from flask import current_app

    from riskshare.plugins.manager import role_catalogue

    kinds = role_catalogue(current_app.extensions["riskshare"].pm).institution_kinds
    if kind not in kinds:
        raise ma.ValidationError(f"Must be one of: {', '.join(kinds)}.")


class InstitutionIn(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,63}$"))
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    kind = ma.fields.String(
        required=True,
        validate=known_kind,
        metadata={"description": "bank, guarantor, insurer, or a kind a policy declares"},
    )
    cooperation_since = ma.fields.Date(
        load_default=None,
        metadata={"description": "when it began cooperating (default today), for history"},
    )
    attributes = ma.fields.Dict(load_default=dict)


class InstitutionOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    cooperation = ma.fields.String()
    cooperation_reason = ma.fields.String(allow_none=True)
    cooperation_since = ma.fields.Date(allow_none=True)
    attributes = ma.fields.Dict()


class CooperationIn(ma.Schema):
    action = ma.fields.String(
        required=True, validate=validate.OneOf(["suspend", "resume", "revoke"])
    )
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))
    program_id = ma.fields.Integer(
        load_default=None,
        metadata={"description": "The program whose policy governs the decision (who, when)."},
    )
    effective_on = EffectiveOn()


class InstitutionQuery(ma.Schema):
    kind = ma.fields.String(validate=known_kind)


@blp.route("")
class InstitutionViews(MethodView):
    @blp.roles(*ALL)
    @blp.arguments(InstitutionQuery, location="query")
    @blp.response(200, InstitutionOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, query):
        """List institutions"""
        ctx = current_context()
        return page(ctx.session, service.list_institutions(ctx, query.get("kind")))

    @blp.roles("office")
    @blp.arguments(InstitutionIn)
    @blp.response(201, InstitutionOut)
    def post(self, data):
        """Register a cooperating institution"""
        return service.create_institution(current_context(), data)


@blp.route("/<int:institution_id>")
class InstitutionByIdViews(MethodView):
    @blp.roles(*ALL)
    @blp.response(200, InstitutionOut)
    def get(self, institution_id):
        """Get an institution"""
        return get_or_404(current_context(), Institution, institution_id, "institution")


@blp.route("/<int:institution_id>/cooperation")
class CooperationViews(MethodView):
    @blp.step(("office", "approver"), "riskshare_transition_roles (record 'institution')")
    @blp.arguments(CooperationIn)
    @blp.response(200, InstitutionOut)
    def post(self, data, institution_id):
        """Suspend, resume or revoke an institution's cooperation"""
        return service.change_cooperation(
            current_context(),
            institution_id,
            data["action"],
            data["reason"],
            data["program_id"],
            data["effective_on"],
        )
