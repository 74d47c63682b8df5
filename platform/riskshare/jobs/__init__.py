"""Background work on RQ: the outbox, the relay, the job runner, the worker and its schedule.

A change that needs background work calls ``enqueue(session, tenant, job_name, key,
**args)`` inside its own transaction; see ``riskshare.jobs.outbox``.
"""

from riskshare.jobs.outbox import enqueue
from riskshare.jobs.registry import job

__all__ = ["enqueue", "job"]
