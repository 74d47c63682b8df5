from __future__ import annotations

from flask import Response, current_app, url_for
from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.auth.roles import EVERYONE
from riskshare.jobs import status
from riskshare.reports import jobs, service
from riskshare.reports.schemas import (
    ReportJobOut,
    ReportOut,
    ReportQuery,
    ReportRequestIn,
    StoredReportOut,
)

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/programs/<int:program_id>/reports",
    description="Fund reports (monthly, half-yearly, yearly), as JSON, .xlsx or PDF; large"
    " files made by a job, and the reports stored at each period end.",
)

XLSX, PDF = service.XLSX, service.PDF

# Who reads is the program's policy's to say (service.check_report_reader): any member of the
# tenant reaches these views, and the service refuses the others with 403.


def _download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content,
        mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("")
class ReportJobViews(MethodView):
    @blp.roles(EVERYONE)
    @blp.arguments(ReportRequestIn)
    @blp.response(202, ReportJobOut)
    def post(self, data, program_id):
        """Have a period's workbook or PDF made by a job; follow its Location until it is
        done"""
        ctx = current_context()
        row = jobs.request_report(ctx, program_id, data["period"], data["format"])
        location = url_for(
            "reports.ReportJobByIdViews", tenant=ctx.tenant, program_id=program_id, job_id=row.id
        )
        return jobs.describe(ctx, row, None), 202, {"Location": location}


@blp.route("/jobs/<int:job_id>")
class ReportJobByIdViews(MethodView):
    @blp.not_confidential("a report job's progress and the id of its workbook, not its figures")
    @blp.roles(EVERYONE)
    @blp.response(200, ReportJobOut)
    def get(self, program_id, job_id):
        """A report job: state, percent done, rows written, and its document when done"""
        connection = status.redis_of(current_app.extensions["riskshare"])
        return jobs.report_job(current_context(), program_id, job_id, connection)


@blp.route("/stored")
class StoredReportViews(MethodView):
    @blp.lists("documents")
    @blp.roles(EVERYONE)
    @blp.response(200, StoredReportOut(many=True))
    def get(self, program_id):
        """Reports stored for the program: each period end's, and those made by jobs"""
        return service.stored_reports(current_context(), program_id)


@blp.route("/stored/<int:report_id>")
class StoredReportByIdViews(MethodView):
    @blp.downloads("documents", id_from="report_id")
    @blp.roles(EVERYONE)
    @blp.response(200, description="the workbook", content_type=XLSX)
    @blp.alt_response(200, description="the PDF", content_type=PDF, success=True)
    def get(self, program_id, report_id):
        """Download a stored workbook or PDF"""
        doc = service.stored_report(current_context(), program_id, report_id)
        return _download(doc.content, doc.filename, doc.content_type)


@blp.route("/<period>")
class ReportViews(MethodView):
    @blp.reads("fund_reports", id_from=("program_id", "period"))
    @blp.roles(EVERYONE)
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, ReportOut)
    @blp.alt_response(200, description="the same report as a workbook", content_type=XLSX)
    @blp.alt_response(200, description="the same report as a PDF", content_type=PDF)
    def get(self, query, program_id, period):
        """The fund's operation and use in a period: 2022, 2022-H1, 2022-Q3 or 2022-03"""
        ctx = current_context()
        fmt = query["format"]
        if fmt in service.MEDIA_TYPES:
            limit = current_app.extensions["riskshare"].settings.sync_report_max_loans
            job_path = url_for("reports.ReportJobViews", tenant=ctx.tenant, program_id=program_id)
            content = jobs.fund_file(ctx, program_id, period, fmt, limit, job_path)
            return _download(content, f"fund-report-{period}.{fmt}", service.MEDIA_TYPES[fmt])
        return service.fund_report(ctx, program_id, period)
