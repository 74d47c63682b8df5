"""The supervision API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, Integer


class IndicatorIn(ma.Schema):
    effective_from = Date(required=True)
    value = ma.fields.Decimal(
        required=True, as_string=True, allow_nan=False, metadata={"example": "0.0312"}
    )
    note = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class IndicatorOut(ma.Schema):
    id = Integer()
    name = ma.fields.String()
    effective_from = Date()
    value = ma.fields.Decimal(as_string=True)
    note = ma.fields.String()
    entered_by = ma.fields.String()


class MonitoringQuery(ma.Schema):
    day = Date(load_default=None, metadata={"description": "default: today"})


class AlertOut(ma.Schema):
    code = ma.fields.String()
    severity = ma.fields.String()
    subject_type = ma.fields.String()
    subject_id = Integer(allow_none=True)
    rule = ma.fields.String(metadata={"description": "the rule id (docs/policies/)"})
    due_on = Date(allow_none=True, metadata={"description": "a missed deadline's due date"})
    explanation = ma.fields.Dict()
    data = ma.fields.Dict()


class FilingIn(ma.Schema):
    rule = ma.fields.String(required=True, validate=validate.Length(1, 20))
    period = ma.fields.String(required=True, validate=validate.Length(1, 20))
    explanation = ma.fields.String(required=True, validate=validate.Length(1, 20000))
    rectification_plan = ma.fields.String(required=True, validate=validate.Length(1, 20000))


class FilingOut(FilingIn):
    id = Integer()
    institution_id = Integer()
    filed_on = Date()
    filed_by = ma.fields.String()
