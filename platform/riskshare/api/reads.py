"""Every read of confidential data is recorded in the tenant's audit log (X-20).

Each GET route declares what it reads, on the route itself:

``@blp.reads("claims")``
    one record; its id is the response's ``id``, or the view argument(s) named by
    ``id_from`` (``id_from="claim_id"``, ``id_from=("program_id", "period")``) when the
    answer is not the record itself (its reviews, a report, a workbook);
``@blp.lists("loans")``
    a listing; the event names the ids of the page returned (``key=`` when an item's
    identity is not ``id``);
``@blp.downloads("documents")``
    one document's content; the event names the document (id, file name, digest); with
    ``id_from`` for a file sent as itself rather than as JSON (a workbook), the name is the
    one its Content-Disposition gives and the digest that of the bytes sent;
``@blp.not_confidential("why")``
    the answer carries no confidential data; the reason is part of the API's description.

The declaration only describes; recording is done in one place, ``record``, which the app
calls on every successful response just before it commits the request's transaction, so
the read event and the answer stand or fall together. ``check_declared`` runs when the app
starts: a GET route without a declaration (a new core route, a policy plugin's route) stops
the app, so no route can forget. Each declaration is shown in the OpenAPI document as the
operation's ``x-reads``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.routing import Rule

from riskshare.audit import service as audit
from riskshare.config import ConfigError

F = Callable[..., Any]

ATTRIBUTE = "_riskshare_reads"

# The audit event's action for each kind of declaration.
READ, LIST, DOWNLOAD = "read", "list", "download"

# Endpoints the app gets from its frameworks, not from a Blueprint of ours: flask-smorest's
# documentation (the OpenAPI document and the pages that render it) and Flask's static files.
FRAMEWORK_BLUEPRINTS = {"api-docs": "the API's own description"}
FRAMEWORK_ENDPOINTS = {
    "static": "the app's static files",
    "console.static": "the console's scripts, styles and vendored libraries",
}


class UndeclaredRead(ConfigError):
    """A GET route says nothing of how its reads are recorded; the app does not start."""


@dataclass(frozen=True)
class Declaration:
    """How a GET route's reads are recorded (``action`` None: nothing confidential)."""

    action: str | None
    record_type: str = ""
    id_args: tuple[str, ...] = ()
    key: str = "id"
    reason: str = ""

    def openapi(self) -> dict[str, Any]:
        if self.action is None:
            return {"confidential": False, "reason": self.reason}
        shown: dict[str, Any] = {"confidential": True, "event": self.action}
        shown["record_type"] = self.record_type
        if self.id_args:
            shown["id_from"] = list(self.id_args)
        elif self.action == LIST:
            shown["ids_from"] = self.key
        return shown


def declare(declaration: Declaration) -> Callable[[F], F]:
    def decorator(func: F) -> F:
        setattr(func, ATTRIBUTE, declaration)
        doc = getattr(func, "_apidoc", {})
        doc.setdefault("manual_doc", {})["x-reads"] = declaration.openapi()
        func._apidoc = doc  # type: ignore[attr-defined]
        return func

    return decorator


def reads(record_type: str, id_from: str | tuple[str, ...] = ()) -> Callable[[F], F]:
    args = (id_from,) if isinstance(id_from, str) else tuple(id_from)
    return declare(Declaration(READ, record_type, id_args=args))


def lists(record_type: str, key: str = "id") -> Callable[[F], F]:
    return declare(Declaration(LIST, record_type, key=key))


def downloads(record_type: str, id_from: str | tuple[str, ...] = ()) -> Callable[[F], F]:
    args = (id_from,) if isinstance(id_from, str) else tuple(id_from)
    return declare(Declaration(DOWNLOAD, record_type, id_args=args))


def not_confidential(reason: str) -> Callable[[F], F]:
    if not reason.strip():
        raise ValueError("say why the route carries no confidential data")
    return declare(Declaration(None, reason=reason))


# ----------------------------------------------------------------------------- finding


def _view(app: Flask, endpoint: str, method: str) -> Any:
    view = app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    return getattr(view_class, method.lower(), None) or (
        getattr(view_class, "get", None) if method == "HEAD" else None
    )


