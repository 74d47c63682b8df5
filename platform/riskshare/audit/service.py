"""Appending to and verifying the per-tenant audit hash chain, and anchoring it.

Each event's hash covers its own content and the previous event's hash, so altering,
removing or reordering any row breaks every later link. Appends lock the tenant's row so
two transactions cannot both claim the same sequence number. Each event is sealed with the
audit key, and signed checkpoints record the chain's state (audit/anchor.py says why).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riskshare.audit.anchor import AuditKey, Checkpoint, CheckpointInvalid, read_checkpoint
from riskshare.audit.models import AuditCheckpoint, AuditEvent
from riskshare.explain import jsonable
from riskshare.tenants.models import Tenant

GENESIS = "0" * 64


def canonical(event: AuditEvent) -> bytes:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.UTC)
    payload = {
        "tenant": event.tenant_id,
        "seq": event.seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "roles": event.roles,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "before": event.before,
        "after": event.after,
        "prev": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def append(
    session: Session,
    *,
    key: AuditKey | None = None,
    tenant: str,
    actor: str,
    roles: Iterable[str],
    action: str,
    record_type: str,
    record_id: Any,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    [event] = append_many(
        session,
        key=key,
        tenant=tenant,
        events=[PendingEvent(actor, tuple(roles), action, record_type, record_id, before, after)],
    )
    return event


@dataclass(frozen=True)
class PendingEvent:
    """An event recorded by a service and not yet in the chain (see ``AuditBuffer``)."""

    actor: str
    roles: tuple[str, ...]
    action: str
    record_type: str
    record_id: Any
    before: Any = None
    after: Any = None


def append_many(
    session: Session, *, key: AuditKey | None = None, tenant: str, events: list[PendingEvent]
) -> list[AuditEvent]:
    """Append ``events`` to the tenant's chain, in order, under one lock of its head."""
    if not events:
        return []
    # FOR NO KEY UPDATE: serialises appenders of one tenant without conflicting with the
    # KEY SHARE locks that every insert referencing the tenant takes (which would deadlock).
    session.execute(
        select(Tenant.slug).where(Tenant.slug == tenant).with_for_update(key_share=True)
    )
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.tenant_id == tenant)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    seal = (key or current_key()).seal
    appended = []
    for pending in events:
        seq += 1
        event = AuditEvent(
            tenant_id=tenant,
            seq=seq,
            at=dt.datetime.now(dt.UTC),
            actor=pending.actor,
            roles=" ".join(sorted(pending.roles)),
            action=pending.action,
            record_type=pending.record_type,
            record_id=str(pending.record_id),
            before=jsonable(pending.before),
            after=jsonable(pending.after),
            prev_hash=prev,
            hash="",
            seal="",
        )
        event.hash = hashlib.sha256(canonical(event)).hexdigest()
        event.seal = seal(event.hash)
        prev = event.hash
        appended.append(event)
    session.add_all(appended)
    session.flush()
    return appended


class AuditBuffer:
    """Events a long transaction records, appended to the chain together at its end.

    Appending locks the tenant's chain head until the transaction ends, so every other
    write of the tenant waits for it. A bulk import registering hundreds of loans in one
    transaction would hold that lock from its first loan to its commit; with a buffer it
    takes it once, at ``flush``, just before committing. A row whose savepoint is rolled
    back drops the events it recorded (``mark`` / ``discard``), so nothing is audited that
    did not happen.
    """

    def __init__(self) -> None:
        self.pending: list[PendingEvent] = []

    def add(self, event: PendingEvent) -> None:
        self.pending.append(event)

    def mark(self) -> int:
        return len(self.pending)

    def discard(self, mark: int) -> None:
        del self.pending[mark:]

    def flush(self, session: Session, *, key: AuditKey | None, tenant: str) -> int:
        events, self.pending = self.pending, []
        append_many(session, key=key, tenant=tenant, events=events)
        return len(events)


@dataclass(frozen=True)
class ChainReport:
    tenant: str
    events: int
    ok: bool
    first_broken_seq: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "events": self.events,
            "ok": self.ok,
            "first_broken_seq": self.first_broken_seq,
            "problem": self.problem,
        }


def current_key() -> AuditKey:
    """The running app's audit key (requests, the CLI and jobs all run in its context)."""
    key: AuditKey = current_app.extensions["riskshare"].audit_key
    return key


