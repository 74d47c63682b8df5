"""The reports API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, Integer


class ReportQuery(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx", "pdf"]))


class ReportOut(ma.Schema):
    program_id = Integer()
    program = ma.fields.String()
    period = ma.fields.String()
    start = Date()
    end = Date()
    generated_on = Date()
    fund_total = ma.fields.Decimal(as_string=True)
    fund = ma.fields.Dict()
    activity = ma.fields.Dict()
    sections = ma.fields.List(ma.fields.Dict())


class ReportRequestIn(ma.Schema):
    period = ma.fields.String(
        required=True, metadata={"description": "2022, 2022-H1, 2022-Q3 or 2022-03"}
    )
    format = ma.fields.String(
        load_default="xlsx",
        validate=validate.OneOf(["xlsx", "pdf"]),
        metadata={"description": "xlsx (the default) or pdf"},
    )


class ReportJobOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    period = ma.fields.String()
    format = ma.fields.String(metadata={"description": "xlsx or pdf"})
    requested_by = ma.fields.String()
    requested_at = ma.fields.DateTime()
    state = ma.fields.String(metadata={"description": "queued, running, done or failed"})
    percent = Integer(metadata={"description": "loans written of the period's loans, in %"})
    rows = Integer(metadata={"description": "loans written to the workbook so far"})
    total_rows = Integer(metadata={"description": "loans in the period"})
    attempts = Integer()
    error = ma.fields.String(allow_none=True)
    document_id = Integer(
        allow_none=True,
        metadata={"description": "when done: GET stored/<document_id> downloads the workbook"},
    )


class StoredReportOut(ma.Schema):
    id = Integer()
    period = ma.fields.String()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = Integer()
    sha256 = ma.fields.String()
    made_by = ma.fields.String()
    created_at = ma.fields.DateTime()
