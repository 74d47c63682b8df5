"""The database's own walls, as revisions apply them: the application role and its grants,
tenant row-level security, and append-only tables.

Revisions import these helpers (never app models). Each one emits plain SQL through
``op.execute`` and is idempotent, so a revision may call it again after changing a table,
and ``alembic upgrade --sql`` (offline) renders it too. PostgreSQL-only helpers do nothing
on SQLite, which has neither roles nor row-level security, so revisions call them
unconditionally.

A revision that adds a table calls, after creating it::

    security.grant_app_access("widgets")          # SELECT/INSERT/UPDATE/DELETE unless told
    security.grant_app_sequences()                # its serial key
    security.enable_tenant_rls("widgets")         # if it has a tenant_id column

``riskshare.migrations.check`` fails when a tenant table is left without row-level security
or a table without grants, so a forgotten call shows up in CI rather than in production.

On SQLite, ``batch_alter_table`` rebuilds a table by copying it, which drops its triggers: a
revision that batch-alters an append-only table calls ``make_append_only`` again after it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection

APP_ROLE_ENV = "RISKSHARE_DB_APP_ROLE"
APP_PASSWORD_ENV = "RISKSHARE_DB_APP_PASSWORD"
DEFAULT_APP_ROLE = "riskshare_app"

TENANT_SETTING = "app.tenant_id"
TENANT_POLICY = "tenant_isolation"
DML: tuple[str, ...] = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND_ONLY_FUNCTION = "riskshare_append_only"

_PRIVILEGES = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES"})
# Role names end up inside a DO block's dollar-quoted body, where they cannot be bound as
# parameters; an unquoted-identifier shape keeps them inert there.
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_TENANT_MATCH = f"tenant_id = current_setting('{TENANT_SETTING}', true)"


# -------------------------------------------------------------------------------------------
# Names and quoting
# -------------------------------------------------------------------------------------------


def app_role() -> str:
    """The application role's name: ``$RISKSHARE_DB_APP_ROLE``, default ``riskshare_app``."""
    role = os.environ.get(APP_ROLE_ENV, "").strip() or DEFAULT_APP_ROLE
    if not _ROLE_NAME.fullmatch(role):
        raise ValueError(
            f"{APP_ROLE_ENV}={role!r} is not a plain role name "
            "(lower-case letters, digits and _, at most 63, not starting with a digit)"
        )
    return role


def app_password() -> str | None:
    """``$RISKSHARE_DB_APP_PASSWORD``; unset or empty means no password (trust/peer auth)."""
    return os.environ.get(APP_PASSWORD_ENV) or None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    # standard_conforming_strings is on (the default since PostgreSQL 9.1; SQLite has no
    # backslash escapes), so doubling quotes is the whole job.
    return "'" + value.replace("'", "''") + "'"


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _run(*statements: str) -> None:
    for statement in statements:
        op.execute(statement)


# -------------------------------------------------------------------------------------------
# The application role (PostgreSQL)
# -------------------------------------------------------------------------------------------


def ensure_app_role(role: str | None = None, password: str | None = None) -> None:
    """Create the role the app connects as, if missing: it logs in, owns nothing and is
    subject to row-level security.

    The role is cluster-wide and may serve other databases, so it is never dropped here. An
    existing role that is a superuser or has BYPASSRLS stops the migration: the tenant wall
    would not hold for it. With a password (default ``$RISKSHARE_DB_APP_PASSWORD``) the
    role's password is (re)set, so rotating the secret and re-running the job is enough.
    """
    if not _on_postgresql():
        return
    role = role or app_role()
    password = password if password is not None else app_password()
    name = quote_literal(role)
    _run(
        f"""
DO $riskshare$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {name}) THEN
        BEGIN
            CREATE ROLE {quote_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
                NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            -- another database's migration in this cluster created it meanwhile
            NULL;
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles
               WHERE rolname = {name} AND (rolsuper OR rolbypassrls)) THEN
        RAISE EXCEPTION USING MESSAGE = 'role ' || {name}
            || ' is a superuser or has BYPASSRLS; the application role must be subject'
            || ' to row-level security (ALTER ROLE ... NOSUPERUSER NOBYPASSRLS)';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {name} AND NOT rolcanlogin)
    THEN
        ALTER ROLE {quote_ident(role)} LOGIN;
    END IF;
END
$riskshare$
"""
    )
    if password:
        _run(f"ALTER ROLE {quote_ident(role)} WITH PASSWORD {quote_literal(password)}")


