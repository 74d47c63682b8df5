"""The reports API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, Integer


class ReportQuery(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))


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
