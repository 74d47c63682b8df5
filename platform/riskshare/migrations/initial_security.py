"""The hand-written end of ``versions/0001_core.py``.

``python -m riskshare.migrations.regenerate`` rewrites the initial revision from the models
and appends everything below the marker line, verbatim; edit it here, then regenerate. The
names above the marker stand in for what the generated part of the revision defines.
"""

from alembic import op  # noqa: F401 - the revision's own import; kept for the copied code

from riskshare.migrations import security

TABLES: tuple[str, ...] = ()  # every table the revision creates
TENANT_TABLES: tuple[str, ...] = ()  # those with a tenant_id column

# --- 0001_core.py: hand-written part (riskshare/migrations/initial_security.py) ---

# The app role's rights where plain SELECT/INSERT/UPDATE/DELETE would be too much.
APP_PRIVILEGES: dict[str, tuple[str, ...]] = {
    # Platform tables without tenant_id (so without RLS): the app onboards tenants and
    # maintains holiday tables, but never removes a tenant. UPDATE is there only because
    # appending to a tenant's audit chain locks the tenant's row (SELECT ... FOR UPDATE).
    "tenants": ("SELECT", "INSERT", "UPDATE"),
    "calendar_years": ("SELECT", "INSERT", "UPDATE"),
    # Evidence: the app appends and reads; the trigger below stops the owner as well.
    "audit_events": ("SELECT", "INSERT"),
    "audit_checkpoints": ("SELECT", "INSERT"),
}


def secure() -> None:
    """PostgreSQL: the app role, its grants, tenant RLS; both backends: append-only audit."""
    security.ensure_app_role()
    security.grant_schema_usage()
    for table in TABLES:
        security.grant_app_access(table, APP_PRIVILEGES.get(table, security.DML))
    # Read-only, so the app can refuse to start against an unmigrated schema.
    security.grant_app_access("alembic_version", ("SELECT",))
    security.grant_app_sequences()
    for table in TENANT_TABLES:
        security.enable_tenant_rls(table)
    security.make_append_only("audit_events", "audit log is append-only")
    security.make_append_only("audit_checkpoints", "audit checkpoints are append-only")


def unsecure() -> None:
    """Undo ``secure`` before the tables go (which takes their policies and grants along).

    The role stays: it is cluster-wide and may serve other databases.
    """
    security.drop_append_only("audit_checkpoints")
    security.drop_append_only("audit_events", drop_function=True)
    security.grant_app_access("alembic_version", ())
    security.revoke_schema_usage()
