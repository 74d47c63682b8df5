"""Jobs for the tests (the worker imports them through RISKSHARE_JOB_MODULES=job_samples).

``test.mark`` leaves one audit event per run, the effect the tests count; with a pause
file it stops halfway (its event written, not committed) and writes its process id, so a
test can kill it there.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import text

from riskshare.audit.events import record_access
from riskshare.jobs import job

EFFECT = "job.effect"


@job("test.mark")
def mark(ctx, label, pause_file=None, pid_file=None):
    record_access(ctx, "job-sample", label, action=EFFECT)
    ctx.session.flush()
    if pause_file and Path(pause_file).exists():
        Path(pid_file).write_text(str(os.getpid()))
        deadline = time.monotonic() + 60
        while Path(pause_file).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return {"label": label}


@job("test.peek")
def peek(ctx, other_tenant):
    """Counts audit events with plain SQL, past the ORM's tenant filter: only row-level
    security stands between the job and the other tenant's rows."""
    count = text("select count(*) from audit_events where tenant_id = :t")
    return {
        "own": ctx.session.execute(count, {"t": ctx.tenant}).scalar(),
        "other": ctx.session.execute(count, {"t": other_tenant}).scalar(),
        "setting": ctx.session.execute(
            text("select current_setting('app.tenant_id', true)")
        ).scalar(),
    }


@job("test.fail")
def fail(ctx, message="the job failed on purpose"):
    raise RuntimeError(message)
