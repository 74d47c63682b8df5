"""The fund report: what the fund received, paid and got back in a period (X-19, Y-01).

The core's figures come from the ledger and the records; each policy appends its own
sections through ``riskshare_report_sections``. The same report is served as JSON and as an
.xlsx workbook (one sheet for the fund, one per policy section).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from riskshare.claims.models import Claim
from riskshare.context import Context
from riskshare.errors import Forbidden, Invalid
from riskshare.explain import explanations_as_json, jsonable
from riskshare.ledger import service as ledger
from riskshare.ledger.models import JournalEntry, Posting
from riskshare.loans.models import Loan
from riskshare.plugins.ask import program_of
from riskshare.plugins.manager import role_catalogue
from riskshare.plugins.types import Period, ProgramView
from riskshare.programs.facts import SessionFacts

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
    if not ctx.roles & allowed:
        raise Forbidden(
            f"This program's reports are read by {sorted(allowed)}; you have"
            f" {sorted(ctx.roles) or 'none'}.",
            kind="forbidden-role",
        )


def fund_report(ctx: Context, program_id: int, period_text: str) -> dict[str, Any]:
    program, pview = program_of(ctx, program_id)
    check_report_reader(ctx, pview)
    period = parse_period(period_text)
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
                "rows": [jsonable(dict(r)) for r in s.rows],
                "explanations": explanations_as_json(list(s.explanations)),
            }
            for s in sections
        ],
    }


def as_xlsx(report: dict[str, Any]) -> bytes:
    """The report as a workbook: the fund's figures on one sheet, each section on its own.

    Every cell goes through ``_cell``: text stored before control characters were refused at
    the API, or by a plugin's own table, must not make the whole report fail.
    """
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = "Fund"

    def put(table: Any, values: list[Any]) -> None:
        table.append([_cell(value) for value in values])

    put(sheet, ["program", report["program"]])
    put(sheet, ["period", report["period"], str(report["start"]), str(report["end"])])
    put(sheet, ["fund_total", str(report["fund_total"])])
    for group in ("fund", "activity"):
        for key, value in report[group].items():
            if isinstance(value, dict):  # payments by kind
                for kind, amount in value.items():
                    put(sheet, [f"{key}.{kind}", amount])
            else:
                put(sheet, [key, value])
    for section in report["sections"]:
        table = book.create_sheet(_sheet_title(section["key"]))
        put(table, [section["title"]])
        put(table, section["columns"])
        for row in section["rows"]:
            put(table, [row.get(column) for column in section["columns"]])
        for explanation in section["explanations"]:
            put(table, [explanation["rule"], explanation["clause"], explanation["en"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str | int | bool) and value is not None:
        value = str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _sheet_title(key: str) -> str:
    """A worksheet title: at most 31 characters, none of []:*?/\\ nor control characters."""
    return re.sub(r"[\[\]:*?/\\\x00-\x1f]", "_", str(key))[:31] or "section"
