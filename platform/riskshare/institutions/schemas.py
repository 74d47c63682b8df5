"""The institutions API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Date, EffectiveOn, Integer


def known_kind(kind: str) -> None:
    """A kind the core or an installed policy declares (read per request: plugins add kinds)."""
    from flask import current_app

    from riskshare.plugins.manager import role_catalogue

    kinds = role_catalogue(current_app.extensions["riskshare"].pm).institution_kinds
    if kind not in kinds:
        raise ma.ValidationError(f"Must be one of: {', '.join(kinds)}.")


class InstitutionIn(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,63}$"))
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    kind = ma.fields.String(
        required=True,
        validate=known_kind,
        metadata={"description": "bank, guarantor, insurer, or a kind a policy declares"},
    )
    cooperation_since = Date(
        load_default=None,
        metadata={"description": "when it began cooperating (default today), for history"},
    )
    attributes = ma.fields.Dict(load_default=dict)


class InstitutionOut(ma.Schema):
    id = Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    cooperation = ma.fields.String()
    cooperation_reason = ma.fields.String(allow_none=True)
    cooperation_since = Date(allow_none=True)
    attributes = ma.fields.Dict()


class CooperationIn(ma.Schema):
    action = ma.fields.String(
        required=True, validate=validate.OneOf(["suspend", "resume", "revoke"])
    )
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))
    program_id = Integer(
        load_default=None,
        metadata={"description": "The program whose policy governs the decision (who, when)."},
    )
    effective_on = EffectiveOn()


class InstitutionQuery(ma.Schema):
    kind = ma.fields.String(validate=known_kind)
