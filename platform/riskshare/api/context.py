"""Building the service context from the current request (HTTP glue only)."""

from __future__ import annotations

from riskshare.context import Context


def current_context() -> Context:
    """The context of the current request (routes only: services take it as an argument)."""
    from flask import current_app, g

    from riskshare.api.session import db_session

    ext = current_app.extensions["riskshare"]
    session = db_session()
    return Context(
        session=session,
        tenant=g.tenant,
        principal=g.principal,
        roles=g.roles,
        pm=ext.pm,
        calendar=ext.calendar.lazy(session),
        today=ext.clock.today(),
        institution_id=g.get("institution_id"),
        extra={"backdate_limit_days": g.get("backdate_limit_days")},
        audit_key=ext.audit_key,
    )
