"""The jobs API's schemas (platform operators)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Integer
from riskshare.jobs.models import STATES


class JobQuery(ma.Schema):
    state = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(STATES)),
        load_default=None,
        metadata={"description": "repeat for several (default: every state but done)"},
    )
    tenant = ma.fields.String(load_default=None, metadata={"description": "tenant slug"})


class JobOut(ma.Schema):
    tenant = ma.fields.String()
    id = Integer()
    job_name = ma.fields.String()
    key = ma.fields.String()
    state = ma.fields.String(metadata={"description": "pending, sent, done or failed"})
    attempts = Integer()
    last_error = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    rq_job_id = ma.fields.String()
    rq_status = ma.fields.String(
        allow_none=True, metadata={"description": "the RQ job's status; missing: not in Redis"}
    )


class RetryOut(ma.Schema):
    detail = ma.fields.String()
