from __future__ import annotations

from typing import Any

from sqlalchemy import select

from riskshare.api.context import Context
from riskshare.api.problems import Problem
from riskshare.institutions.models import COOPERATION, Institution
from riskshare.records import get_or_404, record_event, transition


def create_institution(ctx: Context, data: dict[str, Any]) -> Institution:
    if ctx.session.scalar(select(Institution.id).where(Institution.code == data["code"])):
        raise Problem(
            409,
            f"An institution with code '{data['code']}' exists.",
            kind="conflict",
            errors=[{"pointer": "/code", "detail": "already used"}],
        )
    inst = Institution(**data, cooperation_since=ctx.today)
    ctx.session.add(inst)
    ctx.session.flush()
    record_event(ctx, "institution.create", inst)
    return inst


def list_institutions(ctx: Context, kind: str | None) -> Any:
    query = select(Institution).order_by(Institution.id)
    if kind:
        query = query.where(Institution.kind == kind)
    return query


def change_cooperation(ctx: Context, inst_id: int, action: str, reason: str) -> Institution:
    inst = get_or_404(ctx, Institution, inst_id, "institution")
    changes = {"cooperation_reason": reason, "cooperation_since": ctx.today}
    transition(ctx, COOPERATION, inst, action, None, changes, state_attr="cooperation")
    return inst
