"""An uploaded file of records to register, and how far its job has come.

The file is kept as uploaded (``content``), so a job retried after a crash reads the same
rows, and the annotated workbook is made from it on request. Progress and the result live
on the same row: ``rows_processed`` is committed with each batch it counts (valid-rows
mode) or beside the running transaction (all-or-nothing mode).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc

QUEUED, RUNNING, DONE = "queued", "running", "done"
STATES = (QUEUED, RUNNING, DONE)
# all_or_nothing: one bad row and nothing is registered; valid_rows: the good rows are.
ALL_OR_NOTHING, VALID_ROWS = "all_or_nothing", "valid_rows"
MODES = (ALL_OR_NOTHING, VALID_ROWS)
KINDS = ("loans",)
FORMATS = ("xlsx", "csv")


class Import(TenantScoped, TimestampMixin, Base):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="loans")
    mode: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer())
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary(), deferred=True)
    # Who uploaded it: the job registers each row as this user would (roles, institution,
    # how far back dates may go), and the audit log names them.
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploader_roles: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), default=None)
    backdate_limit_days: Mapped[int | None] = mapped_column(Integer(), default=None)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    total_rows: Mapped[int] = mapped_column(Integer(), default=0)
    rows_processed: Mapped[int] = mapped_column(Integer(), default=0)
    created_count: Mapped[int] = mapped_column(Integer(), default=0)
    # Rows whose record was there already (the same file imported again): nothing new.
    existing_count: Mapped[int] = mapped_column(Integer(), default=0)
    error_count: Mapped[int] = mapped_column(Integer(), default=0)
    # [{row, column, column_zh, value, zh, en}], in row order.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("job_outbox.id"), default=None)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def percent(self) -> int:
        if self.state == DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.rows_processed * 100 // self.total_rows)
