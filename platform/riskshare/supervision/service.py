"""Supervision: indicators the office enters, alerts the policies raise, institutions' filings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.context import Context
from riskshare.errors import Forbidden
from riskshare.explain import jsonable
from riskshare.plugins.ask import facts, program_of
from riskshare.supervision.models import Indicator, SupervisionFiling


def set_indicator(ctx: Context, program_id: int, name: str, data: dict[str, Any]) -> Indicator:
    """Enter (or correct) the figure ``name`` in force from ``data['effective_from']``."""
    program, _ = program_of(ctx, program_id)
    row = ctx.session.scalar(
        select(Indicator).where(
            Indicator.program_id == program.id,
            Indicator.name == name,
            Indicator.effective_from == data["effective_from"],
        )
    )
    before = None
    if row is None:
        row = Indicator(program_id=program.id, name=name, effective_from=data["effective_from"])
        ctx.session.add(row)
    else:
        before = {"value": jsonable(row.value), "note": row.note}
    row.value, row.note, row.entered_by = data["value"], data.get("note", ""), ctx.actor
    ctx.session.flush()
    record_event(ctx, "indicator.set", row, before=before)
    return row


def indicators(ctx: Context, program_id: int) -> Any:
    program, _ = program_of(ctx, program_id)
    return (
        select(Indicator)
        .where(Indicator.program_id == program.id)
        .order_by(Indicator.name, Indicator.effective_from)
    )


def alerts(ctx: Context, program_id: int, day: dt.date) -> list[dict[str, Any]]:
    """Every plugin's alerts for the program on ``day``, then the missed deadlines the daily
    sweep recorded and still open that day, as the API returns them."""
    from riskshare.jobs.sweeps import recorded_alerts

    program, pview = program_of(ctx, program_id)
    found = ctx.hook.riskshare_monitoring(program=pview, day=day, facts=facts(ctx, program.id))
    return [
        {
            "code": a.code,
            "severity": a.severity,
            "subject_type": a.subject_type,
            "subject_id": a.subject_id,
            "rule": a.explanation.rule,
            "due_on": None,
            "explanation": a.explanation.as_dict(),
            "data": jsonable(dict(a.data)),
        }
        for batch in found
        for a in batch
    ] + recorded_alerts(ctx, program.id, day)


def file_rectification(ctx: Context, program_id: int, data: dict[str, Any]) -> SupervisionFiling:
    """An institution answers a finding with its explanation and rectification plan."""
    program, _ = program_of(ctx, program_id)
    if ctx.institution_id is None:
        raise Forbidden(
            "Only a user acting for an institution files its explanation.",
            kind="forbidden-institution",
        )
    filing = SupervisionFiling(
        program_id=program.id,
        institution_id=ctx.institution_id,
        rule=data["rule"],
        period=data["period"],
        filed_on=ctx.today,
        filed_by=ctx.actor,
        explanation=data["explanation"],
        rectification_plan=data["rectification_plan"],
    )
    ctx.session.add(filing)
    ctx.session.flush()
    record_event(ctx, "supervision_filing.file", filing)
    return filing


def filings(ctx: Context, program_id: int) -> Any:
    program, _ = program_of(ctx, program_id)
    query = select(SupervisionFiling).where(SupervisionFiling.program_id == program.id)
    if ctx.institution_id is not None:
        query = query.where(SupervisionFiling.institution_id == ctx.institution_id)
    return query.order_by(SupervisionFiling.id)
