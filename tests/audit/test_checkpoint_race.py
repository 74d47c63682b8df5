"""Two checkpoint runs at once (the scheduled job and ``riskshare audit-checkpoint``, or two
workers) sign one checkpoint: the second waits for the first and finds nothing new, instead
of failing on ``uq_audit_checkpoints_tenant_id_last_seq`` and leaving the chain unanchored."""

from __future__ import annotations

import threading

from riskshare.audit import service
from riskshare.audit.service import make_checkpoint
from riskshare.db.session import tenant_session
from riskshare.testing import race


def test_two_checkpoint_runs_at_once_sign_one(api, monkeypatch):
    office = api.as_("office")
    office.ok("POST", "/institutions", {"code": "bank-a", "name": "A", "kind": "bank"}, status=201)
    ext = api.app.extensions["riskshare"]

    # Both runs look for the latest checkpoint together, so without the head lock both see
    # none and both insert; with it the second blocks on the lock, the barrier gives up
    # waiting for it and the first signs alone.
    both_looked = threading.Barrier(2, timeout=2)
    latest = service.latest_checkpoint

    def latest_then_wait(session, tenant):
        found = latest(session, tenant)
        try:
            both_looked.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(service, "latest_checkpoint", latest_then_wait)

    def run():
        with tenant_session(ext.db, api.tenant) as session:
            made = make_checkpoint(session, api.tenant, ext.audit_key)
            return None if made is None else made.last_seq

    outcomes = race([run, run])
    signed = [seq for seq in outcomes if seq is not None]
    assert len(signed) == 1, outcomes
    [listed] = api.as_("auditor").ok("GET", "/audit/checkpoints")
    assert listed["last_seq"] == signed[0]
