"""``/healthz`` and ``/readyz``: what an orchestrator asks before and while sending traffic.

* ``/healthz``: the process answers. Nothing else: a liveness probe that checked the database
  would restart every pod during a database outage, which mends nothing.
* ``/readyz``: this process can serve: the database answers and is at the migrations' heads
  (an old pod during an upgrade, or a new one before the migration job ran, stays out of the
  Service), Redis answers (jobs and the shared rate limit), and the token signing keys have
  been fetched once (afterwards the verifier keeps serving cached keys through a Keycloak
  outage, so readiness does not depend on Keycloak any more).

Both are public and outside ``/api/``: a probe carries no token. The answer names each check
and whether it passed, never why in detail (host names, drivers' messages): that goes to the
log.
"""

from __future__ import annotations

import threading
from typing import Any

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from riskshare.api.reads import not_confidential
from riskshare.auth.tokens import KeySourceUnavailable

blp = Blueprint("health", __name__)


@blp.get("/healthz")
@not_confidential("the process's liveness only")
def healthz() -> Any:
    return {"status": "alive"}


@blp.get("/readyz")
@not_confidential("which dependencies answer, without their addresses or errors")
def readyz() -> Any:
    checks = current_app.extensions["riskshare_readiness"].run()
    ready = all(result == "ok" for result in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


class Readiness:
    """The checks, with what is worth keeping between probes: the migrations' heads (fixed for
    the code this process runs), the Redis client, and whether the keys were fetched once."""

    def __init__(self, app: Flask) -> None:
        self._ext = app.extensions["riskshare"]
        self._logger = app.logger
        self._heads: set[str] | None = None
        self._redis: Any = None
        self._keys_fetched = False
        self._lock = threading.Lock()

    def run(self) -> dict[str, str]:
        return {
            "database": self._check("database", self._database),
            "redis": self._check("redis", self._redis_ping),
            "signing_keys": self._check("signing_keys", self._keys),
        }

    def _check(self, name: str, check: Any) -> str:
        try:
            return str(check())
        except Exception:
            self._logger.warning("readiness check %s failed", name, exc_info=True)
            return "failed"

    def _database(self) -> str:
        with self._ext.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            # The version table read directly: Alembic's MigrationContext logs two lines at
            # INFO each time, which every probe would add to the log.
            try:
                at = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
            except SQLAlchemyError:
                at = set()
        heads = self._code_heads()
        if at != heads:
            self._logger.warning(
                "not ready: the database is at %s, this code at %s", sorted(at), sorted(heads)
            )
            return "migrations not at head"
        return "ok"

    def _code_heads(self) -> set[str]:
        with self._lock:
            if self._heads is None:
                from riskshare.migrations import alembic_config

                config = alembic_config(self._ext.settings.database_url)
                self._heads = set(ScriptDirectory.from_config(config).get_heads())
            return self._heads

    def _redis_ping(self) -> str:
        settings = self._ext.settings
        if not settings.redis_url:
            # Embedded and test runs may go without; production cannot run jobs without it.
            return "not configured" if settings.mode == "production" else "ok"
        if self._redis is None:
            from redis import Redis

            self._redis = Redis.from_url(
                settings.redis_url, socket_timeout=2, socket_connect_timeout=2
            )
        self._redis.ping()
        return "ok"

    def _keys(self) -> str:
        if not self._keys_fetched:
            try:
                self._ext.verifier.key_source.jwks()
            except KeySourceUnavailable:
                return "not fetched yet"
            self._keys_fetched = True
        return "ok"


def install(app: Flask) -> None:
    app.extensions["riskshare_readiness"] = Readiness(app)
    app.register_blueprint(blp)