def make_checkpoint(session: Session, tenant: str, key: AuditKey) -> AuditCheckpoint | None:
    """Sign the chain's current state; ``None`` when nothing was appended since the last."""
    # The appenders' lock: the head cannot move under us, and two runs at once (the scheduled
    # job and an operator's command) sign one checkpoint, not two of the same seq.
    session.execute(
        select(Tenant.slug).where(Tenant.slug == tenant).with_for_update(key_share=True)
    )
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.tenant_id == tenant)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if head is None:
        return None
    latest = latest_checkpoint(session, tenant)
    if latest is not None and latest.last_seq == head.seq:
        return None
    events = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.tenant_id == tenant)
    )
    made_at = dt.datetime.now(dt.UTC)
    checkpoint = Checkpoint(
        tenant=tenant,
        last_seq=head.seq,
        head_hash=head.hash,
        events=int(events or 0),
        made_at=made_at.isoformat(timespec="seconds"),
    )
    row = AuditCheckpoint(
        tenant_id=tenant,
        last_seq=checkpoint.last_seq,
        head_hash=checkpoint.head_hash,
        events=checkpoint.events,
        made_at=made_at,
        token=key.sign(checkpoint),
    )
    session.add(row)
    session.flush()
    return row


def checkpoint_every_tenant(db: Any, key: AuditKey) -> dict[str, int]:
    """``make_checkpoint`` for each tenant, each in its own transaction."""
    from riskshare.db.session import tenant_session

    with tenant_session(db, None) as session:
        tenants = list(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))
    signed: dict[str, int] = {}
    for tenant in tenants:
        with tenant_session(db, tenant) as session:
            made = make_checkpoint(session, tenant, key)
            if made is not None:
                signed[tenant] = made.last_seq
    return signed


def latest_checkpoint(session: Session, tenant: str) -> AuditCheckpoint | None:
    return session.scalar(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.tenant_id == tenant)
        .order_by(AuditCheckpoint.last_seq.desc())
        .limit(1)
    )


def verify_chain(
    session: Session, tenant: str, key: AuditKey, kept: Iterable[str] = ()
) -> ChainReport:
    """Verify the chain's links and seals, then its length and head against the latest
    checkpoint in the database and against each checkpoint ``kept`` outside it (JWS texts
    auditors exported earlier): a deleted tail or a truncated log is found by them."""
    prev = GENESIS
    expected_seq = 1
    hashes: dict[int, str] = {}
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant).order_by(AuditEvent.seq)
    )
    for event in rows:
        broken = _broken_link(event, expected_seq, prev, key)
        if broken:
            return ChainReport(tenant, len(hashes) + 1, False, expected_seq, broken)
        hashes[event.seq] = event.hash
        prev = event.hash
        expected_seq += 1
    anchors = [_stored(session, tenant, key)]
    anchors += [_kept(token, tenant, key) for token in kept]
    for checkpoint in anchors:
        if isinstance(checkpoint, str):
            return ChainReport(tenant, len(hashes), False, None, checkpoint)
        if checkpoint is None:
            continue
        if hashes.get(checkpoint.last_seq) != checkpoint.head_hash:
            missing = checkpoint.last_seq not in hashes
            return ChainReport(
                tenant,
                len(hashes),
                False,
                checkpoint.last_seq,
                f"the checkpoint of {checkpoint.made_at} signed event {checkpoint.last_seq}"
                f" as the head of {checkpoint.events} events; "
                + (
                    "that event is gone (deleted tail or truncation)"
                    if missing
                    else "that event's hash differs (rewritten)"
                ),
            )
    return ChainReport(tenant, len(hashes), True)


def _broken_link(event: AuditEvent, expected_seq: int, prev: str, key: AuditKey) -> str | None:
    if event.seq != expected_seq:
        return f"event {expected_seq} is missing (found {event.seq})"
    if event.prev_hash != prev:
        return "its prev_hash does not match the previous event's hash"
    if hashlib.sha256(canonical(event)).hexdigest() != event.hash:
        return "its content does not match its hash (altered)"
    if not key.sealed(event.hash, event.seal):
        return "its seal is not the audit key's (written behind the application's back)"
    return None


def _stored(session: Session, tenant: str, key: AuditKey) -> Checkpoint | str | None:
    row = latest_checkpoint(session, tenant)
    if row is None:
        return None
    try:
        checkpoint = read_checkpoint(row.token, key.public_jwk())
    except CheckpointInvalid as exc:
        return f"the stored checkpoint at event {row.last_seq} is not valid: {exc}"
    if checkpoint.tenant != tenant:
        return f"the stored checkpoint at event {row.last_seq} belongs to another tenant"
    return checkpoint


def _kept(token: str, tenant: str, key: AuditKey) -> Checkpoint | str:
    try:
        checkpoint = read_checkpoint(token, key.public_jwk())
    except CheckpointInvalid as exc:
        return f"a kept checkpoint is not valid: {exc}"
    if checkpoint.tenant != tenant:
        return f"a kept checkpoint is tenant {checkpoint.tenant!r}'s, not {tenant!r}'s"
    return checkpoint


def checkpoints_newest_first() -> Any:
    return select(AuditCheckpoint).order_by(AuditCheckpoint.last_seq.desc())


def events_in_order() -> Any:
    """The tenant's audit log, oldest first (the session's tenant filter scopes it)."""
    return select(AuditEvent).order_by(AuditEvent.seq)
