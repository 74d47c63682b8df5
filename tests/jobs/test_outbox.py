"""The outbox and the relay, in process: a job is asked for exactly when its change commits,
handed to RQ exactly once whatever fails on the way, and has its effect exactly once."""

from __future__ import annotations

import contextlib
import os
import random

import pytest
from job_samples import EFFECT
from sqlalchemy import func, select

from riskshare.audit.models import AuditEvent
from riskshare.db import tenant_session
from riskshare.jobs import enqueue, relay, runner
from riskshare.jobs.models import DONE, FAILED, PENDING, SENT, JobRun, OutboxJob
from riskshare.jobs.registry import UnknownJob
from riskshare.testing import race

SOAK = os.environ.get("RISKSHARE_SOAK") == "1"


def db(api):
    return api.app.extensions["riskshare"].db


def ask(api, job_name, key, **args):
    """Commit a change that asks for ``job_name``; return the outbox row's id."""
    with tenant_session(db(api), api.tenant) as session:
        return enqueue(session, api.tenant, job_name, key, **args).id


def rows(api):
    with tenant_session(db(api), api.tenant) as session:
        return session.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()


def effects(api, label):
    with tenant_session(db(api), api.tenant) as session:
        return session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == EFFECT, AuditEvent.record_id == label)
        )


def test_a_rolled_back_change_asks_for_no_job(api):
    with pytest.raises(RuntimeError), tenant_session(db(api), api.tenant) as session:
        enqueue(session, api.tenant, "test.mark", "mark:rolled-back", label="rolled-back")
        raise RuntimeError("the change fails after asking for its job")
    assert rows(api) == []

    ask(api, "test.mark", "mark:committed", label="committed")
    assert [(r.key, r.state) for r in rows(api)] == [("mark:committed", PENDING)]


def test_asking_again_with_the_same_key_adds_nothing(api):
    first = ask(api, "test.mark", "mark:once", label="once")
    assert ask(api, "test.mark", "mark:once", label="once") == first
    assert len(rows(api)) == 1


def test_an_unknown_job_is_refused_when_asked_for(api):
    with pytest.raises(UnknownJob), tenant_session(db(api), api.tenant) as session:
        enqueue(session, api.tenant, "no.such-job", "k")
    assert rows(api) == []


class Faulty:
    """A queue that fails before the hand-over, or after it (the job is in Redis) before
    the relay can mark the row, as a crash or a network error would."""

    def __init__(self, queue, seed):
        self.queue, self.random = queue, random.Random(seed)
        self.faults = {"before": 0, "after": 0}

    def __getattr__(self, name):
        return getattr(self.queue, name)

    def enqueue(self, *args, **kwargs):
        fault = self.random.choice(["before", "after", None, None])
        if fault == "before":
            self.faults["before"] += 1
            raise ConnectionError("injected: Redis unreachable before the enqueue")
        job = self.queue.enqueue(*args, **kwargs)
        if fault == "after":
            self.faults["after"] += 1
            raise ConnectionError("injected: crash after the enqueue, before the commit")
        return job


def test_relay_failures_before_and_after_enqueue_lose_and_duplicate_nothing(api, queue):
    count = 1000 if SOAK else 40
    ids = [ask(api, "test.mark", f"mark:{n}", label=str(n)) for n in range(count)]
    faulty = Faulty(queue, seed=12)
    runs = 0
    while any(r.state == PENDING for r in rows(api)):
        runs += 1
        assert runs < 10 * count, "the relay makes no progress"
        with contextlib.suppress(ConnectionError):
            relay.relay_tenant(db(api), faulty, api.tenant, batch=5)
    assert faulty.faults["before"] > 0 and faulty.faults["after"] > 0
    expected = [OutboxJob(tenant_id=api.tenant, id=i).rq_job_id for i in ids]
    assert sorted(queue.job_ids) == sorted(expected)  # every row once, none twice
    assert {r.state for r in rows(api)} == {SENT}


def test_a_job_delivered_twice_has_its_effect_once(api):
    outbox_id = ask(api, "test.mark", "mark:twice", label="twice")
    app = api.app
    assert runner.execute(app, api.tenant, outbox_id) == {"label": "twice"}
    assert runner.execute(app, api.tenant, outbox_id) == {"label": "twice"}
    assert effects(api, "twice") == 1
    [row] = rows(api)
    assert row.state == DONE
    with tenant_session(db(api), api.tenant) as session:
        assert session.scalars(select(JobRun.key)).all() == ["mark:twice"]


def test_two_deliveries_at_the_same_time_have_the_effect_once(api):
    outbox_id = ask(api, "test.mark", "mark:race", label="race")
    race([lambda: runner.execute(api.app, api.tenant, outbox_id)] * 2)
    assert effects(api, "race") == 1


def test_a_failing_job_keeps_its_error_and_fails_on_the_last_attempt(api):
    outbox_id = ask(api, "test.fail", "fail:1", message="no such claim")
    with pytest.raises(RuntimeError):
        runner.execute(api.app, api.tenant, outbox_id, last_attempt=False)
    [row] = rows(api)
    assert (row.state, row.attempts, row.last_error) == (
        PENDING,
        1,
        "RuntimeError: no such claim",
    )
    with pytest.raises(RuntimeError):
        runner.execute(api.app, api.tenant, outbox_id, last_attempt=True)
    [row] = rows(api)
    assert (row.state, row.attempts) == (FAILED, 2)


def test_a_job_cannot_read_another_tenants_rows(api, other_api):
    outbox_id = ask(api, "test.peek", "peek:1", other_tenant=other_api.tenant)
    seen = runner.execute(api.app, api.tenant, outbox_id)
    assert seen["setting"] == api.tenant
    assert seen["own"] > 0  # onboarding wrote the tenant's first audit event
    assert seen["other"] == 0  # the other tenant has as many, and row-level security hides them
