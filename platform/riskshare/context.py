"""The context a service works in: session, tenant, caller, policies, calendar, today.

Routes build it from the request (``riskshare.api.context.current_context``), the CLI and jobs
build their own; services receive it and never touch ``flask.request``, so the same services
serve the API, the CLI and background jobs.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy
from sqlalchemy.orm import Session

from riskshare.auth.principal import Principal
from riskshare.calendar import WorkdayCalendar

if TYPE_CHECKING:
    from riskshare.audit.anchor import AuditKey
    from riskshare.audit.service import AuditBuffer
    from riskshare.plugins.dispatch import HookRelay


class Clock:
    """Today's date in Asia/Shanghai; tests and demos may pin it."""

    SHANGHAI = dt.timezone(dt.timedelta(hours=8))

    def __init__(self) -> None:
        self._pinned: dt.date | None = None
        self._lock = threading.Lock()

    def today(self) -> dt.date:
        with self._lock:
            return self._pinned or dt.datetime.now(self.SHANGHAI).date()

    def pin(self, day: dt.date | None) -> None:
        with self._lock:
            self._pinned = day


@dataclass
class Context:
    session: Session
    tenant: str
    principal: Principal
    roles: frozenset[str]
    pm: pluggy.PluginManager
    calendar: WorkdayCalendar
    today: dt.date
    institution_id: int | None = None  # set when the caller acts for one institution
    extra: dict[str, Any] = field(default_factory=dict)
    # Seals what the service writes to the audit log; None: the running app's key.
    audit_key: AuditKey | None = None
    # Where audit events wait for the end of a long transaction (riskshare.audit.service.
    # AuditBuffer); None: each is appended at once.
    audit_buffer: AuditBuffer | None = None

    @property
    def actor(self) -> str:
        return self.principal.username

    @property
    def hook(self) -> HookRelay:
        """The hooks, each asked of the program's own policy and the core's defaults only."""
        from riskshare.plugins.manager import policy_hooks

        return policy_hooks(self.pm)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))
