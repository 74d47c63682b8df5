"""Running one outbox job in a worker: under its tenant's row-level security, exactly once.

``run_outbox_job`` is the function RQ calls. It opens a session for the job's tenant (so on
PostgreSQL ``app.tenant_id`` is set and the app role sees that tenant's rows only), locks
the outbox row, and then either finds the job's key in ``job_runs`` (it has run: nothing to
do) or runs the job and writes its ``job_runs`` row and its effect in the same transaction.
A worker killed mid-job leaves an open transaction that the database rolls back; RQ retries
the job and it runs from the start. Two deliveries of the same job queue on the row lock, and
the second finds the first's ``job_runs`` row.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from riskshare.auth.principal import Principal
from riskshare.context import Context
from riskshare.db import tenant_session
from riskshare.db.types import utcnow
from riskshare.explain import jsonable
from riskshare.jobs import registry
from riskshare.jobs.models import DONE, FAILED, JobRun, OutboxJob

log = logging.getLogger(__name__)

# Who a job acts as: its audit events name it, and it has no tenant role of a person.
JOB_ACTOR = "riskshare-jobs"
ERROR_LIMIT = 2000


class JobNotFound(LookupError):
    """The outbox row is not in the job's tenant (or was never committed)."""


def run_outbox_job(tenant: str, outbox_id: int) -> Any:
    """RQ's entry point for an outbox job (the worker's app does the rest)."""
    from riskshare import logs
    from riskshare.jobs.worker import worker_app

    # The job's lines name its tenant and outbox row, as a request's name its tenant and id.
    with logs.context(tenant=tenant, outbox_id=outbox_id):
        return execute(worker_app(), tenant, outbox_id)


def execute(app: Any, tenant: str, outbox_id: int, *, last_attempt: bool | None = None) -> Any:
    """Run the outbox row ``outbox_id`` of ``tenant`` unless its key has run already."""
    ext = app.extensions["riskshare"]
    try:
        with tenant_session(ext.db, tenant) as session:
            row = session.scalar(
                select(OutboxJob)
                .where(OutboxJob.id == outbox_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if row is None:
                raise JobNotFound(f"tenant {tenant} has no outbox job {outbox_id}")
            done = session.scalar(select(JobRun).where(JobRun.key == row.key))
            if done is not None:
                _finish(row)
                return done.result
            ctx = job_context(ext, session, tenant)
            result = jsonable(registry.call(row.job_name, ctx, dict(row.args or {})))
            session.add(
                JobRun(
                    key=row.key,
                    job_name=row.job_name,
                    outbox_id=row.id,
                    finished_at=utcnow(),
                    result=result,
                )
            )
            _finish(row)
            row.attempts += 1
            return result
    except Exception as exc:
        _record_failure(ext, tenant, outbox_id, exc, last_attempt)
        raise


def job_context(ext: Any, session: Any, tenant: str) -> Context:
    """The context a job's services work in: the tenant's session, the job as actor, today
    in Asia/Shanghai."""
    principal = Principal(subject=JOB_ACTOR, username=JOB_ACTOR)
    return Context(
        session=session,
        tenant=tenant,
        principal=principal,
        roles=frozenset(),
        pm=ext.pm,
        calendar=ext.calendar.calendar(session),
        today=ext.clock.today(),
        # The settings name the outside systems a job talks to (Keycloak's admin API);
        # the database is for a job that commits in steps of its own (a bulk import's
        # batches).
        extra={"backdate_limit_days": None, "settings": ext.settings, "database": ext.db},
        audit_key=ext.audit_key,
    )


def _finish(row: OutboxJob) -> None:
    row.state = DONE
    row.finished_at = utcnow()
    row.last_error = None


def _record_failure(
    ext: Any, tenant: str, outbox_id: int, exc: Exception, last_attempt: bool | None
) -> None:
    """Keep the error on the outbox row (visible to ``riskshare jobs``); on the last
    attempt RQ has, the row is ``failed`` until an operator retries it."""
    if last_attempt is None:
        last_attempt = _rq_gives_up()
    try:
        with tenant_session(ext.db, tenant) as session:
            row = session.get(OutboxJob, outbox_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
            if last_attempt:
                row.state = FAILED
    except Exception:
        log.exception("could not record the failure of outbox job %s/%s", tenant, outbox_id)


def _rq_gives_up() -> bool:
    """True when the current RQ job has no retry left (or runs outside RQ)."""
    from rq import get_current_job

    job = get_current_job()
    return job is None or not job.retries_left
