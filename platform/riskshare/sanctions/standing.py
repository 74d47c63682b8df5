"""Standing decisions: a policy suspends a firm or institution, and the core honours it;
so it does an institution's cooperation suspended or revoked and its ban.

A policy records its own decision once (``riskshare.toolkit.suspend``, from any hook or its
own routes) instead of recomputing it in every hook that must honour it. In the program
whose policy recorded it, on every day it is in force, a suspension means *no new business
covered*, and the core refuses, with the policy's own explanations (its rule, zh and en):

* **coverage**: a loan issued or registered while its lender, guarantor, insurer or firm
  is suspended is registered *not covered*;
* **claims**: an institution suspended on the day it files a claim cannot file it (422);
* **plans**: approved claims of an institution suspended on the day a plan is proposed are
  held out of the plan; they stay approved and a later plan takes them;
* **payments**: a payment to a suspended institution or firm is not confirmed (409) on a
  day the suspension is in force; it stays instructed and is confirmed once it ends.

An institution whose cooperation the office suspended or revoked (``/institutions/{id}/
cooperation``), from that day on, or which a ban in force covers (``/bans``), is refused the
same four, in every program: its policy cites those refusals through its
``PolicyDescriptor.cites`` (Xinxiang X-07, Yanqing Y-16). The cooperation state is the
institution's current one: a loan issued or registered while it is resumed is covered.

It does not stop what is already under way or what brings money back: reviews of claims
filed before, loan events, write-offs, recoveries and their returns, clawback repayments,
the institution's filings. It binds only the program whose policy decided it; a ban
(``/bans``) is the tenant-wide bar. The office may lift it (audited); lifted, it no longer
refuses anything from that day on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.context import Context
from riskshare.errors import Problem
from riskshare.explain import Explanation, explanations_as_json
from riskshare.firms.models import Firm
from riskshare.institutions.models import Institution
from riskshare.plugins.ask import program_of
from riskshare.plugins.defaults import institution_in_good_standing
from riskshare.plugins.types import ClaimDue, Decision, Facts, StandingView
from riskshare.programs.facts import SessionFacts, standing_view
from riskshare.programs.models import Program
from riskshare.sanctions.models import Standing
from riskshare.services import get_or_404, lock_program

SUBJECTS: dict[str, Any] = {"institution": Institution, "firm": Firm}


def _context(facts: Facts) -> tuple[SessionFacts, Context]:
    """The facts a hook was given, with the request they answer (to record and audit in)."""
    if not isinstance(facts, SessionFacts) or facts.context is None:
        raise RuntimeError(
            "These facts are read-only (a report as of a past day): a standing decision is"
            " recorded from a hook or a route answering a request."
        )
    return facts, facts.context


def suspend(
    facts: Facts,
    subject_type: str,
    subject_id: int,
    *,
    rule: str,
    explanations: Sequence[Explanation],
    from_: dt.date | None = None,
    until: dt.date | None = None,
    reason: str | None = None,
) -> StandingView:
    """Record the policy's decision that the firm or institution is suspended in this
    program from ``from_`` (default: today) up to, not including, ``until`` (None: until
    it is lifted), under ``rule``, explained by ``explanations`` (zh and en).

    What the core then refuses is listed in ``riskshare.sanctions.standing``: new coverage,
    new claims, places in plans and payments, in this program only.

    Idempotent: the same decision recorded again (a monitoring run repeated, a second hook
    reaching it) returns the record already there: the one recorded from the same first
    day under the same rule, as it stands (if the office lifted it since, its lift holds
    for that day), or else one still in force on ``from_``, whose end is moved to
    ``until`` when the policy now says otherwise (audited as ``standing.change``).
    Recorded in the request's transaction: a request that is refused rolls it back with
    everything else, so record from a step that succeeds (monitoring, say).
    """
    program_facts, ctx = _context(facts)
    if subject_type not in SUBJECTS:
        raise ValueError(f"subject_type is 'institution' or 'firm', not {subject_type!r}")
    if ctx.session.get(SUBJECTS[subject_type], subject_id) is None:
        raise ValueError(f"there is no {subject_type} {subject_id}")
    if not rule or len(rule) > 20:
        raise ValueError("rule is the policy's rule id (1 to 20 characters)")
    if not explanations:
        raise ValueError("a standing decision explains itself: give its explanations")
    starts = from_ or program_facts.today
    if until is not None and until <= starts:
        raise ValueError(f"until ({until}) must be after the first day ({starts})")
    # Under the program lock, so two runs recording the same decision at once find each
    # other's record instead of writing two.
    lock_program(ctx, program_facts.program_id)
    rows = list(
        ctx.session.scalars(
            select(Standing)
            .where(
                Standing.program_id == program_facts.program_id,
                Standing.subject_type == subject_type,
                Standing.subject_id == subject_id,
                Standing.rule == rule,
            )
            .order_by(Standing.id)
            .execution_options(populate_existing=True)
        )
    )
    # The day's first decision stands for the day, and so does the office's lift of it.
    same_day = next((r for r in rows if r.starts_on == starts), None)
    if same_day is not None:
        return standing_view(same_day)
    current = next((r for r in rows if r.in_force_on(starts)), None)
    if current is not None:
        if current.until != until:
            before = {"until": current.until.isoformat() if current.until else None}
            current.until = until
            ctx.session.flush()
            record_event(ctx, "standing.change", current, before=before)
        return standing_view(current)
    row = Standing(
        program_id=program_facts.program_id,
        subject_type=subject_type,
        subject_id=subject_id,
        rule=rule,
        reason=(reason or explanations[0].en)[:2000],
        starts_on=starts,
        until=until,
        explanations=explanations_as_json(list(explanations)),
        recorded_by=ctx.actor,
        recorded_on=ctx.today,
    )
    ctx.session.add(row)
    ctx.session.flush()
    record_event(ctx, "standing.suspend", row)
    return standing_view(row)


def lift(facts: Facts, standing_id: int, reason: str) -> StandingView:
    """The policy ends its own decision today (its condition no longer holds), audited.
    Lifting one already lifted returns it unchanged."""
    program_facts, ctx = _context(facts)
    row = _lift(ctx, program_facts.program_id, standing_id, reason, conflict=False)
    return standing_view(row)


def lift_standing(ctx: Context, program_id: int, standing_id: int, reason: str) -> Standing:
    """The office lifts a policy's decision from today on (audited); 409 if lifted already."""
    program, _ = program_of(ctx, program_id)
    return _lift(ctx, program.id, standing_id, reason, conflict=True)


