from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.supervision import service
from riskshare.supervision.schemas import (
    AlertOut,
    FilingIn,
    FilingOut,
    IndicatorIn,
    IndicatorOut,
    MonitoringQuery,
)

blp = Blueprint(
    "supervision",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/programs/<int:program_id>",
    description="Supervision: indicators, monitoring alerts, institutions' rectification filings.",
)

SUPERVISORS = ("office", "approver", "reviewer", "finance", "auditor")
INSTITUTIONS = ("lender", "guarantor", "insurer")


@blp.route("/indicators")
class IndicatorViews(MethodView):
    @blp.not_confidential("the supervisors' thresholds, which the policies set in public")
    @blp.roles(*SUPERVISORS)
    @blp.response(200, IndicatorOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """List the figures the office entered (e.g. the city's average NPL rate)"""
        ctx = current_context()
        return page(ctx.session, service.indicators(ctx, program_id))


@blp.route("/indicators/<name>")
class IndicatorByNameViews(MethodView):
    @blp.roles("office")
    @blp.arguments(IndicatorIn)
    @blp.response(200, IndicatorOut)
    def put(self, data, program_id, name):
        """Enter a figure in force from a date until the next entry of the same name"""
        return service.set_indicator(current_context(), program_id, name, data)


@blp.route("/monitoring")
class MonitoringViews(MethodView):
    @blp.reads("monitoring", id_from="program_id")
    @blp.roles(*SUPERVISORS)
    @blp.arguments(MonitoringQuery, location="query")
    @blp.response(200, AlertOut(many=True))
    def get(self, query, program_id):
        """What supervisors must look at: NPL warnings, pool thresholds, flags"""
        ctx = current_context()
        return service.alerts(ctx, program_id, query["day"] or ctx.today)


@blp.route("/supervision-filings")
class FilingViews(MethodView):
    @blp.lists("supervision_filings")
    @blp.roles(*SUPERVISORS, *INSTITUTIONS)
    @blp.response(200, FilingOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """List explanations and rectification plans (institutions see their own)"""
        ctx = current_context()
        return page(ctx.session, service.filings(ctx, program_id))

    @blp.roles(*INSTITUTIONS)
    @blp.arguments(FilingIn)
    @blp.response(201, FilingOut)
    def post(self, data, program_id):
        """File your institution's explanation and rectification plan for a finding"""
        return service.file_rectification(current_context(), program_id, data)
