"""The relay: committed outbox rows to RQ, each exactly once.

For each tenant, the relay locks the tenant's ``pending`` rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so relays running side by side take different rows), hands each to RQ under the
job id derived from the row, and marks them ``sent`` in the same transaction. A crash before
the hand-over leaves the rows ``pending`` for the next run; a crash after it, before the
commit, leaves them ``pending`` too, and the next run finds their RQ jobs already there and
only marks them. Rows are read tenant by tenant, each under its tenant's row-level security:
the relay never needs a session that sees every tenant.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rq import Queue, Retry
from rq.job import Job
from sqlalchemy import select

from riskshare.db import Database, tenant_session
from riskshare.db.types import utcnow
from riskshare.jobs.models import PENDING, SENT, OutboxJob
from riskshare.tenants.models import Tenant

log = logging.getLogger(__name__)

# A job that fails is retried after these delays (seconds); a worker killed mid-job counts
# as a failure, so the next attempt starts a second later.
RETRY_INTERVALS: Sequence[int] = (1, 10, 60, 300, 1800)
JOB_TIMEOUT = 60 * 60  # a job that runs longer is stopped and retried
BATCH = 200  # rows per tenant per run; the rest wait for the next run


def relay(db: Database, queue: Queue, *, batch: int = BATCH) -> int:
    """Hand every tenant's pending outbox rows to ``queue``; return how many were sent."""
    with tenant_session(db, None) as session:
        tenants = list(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))
    return sum(relay_tenant(db, queue, tenant, batch=batch) for tenant in tenants)


def relay_tenant(db: Database, queue: Queue, tenant: str, *, batch: int = BATCH) -> int:
    with tenant_session(db, tenant) as session:
        rows = session.scalars(
            select(OutboxJob)
            .where(OutboxJob.state == PENDING)
            .order_by(OutboxJob.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            hand_over(queue, row)
            row.state = SENT
            row.sent_at = utcnow()
        return len(rows)


def hand_over(queue: Queue, row: OutboxJob) -> Job:
    """The RQ job of ``row``: the one already in Redis, or a new one enqueued now."""
    job_id = row.rq_job_id
    if Job.exists(job_id, connection=queue.connection):
        # Enqueued by a relay that died before its commit: the row is only marked.
        log.info("outbox job %s is in RQ already; marking it sent", job_id)
        return Job.fetch(job_id, connection=queue.connection)
    return queue.enqueue(
        "riskshare.jobs.runner.run_outbox_job",
        row.tenant_id,
        row.id,
        job_id=job_id,
        description=f"{row.tenant_id}: {row.job_name} ({row.key})",
        meta={"tenant": row.tenant_id, "job_name": row.job_name, "key": row.key},
        retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
        job_timeout=JOB_TIMEOUT,
        failure_ttl=30 * 24 * 3600,
    )
