"""The outbox (jobs a committed change asked for) and the record of jobs that have run.

An ``OutboxJob`` row is written in the same transaction as the change that needs the work,
so the work is asked for exactly when the change commits. The relay hands committed rows to
RQ; the RQ job's id is derived from the row (``OutboxJob.rq_job_id``), so a row handed over
twice is still one RQ job.

A ``JobRun`` row is written in the same transaction as a job's effect: a job whose key is
there has happened, and running it again (an RQ retry, a re-sent row) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskshare.db.base import Base, TenantScoped, TimestampMixin
from riskshare.db.types import JSONDoc

# An outbox row's life: written ``pending``; ``sent`` once RQ has it; ``done`` when the job's
# effect committed; ``failed`` when RQ gave up on it (retries exhausted) until retried.
PENDING, SENT, DONE, FAILED = "pending", "sent", "done", "failed"
STATES = (PENDING, SENT, DONE, FAILED)


class OutboxJob(TenantScoped, TimestampMixin, Base):
    __tablename__ = "job_outbox"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(63))
    # What makes the job unique in its tenant: asking again with the same key adds nothing.
    key: Mapped[str] = mapped_column(String(200))
    args: Mapped[Any] = mapped_column(JSONDoc, default=dict)
    state: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    last_error: Mapped[str | None] = mapped_column(Text(), default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def rq_job_id(self) -> str:
        return rq_job_id(self.tenant_id, self.id)


def rq_job_id(tenant: str, outbox_id: int) -> str:
    """The RQ job of an outbox row: the same row always names the same RQ job."""
    # RQ allows letters, digits, - and _ only; a slug never holds "-outbox-<digits>" at its
    # end, so the id names one row.
    return f"riskshare-{tenant}-outbox-{outbox_id}"


class JobRun(TenantScoped, Base):
    """A job whose effect has committed; its key is unique in the tenant."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    job_name: Mapped[str] = mapped_column(String(63))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("job_outbox.id"), default=None)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    result: Mapped[Any] = mapped_column(JSONDoc, default=None)


class DeadlineAlert(TenantScoped, Base):
    """A deadline the deadline sweep found missed: recorded once per record and due date
    (however often the sweep runs), shown on ``/monitoring`` until the step is taken."""

    __tablename__ = "deadline_alerts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "subject_type", "subject_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    # Which deadline (the ``riskshare_deadline`` kind): claim_review, recovery_return, ...
    kind: Mapped[str] = mapped_column(String(30))
    rule: Mapped[str] = mapped_column(String(20))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer())
    institution_id: Mapped[int | None] = mapped_column(Integer(), default=None)
    due_on: Mapped[dt.date] = mapped_column(Date())
    found_on: Mapped[dt.date] = mapped_column(Date())
    # The first sweep that found the step taken (or the record gone past it).
    resolved_on: Mapped[dt.date | None] = mapped_column(Date(), default=None)
    explanation: Mapped[Any] = mapped_column(JSONDoc, default=dict)
