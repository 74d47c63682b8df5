"""The fund report: what the fund received, paid and got back in a period (X-19, Y-01).

The core's figures come from the ledger and the records; each policy appends its own
sections through ``riskshare_report_sections``. The same report is served as JSON and as an
.xlsx workbook (one sheet for the fund, one per policy section, and one listing the loans
registered in the period). A workbook of a program with many loans in the period is made by
a job (``riskshare.reports.jobs``) and stored as a document, like the reports the policies
store at each period end (``PolicyDescriptor.stored_reports``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from riskshare.auth.scope import program_roles
from riskshare.claims.models import Claim
from riskshare.context import Context
from riskshare.documents.models import Document
from riskshare.documents.service import document_of, documents_of, store_document
from riskshare.errors import Forbidden, Invalid
from riskshare.explain import explanations_as_json, jsonable
from riskshare.ledger import service as ledger
from riskshare.ledger.models import JournalEntry, Posting
from riskshare.loans.models import Loan
from riskshare.plugins.ask import program_of
from riskshare.plugins.manager import role_catalogue
from riskshare.plugins.types import Period, ProgramView
from riskshare.programs.facts import SessionFacts
from riskshare.programs.models import Program

BEGINNING = dt.date(1900, 1, 1)
ZERO = Decimal("0.00")
PERIOD = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>0[1-9]|1[0-2])|-H(?P<half>[12])|-Q(?P<q>[1-4]))?$"
)


def parse_period(text: str) -> Period:
    """``2022``, ``2022-H1``, ``2022-Q3`` or ``2022-03`` as a period of calendar dates."""
    match = PERIOD.match(text)
    if match is None:
        raise Invalid(
            f"'{text}' is not a period: use 2022, 2022-H1, 2022-Q3 or 2022-03.",
            errors=[{"pointer": "/period", "detail": "bad period"}],
            detail_zh=f"“{text}”不是报告期间：请使用 2022、2022-H1、2022-Q3 或 2022-03。",
        )
    year = int(match["year"])
    if match["month"]:
        first_month, months = int(match["month"]), 1
    elif match["half"]:
        first_month, months = 6 * (int(match["half"]) - 1) + 1, 6
    elif match["q"]:
        first_month, months = 3 * (int(match["q"]) - 1) + 1, 3
    else:
        first_month, months = 1, 12
    start = dt.date(year, first_month, 1)
    after = first_month + months
    end = (dt.date(year + (after > 12), (after - 1) % 12 + 1, 1)) - dt.timedelta(days=1)
    return Period(text, start, end)


def period_of(kind: str, day: dt.date) -> Period:
    """The report period of ``kind`` (``month``, ``quarter``, ``half``, ``year``) that ``day``
    falls in."""
    labels = {
        "month": f"{day.year}-{day.month:02d}",
        "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        "half": f"{day.year}-H{1 if day.month <= 6 else 2}",
        "year": str(day.year),
    }
    return parse_period(labels[kind])


def last_ended(kind: str, day: dt.date) -> Period:
    """The latest period of ``kind`` that has ended before ``day``."""
    return period_of(kind, period_of(kind, day).start - dt.timedelta(days=1))


def _fund_figures(ctx: Context, program_id: int, period: Period) -> dict[str, Any]:
    """The fund's flows, from one query of the debits booked up to the period's end."""
    debits = ctx.session.execute(
        select(Posting.account, JournalEntry.kind, JournalEntry.booked_on, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.program_id == program_id,
            Posting.amount > 0,
            JournalEntry.booked_on <= period.end,
            (Posting.account == "fund:pool")
            | Posting.account.startswith("payable:")
            | (JournalEntry.kind == "recovery_returned"),
        )
        .group_by(Posting.account, JournalEntry.kind, JournalEntry.booked_on)
        .order_by(Posting.account)
    ).all()

    def flow(account: str, since: dt.date, kind: str | None = None) -> Decimal:
        return sum(
            (
                Decimal(total)
                for acc, k, day, total in debits
                if acc == account and day >= since and kind in (None, k)
            ),
            ZERO,
        ).quantize(ZERO)

    def payments(since: dt.date) -> dict[str, Decimal]:
        """Paid out by kind: debits on the ``payable:<kind>`` accounts."""
        paid: dict[str, Decimal] = {}
        for account, _, day, total in debits:
            if account.startswith("payable:") and day >= since:
                kind = account.split(":", 1)[1]
                paid[kind] = (paid.get(kind, ZERO) + Decimal(total)).quantize(ZERO)
        return paid

    def remitted(since: dt.date) -> dict[str, Decimal]:
        """Recoveries sent elsewhere than the pool, by the account the policy names."""
        sent: dict[str, Decimal] = {}
        for account, kind, day, total in debits:
            if kind == "recovery_returned" and account != "fund:pool" and day >= since:
                sent[account] = (sent.get(account, ZERO) + Decimal(total)).quantize(ZERO)
        return sent

    year_start = dt.date(period.end.year, 1, 1)
    return {
        "appropriated_to_date": flow("fund:pool", BEGINNING, "appropriation"),
        "paid_in_period": payments(period.start),
        "paid_year_to_date": payments(year_start),
        "paid_to_date": payments(BEGINNING),
        "returned_to_pool_in_period": flow("fund:pool", period.start, "recovery_returned"),
        "returned_to_pool_to_date": flow("fund:pool", BEGINNING, "recovery_returned"),
        "remitted_in_period": remitted(period.start),
        "remitted_to_date": remitted(BEGINNING),
        "pool_balance_at_end": ledger.balance(
            ctx.session, program_id, "fund:pool", between=(BEGINNING, period.end)
        ),
    }


def _count(ctx: Context, model: type, *where: Any) -> int:
    return ctx.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _activity(ctx: Context, program_id: int, period: Period) -> dict[str, Any]:
    in_period = (period.start, period.end)
    covered = select(func.count(), func.coalesce(func.sum(Loan.principal), 0)).where(
        Loan.program_id == program_id, Loan.covered.is_(True), Loan.issue_date.between(*in_period)
    )
    count, principal = ctx.session.execute(covered).one()
    return {
        "loans_registered": _count(
            ctx, Loan, Loan.program_id == program_id, Loan.issue_date.between(*in_period)
        ),
        "loans_covered": count,
        "covered_principal": Decimal(principal).quantize(Decimal("0.01")),
        "claims_submitted": _count(
            ctx, Claim, Claim.program_id == program_id, Claim.submitted_on.between(*in_period)
        ),
        "claims_reviewed": _count(
            ctx, Claim, Claim.program_id == program_id, Claim.reviewed_on.between(*in_period)
        ),
        # Submitted by the period's end and not yet reviewed then (whatever it is now).
        "claims_awaiting_review": _count(
            ctx,
            Claim,
            Claim.program_id == program_id,
            Claim.state != "withdrawn",
            Claim.submitted_on <= period.end,
            (Claim.reviewed_on.is_(None)) | (Claim.reviewed_on > period.end),
        ),
    }


# Who reads a program's report unless its policy names others (riskshare_transition_roles,
# record "report", transition "read"), besides the program's payers.
REPORT_READERS = ("office", "approver", "finance", "auditor")


def check_report_reader(ctx: Context, pview: ProgramView) -> None:
    """403 unless the caller holds a role that reads the program's reports."""
    named = ctx.hook.riskshare_transition_roles(program=pview, record="report", transition="read")
    allowed = set(named or REPORT_READERS) | role_catalogue(ctx.pm).payers(pview.policy)
    roles = program_roles(ctx, pview)
    if not roles & allowed:
        raise Forbidden(
            f"This program's reports are read by {sorted(allowed)}; you have"
            f" {sorted(roles) or 'none'} in it.",
            kind="forbidden-role",
            detail_zh=f"本项目的资金报告由以下角色查阅：{'、'.join(sorted(allowed))}；"
            f"您在本项目中的角色：{'、'.join(sorted(roles)) or '无'}。",
        )


