"""Bulk import of loans: an upload asks for a job; the job registers each row through the
same service as ``POST /loans`` (the program's policy decides coverage, each loan audited).

A row is keyed by its lender and the lender's loan reference: a row whose loan is
registered already is counted as existing and changes nothing, so importing the same file
again creates nothing new. A row that cannot be registered is reported with its
spreadsheet row, its column and a message in Chinese and English.

Modes: ``valid_rows`` registers the good rows in batches, each batch one transaction that
also commits the import's progress, so a worker killed mid-file resumes after the last
committed batch. ``all_or_nothing`` registers every row in the job's own transaction and
rolls all of it back if one row is bad.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma
from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from riskshare.audit.events import record_event
from riskshare.audit.service import AuditBuffer
from riskshare.auth.principal import Principal
from riskshare.context import Context
from riskshare.db import Database, tenant_session
from riskshare.db.types import UNSTORABLE, utcnow
from riskshare.errors import DomainError
from riskshare.firms.models import Firm
from riskshare.imports.models import (
    ALL_OR_NOTHING,
    DONE,
    QUEUED,
    RUNNING,
    VALID_ROWS,
    Import,
)
from riskshare.imports.table import (
    ATTRIBUTE_PREFIX,
    Column,
    annotate,
    loan_columns,
    match_header,
    read_table,
)
from riskshare.institutions.models import Institution
from riskshare.jobs import enqueue, job
from riskshare.loans.models import Loan
from riskshare.loans.schemas import LoanIn
from riskshare.loans.service import register_loan
from riskshare.programs.facts import remember_standings
from riskshare.programs.models import Program
from riskshare.services import get_or_404, not_found

IMPORT_JOB = "import.loans"
# Who may import: who registers loans (POST /loans), and the office, which loads a fund's
# history.
UPLOADERS = ("lender", "guarantor", "office")
BATCH_ROWS = 500  # rows per transaction in valid-rows mode, and per progress step
MAX_ROWS = 100_000  # rows per file; larger files are split
MAX_ERRORS = 10_000  # row errors kept; the count goes on
VALUE_SHOWN = 200  # characters of a bad cell repeated in its error

# The institution columns and the LoanIn field each fills with the institution's id.
INSTITUTION_COLUMNS = {
    "lender_code": "lender_id",
    "guarantor_code": "guarantor_id",
    "insurer_code": "insurer_id",
}
# A service error's pointer -> the column that holds what it points at.
FIELD_COLUMNS = {
    "firm_id": "firm_uscc",
    **{field: column for column, field in INSTITUTION_COLUMNS.items()},
}


# ----------------------------------------------------------------------------- uploading


def create_import(
    ctx: Context, *, program_id: int, mode: str, filename: str, content: bytes
) -> Import:
    """Keep the file and ask for its job; 422 at once if it is not a table with the
    program's columns (a file that cannot be read never reaches the worker)."""
    program = get_or_404(ctx, Program, program_id, "program")
    fmt = file_format(content)
    match_header(
        read_table(content, fmt, max_rows=MAX_ROWS, header_only=True).header,
        loan_columns(ctx.pm, program.policy),
    )
    imported = Import(
        program_id=program.id,
        kind="loans",
        mode=mode,
        format=fmt,
        filename=UNSTORABLE.sub("", filename)[:255] or f"loans.{fmt}",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=ctx.actor,
        uploader_roles=sorted(ctx.roles),
        institution_id=ctx.institution_id,
        backdate_limit_days=ctx.extra.get("backdate_limit_days"),
        state=QUEUED,
        errors=[],
    )
    ctx.session.add(imported)
    ctx.session.flush()
    imported.outbox_id = enqueue(
        ctx.session, ctx.tenant, IMPORT_JOB, f"import:{imported.id}", import_id=imported.id
    ).id
    record_event(ctx, "import.upload", imported, after=_described(imported))
    return imported


