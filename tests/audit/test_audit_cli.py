"""``riskshare audit-verify`` finds tampering done behind the application's back.

The app's database role cannot change the audit log at all (no UPDATE/DELETE grant, and an
append-only trigger that stops the owner too; tests/db covers both). So the tampering here is
what only a database superuser could do: switch the triggers off for one transaction and
rewrite history — alter, rehash, delete, renumber, append a correctly chained forgery, cut
the tail, empty the log, and remove the checkpoints too. The command must then exit non-zero
naming the first broken link; against a checkpoint the auditors kept, even when the database
holds none any more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from riskshare.audit.anchor import read_checkpoint
from riskshare.audit.models import AuditCheckpoint, AuditEvent
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


def renumber(session: Session, event: AuditEvent) -> None:
    """Close the gap a deleted event leaves: every later event moves down one, rehashed and
    rechained — everything the chain itself can check agrees again."""
    later = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == event.tenant_id, AuditEvent.seq > event.seq)
            .order_by(AuditEvent.seq)
        )
    )
    prev = event.prev_hash
    session.delete(event)
    session.flush()
    for row in later:
        row.seq -= 1
        row.prev_hash = prev
        row.hash = hashlib.sha256(canonical(row)).hexdigest()
        prev = row.hash
        session.flush()


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
        # A recomputed hash cannot carry the audit key's seal.
        (forge_and_rehash, 0, "its seal is not the audit key's"),
        (delete, 0, "is missing"),
        (renumber, 0, "its seal is not the audit key's"),
    ],
    ids=["altered", "altered-and-rehashed", "deleted", "deleted-and-renumbered"],
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


# ----------------------------------------------------------------------------- anchored


def checkpoint(app, tenant: str, export_dir) -> str:
    """Run ``riskshare audit-checkpoint`` and return the exported checkpoint's text."""
    result = app.test_cli_runner().invoke(
        main, args=["audit-checkpoint", "--tenant", tenant, "--export", str(export_dir)]
    )
    assert result.exit_code == 0, result.output
    [kept] = sorted(export_dir.glob(f"{tenant}-*.jws"))
    return str(kept)


def append_forgery(session: Session, tenant: str) -> int:
    """A new event, correctly chained to the head, written straight into the table."""
    head = session.scalar(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant).order_by(AuditEvent.seq.desc())
    )
    forged = AuditEvent(
        tenant_id=tenant,
        seq=head.seq + 1,
        at=head.at,
        actor="mallory",
        roles="office",
        action="institution.create",
        record_type="institutions",
        record_id="99",
        before=None,
        after={"code": "ghost"},
        prev_hash=head.hash,
        hash="",
        seal=head.seal,  # the best an insider can do: copy a real seal
    )
    forged.hash = hashlib.sha256(canonical(forged)).hexdigest()
    session.add(forged)
    return forged.seq


def test_an_appended_correctly_chained_forgery_is_caught_by_its_seal(request, api, audit_verify):
    audited_history(api)
    with as_superuser(request, api.app) as session:
        seq = append_forgery(session, api.tenant)
    result = audit_verify(api.app, api.tenant)
    assert result.exit_code == 1, result.output
    assert f"BROKEN at event {seq}: its seal is not the audit key's" in result.output


def cut_tail(session: Session, tenant: str, first: int) -> None:
    session.execute(
        AuditEvent.__table__.delete().where(AuditEvent.tenant_id == tenant, AuditEvent.seq >= first)
    )


def cut_everything(session: Session, tenant: str, first: int) -> None:
    cut_tail(session, tenant, 1)


def cut_tail_and_checkpoints(session: Session, tenant: str, first: int) -> None:
    cut_tail(session, tenant, first)
    session.execute(AuditCheckpoint.__table__.delete().where(AuditCheckpoint.tenant_id == tenant))


@pytest.mark.parametrize(
    ("tamper", "caught_by_the_database_alone"),
    [(cut_tail, True), (cut_everything, True), (cut_tail_and_checkpoints, False)],
    ids=["tail-deleted", "truncated", "tail-and-checkpoints-deleted"],
)
def test_a_shortened_log_is_caught_by_the_signed_checkpoint(
    request, api, audit_verify, tmp_path, tamper, caught_by_the_database_alone
):
    middle = audited_history(api)
    kept = checkpoint(api.app, api.tenant, tmp_path)
    head = api.as_("auditor").ok("GET", "/audit/verification")["events"]
    with as_superuser(request, api.app) as session:
        tamper(session, api.tenant, middle)

    alone = audit_verify(api.app, api.tenant)
    assert (alone.exit_code == 1) is caught_by_the_database_alone, alone.output
    result = api.app.test_cli_runner().invoke(
        main, args=["audit-verify", "--tenant", api.tenant, "--checkpoint", kept]
    )
    assert result.exit_code == 1, result.output
    assert f"BROKEN at event {head}: the checkpoint of " in result.output
    assert "that event is gone" in result.output
    # The auditors' copy works through the API as well.
    report = api.as_("auditor").ok(
        "POST", "/audit/verification", {"checkpoints": [Path(kept).read_text()]}
    )
    assert (report["ok"], report["first_broken_seq"]) == (False, head)


def test_a_checkpoint_is_signed_by_the_audit_key_alone(api, tmp_path):
    audited_history(api)
    kept = checkpoint(api.app, api.tenant, tmp_path)
    auditor = api.as_("auditor")
    [listed] = auditor.ok("GET", "/audit/checkpoints")
    assert Path(kept).read_text().strip() == listed["token"]
    key = auditor.ok("GET", "/audit/key")["key"]
    assert read_checkpoint(listed["token"], key).last_seq == listed["last_seq"]
    assert "d" not in key  # the public half only
    header, payload, signature = listed["token"].split(".")
    forged = f"{header}.{payload[:-2]}AA.{signature}"
    report = auditor.ok("POST", "/audit/verification", {"checkpoints": [forged]})
    assert (
        report["ok"] is False and "not a checkpoint signed by this audit key" in report["problem"]
    )
    # Nothing new since: a second run signs nothing new.
    assert checkpoint(api.app, api.tenant, tmp_path) == kept
