"""Logs as one JSON object a line, each naming the request and tenant it belongs to.

A log collector (Loki, Elasticsearch, a cloud's agent) reads the web, worker and scheduler
processes' standard error; one object a line lets it search by ``request_id`` or ``tenant``
without parsing free text. Every answer carries ``X-Request-Id``: the caller's own id when it
sent a sensible one (a proxy's, to follow one request through both logs), else a new one, so a
user who quotes it from an error leads straight to the lines (``riskshare.api.request_ids``).

``configure`` is called by the processes (``riskshare.wsgi``, ``riskshare worker`` and
``riskshare scheduler``), never by the app factory, so tests and ``flask`` commands keep
Python's own logging.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_request_context

REQUEST_ID_HEADER = "X-Request-Id"
# WSGI environ keys the access log (gunicorn_conf.JsonLogger) reads after the app answered.
ENVIRON_REQUEST_ID = "riskshare.request_id"
ENVIRON_TENANT = "riskshare.tenant"

# Outside a request (a job in the worker), what the lines are about: set by ``context``.
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "riskshare_log_context", default=None
)


@contextmanager
def context(**fields: Any) -> Iterator[None]:
    """Name ``fields`` (``tenant``, ``job``) on every line logged inside the block."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def current_fields() -> dict[str, Any]:
    if has_request_context():
        fields = {"request_id": g.get("request_id"), "tenant": g.get("tenant")}
    else:
        fields = dict(_context.get() or {})
    return {name: value for name, value in fields.items() if value is not None}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the request or job
    fields, what the caller passed as ``extra={"fields": {...}}``, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(current_fields())
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    """The same fields for a person at a terminal (embedded mode)."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = current_fields()
        if fields:
            line += " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]"
        return line


_HANDLER_NAME = "riskshare"


def configure(log_format: str, level: str) -> None:
    """Send every logger's records to standard error as ``json`` or ``text`` (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else _TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    # Flask gives the app's logger a handler of its own when the root had none at the time the
    # app was built (the worker builds it before this runs): its lines would come out twice.
    from flask.logging import default_handler

    logging.getLogger("riskshare").removeHandler(default_handler)
