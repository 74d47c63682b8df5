"""The recoveries API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, EffectiveOn, Explanations, Integer, Money
from riskshare.api.schemas import DocumentIn


class RecoveryIn(ma.Schema):
    claim_id = Integer(required=True)
    received_on = Date(required=True)
    recovered = Money(required=True, validate=validate.Range(min=0, min_inclusive=False))
    costs = Money(load_default=0, validate=validate.Range(min=0))


class RecoveryOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    claim_id = Integer()
    institution_id = Integer()
    received_on = Date()
    recovered = Money()
    costs = Money()
    amount_due = Money()
    destination = ma.fields.String()
    due_on = Date(allow_none=True)
    state = ma.fields.String()
    returned_on = Date(allow_none=True)
    explanations = Explanations()


class WriteOffIn(ma.Schema):
    loan_id = Integer(required=True)
    ground = ma.fields.String(
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={
            "description": "why the loss is final, e.g. bankruptcy_liquidation or"
            " enforcement_terminated; the policy says which grounds it accepts"
        },
    )
    approved_on = Date(required=True)
    net_loss = Money(required=True, validate=validate.Range(min=0))
    effective_on = EffectiveOn()


class WriteOffReviewOut(ma.Schema):
    role = ma.fields.String()
    reviewer = ma.fields.String()
    decision = ma.fields.String()
    opinion = ma.fields.String()
    reviewed_on = ma.fields.String(metadata={"format": "date"})  # kept as ISO text in JSON


class WriteOffOut(ma.Schema):
    id = Integer()
    loan_id = Integer()
    institution_id = Integer()
    ground = ma.fields.String(allow_none=True)
    approved_on = Date()
    net_loss = Money()
    reviewers = ma.fields.List(ma.fields.String())
    reviews = ma.fields.List(ma.fields.Nested(WriteOffReviewOut))
    decided_on = Date(allow_none=True)
    evidence_due_on = Date(allow_none=True)
    evidence_submitted_on = Date(allow_none=True)
    late = ma.fields.Boolean()
    state = ma.fields.String()
    explanations = Explanations()


class EvidenceIn(ma.Schema):
    documents = ma.fields.List(
        ma.fields.Nested(DocumentIn), required=True, validate=validate.Length(min=1)
    )
    effective_on = EffectiveOn()
