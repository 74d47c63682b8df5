"""Calling the services directly, as units: a ``Context`` on a real tenant session.

The HTTP tests prove what users see; these let a test set up through the API (the
factories) and then ask one service function one question, on the same PostgreSQL
database, without a route in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from riskshare.auth.principal import Principal
from riskshare.context import Context
from riskshare.db import tenant_session
from riskshare.institutions.models import Institution


@contextmanager
def service_context(
    api, *roles: str, institution: str | None = None, day: dt.date | None = None
) -> Iterator[Context]:
    """A context of ``roles`` (acting for ``institution``, a code) in the test's tenant; its
    session commits when the block ends without an error and rolls back when one escapes."""
    ext = api.app.extensions["riskshare"]
    user = "-".join(roles) or "nobody"
    with tenant_session(ext.db, api.tenant) as session:
        institution_id = None
        if institution is not None:
            institution_id = session.scalar(
                select(Institution.id).where(Institution.code == institution)
            )
            assert institution_id is not None, f"no institution {institution}"
        yield Context(
            session=session,
            tenant=api.tenant,
            principal=Principal(
                subject=user,
                username=user,
                tenant_roles={api.tenant: frozenset(roles)},
                institution=institution,
            ),
            roles=frozenset(roles),
            pm=ext.pm,
            calendar=ext.calendar.calendar(session),
            today=day or ext.clock.today(),
            institution_id=institution_id,
            extra={"backdate_limit_days": None},
            audit_key=ext.audit_key,
        )
