"""The disbursements API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, EffectiveOn, Integer, Money


class ShareOut(ma.Schema):
    """Who bears what part of a compensation the payee shares (Share)."""

    institution_id = Integer()
    role = ma.fields.String()
    amount = Money()


class DisbursementOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    plan_item_id = Integer(allow_none=True)
    claim_id = Integer(allow_none=True)
    kind = ma.fields.String()
    payee_institution_id = Integer(allow_none=True)
    payee_firm_id = Integer(allow_none=True)
    amount = Money()
    payer_role = ma.fields.String()
    state = ma.fields.String()
    instructed_on = Date()
    confirmed_on = Date(allow_none=True)
    confirmed_by = ma.fields.String(allow_none=True)
    payment_reference = ma.fields.String(allow_none=True)
    remainder_of = Integer(allow_none=True)
    shares = ma.fields.List(ma.fields.Nested(ShareOut))


class ConfirmIn(ma.Schema):
    payment_reference = ma.fields.String(load_default=None, validate=validate.Length(1, 100))
    effective_on = EffectiveOn()
