"""The claims API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Attributes, Date, EffectiveOn, Explanations, Integer, Money, Ratio
from riskshare.api.schemas import (
    DocumentIn,
    ReviewDecisionIn,
)
from riskshare.disbursements.schemas import ShareOut


class ClaimIn(ma.Schema):
    loan_id = Integer(required=True)
    claimed_principal = Money(required=True, validate=validate.Range(min=0, min_inclusive=False))
    statement = ma.fields.String(load_default=None)
    attributes = Attributes("claim", load_default=dict)
    documents = ma.fields.List(ma.fields.Nested(DocumentIn), load_default=list)
    effective_on = EffectiveOn()


class ClaimOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    loan_id = Integer()
    institution_id = Integer()
    submitted_on = Date()
    submitted_by = ma.fields.String()
    claimed_principal = Money()
    ratio = Ratio()
    amount = Money()
    approved_amount = Money(allow_none=True)
    state = ma.fields.String()
    review_due_on = Date(allow_none=True)
    reviewed_on = Date(allow_none=True)
    paid_on = Date(allow_none=True)
    statement = ma.fields.String(allow_none=True)
    explanations = Explanations()
    attributes = ma.fields.Dict()
    shares = ma.fields.List(ma.fields.Nested(ShareOut))


class ReviewIn(ReviewDecisionIn):
    approved_amount = Money(load_default=None)


class ReviewOut(ma.Schema):
    id = Integer()
    claim_id = Integer()
    reviewer = ma.fields.String()
    role = ma.fields.String()
    decision = ma.fields.String()
    opinion = ma.fields.String()
    reviewed_on = Date()
    late = ma.fields.Boolean()