def _lift(ctx: Context, program_id: int, standing_id: int, reason: str, *, conflict: bool) -> Any:
    lock_program(ctx, program_id)
    row = get_or_404(ctx, Standing, standing_id, "standing decision")
    if row.program_id != program_id:
        raise Problem(404, f"There is no standing decision {standing_id}.", kind="not-found")
    if row.lifted_on is not None:
        if conflict:
            raise Problem(
                409,
                f"Standing decision {row.id} was lifted on {row.lifted_on} already.",
                kind="conflict",
                extra={"standing_id": row.id},
            )
        return row
    before = {"lifted_on": None}
    row.lifted_on, row.lifted_by, row.lift_reason = ctx.today, ctx.actor, reason
    ctx.session.flush()
    record_event(ctx, "standing.lift", row, before=before)
    return row


def visible_standings(ctx: Context, program_id: int) -> Any:
    """The program's standing decisions; a user acting for an institution sees its own."""
    program, _ = program_of(ctx, program_id)
    query = select(Standing).where(Standing.program_id == program.id).order_by(Standing.id)
    if ctx.institution_id is not None:
        query = query.where(
            Standing.subject_type == "institution", Standing.subject_id == ctx.institution_id
        )
    return query


def honour_standings(
    decision: Decision,
    facts: SessionFacts,
    subjects: Iterable[tuple[str, int | None]],
    *days: dt.date,
) -> Decision:
    """The policy's ``decision``, refused when one of ``subjects`` is suspended on one of
    ``days``: the suspension's refusal comes first, so it is the one the answer names, and
    the policy's own explanations follow. The core asks this itself, whatever the policy
    answered, so no hook has to remember a suspension."""
    found = refusals(facts, subjects, *days)
    if not found:
        return decision
    # A policy that built on institution_in_good_standing gave some of them already.
    own = [e for e in decision.explanations if e not in found]
    return Decision(False, [*found, *own])


