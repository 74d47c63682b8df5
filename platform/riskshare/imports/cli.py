"""``riskshare import FILE --program N``: the upload and its job, from the command line.

The file is stored and its job asked for exactly as ``POST /imports`` does; the command
then runs the job itself (through the job runner, so a worker that picks the same job up
finds it done) and shows its progress as the import's row records it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from riskshare.auth.principal import Principal
from riskshare.context import Context
from riskshare.db import tenant_session
from riskshare.errors import Invalid
from riskshare.imports.models import Import
from riskshare.imports.schemas import ImportOut
from riskshare.imports.service import UPLOADERS, create_import
from riskshare.institutions.models import Institution
from riskshare.jobs import runner
from riskshare.tenants.models import Tenant

POLL_SECONDS = 0.3


def run_import_file(
    app: Any,
    *,
    path: str,
    tenant: str,
    program_id: int,
    user: str,
    roles: Sequence[str],
    institution: str | None,
    mode: str,
    echo: Callable[[str], Any],
) -> dict[str, Any]:
    """Import ``path`` into ``program_id`` as ``user``; return the import as the API shows it."""
    ext = app.extensions["riskshare"]
    if not set(roles) & set(UPLOADERS):
        raise Invalid(f"Importing loans needs one of the roles {', '.join(UPLOADERS)}.")
    content = Path(path).read_bytes()
    with tenant_session(ext.db, tenant) as session:
        tenant_row = session.get(Tenant, tenant)
        if tenant_row is None:
            raise Invalid(f"There is no tenant '{tenant}'.")
        institution_id = None
        if institution is not None:
            institution_id = session.scalar(
                select(Institution.id).where(Institution.code == institution)
            )
            if institution_id is None:
                raise Invalid(f"Tenant '{tenant}' has no institution '{institution}'.")
        ctx = Context(
            session=session,
            tenant=tenant,
            principal=Principal(subject=user, username=user),
            roles=frozenset(roles),
            pm=ext.pm,
            calendar=ext.calendar.calendar(session),
            today=ext.clock.today(),
            institution_id=institution_id,
            extra={"backdate_limit_days": tenant_row.backdate_limit_days},
            audit_key=ext.audit_key,
        )
        imported = create_import(
            ctx, program_id=program_id, mode=mode, filename=Path(path).name, content=content
        )
        import_id, outbox_id = imported.id, imported.outbox_id
        assert outbox_id is not None  # create_import asks for the job
    echo(f"import {import_id} of {path} ({len(content)} bytes), {mode}")

    failures: list[BaseException] = []

    def work() -> None:
        try:
            # A thread of its own: Flask's application context does not follow it there.
            with app.app_context():
                runner.execute(app, tenant, outbox_id, last_attempt=True)
        except BaseException as exc:  # shown below, and kept on the outbox row for retries
            failures.append(exc)

    thread = threading.Thread(target=work, name=f"import-{import_id}")
    thread.start()
    with click.progressbar(length=100, label="rows", show_pos=False) as bar:
        shown = 0
        while thread.is_alive():
            thread.join(POLL_SECONDS)
            percent = _state(ext, tenant, import_id)["percent"]
            bar.update(max(percent - shown, 0))
            shown = max(shown, percent)
    if failures:
        raise click.ClickException(f"import {import_id} failed: {failures[0]!r}")
    return _state(ext, tenant, import_id)


def _state(ext: Any, tenant: str, import_id: int) -> dict[str, Any]:
    with tenant_session(ext.db, tenant) as session:
        found: dict[str, Any] = ImportOut().dump(session.get_one(Import, import_id))
        return found