def fund_report(ctx: Context, program_id: int, period_text: str) -> dict[str, Any]:
    program, pview = program_of(ctx, program_id)
    check_report_reader(ctx, pview)
    return compose(ctx, program, pview, parse_period(period_text))


def compose(ctx: Context, program: Program, pview: ProgramView, period: Period) -> dict[str, Any]:
    """The report of ``period``, for a caller already allowed to read it (a reader, or the
    period-close and report jobs, which store it for the readers)."""
    # As the fund stood at the period's end: the report reads the same whenever it is run.
    as_of = SessionFacts(ctx.session, program.id, min(period.end, ctx.today), as_of=period.end)
    sections = [
        section
        for batch in ctx.hook.riskshare_report_sections(program=pview, period=period, facts=as_of)
        for section in batch
    ]
    return {
        "program_id": program.id,
        "program": program.name,
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "generated_on": ctx.today,
        "fund_total": program.fund_total,
        "fund": jsonable(_fund_figures(ctx, program.id, period)),
        "activity": jsonable(_activity(ctx, program.id, period)),
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "columns": list(s.columns),
                "headings": dict(s.headings),
                "rows": [jsonable(dict(r)) for r in s.rows],
                "explanations": explanations_as_json(list(s.explanations)),
            }
            for s in sections
        ],
    }


# The loans sheet: what each loan registered in the period was at its registration, so the
# sheet reads the same whenever the report is run (its columns: layout.LOAN_COLUMNS).
LOAN_BATCH = 2000  # loans read (and progress reported) at a time


