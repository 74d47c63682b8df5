"""Redis, a queue of the test's own and a real ``riskshare worker`` process for job tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import job_samples  # noqa: F401 - registers the test jobs in this process too
import pytest
from redis import Redis
from rq import Queue

HERE = Path(__file__).parent
REDIS_URL = os.environ.get("RISKSHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        Redis.from_url(REDIS_URL).ping()
    except Exception as exc:  # pragma: no cover - the environment, not the code
        pytest.fail(f"Redis at {REDIS_URL} is not answering ({exc}); run scripts/test-services.sh")
    return REDIS_URL


@pytest.fixture
def queue(redis_url):
    """A queue no other test (or test run) uses, emptied afterwards."""
    connection = Redis.from_url(redis_url)
    q = Queue(f"rs-test-{uuid.uuid4().hex[:10]}", connection=connection)
    yield q
    for registry in (
        q.started_job_registry,
        q.finished_job_registry,
        q.failed_job_registry,
        q.scheduled_job_registry,
    ):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    q.delete(delete_jobs=True)


@pytest.fixture
def worker_settings():
    """Settings a test module adds to its worker's environment (its own Keycloak, say)."""
    return {}


@pytest.fixture
def worker(rs_pg_url, rs_app, queue, redis_url, tmp_path, worker_settings):
    """``riskshare worker`` (RQ worker, its scheduler and the cron scheduler with the relay)
    as its own process, on the test database and the test's queue, with the test app's
    plugins; stopped with SIGTERM."""
    env = {
        **os.environ,
        "RISKSHARE_MODE": "test",
        "RISKSHARE_DATABASE_URL": rs_pg_url,
        "RISKSHARE_REDIS_URL": redis_url,
        "RISKSHARE_QUEUE": queue.name,
        "RISKSHARE_RELAY_INTERVAL": "1",
        "RISKSHARE_AUTH": "dev",
        "RISKSHARE_INSTANCE_PATH": str(tmp_path),
        # Every process of a deployment seals the audit log with the same key.
        "RISKSHARE_AUDIT_KEY_PATH": str(rs_app.extensions["riskshare"].audit_key.path),
        "RISKSHARE_AUDIT_CHECKPOINT_INTERVAL": "2",
        # The tests ask for period closes on the days they pin (the worker's clock is the
        # real one, whose ended periods would close the tests' programs at random moments).
        "RISKSHARE_PERIOD_CLOSE_INTERVAL": "0",
        "RISKSHARE_JOB_MODULES": "job_samples",
        "PYTHONPATH": os.pathsep.join(
            [str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")]
        ),
        **worker_settings,
    }
    log = (tmp_path / "worker.log").open("w")
    # run_worker is what ``riskshare worker`` runs; the script adds the toy policy the test
    # app has (embedded mode's test starts the command itself).
    process = subprocess.Popen(
        [sys.executable, str(HERE / "toy_worker.py")], env=env, stdout=log, stderr=log
    )
    process.log_path = tmp_path / "worker.log"
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def wait_for(predicate, *, timeout=90.0, what="the condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text()[-3000:] if log is not None and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")
