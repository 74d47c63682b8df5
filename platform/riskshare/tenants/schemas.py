"""The tenants API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Integer


class TenantIn(ma.Schema):
    slug = ma.fields.String(
        required=True, validate=validate.Length(2, 63), metadata={"example": "anyang"}
    )
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    backdate_limit_days = Integer(
        load_default=None,
        validate=validate.Range(min=0, max=36600),
        metadata={"description": "how far back action dates may go, in days (none: no limit)"},
    )


class TenantOut(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.String()
    backdate_limit_days = Integer(allow_none=True)
    created_at = ma.fields.DateTime()


class PolicyOut(ma.Schema):
    name = ma.fields.String()
    version = ma.fields.String()
    title = ma.fields.String()
    description = ma.fields.String()
    config_schema = ma.fields.Dict()