def _described(imported: Import) -> dict[str, Any]:
    return {
        "program_id": imported.program_id,
        "mode": imported.mode,
        "format": imported.format,
        "filename": imported.filename,
        "size": imported.size,
        "sha256": imported.sha256,
        "institution_id": imported.institution_id,
        "outbox_id": imported.outbox_id,
    }


def file_format(content: bytes) -> str:
    """xlsx (a zip) or csv, by the content, whatever the file's name says."""
    return "xlsx" if content[:4] == b"PK\x03\x04" else "csv"


def visible_imports(ctx: Context) -> Any:
    """Imports the caller may see: an institution's user sees its institution's only."""
    query = select(Import).order_by(Import.id.desc())
    if ctx.institution_id is not None:
        query = query.where(Import.institution_id == ctx.institution_id)
    return query


def get_import(ctx: Context, import_id: int) -> Import:
    found = ctx.session.scalar(visible_imports(ctx).where(Import.id == import_id))
    if found is None:
        raise not_found("import", import_id)
    return found


def template_columns(ctx: Context, program_id: int) -> list[Column]:
    program = get_or_404(ctx, Program, program_id, "program")
    return loan_columns(ctx.pm, program.policy)


# ----------------------------------------------------------------------------- the job


@job(IMPORT_JOB)
def run_import_job(ctx: Context, import_id: int) -> dict[str, Any]:
    return run_import(ctx, import_id)


def run_import(job_ctx: Context, import_id: int) -> dict[str, Any]:
    """Register the import's rows (see the module's docstring); return its summary.

    ``job_ctx.session`` is the job runner's transaction, committed with the job's
    ``job_runs`` row. On PostgreSQL, valid-rows batches commit in sessions of their own,
    and progress is written beside the running transaction; SQLite has one writer at a
    time, so there everything happens in the job's transaction and progress shows at the
    end.
    """
    db: Database = job_ctx.extra["database"]
    separate = db.is_postgres
    with _session(db, job_ctx, separate) as session:
        imported = session.get_one(Import, import_id, populate_existing=True)
        if imported.state == DONE:  # a retry after the import committed: nothing to do
            return summary(imported)
        program = session.get_one(Program, imported.program_id)
        columns = loan_columns(job_ctx.pm, program.policy)
        table = read_table(imported.content, imported.format, max_rows=MAX_ROWS)
        matched = match_header(table.header, columns)
        run = _Run(job_ctx, imported, program, matched, table.rows)
        imported.state = RUNNING
        imported.started_at = imported.started_at or utcnow()
        imported.total_rows = len(table.rows)
        if imported.mode == ALL_OR_NOTHING or not separate:
            # Nothing of an earlier attempt committed: count from the start.
            imported.rows_processed = imported.created_count = 0
            imported.existing_count = imported.error_count = 0
            imported.errors = []
    if imported.mode == VALID_ROWS and separate:
        return _valid_rows_in_batches(db, run)
    return _in_one_transaction(db, job_ctx.session, run, separate)


def _session(db: Database, job_ctx: Context, separate: bool) -> Any:
    """A session of its own, committed at once (PostgreSQL), or the job's (SQLite)."""
    if separate:
        return tenant_session(db, job_ctx.tenant)
    return _borrowed(job_ctx.session)


class _borrowed:
    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc: object) -> None:
        self.session.flush()


