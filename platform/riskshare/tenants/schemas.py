"""The tenants API's request and response schemas (the views are in routes.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from riskshare.api.fields import Integer


class TenantIn(ma.Schema):
    slug = ma.fields.String(
        required=True, validate=validate.Length(2, 63), metadata={"example": "anyang"}
    )
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    backdate_limit_days = Integer(
        load_default=None,
        validate=validate.Range(min=0, max=36600),
        metadata={"description": "how far back action dates may go, in days (none: no limit)"},
    )


class TenantOut(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.String()
    backdate_limit_days = Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    provisioning_job_id = Integer(
        allow_none=True,
        metadata={
            "description": "the job making the tenant's Keycloak groups (GET /platform/jobs);"
            " none when sign-in is not through Keycloak"
        },
    )


class InviteIn(ma.Schema):
    username = ma.fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9][a-z0-9._@-]{1,99}$",
            error="2-100 lowercase letters, digits and . _ @ -, starting with a letter or digit",
        ),
        metadata={"example": "office-anyang"},
    )
    email = ma.fields.Email(required=True)
    first_name = ma.fields.String(load_default="", validate=validate.Length(max=100))
    last_name = ma.fields.String(load_default="", validate=validate.Length(max=100))
    role = ma.fields.String(
        required=True,
        validate=validate.Length(1, 63),
        metadata={"description": "a role of the core or an enabled policy", "example": "office"},
    )
    institution = ma.fields.String(
        load_default=None,
        validate=validate.Length(1, 63),
        metadata={"description": "the institution's code, for roles acting for one"},
    )
    credential = ma.fields.String(
        load_default="email",
        validate=validate.OneOf(["email", "temporary_password"]),
        metadata={
            "description": "email: Keycloak mails a link to set a password and verify the"
            " address; temporary_password: one is made, shown once here, and must be changed"
            " at the first sign-in"
        },
    )


class InviteOut(ma.Schema):
    user_id = ma.fields.String()
    username = ma.fields.String()
    group = ma.fields.String(metadata={"example": "/tenants/anyang/office"})
    created = ma.fields.Boolean(
        metadata={"description": "false: the account existed and was put in the group"}
    )
    credential = ma.fields.String()
    temporary_password = ma.fields.String(allow_none=True)


class PolicyOut(ma.Schema):
    name = ma.fields.String()
    version = ma.fields.String()
    title = ma.fields.String()
    description = ma.fields.String()
    config_schema = ma.fields.Dict()
