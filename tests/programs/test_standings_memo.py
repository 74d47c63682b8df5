"""``remember_standings``: a bulk import's batch reads the program's standings once, and
reads them again as soon as the session writes a standing or rolls one back, so a
suspension the policy records mid-batch is honoured by the next row and a rolled-back one
is not."""

from __future__ import annotations

import datetime as dt

from factories import setup_program
from riskshare.auth.principal import Principal
from riskshare.context import Context
from riskshare.db import tenant_session
from riskshare.programs.facts import SessionFacts, remember_standings
from riskshare.toolkit import Explanation, suspend

DAY = dt.date(2024, 3, 1)
REASON = Explanation("F-1", "Test §1", "suspended", "企业暂停。", "The firm is suspended.")


def test_remembered_standings_follow_a_suspension_written_then_rolled_back(api):
    program, _bank, firm = setup_program(api)
    ext = api.app.extensions["riskshare"]
    with tenant_session(ext.db, api.tenant) as session:
        ctx = Context(
            session=session,
            tenant=api.tenant,
            principal=Principal("policy-test", "policy-test"),
            roles=frozenset({"office"}),
            pm=ext.pm,
            calendar=ext.calendar.calendar(session),
            today=DAY,
            audit_key=ext.audit_key,
        )
        remember_standings(session)
        facts = SessionFacts(session, program["id"], DAY, context=ctx)
        assert facts.standings("firm", firm["id"], DAY) == []

        savepoint = session.begin_nested()
        suspend(facts, "firm", firm["id"], rule="F-1", explanations=[REASON])
        assert [s.rule for s in facts.standings("firm", firm["id"], DAY)] == ["F-1"]

        savepoint.rollback()
        assert facts.standings("firm", firm["id"], DAY) == []
