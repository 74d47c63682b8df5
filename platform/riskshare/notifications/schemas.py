"""The inbox's schemas."""

from __future__ import annotations

import marshmallow as ma

from riskshare.api.fields import Date, Integer
from riskshare.notifications.models import STAGES


class InboxQuery(ma.Schema):
    unread = ma.fields.Boolean(
        load_default=None, metadata={"description": "true: unread only; false: read only"}
    )
    program_id = Integer(load_default=None)


class NotificationOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    kind = ma.fields.String(
        metadata={"description": "which deadline: claim_review, recovery_return, ..."}
    )
    rule = ma.fields.String(metadata={"description": "the rule that set the deadline"})
    stage = ma.fields.String(metadata={"description": " | ".join(STAGES)})
    subject_type = ma.fields.String(metadata={"description": "the record: claim, recovery ..."})
    subject_id = Integer()
    due_on = Date()
    sent_on = Date(metadata={"description": "the day the sweep sent it"})
    role = ma.fields.String(allow_none=True, metadata={"description": "addressed to this role"})
    institution_id = Integer(
        allow_none=True, metadata={"description": "addressed to this institution's users"}
    )
    explanation = ma.fields.Dict(metadata={"description": "rule, clause, zh and en"})
    read = ma.fields.Boolean(metadata={"description": "read by the caller"})


class CountsOut(ma.Schema):
    total = Integer()
    unread = Integer()
