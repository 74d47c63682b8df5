"""Bulk imports: the template, the upload (which starts a job), its progress and result."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.auth.roles import EVERYONE
from riskshare.imports import service
from riskshare.imports.schemas import (
    ImportListOut,
    ImportOut,
    ImportUpload,
    TemplateQuery,
)
from riskshare.imports.table import template

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/imports",
    description="Bulk import of loans from xlsx or CSV, run as a job with progress.",
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@blp.route("/templates/<int:program_id>")
class ImportTemplateViews(MethodView):
    @blp.not_confidential("a program's column names, no record")
    @blp.roles(EVERYONE)
    @blp.arguments(TemplateQuery, location="query")
    @blp.response(200, content_type=XLSX, description="the program's loan template")
    @blp.alt_response(200, content_type=CSV, description="the same, as CSV")
    def get(self, query, program_id):
        """The program's loan template: the core's columns and its policy's loan attributes"""
        columns = service.template_columns(current_context(), program_id)
        fmt = query["format"]
        return Response(
            template(columns, fmt),
            mimetype=XLSX if fmt == "xlsx" else CSV,
            headers={
                "Content-Disposition": f'attachment; filename="loans-program-{program_id}.{fmt}"'
            },
        )


@blp.route("")
class ImportViews(MethodView):
    @blp.roles(*service.UPLOADERS)
    @blp.arguments(ImportUpload, location="files")
    @blp.response(202, ImportOut)
    def post(self, form):
        """Upload loans (xlsx or CSV); a job registers them; follow it at the returned import"""
        upload = form["file"]
        return service.create_import(
            current_context(),
            program_id=form["program_id"],
            mode=form["mode"],
            filename=upload.filename or "",
            content=upload.read(),
        )

    @blp.lists("imports")
    @blp.roles(EVERYONE)
    @blp.response(200, ImportListOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List imports, newest first (institutions see their own)"""
        ctx = current_context()
        return page(ctx.session, service.visible_imports(ctx))


@blp.route("/<int:import_id>")
class ImportByIdViews(MethodView):
    # Its errors repeat the bad rows' cells (a firm's credit code, an amount).
    @blp.reads("imports")
    @blp.roles(EVERYONE)
    @blp.response(200, ImportOut)
    def get(self, import_id):
        """An import: state, percent done, rows processed, and each bad row's errors"""
        return service.get_import(current_context(), import_id)


@blp.route("/<int:import_id>/annotated")
class ImportAnnotatedViews(MethodView):
    @blp.downloads("imports", id_from="import_id")
    @blp.roles(EVERYONE)
    @blp.response(200, content_type=XLSX, description="the rows with their errors marked")
    def get(self, import_id):
        """The uploaded rows as xlsx, each bad cell marked and each row's errors beside it"""
        ctx = current_context()
        imported = service.get_import(ctx, import_id)
        return Response(
            service.annotated(ctx, imported),
            mimetype=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="import-{import_id}-errors.xlsx"'
            },
        )
