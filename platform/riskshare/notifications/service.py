"""Sending notifications (the deadline sweep) and each user's inbox.

``send`` writes one notification per deadline, stage and addressee, relying on the unique
``key`` where it writes: a retried job or a second sweep that sends the same reminder finds
the key taken and sends nothing. An inbox is what the caller's roles and institution are
addressed: the fund's staff read what is sent to their roles; a user acting for an
institution reads only what is sent to that institution (to all its users, or to one of the
caller's roles), never another institution's.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from riskshare.context import Context
from riskshare.db.types import utcnow
from riskshare.notifications.models import Notification, NotificationRead
from riskshare.services import not_found

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Addressee:
    """Who must act: a role of the fund's staff (``institution_id`` None), an institution's
    users (``role`` None), or one role of one institution."""

    role: str | None
    institution_id: int | None

    def __post_init__(self) -> None:
        if self.role is None and self.institution_id is None:
            raise ValueError("a notification is addressed to a role, an institution or both")

    @property
    def label(self) -> str:
        return f"{self.role or '*'}@{self.institution_id if self.institution_id else '-'}"


@dataclass(frozen=True)
class Reminder:
    """One deadline at one stage: what the sweep sends to each of its addressees."""

    program_id: int
    kind: str
    rule: str
    stage: str
    subject_type: str
    subject_id: int
    due_on: dt.date
    explanation: dict[str, Any]

    def key(self, to: Addressee) -> str:
        return (
            f"{self.kind}:{self.subject_type}:{self.subject_id}:{self.due_on.isoformat()}"
            f":{self.stage}:{to.label}"
        )


def send(ctx: Context, reminder: Reminder, to: Addressee, day: dt.date) -> Notification | None:
    """Write the notification of ``reminder`` to ``to``; None when it was sent before.

    The insert runs in a savepoint: the unique key of a notification sent already (by this
    sweep's earlier run, a retry, another sweep) refuses it and only the savepoint is undone.
    """
    row = Notification(
        key=reminder.key(to),
        program_id=reminder.program_id,
        kind=reminder.kind,
        rule=reminder.rule,
        stage=reminder.stage,
        subject_type=reminder.subject_type,
        subject_id=reminder.subject_id,
        due_on=reminder.due_on,
        sent_on=day,
        role=to.role,
        institution_id=to.institution_id,
        explanation=reminder.explanation,
    )
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
    except IntegrityError:
        return None  # sent before: the key is taken
    return row


# ----------------------------------------------------------------------------- inbox


def addressed_to(ctx: Context) -> ColumnElement[bool]:
    """The notifications addressed to the caller: to one of its roles, and to its own
    institution when it acts for one (a user of an institution never reads another's)."""
    roles = sorted(ctx.roles)
    to_role = Notification.role.in_(roles) if roles else false()
    staff = and_(Notification.institution_id.is_(None), to_role)
    if ctx.institution_id is None:
        return staff
    own = and_(
        Notification.institution_id == ctx.institution_id,
        or_(Notification.role.is_(None), to_role),
    )
    return or_(staff, own)


def _read_by(ctx: Context) -> ColumnElement[bool]:
    return exists().where(
        NotificationRead.notification_id == Notification.id,
        NotificationRead.reader == ctx.principal.subject,
    )


def inbox(
    ctx: Context, *, unread: bool | None = None, program_id: int | None = None
) -> Select[Notification, bool]:
    """The caller's notifications, newest first, with whether the caller has read each."""
    query = select(Notification, _read_by(ctx).label("read")).where(addressed_to(ctx))
    if unread is not None:
        query = query.where(~_read_by(ctx) if unread else _read_by(ctx))
    if program_id is not None:
        query = query.where(Notification.program_id == program_id)
    return query.order_by(Notification.sent_on.desc(), Notification.id.desc())


def inbox_page(
    ctx: Context, first: int, size: int, **filters: Any
) -> tuple[int, list[dict[str, Any]]]:
    """One page of the inbox (notifications with their ``read`` flag) and the total."""
    query = inbox(ctx, **filters)
    total = ctx.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = ctx.session.execute(query.offset(first).limit(size)).all()
    return int(total or 0), [as_item(n, read) for n, read in rows]


def counts(ctx: Context) -> dict[str, int]:
    """How many notifications the caller has, and how many it has not read."""
    mine = select(Notification.id).where(addressed_to(ctx))
    total = ctx.session.scalar(select(func.count()).select_from(mine.subquery()))
    unread = ctx.session.scalar(
        select(func.count()).select_from(mine.where(~_read_by(ctx)).subquery())
    )
    return {"total": int(total or 0), "unread": int(unread or 0)}


def mark_read(ctx: Context, notification_id: int) -> dict[str, Any]:
    """The caller has read the notification (again: nothing changes). One not addressed to
    the caller is a 404, as if it did not exist."""
    row = ctx.session.execute(
        select(Notification, _read_by(ctx)).where(
            Notification.id == notification_id, addressed_to(ctx)
        )
    ).first()
    if row is None:
        raise not_found("notification", notification_id)
    notification, read = row
    if not read:
        try:
            with ctx.session.begin_nested():
                ctx.session.add(
                    NotificationRead(
                        notification_id=notification.id,
                        reader=ctx.principal.subject,
                        read_at=utcnow(),
                    )
                )
        except IntegrityError:
            pass  # the same user marked it at the same moment
    return as_item(notification, True)


def as_item(n: Notification, read: bool) -> dict[str, Any]:
    return {
        "id": n.id,
        "program_id": n.program_id,
        "kind": n.kind,
        "rule": n.rule,
        "stage": n.stage,
        "subject_type": n.subject_type,
        "subject_id": n.subject_id,
        "due_on": n.due_on,
        "sent_on": n.sent_on,
        "role": n.role,
        "institution_id": n.institution_id,
        "explanation": n.explanation,
        "read": bool(read),
    }
