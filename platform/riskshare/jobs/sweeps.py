"""The deadline sweep: every working day, each missed deadline the core records becomes an
alert on ``/monitoring``, once.

What is swept is what the core already dates (each by the policy's ``riskshare_deadline``
when the record was made): claims still unreviewed past ``review_due_on``, recoveries not
returned past ``due_on``, approved write-offs without their evidence past
``evidence_due_on``, and draft allocation plans past ``summary_due_on``. A finding is
recorded once per record and due date (``deadline_alerts`` is unique on them), so a retried
job, a second sweep the same day and the sweeps of the following days add nothing; an alert
is resolved by the first sweep that finds the step taken.

``plan_deadline_sweeps`` (periodic, hourly, on RQ's cron scheduler) asks each tenant on a
working day in Asia/Shanghai for its ``deadline-sweep`` of the day through the outbox; the
key ``deadline-sweep:<day>`` makes the hourly asking one job per tenant and day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select

from riskshare.claims.models import Claim
from riskshare.context import Context
from riskshare.db import tenant_session
from riskshare.documents.service import document_kinds
from riskshare.explain import explanations_as_json
from riskshare.jobs.models import DeadlineAlert
from riskshare.jobs.outbox import enqueue
from riskshare.jobs.registry import job
from riskshare.loans.models import Loan, LoanEvent
from riskshare.notifications.models import DUE_SOON, DUE_TODAY, LATE
from riskshare.notifications.service import Addressee, Reminder, send
from riskshare.plans.models import AllocationPlan
from riskshare.plugins.ask import facts
from riskshare.plugins.views import claim_view, program_view
from riskshare.programs.models import Program
from riskshare.recoveries.models import Recovery, WriteOff
from riskshare.tenants.models import Tenant

SWEEP = "deadline-sweep"
# Working days before a due date that its first reminder (``due_soon``) is sent.
DEFAULT_REMINDER_DAYS = 3

# Each kind of deadline: the record, what is owed, in both languages.
STEPS = {
    "claim_review": ("claim", "代偿申请第{id}号的审核", "the review of claim {id}"),
    "recovery_return": ("recovery", "追偿款第{id}号的返还", "the return of recovery {id}"),
    "write_off_evidence": (
        "write_off",
        "核销第{id}号的批准材料",
        "the approval evidence of write-off {id}",
    ),
    "plan_summary": ("plan", "分配方案第{id}号的汇总报送", "the summary of plan {id}"),
    "overdue_filing": ("loan", "贷款第{id}号到期未还的逾期备案", "the overdue filing of loan {id}"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    subject_id: int
    institution_id: int | None
    start: dt.date  # the day the policy's clock started
    due_on: dt.date
    stored: list[dict[str, Any]]  # the record's own explanations, the deadline's among them
    # Who must act: the reviewers of a claim, the institution that owes a return ...
    addressees: tuple[Addressee, ...] = ()

    @property
    def subject_type(self) -> str:
        return STEPS[self.kind][0]


def overdue(ctx: Context, program_id: int, day: dt.date) -> Iterator[Finding]:
    """Every deadline of the program missed on ``day`` (due before it, step not taken)."""
    return (f for f in due_by(ctx, program_id, day) if f.due_on < day)


def due_by(ctx: Context, program_id: int, last: dt.date) -> Iterator[Finding]:
    """Every deadline of the program due on or before ``last`` whose step is not taken."""
    session = ctx.session
    for claim in session.scalars(
        select(Claim).where(
            Claim.program_id == program_id,
            Claim.state == "submitted",
            Claim.review_due_on <= last,
        )
    ):
        assert claim.review_due_on is not None
        yield Finding(
            "claim_review",
            claim.id,
            claim.institution_id,
            claim.submitted_on,
            claim.review_due_on,
            claim.explanations,
            _reviewers(ctx, claim),
        )
    for recovery in session.scalars(
        select(Recovery).where(
            Recovery.program_id == program_id, Recovery.state == "due", Recovery.due_on <= last
        )
    ):
        assert recovery.due_on is not None
        yield Finding(
            "recovery_return",
            recovery.id,
            recovery.institution_id,
            recovery.received_on,
            recovery.due_on,
            recovery.explanations,
            (Addressee(None, recovery.institution_id),),
        )
    for write_off in session.scalars(
        select(WriteOff)
        .join(Loan, Loan.id == WriteOff.loan_id)
        .where(
            Loan.program_id == program_id,
            WriteOff.state == "approved",
            WriteOff.evidence_submitted_on.is_(None),
            WriteOff.evidence_due_on <= last,
        )
    ):
        assert write_off.evidence_due_on is not None
        yield Finding(
            "write_off_evidence",
            write_off.id,
            write_off.institution_id,
            write_off.approved_on,
            write_off.evidence_due_on,
            write_off.explanations,
            (Addressee(None, write_off.institution_id),),
        )
    for plan in session.scalars(
        select(AllocationPlan).where(
            AllocationPlan.program_id == program_id,
            AllocationPlan.state == "draft",
            AllocationPlan.summary_due_on <= last,
        )
    ):
        assert plan.summary_due_on is not None
        yield Finding(
            "plan_summary",
            plan.id,
            None,
            plan.period_end,
            plan.summary_due_on,
            plan.explanations,
            (Addressee("office", None),),
        )
    yield from _unfiled_overdue(ctx, program_id, last)


def _unfiled_overdue(ctx: Context, program_id: int, last: dt.date) -> Iterator[Finding]:
    """Loans past their maturity date, still active with principal outstanding and no
    overdue filing: the filing is due by the policy's ``overdue_filing`` deadline, counted
    from the first day overdue (Xinxiang's X-08: 5 working days). The lender files, and the
    guarantor of a guaranteed loan (whose filing is the one that counts under X-08)."""
    program = ctx.session.get(Program, program_id)
    assert program is not None
    view = None
    for loan in ctx.session.scalars(
        select(Loan)
        .where(
            Loan.program_id == program_id,
            Loan.state == "active",
            Loan.outstanding > 0,
            Loan.maturity_date < last,
            ~exists().where(LoanEvent.loan_id == Loan.id, LoanEvent.kind == "overdue_filing"),
        )
        .order_by(Loan.id)
    ):
        view = view or program_view(program)
        start = loan.maturity_date + dt.timedelta(days=1)
        decision = ctx.hook.riskshare_deadline(
            program=view, kind="overdue_filing", start=start, calendar=ctx.calendar
        )
        if decision is None:
            return  # the policy sets no filing deadline: none of its loans is late
        if decision.deadline.due > last:
            continue
        [explanation] = explanations_as_json([decision.explanation])
        institutions = [loan.lender_id] + ([loan.guarantor_id] if loan.guarantor_id else [])
        yield Finding(
            "overdue_filing",
            loan.id,
            loan.lender_id,
            start,
            decision.deadline.due,
            [explanation],
            tuple(Addressee(None, i) for i in institutions),
        )


def _reviewers(ctx: Context, claim: Claim) -> tuple[Addressee, ...]:
    """The roles whose review the claim waits for (the policy's ``riskshare_required_reviews``)."""
    program = ctx.session.get(Program, claim.program_id)
    assert program is not None
    roles = ctx.hook.riskshare_required_reviews(
        program=program_view(program),
        claim=claim_view(claim, document_kinds(ctx, "claim", claim.id)),
        facts=facts(ctx, program.id),
    ) or ["reviewer"]
    return tuple(Addressee(role, None) for role in roles)


def stage_of(due_on: dt.date, day: dt.date) -> str:
    if due_on < day:
        return LATE
    return DUE_TODAY if due_on == day else DUE_SOON


def deadline_explanation(
    ctx: Context, program: Program, finding: Finding, stage: str = LATE
) -> dict[str, Any]:
    """The rule and clause that set the deadline, saying in both languages what is due
    (``stage`` ``due_soon`` or ``due_today``) or late.

    The rule is the one recorded with the record (the explanation whose result is the due
    date), else the policy's answer asked again, else the core's generic wording."""
    rule = next((e for e in finding.stored if e.get("result") == finding.due_on.isoformat()), None)
    if rule is None:
        decision = ctx.hook.riskshare_deadline(
            program=program_view(program),
            kind=finding.kind,
            start=finding.start,
            calendar=ctx.calendar,
        )
        rule = decision.explanation.as_dict() if decision else {"rule": "", "clause": ""}
    _, zh, en = STEPS[finding.kind]
    zh, en = zh.format(id=finding.subject_id), en.format(id=finding.subject_id).capitalize()
    due = finding.due_on.isoformat()
    said = {
        LATE: (
            f"{zh}应于{due}前完成，至今未完成，已逾期。",
            f"{en} was due by {due} and has not been done.",
        ),
        DUE_TODAY: (f"{zh}应于今日（{due}）完成。", f"{en} is due today ({due})."),
        DUE_SOON: (f"{zh}应于{due}前完成，即将到期。", f"{en} is due by {due}."),
    }[stage]
    return {**rule, "result": stage, "passed": stage != LATE, "zh": said[0], "en": said[1]}


@job(SWEEP)
def deadline_sweep(ctx: Context, day: str) -> dict[str, Any]:
    """Record the tenant's missed deadlines of ``day`` as alerts; resolve those now met;
    remind the people who must act of each deadline due soon, today or missed."""
    on = dt.date.fromisoformat(day)
    ctx = dataclasses.replace(ctx, today=on)
    last = reminder_horizon(ctx, on)
    recorded = resolved = notified = 0
    for program in ctx.session.scalars(select(Program).order_by(Program.id)):
        open_alerts = {
            (a.kind, a.subject_id, a.due_on): a
            for a in ctx.session.scalars(
                select(DeadlineAlert).where(
                    DeadlineAlert.program_id == program.id, DeadlineAlert.resolved_on.is_(None)
                )
            )
        }
        for finding in due_by(ctx, program.id, last):
            stage = stage_of(finding.due_on, on)
            notified += remind(ctx, program, finding, stage, on)
            if stage != LATE:
                continue
            if open_alerts.pop((finding.kind, finding.subject_id, finding.due_on), None):
                continue  # found on an earlier day
            if _recorded_before(ctx, finding):
                continue  # resolved and overdue again under the same due date: one alert
            explanation = deadline_explanation(ctx, program, finding)
            ctx.session.add(
                DeadlineAlert(
                    program_id=program.id,
                    kind=finding.kind,
                    rule=str(explanation.get("rule") or ""),
                    subject_type=finding.subject_type,
                    subject_id=finding.subject_id,
                    institution_id=finding.institution_id,
                    due_on=finding.due_on,
                    found_on=on,
                    explanation=explanation,
                )
            )
            recorded += 1
        for alert in open_alerts.values():
            alert.resolved_on = on
            resolved += 1
    ctx.session.flush()
    return {"day": day, "recorded": recorded, "resolved": resolved, "notified": notified}


def reminder_horizon(ctx: Context, day: dt.date) -> dt.date:
    """The last due date a sweep on ``day`` reminds of: ``reminder_days`` working days on."""
    settings = (ctx.extra or {}).get("settings")
    days = getattr(settings, "reminder_days", DEFAULT_REMINDER_DAYS)
    return ctx.calendar.add_working_days(day, days).due if days else day


def remind(ctx: Context, program: Program, finding: Finding, stage: str, day: dt.date) -> int:
    """Send the stage's reminder of ``finding`` to each addressee that has not had it;
    return how many were sent now."""
    explanation = deadline_explanation(ctx, program, finding, stage)
    reminder = Reminder(
        program_id=program.id,
        kind=finding.kind,
        rule=str(explanation.get("rule") or ""),
        stage=stage,
        subject_type=finding.subject_type,
        subject_id=finding.subject_id,
        due_on=finding.due_on,
        explanation=explanation,
    )
    return sum(send(ctx, reminder, to, day) is not None for to in finding.addressees)


def _recorded_before(ctx: Context, finding: Finding) -> bool:
    return (
        ctx.session.scalar(
            select(DeadlineAlert.id).where(
                DeadlineAlert.kind == finding.kind,
                DeadlineAlert.subject_type == finding.subject_type,
                DeadlineAlert.subject_id == finding.subject_id,
                DeadlineAlert.due_on == finding.due_on,
            )
        )
        is not None
    )


def recorded_alerts(ctx: Context, program_id: int, day: dt.date) -> list[dict[str, Any]]:
    """The program's missed deadlines open on ``day``, as ``/monitoring`` lists alerts."""
    alerts = ctx.session.scalars(
        select(DeadlineAlert)
        .where(
            DeadlineAlert.program_id == program_id,
            DeadlineAlert.found_on <= day,
            (DeadlineAlert.resolved_on.is_(None)) | (DeadlineAlert.resolved_on > day),
        )
        .order_by(DeadlineAlert.due_on, DeadlineAlert.id)
    )
    return [
        {
            "code": f"deadline.{a.kind}",
            "severity": "action",
            "subject_type": a.subject_type,
            "subject_id": a.subject_id,
            "rule": a.rule,
            "due_on": a.due_on,
            "explanation": a.explanation,
            "data": {
                "kind": a.kind,
                "due_on": a.due_on.isoformat(),
                "found_on": a.found_on.isoformat(),
                "institution_id": a.institution_id,
            },
        }
        for a in alerts
    ]


def plan_deadline_sweeps(ext: Any) -> list[str]:
    """Ask every tenant for today's sweep if today is one of its working days; return the
    tenants asked. Hourly and idempotent: the day's key asks once."""
    with tenant_session(ext.db, None) as session:
        tenants = list(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))
    asked = []
    for tenant in tenants:
        with tenant_session(ext.db, tenant) as session:
            today = ext.clock.today()
            if not ext.calendar.calendar(session).is_working_day(today):
                continue
            enqueue(session, tenant, SWEEP, f"{SWEEP}:{today.isoformat()}", day=today)
            asked.append(tenant)
    return asked
