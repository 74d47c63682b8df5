from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.context import Context
from riskshare.errors import Conflict
from riskshare.institutions.models import COOPERATION, Institution
from riskshare.plugins.ask import enforce, facts, program_of
from riskshare.plugins.views import institution_view
from riskshare.services import get_or_404, on_effective_date
from riskshare.workflow.transitions import check_transition, transition


def create_institution(ctx: Context, data: dict[str, Any]) -> Institution:
    if ctx.session.scalar(select(Institution.id).where(Institution.code == data["code"])):
        raise Conflict(
            f"An institution with code '{data['code']}' exists.",
            errors=[{"pointer": "/code", "detail": "already used"}],
        )
    since = on_effective_date(
        ctx, data.pop("cooperation_since", None), pointer="/cooperation_since"
    )
    inst = Institution(**data, cooperation_since=since.today)
    ctx.session.add(inst)
    ctx.session.flush()
    record_event(ctx, "institution.create", inst)
    return inst


def list_institutions(ctx: Context, kind: str | None) -> Any:
    query = select(Institution).order_by(Institution.id)
    if kind:
        query = query.where(Institution.kind == kind)
    return query


def change_cooperation(
    ctx: Context,
    inst_id: int,
    action: str,
    reason: str,
    program_id: int | None = None,
    effective_on: dt.date | None = None,
) -> Institution:
    """Suspend, resume or revoke; under a program, its policy names who decides and when."""
    inst = get_or_404(ctx, Institution, inst_id, "institution")
    ctx = on_effective_date(
        ctx, effective_on, not_before=inst.cooperation_since, previous="its last change"
    )
    pview = None
    if program_id is not None:
        program, pview = program_of(ctx, program_id)
        check_transition(ctx, COOPERATION, inst, action, pview, state_attr="cooperation")
        decision = ctx.hook.riskshare_cooperation_change(
            program=pview,
            institution=institution_view(inst),
            action=action,
            facts=facts(ctx, program.id),
        )
        if decision is not None:
            enforce(decision)
    changes = {"cooperation_reason": reason, "cooperation_since": ctx.today}
    transition(ctx, COOPERATION, inst, action, pview, changes, state_attr="cooperation")
    return inst
