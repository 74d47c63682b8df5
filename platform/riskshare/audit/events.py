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
    _record(
        ctx,
        action,
        type(obj).__tablename__,
        getattr(obj, "id", None) or getattr(obj, "slug", ""),
        before,
        snapshot(obj) if after is None else after,
    )


def record_access(ctx: Context, record_type: str, record_id: object, action: str) -> None:
    """An event that changes no record (a job's effect, a notice sent). Reads made through
    the API are not recorded here but by the routes' declarations (riskshare.api.reads)."""
    _record(ctx, action, record_type, record_id)


def _record(
    ctx: Context,
    action: str,
    record_type: str,
    record_id: object,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append now, or, in a context with an ``audit_buffer`` (a bulk import's batch), when
    the batch's transaction appends its buffer."""
    event = audit.PendingEvent(
        ctx.actor, tuple(ctx.roles), action, record_type, record_id, before, after
    )
    if ctx.audit_buffer is not None:
        ctx.audit_buffer.add(event)
    else:
        audit.append_many(ctx.session, key=ctx.audit_key, tenant=ctx.tenant, events=[event])
