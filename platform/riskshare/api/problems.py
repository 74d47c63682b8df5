"""RFC 9457 problem details: every error the API gives is ``application/problem+json``."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Response, json
from marshmallow.exceptions import SCHEMA
from werkzeug.exceptions import HTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://riskshare.example/problems/"


class Problem(Exception):
    """An error to send to the client, with what to fix.

    :param status: HTTP status.
    :param detail: what went wrong, in terms of the request.
    :param kind: a short slug forming the problem ``type`` URI.
    :param errors: field-level errors: ``[{"pointer": "/principal", "detail": "..."}]``.
    :param rule: the policy explanation that refused, when a rule refused.
    :param headers: response headers the status calls for (``Allow``, ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        rule: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors
        self.rule = rule
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        phrase = HTTPStatus(self.status).phrase
        kind = self.kind or phrase.lower().replace(" ", "-").replace("'", "")
        body: dict[str, Any] = {
            "type": TYPE_BASE + kind,
            "title": phrase,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        if self.rule:
            body["rule"] = dict(self.rule)
        body.update(self.extra)
        return body

    def response(self) -> Response:
        resp = Response(json.dumps(self.body()), status=self.status, mimetype=PROBLEM_MEDIA_TYPE)
        if self.status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="riskshare"'
        resp.headers.update(self.headers)
        return resp


def pointer(path: list[Any] | tuple[Any, ...]) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return "/" + "/".join(escaped) if path else ""


def marshmallow_errors(messages: Mapping[str, Any], prefix: tuple[Any, ...] = ()) -> list[dict]:
    """Flatten marshmallow's nested messages into pointer/detail pairs."""
    out: list[dict] = []
    for key, value in messages.items():
        # SCHEMA keys errors of the object as a whole, so it adds no step to the pointer.
        path = prefix if key == SCHEMA else (*prefix, key)
        if isinstance(value, Mapping):
            out.extend(marshmallow_errors(value, path))
        else:
            for message in value if isinstance(value, list) else [value]:
                if isinstance(message, Mapping):
                    out.extend(marshmallow_errors(message, path))
                else:
                    out.append({"pointer": pointer(list(path)), "detail": str(message)})
    return out


def validation_problem(messages: Mapping[str, Any], status: int = 422) -> Problem:
    """Turn flask-smorest/webargs validation messages (keyed by location) into a problem."""
    errors: list[dict] = []
    for location, fields in messages.items():
        for err in marshmallow_errors(fields if isinstance(fields, Mapping) else {SCHEMA: fields}):
            err["location"] = location
            errors.append(err)
    fields = ", ".join(e["pointer"] or "(body)" for e in errors) or "the request"
    return Problem(
        status, f"The request is not valid: check {fields}.", kind="validation", errors=errors
    )


def http_problem(error: HTTPException) -> Problem:
    """A werkzeug or webargs HTTP error as a problem.

    webargs puts its field messages in ``error.data`` (a 422, or a 400 for a body that is not
    JSON), so those keep their pointers. werkzeug's own headers are kept too, except the
    Content-Type of the HTML page it would have sent: a 405 must still say ``Allow``.
    """
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    status = error.code or 500
    if data.get("messages"):
        problem = validation_problem(data["messages"], status)
    else:
        problem = Problem(status, error.description or error.name)
    problem.headers.update(headers)
    return problem


def refused(
    explanation: Mapping[str, Any], status: int = 422, detail: str | None = None
) -> Problem:
    """A policy rule said no: the problem carries the rule and the reason."""
    return Problem(
        status,
        detail or f"Refused by rule {explanation.get('rule')}: {explanation.get('en')}",
        kind="rule-refused",
        rule=explanation,
    )
