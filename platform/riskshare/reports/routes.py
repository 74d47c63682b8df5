from __future__ import annotations

from flask import Response
from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.auth.roles import EVERYONE
from riskshare.reports import service
from riskshare.reports.schemas import ReportOut, ReportQuery

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/programs/<int:program_id>/reports",
    description="Fund reports (monthly, half-yearly, yearly), as JSON or .xlsx.",
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/<period>")
class ReportViews(MethodView):
    # Who reads is the program's policy's to say (service.check_report_reader): any member
    # of the tenant reaches the view, and the service refuses the others with 403.
    @blp.reads("fund_reports", id_from=("program_id", "period"))
    @blp.roles(EVERYONE)
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, ReportOut)
    @blp.alt_response(200, description="the same report as a workbook", content_type=XLSX)
    def get(self, query, program_id, period):
        """The fund's operation and use in a period: 2022, 2022-H1, 2022-Q3 or 2022-03"""
        report = service.fund_report(current_context(), program_id, period)
        if query["format"] == "xlsx":
            return Response(
                service.as_xlsx(report),
                mimetype=XLSX,
                headers={
                    "Content-Disposition": f'attachment; filename="fund-report-{period}.xlsx"'
                },
            )
        return report
