"""Asking a program's policy: its view, its facts, and what to do with its answers."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from riskshare.context import Context
from riskshare.errors import Invalid, refused
from riskshare.plugins.types import BanDecision, Decision, ProgramView, WriteOffDecision
from riskshare.plugins.views import program_view
from riskshare.programs.facts import SessionFacts
from riskshare.programs.models import Program
from riskshare.services import get_or_404

T = TypeVar("T")


def program_of(ctx: Context, program_id: int) -> tuple[Program, ProgramView]:
    program = get_or_404(ctx, Program, program_id, "program")
    return program, program_view(program)


def facts(ctx: Context, program_id: int) -> SessionFacts:
    return SessionFacts(ctx.session, program_id, ctx.today, context=ctx)


def require(decision: T | None, question: str, policy: str) -> T:
    """A policy that leaves a mandatory question unanswered is a configuration fault."""
    if decision is None:
        raise Invalid(
            f"The policy '{policy}' gives no answer to '{question}'; is its plugin enabled?",
            kind="policy-missing",
        )
    return decision


def enforce(decision: Decision | BanDecision | WriteOffDecision, status: int = 422) -> None:
    if not decision.allowed:
        refusing = decision.refusing
        raise refused(refusing.as_dict() if refusing else {"rule": "?", "en": "refused"}, status)


def pool_credited(ctx: Context, program: Program, kind: str, amount: Decimal) -> None:
    """Tell the program's policy that ``amount`` went into its pool (under the program's
    lock, in the transaction that booked it): ``riskshare_pool_credited``."""
    ctx.hook.riskshare_pool_credited(
        program=program_view(program),
        kind=kind,
        amount=amount,
        day=ctx.today,
        facts=facts(ctx, program.id),
    )