@dataclasses.dataclass
class _Run:
    """One run of an import's job: what it reads, and the duplicates the file holds."""

    job_ctx: Context
    imported: Import
    program: Program
    matched: list[Column | None]
    rows: list[tuple[int, list[str | None]]]

    def __post_init__(self) -> None:
        self.import_id = self.imported.id
        self.mode = self.imported.mode
        self.uploader = Principal(
            subject=self.imported.uploaded_by, username=self.imported.uploaded_by
        )
        # A row naming the same lender and reference as an earlier row of the file: the
        # file's own mistake, reported whatever the database holds.
        self.first_of: dict[tuple[str, str], int] = {}
        self.repeats: dict[int, int] = {}
        for number, cells in self.rows:
            values = self.values(cells)
            key = (values.get("lender_code") or "", values.get("reference") or "")
            if all(key):
                first = self.first_of.setdefault(key, number)
                if first != number:
                    self.repeats[number] = first

    def values(self, cells: Sequence[str | None]) -> dict[str, str]:
        return {
            column.key: cell
            for column, cell in zip(self.matched, cells, strict=False)
            if column is not None and cell is not None
        }

    def row_context(self, session: Session, buffer: AuditBuffer | None) -> Context:
        """The uploader's context: each row is registered as they would register it (its
        audit events wait in ``buffer``; None: appended at once)."""
        job_ctx = self.job_ctx
        remember_standings(session)
        return dataclasses.replace(
            job_ctx,
            session=session,
            principal=self.uploader,
            roles=frozenset(self.imported.uploader_roles),
            institution_id=self.imported.institution_id,
            extra={"backdate_limit_days": self.imported.backdate_limit_days},
            audit_buffer=buffer,
        )


@dataclasses.dataclass
class _Tally:
    processed: int = 0
    created: int = 0
    existing: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def add_errors(self, errors: list[dict[str, Any]]) -> None:
        self.failed += 1
        room = MAX_ERRORS - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])


def _valid_rows_in_batches(db: Database, run: _Run) -> dict[str, Any]:
    start = run.imported.rows_processed  # rows an earlier attempt committed
    for offset in range(start, len(run.rows), BATCH_ROWS):
        batch = run.rows[offset : offset + BATCH_ROWS]
        with tenant_session(db, run.job_ctx.tenant) as session:
            buffer = AuditBuffer()
            ctx = run.row_context(session, buffer)
            tally = _register_rows(ctx, run, batch)
            imported = _locked(session, run.import_id)
            _add_tally(imported, tally)
            if offset + BATCH_ROWS >= len(run.rows):
                _finish(ctx, imported)
            buffer.flush(session, key=ctx.audit_key, tenant=ctx.tenant)
    with tenant_session(db, run.job_ctx.tenant) as session:
        imported = _locked(session, run.import_id)
        if imported.state != DONE:  # an empty file, or every batch committed before
            _finish(run.row_context(session, None), imported)
        return summary(imported)


def _in_one_transaction(db: Database, session: Session, run: _Run, separate: bool) -> Any:
    """Every row in the job's transaction; all of it rolled back in all-or-nothing mode
    when a row is bad."""
    buffer = AuditBuffer()
    ctx = run.row_context(session, buffer)
    total = _Tally()
    everything = session.begin_nested()
    for offset in range(0, len(run.rows), BATCH_ROWS):
        tally = _register_rows(ctx, run, run.rows[offset : offset + BATCH_ROWS])
        total.processed += tally.processed
        total.created += tally.created
        total.existing += tally.existing
        total.failed += tally.failed
        total.errors.extend(tally.errors[: max(MAX_ERRORS - len(total.errors), 0)])
        if separate:
            _progress(db, run.job_ctx.tenant, run.import_id, total.processed)
    if run.mode == ALL_OR_NOTHING and total.failed:
        everything.rollback()
        buffer.discard(0)
        total.created = total.existing = 0
    else:
        everything.commit()
    imported = _locked(session, run.import_id)
    _add_tally(imported, total)
    _finish(ctx, imported)
    buffer.flush(session, key=ctx.audit_key, tenant=ctx.tenant)
    return summary(imported)


