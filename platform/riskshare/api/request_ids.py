"""Every request gets an id, answered in ``X-Request-Id`` and named on its log lines.

The caller's own id is kept when it sent a sensible one (a proxy's, to follow one request
through both logs), else a new one is made, so a user who quotes it from an error leads
straight to the lines. The id and the tenant are left in the WSGI environ for gunicorn's
access log (``riskshare.gunicorn_conf``); the formatting itself is ``riskshare.logs``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, g, request

from riskshare.logs import ENVIRON_REQUEST_ID, ENVIRON_TENANT, REQUEST_ID_HEADER

# An incoming id is kept only if it cannot forge a log line or a header: short, plain text.
_SENSIBLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def install(app: Flask) -> None:
    """Give every request an id, answer it in ``X-Request-Id``, and leave the id and the
    tenant in the WSGI environ for the access log. Registered before authentication, so a
    refused request has its id too."""

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SENSIBLE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.environ[ENVIRON_REQUEST_ID] = g.request_id

    @app.after_request
    def _answer_id(response: Any) -> Any:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        if g.get("tenant"):
            request.environ[ENVIRON_TENANT] = g.tenant
        return response
