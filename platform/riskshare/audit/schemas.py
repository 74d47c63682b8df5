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
    seal = ma.fields.String()


class ChainOut(ma.Schema):
    tenant = ma.fields.String()
    events = Integer()
    ok = ma.fields.Boolean()
    first_broken_seq = Integer(allow_none=True)
    problem = ma.fields.String(allow_none=True)


class CheckpointOut(ma.Schema):
    last_seq = Integer()
    head_hash = ma.fields.String()
    events = Integer()
    made_at = ma.fields.DateTime()
    token = ma.fields.String(
        metadata={"description": "the signed checkpoint (JWS, RS256): keep it outside the platform"}
    )


class AuditKeyOut(ma.Schema):
    key = ma.fields.Dict(metadata={"description": "the audit key's public half (JWK)"})


class KeptCheckpointsIn(ma.Schema):
    checkpoints = ma.fields.List(
        ma.fields.String(),
        load_default=list,
        metadata={"description": "checkpoints kept outside the platform (JWS texts)"},
    )
