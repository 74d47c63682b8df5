"""Schemas shared by several resources."""

from __future__ import annotations

import base64

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import EffectiveOn


class DocumentIn(ma.Schema):
    kind = ma.fields.String(
        required=True, validate=validate.Length(1, 40), metadata={"example": "credit_report"}
    )
    filename = ma.fields.String(required=True, validate=validate.Length(1, 255))
    content_type = ma.fields.String(load_default="application/octet-stream")
    content_base64 = ma.fields.String(required=True)


class DocumentOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    uploaded_by = ma.fields.String()
    created_at = ma.fields.DateTime()


class DocumentContentOut(DocumentOut):
    content_base64 = ma.fields.Method("encode")

    def encode(self, doc):
        return base64.b64encode(doc.content).decode()


class ReviewDecisionIn(ma.Schema):
    """A reviewer's opinion: approve or reject, with reasons."""

    decision = ma.fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    opinion = ma.fields.String(required=True, validate=validate.Length(1, 5000))
    effective_on = EffectiveOn()


class DatedActionIn(ma.Schema):
    """The body of an action that needs nothing but, optionally, its business date."""

    effective_on = EffectiveOn()