def grant_schema_usage(role: str | None = None) -> None:
    """Let the app role see the schema the tables live in (and nothing more: no CREATE)."""
    if not _on_postgresql():
        return
    role = role or app_role()
    _run(
        f"""
DO $riskshare$
BEGIN
    EXECUTE 'GRANT USAGE ON SCHEMA ' || quote_ident(current_schema())
        || ' TO ' || {quote_literal(quote_ident(role))};
END
$riskshare$
"""
    )


def grant_app_access(table: str, privileges: Sequence[str] = DML, role: str | None = None) -> None:
    """Give the app role exactly ``privileges`` on ``table`` (earlier grants are revoked)."""
    if not _on_postgresql():
        return
    role = role or app_role()
    wanted = [p.upper() for p in privileges]
    unknown = sorted(set(wanted) - _PRIVILEGES)
    if unknown:
        raise ValueError(f"unknown table privileges for {table}: {', '.join(unknown)}")
    statements = [f"REVOKE ALL ON TABLE {quote_ident(table)} FROM {quote_ident(role)}"]
    if wanted:
        statements.append(
            f"GRANT {', '.join(wanted)} ON TABLE {quote_ident(table)} TO {quote_ident(role)}"
        )
    _run(*statements)


def grant_app_sequences(role: str | None = None) -> None:
    """Let the app role draw serial keys from every sequence in the schema."""
    if not _on_postgresql():
        return
    role = role or app_role()
    _run(
        f"""
DO $riskshare$
BEGIN
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ' || quote_ident(current_schema())
        || ' TO ' || {quote_literal(quote_ident(role))};
END
$riskshare$
"""
    )


def revoke_schema_usage(role: str | None = None) -> None:
    if not _on_postgresql():
        return
    role = role or app_role()
    _run(
        f"""
DO $riskshare$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {quote_literal(role)}) THEN
        EXECUTE 'REVOKE ALL ON SCHEMA ' || quote_ident(current_schema())
            || ' FROM ' || {quote_literal(quote_ident(role))};
    END IF;
END
$riskshare$
"""
    )


# -------------------------------------------------------------------------------------------
# Row-level security (PostgreSQL)
# -------------------------------------------------------------------------------------------


def enable_tenant_rls(table: str) -> None:
    """Rows of ``table`` are visible and writable only under their own tenant.

    The app sets ``app.tenant_id`` per transaction (``riskshare.db.session``). FORCE makes
    the rule bind the table's owner too; only superusers and BYPASSRLS roles pass.
    """
    if not _on_postgresql():
        return
    t = quote_ident(table)
    _run(
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {TENANT_POLICY} ON {t}",
        f"CREATE POLICY {TENANT_POLICY} ON {t} USING ({_TENANT_MATCH}) "
        f"WITH CHECK ({_TENANT_MATCH})",
    )


def disable_tenant_rls(table: str) -> None:
    if not _on_postgresql():
        return
    t = quote_ident(table)
    _run(
        f"DROP POLICY IF EXISTS {TENANT_POLICY} ON {t}",
        f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY",
    )


# -------------------------------------------------------------------------------------------
# Append-only tables (PostgreSQL and SQLite)
# -------------------------------------------------------------------------------------------


def _append_only_triggers(table: str, dialect: str) -> tuple[str, ...]:
    if dialect == "postgresql":
        return (f"{table}_append_only", f"{table}_no_truncate")
    return (f"{table}_no_update", f"{table}_no_delete")


def make_append_only(table: str, message: str | None = None) -> None:
    """Refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) on ``table`` for everyone,
    the owner included: the rows are evidence.
    """
    message = quote_literal(message or f"{table} is append-only")
    t = quote_ident(table)
    if _on_postgresql():
        row, truncate = _append_only_triggers(table, "postgresql")
        _run(
            f"""
CREATE OR REPLACE FUNCTION {APPEND_ONLY_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $riskshare$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';
END
$riskshare$
""",
            f"DROP TRIGGER IF EXISTS {row} ON {t}",
            f"CREATE TRIGGER {row} BEFORE UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}({message})",
            f"DROP TRIGGER IF EXISTS {truncate} ON {t}",
            f"CREATE TRIGGER {truncate} BEFORE TRUNCATE ON {t} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}({message})",
        )
        return
    no_update, no_delete = _append_only_triggers(table, "sqlite")
    _run(
        f"DROP TRIGGER IF EXISTS {no_update}",
        f"CREATE TRIGGER {no_update} BEFORE UPDATE ON {t} "
        f"BEGIN SELECT RAISE(ABORT, {message}); END",
        f"DROP TRIGGER IF EXISTS {no_delete}",
        f"CREATE TRIGGER {no_delete} BEFORE DELETE ON {t} "
        f"BEGIN SELECT RAISE(ABORT, {message}); END",
    )


