"""``riskshare audit-verify`` finds tampering done behind the application's back.

The app's database role cannot change the audit log at all (no UPDATE/DELETE grant, and an
append-only trigger that stops the owner too; tests/db covers both). So the tampering here is
what only a database superuser could do: switch the triggers off for one transaction and
rewrite history. The command must then exit non-zero naming the first broken link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from riskshare.audit.models import AuditEvent
from riskshare.audit.service import canonical
from riskshare.cli import main
from riskshare.db import Database
from riskshare.db.session import all_tenants


def audited_history(api) -> int:
    """Some audited changes; returns the seq of one event in the middle of the chain."""
    office = api.as_("office")
    for code in ("bank-a", "bank-b", "bank-c"):
        office.ok("POST", "/institutions", {"code": code, "name": code, "kind": "bank"}, status=201)
    events = api.as_("auditor").ok("GET", "/audit/events")
    [middle] = [e["seq"] for e in events if e["after"] and e["after"].get("code") == "bank-b"]
    assert events[-1]["seq"] > middle  # something follows it, so a rehash is caught too
    return middle


@pytest.fixture
def audit_verify(monkeypatch):
    """Run ``riskshare audit-verify`` through the real ``riskshare`` group, on a test app."""
    # FlaskGroup flags the process as started from the CLI; that must not outlive the test.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")

    def run(app, *tenants: str):
        args = ["audit-verify"] + [arg for t in tenants for arg in ("--tenant", t)]
        return app.test_cli_runner().invoke(main, args=args)

    return run


@contextmanager
def as_superuser(request: pytest.FixtureRequest, app) -> Iterator[Session]:
    """A session on the test database as the PostgreSQL superuser, with triggers off."""
    admin = make_url(request.config.getoption("--rs-pg-admin-url"))
    app_url = make_url(app.extensions["riskshare"].db.url)
    db = Database(admin.set(database=app_url.database).render_as_string(hide_password=False))
    try:
        with all_tenants(db) as session:
            # Only a superuser may do this, and only this transaction is affected: the
            # append-only trigger is an ordinary one, which replicas do not fire.
            session.execute(text("SET LOCAL session_replication_role = replica"))
            yield session
    finally:
        db.dispose()


def forge(session: Session, event: AuditEvent) -> None:
    event.after = {**event.after, "name": "Forged Bank"}


def forge_and_rehash(session: Session, event: AuditEvent) -> None:
    forge(session, event)
    event.hash = hashlib.sha256(canonical(event)).hexdigest()


def delete(session: Session, event: AuditEvent) -> None:
    session.delete(event)


def test_an_untampered_chain_passes(api, other_api, audit_verify):
    audited_history(api)
    result = audit_verify(api.app, api.tenant, other_api.tenant)
    assert result.exit_code == 0, result.output
    events = api.as_("auditor").ok("GET", "/audit/verification")["events"]
    assert f"{api.tenant}: ok, {events} events" in result.output
    assert f"{other_api.tenant}: ok," in result.output


@pytest.mark.parametrize(
    ("tamper", "offset", "problem"),
    [
        (forge, 0, "its content does not match its hash (altered)"),
        # Recomputing the forged event's hash only moves the break to the next link.
        (forge_and_rehash, 1, "its prev_hash does not match the previous event's hash"),
        (delete, 0, "is missing"),
    ],
    ids=["altered", "altered-and-rehashed", "deleted"],
)
def test_tampering_fails_the_command_naming_the_first_broken_link(
    request, api, other_api, audit_verify, tamper: Callable, offset: int, problem: str
):
    audited_history(other_api)
    seq = audited_history(api)
    with as_superuser(request, api.app) as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.tenant_id == api.tenant, AuditEvent.seq == seq)
        )
        tamper(session, event)

    result = audit_verify(api.app, api.tenant, other_api.tenant)

    assert result.exit_code == 1, result.output
    assert f"{api.tenant}: BROKEN at event {seq + offset}: " in result.output
    assert problem in result.output
    assert f"{other_api.tenant}: ok," in result.output  # one tenant's break is not another's
    report = api.as_("auditor").ok("GET", "/audit/verification")
    assert (report["ok"], report["first_broken_seq"]) == (False, seq + offset)
