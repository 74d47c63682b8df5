"""Recording what a service did in the tenant's audit log (reads: riskshare.api.reads)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from riskshare.audit import service as audit
from riskshare.context import Context
from riskshare.explain import jsonable


def snapshot(obj: Any) -> dict[str, Any]:
    """The record's columns, for the audit log's before/after."""
    mapper = inspect(type(obj))
    return {
        col.key: jsonable(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in ("content",)
    }


def record_event(
    ctx: Context, action: str, obj: Any, before: Any = None, after: Any = None
) -> None:
    audit.append(
        ctx.session,
        key=ctx.audit_key,
        tenant=ctx.tenant,
        actor=ctx.actor,
        roles=ctx.roles,
        action=action,
        record_type=type(obj).__tablename__,
        record_id=getattr(obj, "id", None) or getattr(obj, "slug", ""),
        before=before,
        after=snapshot(obj) if after is None else after,
    )


def record_access(ctx: Context, record_type: str, record_id: object, action: str) -> None:
    """An event that changes no record (a job's effect, a notice sent). Reads made through
    the API are not recorded here but by the routes' declarations (riskshare.api.reads)."""
    audit.append(
        ctx.session,
        key=ctx.audit_key,
        tenant=ctx.tenant,
        actor=ctx.actor,
        roles=ctx.roles,
        action=action,
        record_type=record_type,
        record_id=record_id,
    )
