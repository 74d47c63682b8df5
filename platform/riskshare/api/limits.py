"""Rate limits per client on every token-bearing request.

A client is the token's subject (``sub``, the account): one user's script
gone wild, or a stolen token being used to page through a tenant's loans, is slowed to
``RISKSHARE_RATE_LIMIT_PER_MINUTE`` and answered 429 with ``Retry-After``, while everyone
else goes on. With Redis configured the count is shared by every web process; without it
(embedded mode) each process counts its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, g

from riskshare.api.problems import HTTPProblem

log = logging.getLogger(__name__)


class FixedWindow:
    """At most ``limit`` requests per client in each ``window``-second window."""

    def __init__(
        self,
        limit: int,
        window: int = 60,
        *,
        redis: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.window = window
        self._redis = redis
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> int | None:
        """Count a request; ``None`` if allowed, else the seconds until the next window."""
        now = self._clock()
        index = int(now // self.window)
        count = self._count(client, index)
        if count is None or count <= self.limit:
            return None
        return max(1, int((index + 1) * self.window - now))

    def _count(self, client: str, index: int) -> int | None:
        if self._redis is None:
            with self._lock:
                if len(self._counts) > 10_000:  # forget windows that are over
                    self._counts = {k: v for k, v in self._counts.items() if k[1] >= index}
                slot = (client, index)
                self._counts[slot] = self._counts.get(slot, 0) + 1
                return self._counts[slot]
        key = f"riskshare:rate:{client}:{index}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, self.window * 2)
            return int(pipe.execute()[0])
        except Exception as exc:
            log.warning("rate limit not counted, Redis unavailable: %s", exc)
            return None


def install(app: Flask, limiter: FixedWindow) -> None:
    app.extensions["riskshare_rate_limit"] = limiter

    @app.before_request
    def _rate_limit() -> None:
        principal = g.get("principal")
        if principal is None:  # no token: refused or public before this point
            return
        current = app.extensions["riskshare_rate_limit"]
        wait = current.hit(principal.subject or principal.username)
        if wait is not None:
            raise HTTPProblem(
                429,
                f"More than {current.limit} requests in {current.window} seconds from this"
                f" account; retry in {wait} seconds.",
                kind="rate-limited",
                headers={"Retry-After": str(wait)},
            )
