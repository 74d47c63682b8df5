"""The jobs the platform can run, by name.

A job is a function ``handler(ctx, **args)`` registered with ``@job("name")``; it runs in a
worker under the tenant's row-level security (``ctx.session``), and what it returns (JSON)
is kept in its ``job_runs`` row. The core's job modules are imported by the worker; more
(a site's own jobs) are named in ``RISKSHARE_JOB_MODULES``, comma-separated.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

from riskshare.context import Context

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)

CORE_JOB_MODULES: tuple[str, ...] = (
    "riskshare.jobs.sweeps",
    "riskshare.jobs.period_close",
    "riskshare.reports.jobs",
    "riskshare.tenants.provisioning",
    "riskshare.imports.service",
)
JOB_MODULES_ENV = "RISKSHARE_JOB_MODULES"

_handlers: dict[str, Handler] = {}


class UnknownJob(LookupError):
    """No job of that name is registered (a typo, or its module is not loaded)."""


def job(name: str) -> Callable[[H], H]:
    """Register ``handler(ctx: Context, **args)`` as the job ``name``."""

    def register(handler: H) -> H:
        existing = _handlers.get(name)
        if existing is not None and existing is not handler:
            raise ValueError(f"job {name!r} is registered twice")
        _handlers[name] = handler
        return handler

    return register


def load_job_modules(env: dict[str, str] | None = None) -> None:
    """Import the core's job modules and those named in ``RISKSHARE_JOB_MODULES``."""
    extra = (env if env is not None else os.environ).get(JOB_MODULES_ENV, "")
    for module in (*CORE_JOB_MODULES, *(m.strip() for m in extra.split(",") if m.strip())):
        importlib.import_module(module)


def handler(name: str) -> Handler:
    if name not in _handlers:
        load_job_modules()
    try:
        return _handlers[name]
    except KeyError:
        raise UnknownJob(f"no job named {name!r} is registered") from None


def call(name: str, ctx: Context, args: dict[str, Any]) -> Any:
    return handler(name)(ctx, **args)
