"""The firms API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Money
from riskshare.firms.sme import Industry


class FirmIn(ma.Schema):
    uscc = ma.fields.String(required=True, metadata={"example": "91110108551385082Q"})
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    industry = ma.fields.String(required=True, validate=validate.OneOf([i.value for i in Industry]))
    employees = ma.fields.Integer(load_default=None, validate=validate.Range(min=0))
    revenue = Money(load_default=None)
    assets = Money(load_default=None)
    region = ma.fields.String(load_default=None)
    attributes = ma.fields.Dict(load_default=dict)


class FirmOut(ma.Schema):
    id = ma.fields.Integer()
    uscc = ma.fields.String()
    name = ma.fields.String()
    industry = ma.fields.String()
    employees = ma.fields.Integer(allow_none=True)
    revenue = Money(allow_none=True)
    assets = Money(allow_none=True)
    size_class = ma.fields.String()
    size_explanation = ma.fields.Dict()
    region = ma.fields.String(allow_none=True)
    attributes = ma.fields.Dict()
