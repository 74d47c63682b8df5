"""The request's database session: opened on first use, committed when the response is good."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session


def db_session() -> Session:
    session = g.get("db_session")
    if session is None:
        ext = current_app.extensions["riskshare"]
        session = ext.db.session(g.get("tenant"))
        g.db_session = session
    return session


def finish(commit: bool) -> None:
    """Commit or roll back the request's session, if it opened one."""
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()
