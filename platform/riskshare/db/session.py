"""Engines and sessions, with the tenant wall built in.

Every session is opened for one tenant (or, explicitly, for all tenants: platform
operations such as onboarding and chain verification). The ORM then:

* adds ``tenant_id = :tenant`` to every SELECT of a ``TenantScoped`` class, including
  relationship loads and joined aliases;
* stamps new rows with the tenant and refuses to flush a row of another tenant;
* on PostgreSQL, sets ``app.tenant_id`` for the transaction so row-level security applies
  the same rule again, for anything that slips past the ORM.

A tenant-scoped query in a session without a tenant fails instead of returning everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from riskshare.db.base import TenantScoped

ALL_TENANTS = "*"


class TenantNotSet(RuntimeError):
    """A tenant-owned table was queried in a session that belongs to no tenant."""


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False, **engine_options: Any) -> None:
        self.url = url
        if url.startswith("sqlite"):
            engine_options.setdefault("connect_args", {"check_same_thread": False})
        else:
            engine_options.setdefault("pool_pre_ping", True)
        self.engine: Engine = create_engine(url, echo=echo, **engine_options)
        if self.engine.dialect.name == "sqlite":
            _configure_sqlite(self.engine)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def session(self, tenant: str | None) -> Session:
        """A new session for ``tenant`` (a slug), or for every tenant with ``ALL_TENANTS``."""
        session = self._factory()
        session.info["tenant_id"] = tenant
        return session

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN until the first write, which
        # would let two writers read the same cap before either locks; BEGIN IMMEDIATE
        # (below) takes the write lock at the start, as SELECT ... FOR UPDATE does on PG.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def tenant_session(db: Database, tenant: str | None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = db.session(tenant)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def all_tenants(db: Database) -> Iterator[Session]:
    with tenant_session(db, ALL_TENANTS) as session:
        yield session


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant = state.session.info.get("tenant_id")
    if tenant == ALL_TENANTS:
        return
    if tenant is None:
        if _touches_tenant_tables(state):
            raise TenantNotSet("a tenant-owned table was queried outside any tenant")
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant, include_aliases=True
        )
    )


def _touches_tenant_tables(state: ORMExecuteState) -> bool:
    return any(
        isinstance(m.class_, type) and issubclass(m.class_, TenantScoped) for m in state.all_mappers
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, _context: Any, _instances: Any) -> None:
    tenant = session.info.get("tenant_id")
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if tenant in (None, ALL_TENANTS):
            if obj.tenant_id is None:
                raise TenantNotSet(f"{type(obj).__name__} written outside any tenant")
            continue
        if obj.tenant_id is None:
            obj.tenant_id = tenant
        elif obj.tenant_id != tenant:
            raise PermissionError(f"{type(obj).__name__} of another tenant cannot be written")


@event.listens_for(Session, "after_begin")
def _set_rls_tenant(session: Session, _transaction: Any, connection: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    tenant = session.info.get("tenant_id")
    # Transaction-local, so a pooled connection never carries one request's tenant into
    # the next. The operator's all-tenant sessions run as the migration owner, not here.
    connection.execute(
        text("select set_config('app.tenant_id', :tenant, true)"),
        {"tenant": "" if tenant in (None, ALL_TENANTS) else tenant},
    )


def switch_tenant(session: Session, tenant: str) -> None:
    """Point an open session at ``tenant`` (onboarding writes the new tenant's first event)."""
    session.info["tenant_id"] = tenant
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": tenant})
