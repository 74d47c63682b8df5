"""The custodian's own reports (Y-01, 二(二) and 五): every half year the pool's changes, to the
DRC; by 31 May last year's operating report (or audit report), to the DRC and the finance
bureau. Each is a record with its due date, filed once by the custodian; monitoring shows
one still missing after its due date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from riskshare.toolkit import (
    Alert,
    Context,
    Forbidden,
    ProgramView,
    already_done,
    explanations_as_json,
    facts,
    on_effective_date,
)
from riskshare_yanqing.explain import check
from riskshare_yanqing.models import CustodianReport, FundEvent
from riskshare_yanqing.store import invalid, save, yanqing_program

HALF_YEARLY, ANNUAL = "half_yearly", "annual"
KINDS = (HALF_YEARLY, ANNUAL)
KIND_ZH = {
    HALF_YEARLY: "风险补偿资金变化情况报告（半年）",
    ANNUAL: "上年度风险补偿资金运营管理工作报告（或审计报告）",
}
KIND_EN = {
    HALF_YEARLY: "half-yearly report on the pool's changes",
    ANNUAL: "annual operating report (or audit report)",
}
PERIOD_FORMS = {HALF_YEARLY: re.compile(r"^(\d{4})-H([12])$"), ANNUAL: re.compile(r"^(\d{4})$")}
# Who reads every filed report: the DRC, the finance bureau and the auditor (五); the
# custodian reads its own.
READERS = ("office", "reviewer", "finance", "auditor")
# Monitoring reminds the custodian of a report this many days before it is due (a reminder,
# not a rule of the text: being late is what the text forbids).
REMINDER_DAYS = 30


@dataclass(frozen=True)
class ReportPeriod:
    """What one report covers and when it is due."""

    kind: str
    label: str
    start: dt.date
    end: dt.date
    due_on: dt.date

    @property
    def zh(self) -> str:
        """The period in Chinese: 2025 年上半年, 2025 年下半年, 2025 年度."""
        year = self.start.year
        if self.kind == ANNUAL:
            return f"{year} 年度"
        return f"{year} 年{'上' if self.start.month == 1 else '下'}半年"


def report_period(config: Any, kind: str, label: str) -> ReportPeriod:
    """The period ``label`` names for a report of ``kind``, with its due date: a half year
    (``2025-H1``) is due ``half_yearly_report_days`` after its end; a year (``2025``) on
    ``annual_report_due`` (MM-DD) of the next year. A label of the wrong form is a 422."""
    match = PERIOD_FORMS[kind].match(label)
    if match is None:
        form = "2025-H1 or 2025-H2" if kind == HALF_YEARLY else "2025"
        raise invalid(
            f"'{label}' is not a period of a {KIND_EN[kind]}: use {form}.", "/period", "bad period"
        )
    year = int(match[1])
    if kind == HALF_YEARLY:
        first = int(match[2]) == 1
        start = dt.date(year, 1 if first else 7, 1)
        end = dt.date(year, 6, 30) if first else dt.date(year, 12, 31)
        due = end + dt.timedelta(days=config["half_yearly_report_days"])
    else:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        month, day = (int(x) for x in config["annual_report_due"].split("-"))
        due = dt.date(year + 1, month, day)
    return ReportPeriod(kind, label, start, end, due)


def expected_reports(program: ProgramView, day: dt.date) -> Iterator[ReportPeriod]:
    """Every report owed for a period from the program's start that is over by ``day``."""
    for year in range(program.effective_from.year, day.year + 1):
        halves = (report_period(program.config, HALF_YEARLY, f"{year}-H{half}") for half in (1, 2))
        for period in (*halves, report_period(program.config, ANNUAL, str(year))):
            if period.end >= program.effective_from and period.end < day:
                yield period


# ------------------------------------------------------------------------------ filing


