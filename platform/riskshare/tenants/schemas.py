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
    policies = ma.fields.List(
        ma.fields.String(validate=validate.Length(1, 63)),
        load_default=None,
        validate=validate.Length(max=100),
        metadata={
            "description": "the policies the tenant may run (GET /platform/policies);"
            " default: every policy installed now, so a plugin installed later is allowed"
            " only where the operator adds it (PUT /platform/tenants/<slug>/policies)",
            "example": ["xinxiang"],
        },
    )


class TenantOut(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.String()
    backdate_limit_days = Integer(allow_none=True)
    policies = ma.fields.List(
        ma.fields.String(), metadata={"description": "the policies the tenant may run"}
    )
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


class TenantPoliciesIn(ma.Schema):
    policies = ma.fields.List(
        ma.fields.String(validate=validate.Length(1, 63)),
        required=True,
        validate=validate.Length(max=100),
        metadata={
            "description": "every policy the tenant may run, replacing the list; each one"
            " installed (GET /platform/policies), and every policy the tenant has programs"
            " of kept",
            "example": ["xinxiang", "hebi"],
        },
    )


class TenantPoliciesOut(ma.Schema):
    tenant = ma.fields.String()
    policies = ma.fields.List(
        ma.fields.String(), metadata={"description": "what the tenant may run programs of"}
    )
    running = ma.fields.List(
        ma.fields.String(), metadata={"description": "the policies of its programs"}
    )


class DistributionOut(ma.Schema):
    name = ma.fields.String(metadata={"example": "riskshare-xinxiang"})
    version = ma.fields.String(metadata={"example": "2021.1"})


class PolicyOut(ma.Schema):
    name = ma.fields.String()
    version = ma.fields.String(metadata={"description": "the policy text's version"})
    title = ma.fields.String()
    description = ma.fields.String()
    config_schema = ma.fields.Dict()
    plugin = ma.fields.String(
        metadata={"description": "the plugin's name (its entry point, RISKSHARE_POLICY_PLUGINS)"}
    )
    distribution = ma.fields.Nested(
        DistributionOut,
        allow_none=True,
        metadata={
            "description": "the installed distribution that offers it (none: registered by"
            " the embedding code, not installed)"
        },
    )
