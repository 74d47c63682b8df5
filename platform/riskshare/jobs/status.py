"""What operators see of background work: outbox rows with their RQ status, and retrying
a failed one. Read tenant by tenant, each under its own row-level security."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from riskshare.db import tenant_session
from riskshare.jobs.models import DONE, FAILED, PENDING, SENT, OutboxJob
from riskshare.tenants.models import Tenant

LIMIT = 500  # rows per tenant in one listing, newest first
RQ_LIVE = ("queued", "started", "scheduled", "deferred")


class RetryRefused(RuntimeError):
    """The job cannot be sent again (it has run, or RQ still has it)."""


class JobMissing(LookupError):
    """The tenant has no such job."""


def list_jobs(
    ext: Any, *, states: Iterable[str] | None = None, tenant: str | None = None
) -> list[dict[str, Any]]:
    """Outbox rows (default: every state but ``done``), newest first, with RQ's view."""
    wanted = tuple(states) if states else (PENDING, SENT, FAILED)
    connection = _redis(ext)
    found: list[dict[str, Any]] = []
    for slug in [tenant] if tenant else _tenants(ext):
        with tenant_session(ext.db, slug) as session:
            rows = session.scalars(
                select(OutboxJob)
                .where(OutboxJob.state.in_(wanted))
                .order_by(OutboxJob.id.desc())
                .limit(LIMIT)
            ).all()
            found += [_describe(row, connection) for row in rows]
    return found


def _describe(row: OutboxJob, connection: Any) -> dict[str, Any]:
    rq_status, rq_error = _rq_view(row, connection)
    state, error = row.state, row.last_error
    if state == SENT and rq_status == "failed":
        # The work horse died (SIGKILL, out of memory) on RQ's last attempt: the job could
        # not record its own failure, so RQ's verdict stands.
        state, error = FAILED, rq_error or error
    return {
        "tenant": row.tenant_id,
        "id": row.id,
        "job_name": row.job_name,
        "key": row.key,
        "state": state,
        "attempts": row.attempts,
        "last_error": error,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
        "finished_at": row.finished_at,
        "rq_job_id": row.rq_job_id,
        "rq_status": rq_status,
    }


def _rq_view(row: OutboxJob, connection: Any) -> tuple[str | None, str | None]:
    if connection is None or row.state in (PENDING, DONE):
        return None, None
    try:
        job = Job.fetch(row.rq_job_id, connection=connection)
        status = job.get_status()
        result = job.latest_result() if status == "failed" else None
    except NoSuchJobError:
        return "missing", None
    except RedisError as exc:
        return f"unknown ({type(exc).__name__})", None
    error = result.exc_string.strip().splitlines()[-1] if result and result.exc_string else None
    return (status.value if status else None), error


def retry_job(ext: Any, tenant: str, outbox_id: int) -> str:
    """Put a failed (or lost) job back in the outbox for the relay to send again."""
    connection = _redis(ext)
    with tenant_session(ext.db, tenant) as session:
        row = session.scalar(select(OutboxJob).where(OutboxJob.id == outbox_id).with_for_update())
        if row is None:
            raise JobMissing(f"There is no job {outbox_id} in tenant '{tenant}'.")
        if row.state == DONE:
            raise RetryRefused(f"Job {outbox_id} ({row.key}) has run; it is not run again.")
        if connection is not None:
            try:
                job = Job.fetch(row.rq_job_id, connection=connection)
            except NoSuchJobError:
                job = None
            if job is not None:
                status = job.get_status()
                if status in RQ_LIVE:
                    raise RetryRefused(f"Job {outbox_id} is {status} in RQ; wait for it to end.")
                job.delete()  # the relay enqueues it afresh under the same id
        row.state = PENDING
        return f"Job {outbox_id} ({row.key}) will be sent again."


# ------------------------------------------------------------------ progress of one job
# A job's progress lives in its RQ job's meta, not in the database: the job's own transaction
# holds its writes until it commits (and on SQLite, the database's one write lock), so a
# second transaction writing progress beside it would wait on it.


def report_progress(rows: int, total: int) -> None:
    """Called by a running job: ``rows`` of ``total`` done (nothing outside RQ)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        return
    job.meta["progress"] = {"rows": rows, "total": total}
    job.save_meta()


def rq_progress(row: OutboxJob, connection: Any) -> tuple[str | None, dict[str, int]]:
    """RQ's status of the row's job and the progress it last reported."""
    if connection is None or row.state in (PENDING, DONE):
        return None, {}
    try:
        job = Job.fetch(row.rq_job_id, connection=connection)
        status = job.get_status()
    except NoSuchJobError:
        return "missing", {}
    except RedisError:
        return None, {}
    return (status.value if status else None), dict(job.meta.get("progress") or {})


def redis_of(ext: Any) -> Any:
    """The Redis of the job queue, or None where none is configured."""
    return _redis(ext)


def _tenants(ext: Any) -> list[str]:
    with tenant_session(ext.db, None) as session:
        return list(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))


def _redis(ext: Any) -> Any:
    if not ext.settings.redis_url:
        return None
    from riskshare.jobs.worker import redis_connection

    return redis_connection(ext.settings)
