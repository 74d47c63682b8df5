"""The calendar API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, Integer


class YearIn(ma.Schema):
    holidays = ma.fields.List(Date(), required=True)
    working_weekends = ma.fields.List(Date(), required=True)
    source = ma.fields.String(
        required=True,
        validate=validate.Length(1, 200),
        metadata={"example": "国务院办公厅通知 2027"},
    )


class YearOut(ma.Schema):
    year = Integer()
    holidays = ma.fields.List(ma.fields.String())
    working_weekends = ma.fields.List(ma.fields.String())
    source = ma.fields.String()


class DeadlineQuery(ma.Schema):
    start = Date(required=True)
    working_days = Integer(required=True, validate=validate.Range(1, 366))


class DeadlineOut(ma.Schema):
    start = ma.fields.String()
    working_days = Integer()
    due = ma.fields.String()
    provisional = ma.fields.Boolean()
    sources = ma.fields.List(ma.fields.String())
