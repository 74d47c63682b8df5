"""The worker and scheduler processes, and the periodic jobs the scheduler enqueues.

``riskshare worker`` is RQ's own ``Worker`` on the platform's queue, with RQ's scheduler
(which moves retries and ``enqueue_at`` jobs onto the queue when due), and, unless told
``--no-cron``, RQ's ``CronScheduler`` in a child process enqueueing the periodic jobs below.
Production runs the cron scheduler once (``riskshare scheduler``) and as many
``riskshare worker --no-cron`` as the load needs.

The worker builds the app once, before RQ forks a work horse per job; a horse drops the
database connections it inherited (they belong to its parent) and opens its own.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.cron import CronScheduler

from riskshare.config import ConfigError, Settings
from riskshare.jobs import registry, relay

log = logging.getLogger(__name__)

_app: Any = None
_app_pid: int | None = None


def use_app(app: Any) -> None:
    """Make ``app`` the one the jobs of this process (and of its forked horses) use."""
    global _app, _app_pid
    _app, _app_pid = app, os.getpid()


def worker_app() -> Any:
    """The app jobs run with: the one ``use_app`` set, or one built from the environment."""
    global _app_pid
    if _app is None:
        from riskshare.app import create_app

        use_app(create_app())
    elif _app_pid != os.getpid():
        # A forked work horse: the pooled connections are its parent's; closing them here
        # would close them for the parent too, so they are only forgotten.
        _app.extensions["riskshare"].db.engine.dispose(close=False)
        _app_pid = os.getpid()
    return _app


def redis_connection(settings: Settings) -> Redis:
    if not settings.redis_url:
        raise ConfigError(
            "RISKSHARE_REDIS_URL is not set: the worker needs Redis (embedded mode starts"
            " one with `riskshare serve`)"
        )
    return Redis.from_url(settings.redis_url)


def platform_queue(settings: Settings, connection: Redis | None = None) -> Queue:
    return Queue(settings.queue, connection=connection or redis_connection(settings))


# -------------------------------------------------------------------------------------------
# Periodic jobs: enqueued by the cron scheduler, run by any worker.
# -------------------------------------------------------------------------------------------


def relay_outbox() -> int:
    """Hand the committed outbox rows of every tenant to RQ (at most once per interval)."""
    app = worker_app()
    settings: Settings = app.extensions["riskshare"].settings
    connection = redis_connection(settings)
    # The scheduler enqueues a relay every interval whether or not the last one has run; a
    # relay slower than the interval (many tenants, a busy database) would pile them up
    # ahead of the jobs they send. The first relay of an interval takes the key; the rest
    # of the interval's relays return at once.
    if not connection.set(
        f"riskshare:{settings.queue}:relay-ran", os.getpid(), nx=True, ex=settings.relay_interval
    ):
        return 0
    return relay.relay(app.extensions["riskshare"].db, platform_queue(settings, connection))


def ask_for_deadline_sweeps() -> list[str]:
    """Ask each tenant for today's deadline sweep on its working days (once a day each)."""
    from riskshare.jobs.sweeps import plan_deadline_sweeps

    return plan_deadline_sweeps(worker_app().extensions["riskshare"])


def ask_for_period_closes() -> list[str]:
    """Ask each tenant for the work of its programs' ended periods (once per period)."""
    from riskshare.jobs.period_close import plan_period_closes

    return plan_period_closes(worker_app().extensions["riskshare"])


def checkpoint_audit_chains() -> dict[str, int]:
    """Sign each tenant's audit chain state (audit/anchor.py): the last event each
    checkpoint now covers, by tenant; tenants with nothing new are left out."""
    from riskshare.audit.service import checkpoint_every_tenant

    ext = worker_app().extensions["riskshare"]
    return checkpoint_every_tenant(ext.db, ext.audit_key)


def register_periodic(cron: CronScheduler, settings: Settings) -> None:
    """The platform's periodic work, on RQ's own scheduling.

    Intervals rather than cron lines: an interval job runs as the scheduler starts, and the
    work keyed by day (``deadline-sweep:<day>``) or period (``period-close:<program>:<work>:
    <period>``) makes asking every hour ask once a day or period, in
    Asia/Shanghai whatever the servers' time zone, and catch up after a scheduler outage.
    """
    cron.register(
        relay_outbox,
        queue_name=settings.queue,
        interval=settings.relay_interval,
        name=f"{settings.queue}:relay",
        result_ttl=60,
    )
    cron.register(
        ask_for_deadline_sweeps,
        queue_name=settings.queue,
        interval=settings.sweep_interval,
        name=f"{settings.queue}:deadline-sweeps",
    )
    if settings.period_close_interval:  # 0: a site that closes its periods by hand
        cron.register(
            ask_for_period_closes,
            queue_name=settings.queue,
            interval=settings.period_close_interval,
            name=f"{settings.queue}:period-closes",
        )
    cron.register(
        checkpoint_audit_chains,
        queue_name=settings.queue,
        interval=settings.audit_checkpoint_interval,
        name=f"{settings.queue}:audit-checkpoints",
    )


# -------------------------------------------------------------------------------------------
# Processes
# -------------------------------------------------------------------------------------------


def run_scheduler(settings: Settings) -> None:
    """RQ's cron scheduler with the platform's periodic jobs, until SIGTERM/SIGINT."""
    cron = CronScheduler(connection=redis_connection(settings), name=f"{settings.queue}-cron")
    register_periodic(cron, settings)
    cron.start()


def run_worker(app: Any, *, with_cron: bool = True, burst: bool = False) -> None:
    """RQ's worker (with its scheduler) on the platform's queue, and, with ``with_cron``,
    the cron scheduler in a child process that stops with it."""
    settings: Settings = app.extensions["riskshare"].settings
    registry.load_job_modules()
    use_app(app)
    connection = redis_connection(settings)
    scheduler = None
    if with_cron:
        scheduler = multiprocessing.get_context("fork").Process(
            target=run_scheduler, args=(settings,), name="riskshare-cron", daemon=True
        )
        scheduler.start()
    try:
        worker = Worker([platform_queue(settings, connection)], connection=connection)
        worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
    finally:
        if scheduler is not None and scheduler.is_alive():
            scheduler.terminate()
            scheduler.join(timeout=10)
