from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.auth.roles import EVERYONE, INSTITUTIONS
from riskshare.firms import service
from riskshare.firms.schemas import FirmCorrectionOut, FirmIn, FirmOut, FirmPatch

blp = Blueprint(
    "firms",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/firms",
    description="Borrowing firms: USCC (N-2) and SME size (N-1).",
)

FIRM_READERS = (EVERYONE,)
# The office and reviewers, and whoever acts for an institution (a lender, a recommending
# department), register the firms they deal with.
FIRM_WRITERS = ("office", "reviewer", INSTITUTIONS)


@blp.route("")
class FirmViews(MethodView):
    @blp.lists("firms")
    @blp.roles(*FIRM_READERS)
    @blp.response(200, FirmOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List firms (institutions see the firms they lend to or registered)"""
        ctx = current_context()
        return page(ctx.session, service.visible_firms(ctx))

    @blp.roles(*FIRM_WRITERS)
    @blp.arguments(FirmIn)
    @blp.response(201, FirmOut)
    def post(self, data):
        """Register a firm; its SME size is classified and explained"""
        return service.register_firm(current_context(), data)


@blp.route("/<int:firm_id>")
class FirmByIdViews(MethodView):
    @blp.reads("firms")
    @blp.roles(*FIRM_READERS)
    @blp.response(200, FirmOut)
    def get(self, firm_id):
        """Get a firm (the read is audited)"""
        return service.get_firm(current_context(), firm_id)

    @blp.roles("office")
    @blp.arguments(FirmPatch)
    @blp.response(200, FirmCorrectionOut)
    def patch(self, data, firm_id):
        """Correct a firm; the coverage of its active, unclaimed loans is decided again"""
        return service.correct_firm(current_context(), firm_id, data)
