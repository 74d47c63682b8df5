"""Reports as jobs: a workbook too large to make inside a request is made by a worker,
stored as a document, and downloaded when it is ready.

``POST /programs/<id>/reports`` asks for the job through the outbox (in the request's
transaction) and answers 202 with the job resource; the job writes its progress (loans
written of the loans in the period) to its RQ job as it goes, and stores the workbook where
the period close stores its reports (``GET /programs/<id>/reports/stored``). Below
``RISKSHARE_SYNC_REPORT_MAX_LOANS`` loans the synchronous ``GET .../reports/<period>`` still
answers with the workbook itself.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_access
from riskshare.context import Context
from riskshare.errors import Conflict
from riskshare.jobs.models import DONE, FAILED, JobRun, OutboxJob
from riskshare.jobs.outbox import enqueue
from riskshare.jobs.registry import job
from riskshare.jobs.status import report_progress, rq_progress
from riskshare.plugins.ask import program_of
from riskshare.reports import service
from riskshare.services import not_found

REPORT_JOB = "fund-report"


def fund_file(
    ctx: Context, program_id: int, period_text: str, fmt: str, max_loans: int, job_path: str
) -> bytes:
    """The period's workbook (``fmt`` ``xlsx``) or PDF (``pdf``), made now; a 409 naming the
    job to ask for (``POST job_path``) when the period has more than ``max_loans`` loans: a
    slow file never holds a web request."""
    program, pview = program_of(ctx, program_id)
    service.check_report_reader(ctx, pview)
    period = service.parse_period(period_text)
    loans = service.loans_in_period(ctx, program.id, period)
    if loans > max_loans:
        raise Conflict(
            f"Period {period.label} has {loans} loans, more than {max_loans} are made into a"
            f' {fmt} file inside a request: POST {{"period": "{period.label}", "format":'
            f' "{fmt}"}} to'
            f" {job_path} to have it made by a job, and download it when it is ready.",
            kind="report-too-large",
            detail_zh=f"{period.label} 期间有 {loans} 笔贷款，超过请求内生成文件的上限"
            f" {max_loans} 笔：请向 {job_path} 提交 POST"
            f' {{"period": "{period.label}", "format": "{fmt}"}}，由后台任务生成，完成后下载。',
            extra={
                "loans": loans,
                "limit": max_loans,
                "job": {
                    "method": "POST",
                    "path": job_path,
                    "body": {"period": period.label, "format": fmt},
                },
            },
        )
    report = service.compose(ctx, program, pview, period)
    return service.WRITERS[fmt](report, service.loan_rows(ctx, program.id, period), None)


def request_report(ctx: Context, program_id: int, period_text: str, fmt: str = "xlsx") -> OutboxJob:
    """Ask for the period's workbook (or PDF: ``fmt`` ``pdf``) as a job (in the caller's
    transaction)."""
    program, pview = program_of(ctx, program_id)
    service.check_report_reader(ctx, pview)
    period = service.parse_period(period_text)
    record_access(ctx, "fund_report", f"{program.id}:{period.label}", action="request")
    # Each request is its own job: a report asked for again later reads the ledger again.
    return enqueue(
        ctx.session,
        ctx.tenant,
        REPORT_JOB,
        f"{REPORT_JOB}:{program.id}:{period.label}:{uuid.uuid4().hex}",
        program_id=program.id,
        period=period.label,
        format=fmt,
        requested_by=ctx.actor,
        loans=service.loans_in_period(ctx, program.id, period),
    )


@job(REPORT_JOB)
def make_report(
    ctx: Context, program_id: int, period: str, requested_by: str, loans: int, format: str = "xlsx"
) -> dict[str, Any]:
    """Make and store the workbook (or PDF) of ``period``; its progress is the loans written.
    (``format`` is the job's argument's name; jobs asked before PDFs existed have none.)"""
    program, pview = program_of(ctx, program_id)
    closed = service.parse_period(period)
    total = service.loans_in_period(ctx, program.id, closed)
    report = service.compose(ctx, program, pview, closed)
    written = 0

    def progress(rows: int) -> None:
        nonlocal written
        written = rows
        report_progress(rows, total)

    content = service.WRITERS[format](report, service.loan_rows(ctx, program.id, closed), progress)
    document = service.store_report(ctx, program.id, closed, content, format)
    return {"document_id": document.id, "rows": written, "total": total}


def report_job(ctx: Context, program_id: int, job_id: int, connection: Any) -> dict[str, Any]:
    """The job resource: state, percent done, rows written, and the document when done."""
    _, pview = program_of(ctx, program_id)
    service.check_report_reader(ctx, pview)
    row = ctx.session.scalar(
        select(OutboxJob).where(OutboxJob.id == job_id, OutboxJob.job_name == REPORT_JOB)
    )
    if row is None or (row.args or {}).get("program_id") != program_id:
        raise not_found("report job", job_id)
    return describe(ctx, row, connection)


def describe(ctx: Context, row: OutboxJob, connection: Any) -> dict[str, Any]:
    args = dict(row.args or {})
    total = int(args.get("loans") or 0)
    rows, document_id = 0, None
    if row.state == DONE:
        result = ctx.session.scalar(select(JobRun.result).where(JobRun.key == row.key)) or {}
        state, rows, total = "done", result.get("rows", 0), result.get("total", total)
        document_id = result.get("document_id")
    elif row.state == FAILED:
        state = "failed"
    else:
        rq_status, progress = rq_progress(row, connection)
        state = {"started": "running", "failed": "failed"}.get(rq_status or "", "queued")
        rows, total = progress.get("rows", 0), progress.get("total", total)
    percent = 100 if state == "done" else (rows * 100 // total if total else 0)
    return {
        "id": row.id,
        "program_id": args.get("program_id"),
        "period": args.get("period"),
        "format": args.get("format", "xlsx"),
        "requested_by": args.get("requested_by"),
        "requested_at": row.created_at,
        "state": state,
        "percent": percent,
        "rows": rows,
        "total_rows": total,
        "attempts": row.attempts,
        "error": row.last_error,
        "document_id": document_id,
    }