def drop_append_only(table: str, *, drop_function: bool = False) -> None:
    dialect = op.get_context().dialect.name
    on_table = f" ON {quote_ident(table)}" if dialect == "postgresql" else ""
    for trigger in _append_only_triggers(table, dialect):
        _run(f"DROP TRIGGER IF EXISTS {trigger}{on_table}")
    if drop_function and dialect == "postgresql":
        _run(f"DROP FUNCTION IF EXISTS {APPEND_ONLY_FUNCTION}()")


# -------------------------------------------------------------------------------------------
# Verification (used by riskshare.migrations.check)
# -------------------------------------------------------------------------------------------


def security_problems(
    connection: Connection,
    *,
    append_only: Iterable[str] = ("audit_events",),
    role: str | None = None,
) -> list[str]:
    """What is wrong with the database's own walls, in words; empty when all hold."""
    if connection.dialect.name == "postgresql":
        return _postgresql_problems(connection, tuple(append_only), role or app_role())
    if connection.dialect.name == "sqlite":
        return _sqlite_problems(connection, tuple(append_only))
    return [f"no security checks for the {connection.dialect.name} dialect"]


def _sqlite_problems(connection: Connection, append_only: tuple[str, ...]) -> list[str]:
    problems = []
    for table in append_only:
        found = set(
            connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": table},
            ).scalars()
        )
        for trigger in _append_only_triggers(table, "sqlite"):
            if trigger not in found:
                problems.append(f"{table}: trigger {trigger} is missing (append-only)")
    return problems


def _postgresql_problems(
    connection: Connection, append_only: tuple[str, ...], role: str
) -> list[str]:
    problems: list[str] = []
    run = connection.execute
    tables = run(
        text(
            """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       EXISTS (SELECT FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
       (SELECT p.qual || ' / ' || coalesce(p.with_check, '') FROM pg_policies p
        WHERE p.schemaname = n.nspname AND p.tablename = c.relname
          AND p.policyname = :policy)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""
        ),
        {"policy": TENANT_POLICY},
    ).all()
    for name, rls, forced, tenant_owned, policy in tables:
        if not tenant_owned:
            continue
        if not (rls and forced):
            problems.append(f"{name}: row-level security is not enabled and forced")
        if policy is None:
            problems.append(f"{name}: policy {TENANT_POLICY} is missing")
        elif policy.count(f"current_setting('{TENANT_SETTING}'") != 2:
            problems.append(f"{name}: policy {TENANT_POLICY} does not match on {TENANT_SETTING}")

    found = run(
        text("SELECT rolcanlogin, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).first()
    if found is None:
        return [*problems, f"application role {role} does not exist"]
    can_login, bypasses = found
    if not can_login:
        problems.append(f"application role {role} cannot log in")
    if bypasses:
        problems.append(f"application role {role} is a superuser or has BYPASSRLS")
    owned = run(
        text(
            """
SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
WHERE r.rolname = :role
UNION ALL
SELECT n.nspname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
WHERE r.rolname = :role
"""
        ),
        {"role": role},
    ).scalars()
    for name in owned:
        problems.append(f"application role {role} owns {name}")
    if run(
        text("SELECT has_schema_privilege(:role, current_schema(), 'CREATE')"), {"role": role}
    ).scalar():
        problems.append(
            f"application role {role} may create objects in the schema "
            "(REVOKE CREATE ON SCHEMA ... FROM PUBLIC)"
        )
    for name, *_rest in tables:
        if not run(
            text("SELECT has_table_privilege(:role, quote_ident(:t), 'SELECT')"),
            {"role": role, "t": name},
        ).scalar():
            problems.append(f"{name}: application role {role} has no SELECT (grants missing)")

    table_names = {row[0] for row in tables}
    for table in append_only:
        if table not in table_names:
            problems.append(f"{table}: table is missing")
            continue
        for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
            if run(
                text("SELECT has_table_privilege(:role, quote_ident(:t), :p)"),
                {"role": role, "t": table, "p": privilege},
            ).scalar():
                problems.append(f"{table}: application role {role} may {privilege}")
        triggers = set(
            run(
                text(
                    "SELECT tgname FROM pg_trigger "
                    "WHERE tgrelid = quote_ident(:t)::regclass AND NOT tgisinternal"
                ),
                {"t": table},
            ).scalars()
        )
        for trigger in _append_only_triggers(table, "postgresql"):
            if trigger not in triggers:
                problems.append(f"{table}: trigger {trigger} is missing (append-only)")
    return problems
