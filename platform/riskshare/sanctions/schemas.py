"""The sanctions API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, EffectiveOn, Explanations, Integer, Money
from riskshare.sanctions import service


class BanIn(ma.Schema):
    program_id = Integer(
        load_default=None,
        metadata={"description": "the program whose rule is applied; its policy sets the length"},
    )
    subject_type = ma.fields.String(required=True, validate=validate.OneOf(list(service.SUBJECTS)))
    subject_id = Integer(required=True)
    rule = ma.fields.String(required=True, validate=validate.Length(1, 20))
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))
    starts_on = Date(load_default=None)
    years = Integer(
        load_default=None,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "omit for a permanent ban"},
    )


class BanOut(ma.Schema):
    id = Integer()
    program_id = Integer(allow_none=True)
    subject_type = ma.fields.String()
    subject_id = Integer()
    rule = ma.fields.String()
    reason = ma.fields.String()
    starts_on = Date()
    ends_on = Date(allow_none=True)
    lifted_on = Date(allow_none=True)
    explanations = Explanations()
    legal_representative_id = ma.fields.String(
        allow_none=True,
        metadata={"description": "the banned firm's legal representative when it was banned"},
    )
    credit_system = ma.fields.String(allow_none=True)
    credit_entered_on = Date(allow_none=True)
    credit_entered_by = ma.fields.String(allow_none=True)


class CreditEntryIn(ma.Schema):
    """That a ban was entered in a credit system (录入信用系统)."""

    system = ma.fields.String(
        load_default="全国信用信息共享平台",
        validate=validate.Length(1, 200),
        metadata={"description": "the credit system the entry was made in"},
    )
    effective_on = EffectiveOn()


class ClawbackIn(ma.Schema):
    program_id = Integer(required=True)
    institution_id = Integer(required=True)
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))
    effective_on = EffectiveOn()


class ClawbackOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    institution_id = Integer()
    decided_on = Date()
    reason = ma.fields.String()
    amount = Money()
    state = ma.fields.String()
    repaid_on = Date(allow_none=True)
    explanations = Explanations()


class StandingOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    subject_type = ma.fields.String(metadata={"description": "institution or firm"})
    subject_id = Integer()
    rule = ma.fields.String(metadata={"description": "the policy's rule that decided it"})
    reason = ma.fields.String()
    starts_on = Date()
    until = Date(
        allow_none=True,
        metadata={"description": "first day it no longer applies; null: until lifted"},
    )
    explanations = Explanations()
    recorded_by = ma.fields.String()
    recorded_on = Date()
    lifted_on = Date(allow_none=True)
    lifted_by = ma.fields.String(allow_none=True)
    lift_reason = ma.fields.String(allow_none=True)


class StandingLiftIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))