def hold_out_suspended(
    facts: SessionFacts, dues: list[ClaimDue], day: dt.date
) -> tuple[list[ClaimDue], list[Explanation]]:
    """The dues whose claimant is not suspended on ``day``, and for each suspension that
    held claims out of the plan, its explanation naming them (they stay approved)."""
    kept: list[ClaimDue] = []
    held: dict[tuple[str, str], tuple[Explanation, list[int]]] = {}
    for due in dues:
        found = refusals(facts, [("institution", due.institution_id)], day)
        if not found:
            kept.append(due)
        for refusal in found:
            # One explanation per refusal (a suspension, a cooperation state, a ban).
            key = (refusal.rule, refusal.zh)
            held.setdefault(key, (refusal, []))[1].append(due.claim_id)
    explanations = [
        dataclasses.replace(
            refusal,
            result="held out of the plan",
            zh=f"申请 {', '.join(map(str, claims))} 暂不列入本方案：{refusal.zh}",
            en=f"Claims {', '.join(map(str, claims))} are held out of this plan: {refusal.en}",
            inputs={**refusal.inputs, "claims": claims},
        )
        for refusal, claims in held.values()
    ]
    return kept, explanations


def refusals(
    facts: SessionFacts, subjects: Iterable[tuple[str, int | None]], *days: dt.date
) -> list[Explanation]:
    """The core's refusals for the subjects on any of ``days``: an institution's cooperation
    suspended or revoked or its ban (cited through the policy's ``cites``), and the
    policy's own suspensions in force, each with the policy's own rule and clause, saying
    who is suspended from when until when and why (its explanations, in zh and en)."""
    out: list[Explanation] = []
    seen: set[int] = set()
    for subject_type, subject_id in subjects:
        if subject_id is None:
            continue
        if subject_type == "institution":
            for day in days:
                for refusal in institution_in_good_standing(subject_id, facts, day):
                    if refusal not in out:
                        out.append(refusal)
        for day in days:
            for standing in facts.standings(subject_type, subject_id, day):
                if standing.id not in seen:
                    seen.add(standing.id)
                    out.append(_refusal(facts, standing))
    if out and facts.context is not None:
        program = facts.session.get_one(Program, facts.program_id)
        out = facts.context.hook.recite(program.policy, out)
    return out


def _refusal(facts: SessionFacts, standing: StandingView) -> Explanation:
    model = SUBJECTS[standing.subject_type]
    name = facts.session.get_one(model, standing.subject_id).name
    ends_zh = f"至 {standing.until}（不含）" if standing.until else "至解除为止"
    ends_en = f"until {standing.until} (exclusive)" if standing.until else "until lifted"
    why_zh = "；".join(e.zh for e in standing.explanations)
    why_en = " ".join(e.en for e in standing.explanations)
    first = standing.explanations[0] if standing.explanations else None
    return Explanation(
        standing.rule,
        first.clause if first else "",
        "suspended",
        f"{name} 自 {standing.starts_on} 起暂停{ends_zh}，暂停期间不承接新业务、不予支付：{why_zh}",
        f"{name} is suspended from {standing.starts_on} {ends_en}; no new business is"
        f" covered and nothing is paid to it meanwhile: {why_en}",
        inputs={
            "standing_id": standing.id,
            "subject_type": standing.subject_type,
            "subject_id": standing.subject_id,
            "starts_on": standing.starts_on,
        },
        threshold=standing.until,
        passed=False,
        clause_en=first.clause_en if first else "",
    )
