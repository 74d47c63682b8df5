"""A real ``riskshare worker`` process (RQ worker, its scheduler, the cron scheduler running
the relay) against PostgreSQL and Redis: jobs run once, under their tenant, and a work horse
killed with SIGKILL mid-job leaves the job to RQ's retry with its effect exactly once."""

from __future__ import annotations

import os
import signal

from rq.job import Job
from sqlalchemy import select
from test_outbox import SOAK, ask, db, effects, rows

from conftest import wait_for
from riskshare.db import tenant_session
from riskshare.jobs.models import DONE, JobRun

KILLS = 100 if SOAK else 5


def done(api, outbox_id):
    return any(r.id == outbox_id and r.state == DONE for r in rows(api))


def result(api, key):
    with tenant_session(db(api), api.tenant) as session:
        return session.scalar(select(JobRun.result).where(JobRun.key == key))


def test_the_worker_runs_a_committed_job_once(api, worker, queue):
    outbox_id = ask(api, "test.mark", "mark:worker", label="worker")
    wait_for(lambda: done(api, outbox_id), what="the job to run", log=worker.log_path)
    assert effects(api, "worker") == 1
    [row] = rows(api)
    job = Job.fetch(row.rq_job_id, connection=queue.connection)
    assert job.meta["tenant"] == api.tenant
    assert job.get_status() == "finished"


def test_a_job_in_the_worker_cannot_read_another_tenants_rows(api, other_api, worker):
    outbox_id = ask(api, "test.peek", "peek:worker", other_tenant=other_api.tenant)
    wait_for(lambda: done(api, outbox_id), what="the job to run", log=worker.log_path)
    seen = result(api, "peek:worker")
    assert seen["setting"] == api.tenant
    assert seen["own"] > 0
    assert seen["other"] == 0


def test_a_work_horse_killed_mid_job_is_retried_and_its_effect_happens_once(api, worker, tmp_path):
    for n in range(KILLS):
        pause, pid_file = tmp_path / f"pause-{n}", tmp_path / f"pid-{n}"
        pause.touch()
        outbox_id = ask(
            api,
            "test.mark",
            f"mark:kill-{n}",
            label=f"kill-{n}",
            pause_file=str(pause),
            pid_file=str(pid_file),
        )
        wait_for(pid_file.exists, what="the job to reach its pause", log=worker.log_path)
        os.kill(int(pid_file.read_text()), signal.SIGKILL)  # its audit event is not committed
        pause.unlink()
        wait_for(lambda: done(api, outbox_id), what="the retried job", log=worker.log_path)  # noqa: B023
        assert effects(api, f"kill-{n}") == 1
    assert worker.poll() is None  # the worker itself lives on


def test_the_scheduler_signs_audit_checkpoints_that_the_api_verifies(api, worker):
    office, auditor = api.as_("office"), api.as_("auditor")
    office.ok("POST", "/institutions", {"code": "bank-z", "name": "Z", "kind": "bank"}, status=201)
    head = auditor.ok("GET", "/audit/verification")["events"]

    def signed():
        return [c for c in auditor.ok("GET", "/audit/checkpoints") if c["last_seq"] >= head]

    wait_for(signed, what="a checkpoint of the chain", log=worker.log_path)
    report = auditor.ok("GET", "/audit/verification")
    assert report["ok"] is True, report
