"""``AuditBuffer``: a long transaction's events appended to the chain at its end, under one
lock; the events of a row rolled back (``discard``) never reach it."""

from __future__ import annotations

from sqlalchemy import select

from riskshare.audit.models import AuditEvent
from riskshare.audit.service import AuditBuffer, PendingEvent, verify_chain
from riskshare.db import tenant_session


def test_buffered_events_are_chained_in_order_and_discarded_ones_never_appear(api):
    ext = api.app.extensions["riskshare"]
    api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-a", "name": "A", "kind": "bank"}, status=201
    )
    with tenant_session(ext.db, api.tenant) as session:
        buffer = AuditBuffer()
        buffer.add(PendingEvent("loader", ("office",), "test.kept", "loans", 1))
        mark = buffer.mark()
        buffer.add(PendingEvent("loader", ("office",), "test.rolled-back", "loans", 2))
        buffer.discard(mark)
        buffer.add(PendingEvent("loader", ("office",), "test.kept", "loans", 3))
        assert buffer.flush(session, key=ext.audit_key, tenant=api.tenant) == 2
        assert buffer.pending == []
    with tenant_session(ext.db, api.tenant) as session:
        actions = session.execute(
            select(AuditEvent.action, AuditEvent.record_id).order_by(AuditEvent.seq)
        ).all()
        assert actions[-2:] == [("test.kept", "1"), ("test.kept", "3")]
        assert verify_chain(session, api.tenant, ext.audit_key).ok
