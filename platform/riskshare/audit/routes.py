from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.audit import service
from riskshare.audit.schemas import AuditEventOut, ChainOut

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/audit",
    description="The tenant's append-only, hash-chained audit log.",
)


@blp.route("/events")
class AuditEventViews(MethodView):
    @blp.roles("auditor")
    @blp.response(200, AuditEventOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """Read the audit log, oldest first"""
        ctx = current_context()
        return page(ctx.session, service.events_in_order())


@blp.route("/verification")
class AuditVerifyViews(MethodView):
    @blp.roles("auditor")
    @blp.response(200, ChainOut)
    def get(self):
        """Verify the hash chain; names the first broken link"""
        ctx = current_context()
        return service.verify_chain(ctx.session, ctx.tenant).as_dict()