def loans_in_period(ctx: Context, program_id: int, period: Period) -> int:
    """How many loans of the program were issued in the period: the loans sheet's rows."""
    return _count(
        ctx,
        Loan,
        Loan.program_id == program_id,
        Loan.issue_date.between(period.start, period.end),
    )


def loan_rows(ctx: Context, program_id: int, period: Period) -> Iterator[list[Any]]:
    """The loans sheet's rows, by issue date and id, read in batches (keyset paging) so a
    year of 100,000 loans never sits in memory as ORM objects."""
    from riskshare.institutions.models import Institution

    codes = {i: code for i, code in ctx.session.execute(select(Institution.id, Institution.code))}
    after: tuple[dt.date, int] | None = None
    while True:
        query = (
            select(
                Loan.id,
                Loan.reference,
                Loan.lender_id,
                Loan.guarantor_id,
                Loan.kind,
                Loan.principal,
                Loan.issue_date,
                Loan.maturity_date,
                Loan.covered,
            )
            .where(Loan.program_id == program_id, Loan.issue_date.between(period.start, period.end))
            .order_by(Loan.issue_date, Loan.id)
            .limit(LOAN_BATCH)
        )
        if after is not None:
            query = query.where(
                (Loan.issue_date > after[0])
                | ((Loan.issue_date == after[0]) & (Loan.id > after[1]))
            )
        batch = ctx.session.execute(query).all()
        for lid, ref, lender, guarantor, kind, principal, issued, matures, covered in batch:
            yield [
                lid,
                ref,
                codes.get(lender),
                codes.get(guarantor) if guarantor else None,
                kind,
                principal,
                issued,
                matures,
                covered,
            ]
        if len(batch) < LOAN_BATCH:
            return
        after = (batch[-1].issue_date, batch[-1].id)


def as_xlsx(
    report: dict[str, Any],
    loans: Iterator[list[Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The report as a formatted workbook (``riskshare.reports.xlsx``): the fund's figures,
    each section on its own sheet, and ``loans`` (``loan_rows``) on the last, written row by
    row; ``progress(rows)`` is told every batch."""
    from riskshare.reports.layout import lay_out
    from riskshare.reports.xlsx import write_xlsx

    return write_xlsx(lay_out(report, loans), progress)


def as_pdf(
    report: dict[str, Any],
    loans: Iterator[list[Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The report as a PDF (``riskshare.reports.pdf``), the same tables as the workbook."""
    from riskshare.reports.layout import lay_out
    from riskshare.reports.pdf import write_pdf

    return write_pdf(lay_out(report, loans), progress)


# ------------------------------------------------------------------------ stored reports

# Stored reports are documents of their program, one kind per period label.
STORED_OWNER = "program_report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
MEDIA_TYPES = {"xlsx": XLSX, "pdf": PDF}
WRITERS = {"xlsx": as_xlsx, "pdf": as_pdf}


def _stored_kind(label: str) -> str:
    return f"fund-report:{label}"


def store_report(
    ctx: Context, program_id: int, period: Period, content: bytes, fmt: str = "xlsx"
) -> Document:
    """Keep a generated workbook (or PDF) of ``period`` for the program's report readers."""
    return store_document(
        ctx,
        STORED_OWNER,
        program_id,
        _stored_kind(period.label),
        f"fund-report-{program_id}-{period.label}.{fmt}",
        MEDIA_TYPES[fmt],
        content,
    )


def stored_of_period(
    ctx: Context, program_id: int, label: str, fmt: str = "xlsx"
) -> Document | None:
    """The first workbook (or PDF) stored for the period (the period close's), if any."""
    return ctx.session.scalar(
        select(Document)
        .where(
            Document.owner_type == STORED_OWNER,
            Document.owner_id == program_id,
            Document.kind == _stored_kind(label),
            Document.content_type == MEDIA_TYPES[fmt],
        )
        .order_by(Document.id)
        .limit(1)
    )


def stored_reports(ctx: Context, program_id: int) -> list[dict[str, Any]]:
    """The program's stored workbooks, oldest first, for its report readers."""
    _, pview = program_of(ctx, program_id)
    check_report_reader(ctx, pview)
    return [
        {
            "id": doc.id,
            "period": doc.kind.split(":", 1)[1],
            "filename": doc.filename,
            "content_type": doc.content_type,
            "size": doc.size,
            "sha256": doc.sha256,
            "made_by": doc.uploaded_by,
            "created_at": doc.created_at,
        }
        for doc in documents_of(ctx, STORED_OWNER, program_id)
    ]


def stored_report(ctx: Context, program_id: int, document_id: int) -> Document:
    """One stored workbook (404 unless it is this program's); the route records the read."""
    _, pview = program_of(ctx, program_id)
    check_report_reader(ctx, pview)
    doc = document_of(ctx, STORED_OWNER, program_id, document_id)
    return doc