def file_report(ctx: Context, program_id: int, data: dict[str, Any]) -> CustodianReport:
    """The custodian files one of its reports: after its period ends (``effective_on``, the
    day it was filed, no earlier), once per kind and period (a repeat is a 409 naming the
    first; the unique key backs it). Filed after its due date, it is recorded as late."""
    pview = yanqing_program(ctx, program_id, lock=True)
    custodian = facts(ctx, program_id).institution_or_none(ctx.institution_id)
    if custodian is None or custodian.kind != "custodian":
        raise Forbidden(
            "Only the custodian (资金托管机构), acting for its institution, files its reports.",
            kind="forbidden-institution",
        )
    period = report_period(pview.config, data["kind"], data["period"])
    if period.end < pview.effective_from:
        raise invalid(
            f"The period {period.label} ended before the program started ({pview.effective_from}).",
            "/period",
            "before the program",
        )
    after_period = period.end + dt.timedelta(days=1)
    ctx = on_effective_date(
        ctx,
        data.get("effective_on"),
        not_before=after_period,
        previous=f"the end of {period.label}",
    )
    if ctx.today <= period.end:
        raise invalid(
            f"The {KIND_EN[period.kind]} on {period.label} is filed after the period ends"
            f" ({period.end}).",
            "/period",
            "period not over",
        )
    first = ctx.session.scalar(
        select(CustodianReport).where(
            CustodianReport.program_id == program_id,
            CustodianReport.kind == period.kind,
            CustodianReport.period == period.label,
        )
    )
    if first is not None:
        raise already_done(
            f"The {KIND_EN[first.kind]} on {first.period} was filed on {first.filed_on} by"
            f" {first.filed_by}: report {first.id} ({first.document_reference}).",
            custodian_report_id=first.id,
        )
    on_time = ctx.today <= period.due_on
    why = check(
        "Y-01",
        on_time,
        f"资金托管机构 {custodian.name} 于 {ctx.today} 报送 {period.zh}{KIND_ZH[period.kind]}，"
        f"应于 {period.due_on} 前报送" + ("。" if on_time else "，已逾期。"),
        f"{custodian.name} filed its {KIND_EN[period.kind]} on {period.label} on {ctx.today},"
        f" due by {period.due_on}" + ("." if on_time else ": late."),
        threshold=period.due_on,
        kind=period.kind,
        period=period.label,
        filed_on=ctx.today,
    )
    report = CustodianReport(
        program_id=program_id,
        custodian_id=custodian.id,
        kind=period.kind,
        period=period.label,
        due_on=period.due_on,
        filed_on=ctx.today,
        filed_by=ctx.actor,
        document_reference=data["document_reference"],
        summary=data.get("summary") or "",
        late=not on_time,
        explanation=explanations_as_json([why]),
    )
    return save(ctx, "yanqing.custodian_report", report)


def visible_reports(ctx: Context, program_id: int, kind: str | None = None) -> Select[Any]:
    """The program's custodian reports, oldest period first; a custodian sees those its
    institution filed."""
    yanqing_program(ctx, program_id)
    query = select(CustodianReport).where(CustodianReport.program_id == program_id)
    if kind is not None:
        query = query.where(CustodianReport.kind == kind)
    if "custodian" in ctx.roles and not ctx.roles & set(READERS):
        query = query.where(CustodianReport.custodian_id == ctx.institution_id)
    return query.order_by(CustodianReport.period, CustodianReport.kind, CustodianReport.id)


# ------------------------------------------------------------------------------ monitoring


def _filed_by(s: Session, program_id: int, day: dt.date) -> set[tuple[str, str]]:
    """(kind, period) of every report filed on or before ``day``; annual reports recorded
    as fund events before yanqing_0004 count as filed."""
    filed = {
        (kind, period)
        for kind, period in s.execute(
            select(CustodianReport.kind, CustodianReport.period).where(
                CustodianReport.program_id == program_id, CustodianReport.filed_on <= day
            )
        )
    }
    legacy = s.scalars(
        select(FundEvent.reference).where(
            FundEvent.program_id == program_id,
            FundEvent.kind == "annual_report",
            FundEvent.booked_on <= day,
        )
    )
    return filed | {(ANNUAL, year) for year in legacy}


def report_alerts(s: Session, program: ProgramView, day: dt.date) -> list[Alert]:
    """Y-01: a report not filed by its due date is overdue from the next day (an action for
    the DRC); within ``REMINDER_DAYS`` before it, it is due (a warning)."""
    filed = _filed_by(s, program.id, day)
    alerts = []
    for period in expected_reports(program, day):
        if (period.kind, period.label) in filed:
            continue
        overdue = day > period.due_on
        if not overdue and day < period.due_on - dt.timedelta(days=REMINDER_DAYS):
            continue
        why = check(
            "Y-01",
            False,
            f"资金托管机构应于 {period.due_on} 前报送 {period.zh}{KIND_ZH[period.kind]}"
            + ("，逾期未报。" if overdue else "，尚未报送。"),
            f"The custodian's {KIND_EN[period.kind]} on {period.label} is due by"
            f" {period.due_on}" + (" and overdue." if overdue else " and not filed yet."),
            threshold=period.due_on,
            kind=period.kind,
            period=period.label,
        )
        alerts.append(
            Alert(
                "yanqing-custodian-report-overdue" if overdue else "yanqing-custodian-report-due",
                "action" if overdue else "warning",
                "program",
                program.id,
                why,
                {"kind": period.kind, "period": period.label, "due_on": period.due_on.isoformat()},
            )
        )
    return alerts