def _locked(session: Session, import_id: int) -> Import:
    return session.scalars(
        select(Import)
        .where(Import.id == import_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _progress(db: Database, tenant: str, import_id: int, processed: int) -> None:
    """Rows processed so far, committed beside the import's own (uncommitted) transaction,
    which does not touch the import's row until its end."""
    with tenant_session(db, tenant) as session:
        session.execute(
            update(Import).where(Import.id == import_id).values(rows_processed=processed)
        )


def _add_tally(imported: Import, tally: _Tally) -> None:
    imported.rows_processed += tally.processed
    imported.created_count += tally.created
    imported.existing_count += tally.existing
    imported.error_count += tally.failed
    room = MAX_ERRORS - len(imported.errors or [])
    imported.errors = [*(imported.errors or []), *tally.errors[: max(room, 0)]]


def _finish(ctx: Context, imported: Import) -> None:
    imported.state = DONE
    imported.finished_at = utcnow()
    imported.rows_processed = imported.total_rows
    # The counts, not the rows' errors (the import keeps those): one event, not megabytes.
    record_event(ctx, "import.done", imported, after=summary(imported))


# ----------------------------------------------------------------------------- one batch


def _register_rows(ctx: Context, run: _Run, rows: Sequence[tuple[int, list[str | None]]]) -> _Tally:
    """Register a batch's rows, each in a savepoint; the records they name are read for
    the whole batch at once."""
    tally = _Tally()
    session = ctx.session
    # Held for the batch: the session's identity map keeps only what is referenced, and
    # each row would read the program again.
    program = session.get_one(Program, run.program.id)
    values = [(number, run.values(cells)) for number, cells in rows]
    firms = _firms(session, {v["firm_uscc"] for _, v in values if "firm_uscc" in v})
    institutions = _institutions(
        session, {v[c] for _, v in values for c in INSTITUTION_COLUMNS if c in v}
    )
    existing = _existing(session, institutions, values)
    for number, row in values:
        tally.processed += 1
        if number in run.repeats:
            tally.add_errors(
                [
                    _error(
                        number,
                        _column(run, "reference"),
                        row.get("reference"),
                        f"与第 {run.repeats[number]} 行的贷款编号重复（同一贷款银行）。",
                        f"Repeats the lender and reference of row {run.repeats[number]}.",
                    )
                ]
            )
            continue
        data, errors = _unstorable(run, number, row) or _loan_data(
            run, number, row, firms, institutions
        )
        if errors:
            tally.add_errors(errors)
            continue
        if (data["lender_id"], data["reference"]) in existing:
            tally.existing += 1
            continue
        mark = ctx.audit_buffer.mark() if ctx.audit_buffer else 0
        savepoint = session.begin_nested()
        try:
            register_loan(ctx, data)
            savepoint.commit()
            tally.created += 1
        except DomainError as exc:
            savepoint.rollback()
            _discard(ctx, mark)
            tally.add_errors(_service_errors(run, number, row, exc))
        except IntegrityError:
            # Registered by someone else since the batch looked: it exists now.
            savepoint.rollback()
            _discard(ctx, mark)
            tally.existing += 1
    del program
    return tally


def _discard(ctx: Context, mark: int) -> None:
    if ctx.audit_buffer is not None:
        ctx.audit_buffer.discard(mark)


def _firms(session: Session, usccs: Iterable[str]) -> dict[str, Firm]:
    wanted = [u.upper() for u in usccs]
    if not wanted:
        return {}
    return {f.uscc: f for f in session.scalars(select(Firm).where(Firm.uscc.in_(wanted)))}


def _institutions(session: Session, codes: Iterable[str]) -> dict[str, Institution]:
    wanted = list(codes)
    if not wanted:
        return {}
    found = session.scalars(select(Institution).where(Institution.code.in_(wanted)))
    return {i.code: i for i in found}


def _existing(
    session: Session,
    institutions: dict[str, Institution],
    values: list[tuple[int, dict[str, str]]],
) -> set[tuple[int, str]]:
    """(lender id, reference) of the batch's loans registered already."""
    keys = {
        (institutions[v["lender_code"]].id, v["reference"])
        for _, v in values
        if v.get("lender_code") in institutions and v.get("reference")
    }
    if not keys:
        return set()
    rows = session.execute(
        select(Loan.lender_id, Loan.reference).where(
            tuple_(Loan.lender_id, Loan.reference).in_(list(keys))
        )
    )
    return {(lender, reference) for lender, reference in rows}


def _unstorable(
    run: _Run, number: int, row: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """Cells holding what no record can store (a NUL, a control character): reported
    without their value, which the import's errors could not hold either."""
    errors = [
        _error(
            number,
            _column(run, key),
            None,
            "含有无法保存的控制字符（如 NUL）。",
            "The cell holds a control character (such as NUL) that cannot be stored.",
        )
        for key, value in row.items()
        if UNSTORABLE.search(value)
    ]
    return ({}, errors) if errors else None


def _loan_data(
    run: _Run,
    number: int,
    row: dict[str, str],
    firms: dict[str, Firm],
    institutions: dict[str, Institution],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The row as ``POST /loans``'s body, read by the same schema; or the row's errors."""
    errors: list[dict[str, Any]] = []
    body: dict[str, Any] = {"program_id": run.program.id}
    attributes: dict[str, Any] = {}
    for column in run.matched:
        if column is None or column.key not in row:
            continue
        value = row[column.key]
        if column.key == "firm_uscc":
            firm = firms.get(value.upper())
            if firm is None:
                errors.append(
                    _error(
                        number,
                        column,
                        value,
                        f"没有统一社会信用代码为 {value} 的企业；请先登记企业。",
                        f"No firm has the credit code {value}; register the firm first.",
                    )
                )
            else:
                body["firm_id"] = firm.id
        elif column.key in INSTITUTION_COLUMNS:
            inst = institutions.get(value)
            if inst is None:
                errors.append(
                    _error(
                        number,
                        column,
                        value,
                        f"没有代码为 {value} 的机构。",
                        f"No institution has the code {value}.",
                    )
                )
            else:
                body[INSTITUTION_COLUMNS[column.key]] = inst.id
        elif column.key.startswith(ATTRIBUTE_PREFIX):
            try:
                attributes[column.key[len(ATTRIBUTE_PREFIX) :]] = _typed(value, column.json_type)
            except ValueError:
                errors.append(
                    _error(
                        number,
                        column,
                        value,
                        f"应为{TYPE_ZH.get(column.json_type or '', '文本')}。",
                        f"Expected {column.json_type}.",
                    )
                )
        elif column.zh_codes:
            body[column.key] = _code(value, column.zh_codes)
        else:
            body[column.key] = value
    for column in run.matched:
        if column is not None and column.required and column.key not in row:
            errors.append(
                _error(
                    number,
                    column,
                    None,
                    f"「{column.zh}」必填。",
                    f"{column.key} is required.",
                )
            )
    if errors:
        return {}, errors
    try:
        data = LoanIn().load(body)
    except ma.ValidationError as exc:
        return {}, _schema_errors(run, number, row, exc.normalized_messages())
    data["attributes"] = attributes
    return data, []


TYPE_ZH = {"boolean": "是或否", "integer": "整数", "number": "数字", "string": "文本"}
TRUE, FALSE = {"是", "true", "yes", "y", "1"}, {"否", "false", "no", "n", "0"}


def _typed(value: str, json_type: str | None) -> Any:
    """A policy attribute's cell as the JSON value its schema describes."""
    if json_type == "boolean":
        lowered = value.strip().lower()
        if lowered in TRUE or lowered in FALSE:
            return lowered in TRUE
        raise ValueError(value)
    if json_type == "integer":
        number = Decimal(value)
        if number != number.to_integral_value():
            raise ValueError(value)
        return int(number)
    if json_type == "number":
        try:
            return Decimal(value)
        except InvalidOperation as exc:
            raise ValueError(value) from exc
    return value


def _code(value: str, zh_codes: dict[str, str] | Any) -> str:
    """A code given as itself or as its Chinese term."""
    for code, zh in zh_codes.items():
        if value == zh:
            return str(code)
    return value


# The schema's and the services' messages in Chinese, by their stable English text.
MESSAGES_ZH = {
    "Missing data for required field.": "必填。",
    "Not a valid date.": "不是有效日期（应为 YYYY-MM-DD）。",
    "Not a valid integer.": "不是有效整数。",
    "Must be one of": "不是允许的取值。",
    "Must be greater than": "必须大于 0。",
    "An amount is": "金额格式不正确（元，最多两位小数）。",
    "Longer than maximum length": "过长。",
    "Shorter than minimum length": "不能为空。",
    "before issue_date": "早于发放日期。",
    "above principal": "超过贷款本金。",
    "duplicate": "该贷款银行已登记此贷款编号。",
    "unknown": "不存在或类型不符。",
    "outside every program": "不在任何计划的有效期内。",
    "after today": "晚于今天。",
    "before the latest event": "早于该贷款最近的事件。",
}


def _zh(message: str, default: str = "不符合要求。") -> str:
    for english, zh in MESSAGES_ZH.items():
        if message.startswith(english):
            return zh
    return default


def _schema_errors(
    run: _Run, number: int, row: dict[str, str], messages: dict[str, Any]
) -> list[dict[str, Any]]:
    errors = []
    for field, found in sorted(messages.items()):
        column = _column(run, FIELD_COLUMNS.get(field, field))
        text = " ".join(str(m) for m in (found if isinstance(found, list) else [found]))
        label = column.zh if column else field
        errors.append(
            _error(number, column, row.get(column.key) if column else None, "", text, label)
        )
    return errors


def _service_errors(
    run: _Run, number: int, row: dict[str, str], exc: DomainError
) -> list[dict[str, Any]]:
    """The service's refusal of a row, at the column its pointer names."""
    if exc.rule:  # a policy rule refused: its own explanation, in both languages
        return [_error(number, None, None, str(exc.rule.get("zh", "")), exc.detail)]
    errors = []
    for item in exc.errors or [{"pointer": "", "detail": exc.detail}]:
        field = str(item.get("pointer", "")).lstrip("/").split("/")[0]
        column = _column(run, FIELD_COLUMNS.get(field, field))
        if column is None and field == "attributes":
            key = str(item.get("pointer", "")).split("/")[2:3]
            column = _column(run, ATTRIBUTE_PREFIX + key[0]) if key else None
        label = column.zh if column else "该行"
        zh = f"{label}：{_zh(str(item.get('detail', '')), _class_zh(exc))}"
        errors.append(
            _error(number, column, row.get(column.key) if column else None, zh, exc.detail)
        )
    return errors


def _class_zh(exc: DomainError) -> str:
    if exc.status == 403:
        return "无权登记其他机构的贷款。"
    if exc.status == 409:
        return "与已有记录冲突。"
    if exc.status == 404:
        return "所指记录不存在。"
    return "不符合要求。"


def _column(run: _Run, key: str) -> Column | None:
    return next((c for c in run.matched if c is not None and c.key == key), None)


def _error(
    row: int,
    column: Column | None,
    value: str | None,
    zh: str,
    en: str,
    label: str | None = None,
) -> dict[str, Any]:
    """One row error; with ``label`` the Chinese message is made from the English one."""
    if label is not None:
        zh = f"{label}：{_zh(en)}"
    return {
        "row": row,
        "column": column.key if column else None,
        "column_zh": column.zh if column else None,
        "value": value if value is None or len(value) <= VALUE_SHOWN else value[:VALUE_SHOWN] + "…",
        "zh": zh,
        "en": en,
    }


def summary(imported: Import) -> dict[str, Any]:
    return {
        "import_id": imported.id,
        "state": imported.state,
        "total_rows": imported.total_rows,
        "created": imported.created_count,
        "existing": imported.existing_count,
        "errors": imported.error_count,
    }


# ----------------------------------------------------------------------------- the result


def annotated(ctx: Context, imported: Import) -> bytes:
    """The uploaded rows as a workbook: each bad cell filled red with its message as a
    comment, and a last column with every message of the row, in Chinese and English."""
    program = ctx.session.get_one(Program, imported.program_id)
    table = read_table(imported.content, imported.format, max_rows=MAX_ROWS)
    columns = loan_columns(ctx.pm, program.policy)
    return annotate(table, match_header(table.header, columns), imported.errors or [])
