"""The migrations build the models' schema from empty, on SQLite and PostgreSQL, and put the
database's own walls in place: row-level security per tenant, an application role that owns
nothing, and an append-only audit log.

PostgreSQL tests run in a throwaway database per session (``riskshare_mig_<random>``); the
application role is cluster-wide, so it is created when missing and never dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Engine

from riskshare import migrations
from riskshare.migrations import security

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NOW = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def _engine(url: str) -> Engine:
    return sa.create_engine(url, poolclass=sa.NullPool)


def _url(database: str, user: str = "postgres") -> str:
    return f"postgresql+psycopg://{user}@127.0.0.1:5432/{database}"


def _heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(migrations.alembic_config("sqlite://")).get_heads())


def _insert_tenant(conn: sa.Connection, slug: str) -> None:
    conn.execute(
        text("INSERT INTO tenants (slug, name, status, created_at) VALUES (:s, :n, 'active', :at)"),
        {"s": slug, "n": f"Tenant {slug}", "at": NOW},
    )


def _insert_audit_event(conn: sa.Connection, tenant: str, seq: int) -> None:
    conn.execute(
        text(
            "INSERT INTO audit_events (tenant_id, seq, at, actor, roles, action, record_type,"
            " record_id, before, after, prev_hash, hash, seal) VALUES (:t, :seq, :at, 'tester',"
            " 'office', 'create', 'loan', '1', 'null', '{}', :prev, :hash, 'unsealed')"
        ),
        {"t": tenant, "seq": seq, "at": NOW, "prev": "0" * 64, "hash": f"{seq:064d}"},
    )


def _insert_institution(conn: sa.Connection, tenant: str, code: str) -> None:
    conn.execute(
        text(
            "INSERT INTO institutions (tenant_id, code, name, kind, cooperation, attributes,"
            " created_at) VALUES (:t, :code, :name, 'bank', 'active', '{}', :at)"
        ),
        {"t": tenant, "code": code, "name": f"Bank {code}", "at": NOW},
    )


# -------------------------------------------------------------------------------------------
# SQLite
# -------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'riskshare.db'}"


def test_sqlite_upgrade_from_empty_leaves_no_drift(sqlite_url: str) -> None:
    assert migrations.current(sqlite_url) == set()

    migrations.upgrade(sqlite_url)

    assert migrations.current(sqlite_url) == _heads()
    migrations.check(sqlite_url)


def test_sqlite_second_upgrade_is_a_noop(sqlite_url: str) -> None:
    migrations.upgrade(sqlite_url)
    engine = _engine(sqlite_url)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT type, name, sql FROM sqlite_master")).all()

    migrations.upgrade(sqlite_url)

    with engine.connect() as conn:
        assert conn.execute(text("SELECT type, name, sql FROM sqlite_master")).all() == before
    engine.dispose()
    migrations.check(sqlite_url)


def test_sqlite_audit_events_refuse_update_and_delete(sqlite_url: str) -> None:
    migrations.upgrade(sqlite_url)
    engine = _engine(sqlite_url)
    with engine.begin() as conn:
        _insert_tenant(conn, "a")
        _insert_audit_event(conn, "a", 1)
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with (
            pytest.raises(sa.exc.DBAPIError, match="audit log is append-only"),
            engine.begin() as conn,
        ):
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_events")).scalar_one() == "tester"
    engine.dispose()


def test_sqlite_check_reports_a_column_the_models_do_not_have(sqlite_url: str) -> None:
    migrations.upgrade(sqlite_url)
    engine = _engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE tenants ADD COLUMN stray VARCHAR(10)"))
    engine.dispose()

    with pytest.raises(migrations.SchemaDrift, match="stray"):
        migrations.check(sqlite_url)


def test_sqlite_check_reports_a_missing_audit_trigger(sqlite_url: str) -> None:
    migrations.upgrade(sqlite_url)
    engine = _engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
    engine.dispose()

    with pytest.raises(migrations.SchemaDrift, match="audit_events_no_delete"):
        migrations.check(sqlite_url)


def test_check_reports_a_database_that_is_not_migrated(sqlite_url: str) -> None:
    with pytest.raises(migrations.SchemaDrift, match="no revision"):
        migrations.check(sqlite_url)


def test_alembic_config_points_at_the_packaged_environment() -> None:
    config = migrations.alembic_config("postgresql+psycopg://u:p%40ss@db/riskshare")

    assert Path(config.get_main_option("script_location")) == migrations.MIGRATIONS_DIR
    assert (migrations.MIGRATIONS_DIR / "env.py").is_file()
    # ConfigParser interpolation must not eat the URL-encoded password.
    assert config.get_main_option("sqlalchemy.url") == "postgresql+psycopg://u:p%40ss@db/riskshare"


def test_revisions_do_not_import_app_models() -> None:
    for path in sorted(migrations.VERSIONS_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        imports = [
            line.strip()
            for line in source.splitlines()
            if line.lstrip().startswith(("import ", "from ")) and "riskshare" in line
        ]
        assert all(line.startswith("from riskshare.migrations") for line in imports), (
            path.name,
            imports,
        )


# -------------------------------------------------------------------------------------------
# PostgreSQL
# -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    engine = sa.create_engine(ADMIN_URL, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        pytest.skip(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({exc.orig}); run scripts/test-services.sh"
        )
    yield engine
    engine.dispose()


def _create_database(admin: Engine) -> str:
    name = f"riskshare_mig_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return name


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_database(pg_admin: Engine) -> Iterator[str]:
    """A fresh, empty database for this test session; dropped at the end."""
    name = _create_database(pg_admin)
    try:
        yield name
    finally:
        _drop_database(pg_admin, name)


@pytest.fixture(scope="session")
def pg_migrated(pg_database: str) -> str:
    """The session database, upgraded, with institutions of tenants a and b (as the owner)."""
    url = _url(pg_database)
    migrations.upgrade(url)
    owner = _engine(url)
    with owner.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM tenants")).scalar_one() == 0:
            for slug in ("a", "b"):
                _insert_tenant(conn, slug)
                for i in range(1, 3):
                    _insert_institution(conn, slug, f"{slug}-bank-{i}")
    owner.dispose()
    return pg_database


@pytest.fixture
def app_engine(pg_migrated: str) -> Iterator[Engine]:
    """Connected as the application role, as the app would be."""
    engine = _engine(_url(pg_migrated, user=security.app_role()))
    yield engine
    engine.dispose()


def _as_tenant(conn: sa.Connection, tenant: str) -> None:
    conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant})


@pytest.mark.postgres
def test_pg_upgrade_from_empty_leaves_no_drift(pg_admin: Engine) -> None:
    name = _create_database(pg_admin)
    try:
        url = _url(name)
        assert migrations.current(url) == set()
        migrations.upgrade(url)
        assert migrations.current(url) == _heads()
        migrations.check(url)
    finally:
        _drop_database(pg_admin, name)


@pytest.mark.postgres
def test_pg_app_role_owns_no_table_and_cannot_bypass_rls(pg_migrated: str) -> None:
    role = security.app_role()
    owner = _engine(_url(pg_migrated))
    with owner.connect() as conn:
        owners = set(
            conn.execute(
                text("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
        )
        login, superuser, bypass = conn.execute(
            text("SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
            {"r": role},
        ).one()
    owner.dispose()

    assert owners and role not in owners
    assert (login, superuser, bypass) == (True, False, False)


@pytest.mark.postgres
def test_pg_app_role_sees_only_the_transactions_tenant(app_engine: Engine) -> None:
    with app_engine.begin() as conn:
        _as_tenant(conn, "a")
        codes = conn.execute(text("SELECT tenant_id, code FROM institutions ORDER BY code")).all()
    assert codes == [("a", "a-bank-1"), ("a", "a-bank-2")]

    with app_engine.begin() as conn:
        _as_tenant(conn, "b")
        assert set(conn.execute(text("SELECT tenant_id FROM institutions")).scalars()) == {"b"}


@pytest.mark.postgres
def test_pg_app_role_sees_no_tenant_rows_without_a_tenant(app_engine: Engine) -> None:
    with app_engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM institutions")).scalar_one() == 0
        _as_tenant(conn, "")
        assert conn.execute(text("SELECT count(*) FROM institutions")).scalar_one() == 0


@pytest.mark.postgres
def test_pg_app_role_cannot_insert_a_row_of_another_tenant(app_engine: Engine) -> None:
    with (
        pytest.raises(sa.exc.ProgrammingError, match="row-level security"),
        app_engine.begin() as conn,
    ):
        _as_tenant(conn, "a")
        _insert_institution(conn, "b", "smuggled")

    with app_engine.connect() as conn:
        _as_tenant(conn, "a")
        _insert_institution(conn, "a", "own-bank")  # its own tenant is fine
        conn.rollback()


@pytest.mark.postgres
def test_pg_app_role_cannot_move_a_row_to_another_tenant(app_engine: Engine) -> None:
    with (
        pytest.raises(sa.exc.ProgrammingError, match="row-level security"),
        app_engine.begin() as conn,
    ):
        _as_tenant(conn, "a")
        conn.execute(text("UPDATE institutions SET tenant_id = 'b' WHERE code = 'a-bank-1'"))


@pytest.mark.postgres
def test_pg_app_role_cannot_update_or_delete_audit_events(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        _as_tenant(conn, "a")
        _insert_audit_event(conn, "a", 1000)  # appending is what the app does
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one() >= 1
        conn.rollback()

    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with (
            pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
            app_engine.begin() as conn,
        ):
            _as_tenant(conn, "a")
            conn.execute(text(statement))


@pytest.mark.postgres
def test_pg_app_role_may_only_read_and_add_tenants(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        assert {"a", "b"} <= set(conn.execute(text("SELECT slug FROM tenants")).scalars())
        conn.rollback()
    with (
        pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
        app_engine.begin() as conn,
    ):
        conn.execute(text("DELETE FROM tenants WHERE slug = 'b'"))


@pytest.mark.postgres
def test_pg_audit_log_is_append_only_for_the_owner_too(pg_migrated: str) -> None:
    owner = _engine(_url(pg_migrated))
    with owner.begin() as conn:
        _insert_audit_event(conn, "b", 2000)
    for statement in (
        "UPDATE audit_events SET actor = 'someone else' WHERE seq = 2000",
        "DELETE FROM audit_events WHERE seq = 2000",
        "TRUNCATE audit_events",
    ):
        with (
            pytest.raises(sa.exc.DBAPIError, match="audit log is append-only"),
            owner.begin() as conn,
        ):
            conn.execute(text(statement))
    owner.dispose()


@pytest.mark.postgres
def test_pg_second_upgrade_is_a_noop(pg_migrated: str, caplog: pytest.LogCaptureFixture) -> None:
    url = _url(pg_migrated)
    fingerprint = text(
        "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "        WHERE n.nspname = current_schema()),"
        "       (SELECT count(*) FROM pg_policies),"
        "       (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal),"
        "       (SELECT string_agg(relname || ':' || relacl::text, ',' ORDER BY relname)"
        "        FROM pg_class WHERE relacl IS NOT NULL AND relkind = 'r')"
    )
    owner = _engine(url)
    with owner.connect() as conn:
        before = conn.execute(fingerprint).one()

    caplog.set_level(logging.INFO, logger="alembic")
    migrations.upgrade(url)

    assert not [r for r in caplog.records if "Running upgrade" in r.getMessage()]
    with owner.connect() as conn:
        assert conn.execute(fingerprint).one() == before
    owner.dispose()
    assert migrations.current(url) == _heads()


@pytest.mark.postgres
def test_pg_check_reports_a_tenant_table_without_forced_rls(pg_migrated: str) -> None:
    url = _url(pg_migrated)
    owner = _engine(url)
    with owner.begin() as conn:
        conn.execute(text("ALTER TABLE bans NO FORCE ROW LEVEL SECURITY"))
    try:
        with pytest.raises(migrations.SchemaDrift, match="bans: row-level security"):
            migrations.check(url)
    finally:
        with owner.begin() as conn:
            conn.execute(text("ALTER TABLE bans FORCE ROW LEVEL SECURITY"))
        owner.dispose()
    migrations.check(url)


@pytest.mark.postgres
def test_pg_concurrent_upgrades_take_turns(pg_admin: Engine) -> None:
    """A deploy job and pods may start together: the advisory lock makes them queue.

    Separate processes, as in production (Alembic's context is process-global).
    """
    name = _create_database(pg_admin)
    command = [sys.executable, "-m", "riskshare.migrations", "--url", _url(name), "upgrade"]
    try:
        runs = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(3)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]

        assert [run.returncode for run in runs] == [0, 0, 0], outputs
        assert migrations.current(_url(name)) == _heads()
        migrations.check(_url(name))
    finally:
        _drop_database(pg_admin, name)


def test_initial_revision_carries_the_current_hand_written_part() -> None:
    from riskshare.migrations import regenerate

    initial = (migrations.VERSIONS_DIR / "0001_core.py").read_text(encoding="utf-8")

    assert regenerate.hand_written_part() in initial, (
        "initial_security.py changed: run python -m riskshare.migrations.regenerate"
    )


def test_regenerate_renders_every_model_table_in_plain_sqlalchemy() -> None:
    from riskshare.migrations import autogen, regenerate

    source = regenerate.render()

    compile(source, "0001_core.py", "exec")
    for table in autogen.core_tables():
        assert f"'{table}'" in source or f'"{table}"' in source
    assert "ExactDecimal" not in source and "JSONDoc" not in source
    assert 'sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")' in source
