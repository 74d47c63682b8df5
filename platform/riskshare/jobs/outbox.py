"""Asking for background work inside the transaction of the change that needs it.

The row commits or rolls back with the change: a rolled-back change asks for nothing, and a
committed one is handed to RQ by the relay (``riskshare.jobs.relay``) even if the process
dies right after the commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.explain import jsonable
from riskshare.jobs.models import OutboxJob
from riskshare.jobs.registry import handler


def enqueue(session: Session, tenant: str, job_name: str, key: str, **args: Any) -> OutboxJob:
    """Ask for the job ``job_name(**args)`` of ``tenant`` once the session commits.

    ``key`` names the work (``deadline-sweep:2026-12-07``): asking again with a key the
    tenant has already used returns the first row and adds nothing, so a retried request or
    a repeated sweep never asks twice. ``args`` must be JSON (ids and dates, not records).
    """
    handler(job_name)  # an unknown job fails the change now, not in a worker later
    existing = session.scalar(
        select(OutboxJob).where(OutboxJob.tenant_id == tenant, OutboxJob.key == key)
    )
    if existing is not None:
        return existing
    row = OutboxJob(tenant_id=tenant, job_name=job_name, key=key, args=jsonable(args))
    session.add(row)
    session.flush()
    return row
