"""The firms API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Attributes, Integer, Money
from riskshare.firms.models import REGISTRATION_STATUSES
from riskshare.firms.sme import Industry
from riskshare.loans.schemas import CoverageChangeOut


class FirmIn(ma.Schema):
    uscc = ma.fields.String(required=True, metadata={"example": "91110108551385082Q"})
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    industry = ma.fields.String(required=True, validate=validate.OneOf([i.value for i in Industry]))
    employees = Integer(load_default=None, validate=validate.Range(min=0))
    revenue = Money(load_default=None)
    assets = Money(load_default=None)
    region = ma.fields.String(load_default=None)
    registered_address = ma.fields.String(
        load_default=None,
        validate=validate.Length(1, 300),
        metadata={"description": "the registered address on the business licence (注册地址)"},
    )
    registration_status = ma.fields.String(
        load_default="active",
        validate=validate.OneOf(REGISTRATION_STATUSES),
        metadata={"description": "active (存续), cancelled (注销) or revoked (吊销)"},
    )
    business_scope = ma.fields.String(
        load_default=None,
        validate=validate.Length(1, 2000),
        metadata={"description": "the business scope on the licence (经营范围)"},
    )
    legal_representative_id = ma.fields.String(
        load_default=None,
        validate=validate.Length(1, 64),
        metadata={"description": "the legal representative (法定代表人), by an identifier"},
    )
    attributes = Attributes("firm", load_default=dict)


class FirmOut(ma.Schema):
    id = Integer()
    uscc = ma.fields.String()
    name = ma.fields.String()
    industry = ma.fields.String()
    employees = Integer(allow_none=True)
    revenue = Money(allow_none=True)
    assets = Money(allow_none=True)
    size_class = ma.fields.String()
    size_explanation = ma.fields.Dict()
    region = ma.fields.String(allow_none=True)
    registered_address = ma.fields.String(allow_none=True)
    registration_status = ma.fields.String()
    business_scope = ma.fields.String(allow_none=True)
    legal_representative_id = ma.fields.String(allow_none=True)
    attributes = ma.fields.Dict()


class FirmPatch(ma.Schema):
    """What the office may correct on a firm (not its USCC); ``attributes`` is a JSON merge
    patch (a key set to null is removed). New size figures classify the firm again (N-1)."""

    name = ma.fields.String(validate=validate.Length(1, 200))
    industry = ma.fields.String(validate=validate.OneOf([i.value for i in Industry]))
    employees = Integer(allow_none=True, validate=validate.Range(min=0))
    revenue = Money(allow_none=True)
    assets = Money(allow_none=True)
    region = ma.fields.String(allow_none=True)
    registered_address = ma.fields.String(allow_none=True, validate=validate.Length(1, 300))
    registration_status = ma.fields.String(validate=validate.OneOf(REGISTRATION_STATUSES))
    business_scope = ma.fields.String(allow_none=True, validate=validate.Length(1, 2000))
    legal_representative_id = ma.fields.String(allow_none=True, validate=validate.Length(1, 64))
    attributes = Attributes("firm")


class FirmCorrectionOut(ma.Schema):
    firm = ma.fields.Nested(FirmOut)
    corrected = ma.fields.List(ma.fields.String())
    loans = ma.fields.List(
        ma.fields.Nested(CoverageChangeOut),
        metadata={
            "description": "each of the firm's loans, decided again if still active and"
            " unclaimed, and whether its coverage changed"
        },
    )