def declaration_of(app: Flask, endpoint: str, method: str = "GET") -> Declaration | None:
    return getattr(_view(app, endpoint, method), ATTRIBUTE, None)


def _from_framework(endpoint: str) -> bool:
    blueprint = endpoint.split(".", 1)[0] if "." in endpoint else None
    return endpoint in FRAMEWORK_ENDPOINTS or blueprint in FRAMEWORK_BLUEPRINTS


def check_declared(app: Flask) -> None:
    """Refuse to start when a GET route has no declaration, or one that cannot be kept."""
    problems = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or _from_framework(rule.endpoint):
            continue
        declaration = declaration_of(app, rule.endpoint)
        if declaration is None:
            problems.append(
                f"GET {rule.rule} ({rule.endpoint}) does not say how its reads are recorded:"
                " declare @blp.reads, @blp.lists, @blp.downloads or @blp.not_confidential"
            )
            continue
        problems += _unkeepable(rule, declaration)
    if problems:
        raise UndeclaredRead(
            "X-20: every read of confidential data is recorded (docs/security.md):\n  "
            + "\n  ".join(problems)
        )


def _unkeepable(rule: Rule, declaration: Declaration) -> list[str]:
    if declaration.action is None:
        return []
    found = []
    if "tenant" not in rule.arguments:
        # The audit log is the tenant's: a confidential read outside a tenant has none.
        found.append(f"GET {rule.rule} reads {declaration.record_type} outside a tenant")
    missing = [arg for arg in declaration.id_args if arg not in rule.arguments]
    if missing:
        found.append(f"GET {rule.rule} takes the id from {missing}, which it does not have")
    return found


# ----------------------------------------------------------------------------- recording


def record(response: Response) -> None:
    """Append the read event for this successful GET, in the request's transaction.

    Called by the app just before the commit: if the event cannot be written, the answer
    is not sent either (an unrecorded confidential read must not happen)."""
    if request.method not in ("GET", "HEAD") or request.url_rule is None:
        return
    if not 200 <= response.status_code < 300:
        return
    declaration = declaration_of(current_app, request.url_rule.endpoint, request.method)
    if declaration is None or declaration.action is None:
        return
    record_id, details = _what_was_read(declaration, response)
    from riskshare.api.session import db_session

    details["request"] = f"GET {request.full_path.rstrip('?')}"
    audit.append(
        db_session(),
        key=current_app.extensions["riskshare"].audit_key,
        tenant=g.tenant,
        actor=g.principal.username,
        roles=g.roles,
        action=declaration.action,
        record_type=declaration.record_type,
        record_id=record_id,
        after=details,
    )


def shown(record_id: str, details: dict[str, Any]) -> None:
    """Say what a page rendered as HTML showed (the console's pages): what ``record``
    otherwise reads from a JSON answer; ``"*"`` and ``{"ids": [...]}`` for a listing."""
    g.reads_shown = (record_id, dict(details))


def _what_was_read(declaration: Declaration, response: Response) -> tuple[str, dict[str, Any]]:
    view_args = request.view_args or {}
    if "reads_shown" in g:
        record_id, details = g.pop("reads_shown")
        return record_id, details
    if declaration.id_args:
        record_id = ":".join(str(view_args[arg]) for arg in declaration.id_args)
        if declaration.action == DOWNLOAD:
            return record_id, {"document": _file_sent(response), "of": dict(view_args)}
        return record_id, {}
    body = response.get_json(silent=True)
    if declaration.action == LIST:
        if not isinstance(body, list):
            raise TypeError(f"{request.url_rule}: a listing that is not a JSON list")
        return "*", {"ids": [item[declaration.key] for item in body]}
    if not isinstance(body, dict) or body.get("id") is None:
        raise TypeError(
            f"{request.url_rule}: the answer has no id; declare id_from=<view argument>"
        )
    if declaration.action == DOWNLOAD:
        named = {k: body.get(k) for k in ("filename", "kind", "sha256", "size")}
        return str(body["id"]), {"document": named, "of": dict(view_args)}
    return str(body["id"]), {}


def _file_sent(response: Response) -> dict[str, Any]:
    content = response.get_data()
    return {
        "filename": response.headers.get("Content-Disposition", "")
        .partition("filename=")[2]
        .strip('"'),
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }
