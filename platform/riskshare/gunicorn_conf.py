"""gunicorn's configuration for the API, read by ``riskshare serve`` and so by the Helm chart's
web containers (``gunicorn -c <this file>``).

Sized from the CPUs the process may use (the container's CPU limit, not the node's cores),
with timeouts a slow report or a large upload fits in, and an access log of one JSON object
a line naming the request id and tenant (riskshare.logs). Every number can be set from the
environment:

``RISKSHARE_WEB_WORKERS``  processes (default 2 x CPUs + 1, at most 12)
``RISKSHARE_WEB_THREADS``  threads per process (default 4)
``RISKSHARE_WEB_TIMEOUT``  seconds a request may take before its worker is restarted (60)
``RISKSHARE_WEB_GRACEFUL_TIMEOUT``  seconds the running requests get after SIGTERM (30)
``RISKSHARE_LOG_FORMAT``, ``RISKSHARE_LOG_LEVEL``  as for the app (README, Configuration)
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

from riskshare.config import Settings
from riskshare.logs import ENVIRON_REQUEST_ID, ENVIRON_TENANT, JsonFormatter

# The app's own settings (RISKSHARE_MODE, RISKSHARE_LOG_FORMAT...): gunicorn's lines come out
# as the app's do, and a bad setting stops gunicorn before it forks.
settings = Settings.from_env()


def usable_cpus(cgroup: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPUs this process may use: its affinity, bounded by a cgroup v2 CPU quota (a
    Kubernetes CPU limit), rounded up."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    try:
        quota, period = cgroup.read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return count


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number, at least 1, not {value!r}")
    return int(value)


class JsonLogger(Logger):
    """gunicorn's logger with both its logs as JSON: the error log through riskshare's
    formatter, the access log one object per request (gunicorn's format atoms are not
    JSON-escaped, so a quote in a path or user agent would break a format-string log)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if settings.log_format == "json":
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.cfg.accesslog:
            return
        status = str(resp.status).split(None, 1)[0]
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            # The path only: a query string may hold a search for a person's name.
            "path": environ.get("PATH_INFO"),
            "status": int(status) if status.isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "request_id": environ.get(ENVIRON_REQUEST_ID),
            "tenant": environ.get(ENVIRON_TENANT),
        }
        fields = {name: value for name, value in fields.items() if value is not None}
        if settings.log_format == "json":
            self.access_log.info("request", extra={"fields": fields})
        else:
            self.access_log.info(json.dumps(fields, ensure_ascii=False))


# `riskshare serve` passes --bind (and --workers in embedded mode), which win over these.
bind = ["0.0.0.0:8000"]
workers = _number("RISKSHARE_WEB_WORKERS", min(2 * usable_cpus() + 1, 12))
worker_class = "gthread"
threads = _number("RISKSHARE_WEB_THREADS", 4)
timeout = _number("RISKSHARE_WEB_TIMEOUT", 60)
graceful_timeout = _number("RISKSHARE_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# A worker is restarted after this many requests (jittered so they do not all restart at
# once): whatever a long-lived process accumulates is let go.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = settings.log_level.lower()
logger_class = JsonLogger
# The heartbeat files live in memory: the chart's root filesystem is read-only, and a disk
# /tmp can stall the heartbeat and get healthy workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn 25+ opens a control socket under $HOME by default: a pod's home is read-only, and
# nobody runs gunicornc in a pod (scaling is the HorizontalPodAutoscaler's).
control_socket_disable = True
# The app is built in each worker (not preloaded): each opens its own database connections.
preload_app = False
