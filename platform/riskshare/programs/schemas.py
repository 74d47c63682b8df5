"""The programs API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, EffectiveOn, Integer, Money


class ProgramIn(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,62}$"))
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    policy = ma.fields.String(required=True)
    config = ma.fields.Dict(load_default=dict)
    fund_total = Money(required=True, validate=validate.Range(min=0, min_inclusive=False))
    effective_from = Date(required=True)
    effective_to = Date(required=True)
    effective_on = EffectiveOn()


class ProgramOut(ma.Schema):
    id = Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    policy = ma.fields.String()
    policy_version = ma.fields.String()
    config = ma.fields.Dict()
    fund_total = Money()
    effective_from = Date()
    effective_to = Date()
    status = ma.fields.String()


class AppropriationIn(ma.Schema):
    amount = Money(required=True)
    reference = ma.fields.String(required=True, validate=validate.Length(1, 60))
    effective_on = EffectiveOn()


class WrongSideOut(ma.Schema):
    account = ma.fields.String()
    institution_id = Integer(allow_none=True)
    balance = Money()


class LedgerOut(ma.Schema):
    program_id = Integer()
    balances = ma.fields.Dict(keys=ma.fields.String(), values=Money())
    pool_balance = Money()
    wrong_side = ma.fields.List(
        ma.fields.Nested(WrongSideOut),
        metadata={"description": "signed accounts on the wrong side of zero (always empty)"},
    )
    balanced = ma.fields.Boolean(
        metadata={"description": "entries balance and no signed account is on the wrong side"}
    )


class PostingOut(ma.Schema):
    account = ma.fields.String()
    institution_id = Integer(allow_none=True)
    amount = Money(metadata={"description": "positive: debit; negative: credit"})


class JournalEntryOut(ma.Schema):
    id = Integer()
    source_key = ma.fields.String()
    kind = ma.fields.String()
    booked_on = Date(metadata={"description": "the effective (value) date"})
    created_at = ma.fields.DateTime(metadata={"description": "when it was recorded"})
    memo = ma.fields.String()
    postings = ma.fields.List(ma.fields.Nested(PostingOut))
