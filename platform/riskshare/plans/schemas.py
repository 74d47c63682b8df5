"""The plans API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma

from riskshare.api.context import current_context
from riskshare.api.fields import Date, EffectiveOn, Explanations, Integer, Money
from riskshare.plans import service


class PlanIn(ma.Schema):
    program_id = Integer(required=True)
    day = Date(required=True, metadata={"description": "any day of the period"})
    effective_on = EffectiveOn()


class PlanItemOut(ma.Schema):
    id = Integer()
    claim_id = Integer()
    institution_id = Integer()
    requested = Money()
    allocated = Money()
    carried = Money()
    explanation = Explanations()


class PlanOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    period = ma.fields.String()
    period_start = Date()
    period_end = Date()
    summary_due_on = Date(allow_none=True)
    state = ma.fields.String()
    proposed_by = ma.fields.String()
    proposed_on = Date()
    approved_by = ma.fields.String(allow_none=True)
    approved_on = Date(allow_none=True)
    capacity = Money()
    explanations = Explanations()
    items = ma.fields.Method("get_items")

    def get_items(self, plan):
        return PlanItemOut(many=True).dump(service.plan_items(current_context(), plan.id))


class ItemEdit(ma.Schema):
    claim_id = Integer(required=True)
    allocated = Money(required=True)
    carry = ma.fields.Boolean(load_default=True)


class PlanEditIn(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ItemEdit), required=True)
