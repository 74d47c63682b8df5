from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.audit import service
from riskshare.audit.schemas import (
    AuditEventOut,
    AuditKeyOut,
    ChainOut,
    CheckpointOut,
    KeptCheckpointsIn,
)

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/audit",
    description="The tenant's append-only, hash-chained audit log.",
)


@blp.route("/events")
class AuditEventViews(MethodView):
    @blp.lists("audit_events", key="seq")
    @blp.roles("auditor")
    @blp.response(200, AuditEventOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """Read the audit log, oldest first"""
        ctx = current_context()
        return page(ctx.session, service.events_in_order())


@blp.route("/verification")
class AuditVerifyViews(MethodView):
    @blp.not_confidential("the chain's length and whether it holds, no event's content")
    @blp.roles("auditor")
    @blp.response(200, ChainOut)
    def get(self):
        """Verify the hash chain, its seals and the latest checkpoint; names the first break"""
        ctx = current_context()
        return service.verify_chain(ctx.session, ctx.tenant, service.current_key()).as_dict()

    @blp.roles("auditor")
    @blp.arguments(KeptCheckpointsIn)
    @blp.response(200, ChainOut)
    def post(self, data):
        """Verify as GET does, and against checkpoints the auditor kept outside the platform"""
        ctx = current_context()
        key = service.current_key()
        return service.verify_chain(ctx.session, ctx.tenant, key, data["checkpoints"]).as_dict()


@blp.route("/checkpoints")
class AuditCheckpointViews(MethodView):
    @blp.not_confidential("signed chain heads: sequence numbers and hashes")
    @blp.roles("auditor")
    @blp.response(200, CheckpointOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """The signed checkpoints of the chain, newest first: keep copies outside the platform"""
        ctx = current_context()
        return page(ctx.session, service.checkpoints_newest_first())


@blp.route("/key")
class AuditKeyViews(MethodView):
    @blp.not_confidential("the audit key's public half")
    @blp.roles("auditor")
    @blp.response(200, AuditKeyOut)
    def get(self):
        """The audit key's public half, to check checkpoints' signatures independently"""
        return {"key": service.current_key().public_jwk()}
