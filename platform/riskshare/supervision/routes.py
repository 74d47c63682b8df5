from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.supervision import service

blp = Blueprint(
    "supervision",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/programs/<int:program_id>",
    description="Supervision: indicators, monitoring alerts, institutions' rectification filings.",
)

SUPERVISORS = ("office", "approver", "reviewer", "finance", "auditor")
INSTITUTIONS = ("lender", "guarantor", "insurer")


class IndicatorIn(ma.Schema):
    effective_from = ma.fields.Date(required=True)
    value = ma.fields.Decimal(
        required=True, as_string=True, allow_nan=False, metadata={"example": "0.0312"}
    )
    note = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class IndicatorOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    effective_from = ma.fields.Date()
    value = ma.fields.Decimal(as_string=True)
    note = ma.fields.String()
    entered_by = ma.fields.String()


class MonitoringQuery(ma.Schema):
    day = ma.fields.Date(load_default=None, metadata={"description": "default: today"})


class AlertOut(ma.Schema):
    code = ma.fields.String()
    severity = ma.fields.String()
    subject_type = ma.fields.String()
    subject_id = ma.fields.Integer(allow_none=True)
    explanation = ma.fields.Dict()
    data = ma.fields.Dict()


class FilingIn(ma.Schema):
    rule = ma.fields.String(required=True, validate=validate.Length(1, 20))
    period = ma.fields.String(required=True, validate=validate.Length(1, 20))
    explanation = ma.fields.String(required=True, validate=validate.Length(1, 20000))
    rectification_plan = ma.fields.String(required=True, validate=validate.Length(1, 20000))


class FilingOut(FilingIn):
    id = ma.fields.Integer()
    institution_id = ma.fields.Integer()
    filed_on = ma.fields.Date()
    filed_by = ma.fields.String()


@blp.route("/indicators")
class IndicatorViews(MethodView):
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
    @blp.roles(*SUPERVISORS)
    @blp.arguments(MonitoringQuery, location="query")
    @blp.response(200, AlertOut(many=True))
    def get(self, query, program_id):
        """What supervisors must look at: NPL warnings, pool thresholds, flags"""
        ctx = current_context()
        return service.alerts(ctx, program_id, query["day"] or ctx.today)


@blp.route("/supervision-filings")
class FilingViews(MethodView):
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
