"""The audit API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma

from riskshare.api.fields import Integer


class AuditEventOut(ma.Schema):
    seq = Integer()
    at = ma.fields.DateTime()
    actor = ma.fields.String()
    roles = ma.fields.String()
    action = ma.fields.String()
    record_type = ma.fields.String()
    record_id = ma.fields.String()
    before = ma.fields.Raw(allow_none=True)
    after = ma.fields.Raw(allow_none=True)
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class ChainOut(ma.Schema):
    tenant = ma.fields.String()
    events = Integer()
    ok = ma.fields.Boolean()
    first_broken_seq = Integer(allow_none=True)
    problem = ma.fields.String(allow_none=True)
