from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.institutions import service
from riskshare.institutions.models import COOPERATION, Institution
from riskshare.institutions.schemas import (
    CooperationIn,
    InstitutionIn,
    InstitutionOut,
    InstitutionQuery,
)
from riskshare.programs.routes import ALL
from riskshare.services import get_or_404

blp = Blueprint(
    "institutions",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/institutions",
    description="Banks, guarantors, insurers, and the kinds of institution policies add.",
)


@blp.route("")
class InstitutionViews(MethodView):
    @blp.not_confidential(
        "the cooperating institutions and their standing, which the policies publish"
    )
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
    @blp.not_confidential("a cooperating institution and its standing, which the policy publishes")
    @blp.roles(*ALL)
    @blp.response(200, InstitutionOut)
    def get(self, institution_id):
        """Get an institution"""
        return get_or_404(current_context(), Institution, institution_id, "institution")


@blp.route("/<int:institution_id>/cooperation")
class CooperationViews(MethodView):
    @blp.step(
        COOPERATION,
        "suspend",
        "resume",
        "revoke",
        decided_by="riskshare_transition_roles (record 'institution')",
    )
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
