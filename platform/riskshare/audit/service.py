"""Appending to and verifying the per-tenant audit hash chain.

Each event's hash covers its own content and the previous event's hash, so altering,
removing or reordering any row breaks every later link. Appends lock the tenant's row so
two transactions cannot both claim the same sequence number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.audit.models import AuditEvent
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
    tenant: str,
    actor: str,
    roles: Iterable[str],
    action: str,
    record_type: str,
    record_id: Any,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
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
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = AuditEvent(
        tenant_id=tenant,
        seq=seq,
        at=dt.datetime.now(dt.UTC),
        actor=actor,
        roles=" ".join(sorted(roles)),
        action=action,
        record_type=record_type,
        record_id=str(record_id),
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=prev,
        hash="",
    )
    event.hash = hashlib.sha256(canonical(event)).hexdigest()
    session.add(event)
    session.flush()
    return event


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


def verify_chain(session: Session, tenant: str) -> ChainReport:
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant).order_by(AuditEvent.seq)
    )
    for event in rows:
        count += 1
        if event.seq != expected_seq:
            return ChainReport(
                tenant,
                count,
                False,
                expected_seq,
                f"event {expected_seq} is missing (found {event.seq})",
            )
        if event.prev_hash != prev:
            return ChainReport(
                tenant,
                count,
                False,
                event.seq,
                "its prev_hash does not match the previous event's hash",
            )
        if hashlib.sha256(canonical(event)).hexdigest() != event.hash:
            return ChainReport(
                tenant, count, False, event.seq, "its content does not match its hash (altered)"
            )
        prev = event.hash
        expected_seq += 1
    return ChainReport(tenant, count, True)


def events_in_order() -> Any:
    """The tenant's audit log, oldest first (the session's tenant filter scopes it)."""
    return select(AuditEvent).order_by(AuditEvent.seq)
