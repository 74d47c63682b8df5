"""The Blueprint every resource uses: authentication, roles, idempotency, problem docs.

Authentication and tenant resolution happen once, in ``riskshare.api.security`` hooks
registered by the app factory; this class adds the per-route parts and documents them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

import flask_smorest
from flask import current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from riskshare.api import reads as _reads
from riskshare.api.problems import Problem
from riskshare.auth.principal import PLATFORM_ADMIN
from riskshare.workflow import StateMachine

F = Callable[..., Any]

ERROR_RESPONSES = (400, 401, 403, 404, 409, 413, 422)

# Where the payer of a payment step comes from, for ``Blueprint.step``'s ``decided_by``.
PAID_BY_PAYERS = "riskshare_transition_roles; payer: PolicyDescriptor.payers"


class _Parser(FlaskParser):
    def load_files(self, req: Any, schema: Any) -> MultiDictProxy:
        """A multipart upload's form fields with its files: OpenAPI gives an operation one
        request body, so one ``location="files"`` schema documents and reads both."""
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint with Riskshare's cross-cutting route decorators."""

    ARGUMENTS_PARSER = _Parser()

    def roles(self, *roles: str) -> Callable[[F], F]:
        """Only callers holding one of ``roles`` in the URL's tenant may call the view.

        ``roles`` may name groups (``riskshare.auth.roles.EVERYONE``, ``PAYERS``), resolved
        per request against the roles the installed policies declare. Naming
        ``platform-admin`` lets a platform operator with no role in the tenant in (as the
        role ``platform-admin``), for the few views that bootstrap a tenant; the view
        decides how far that goes.
        """

        def decorator(func: F) -> F:
            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                ctx_roles = g.get("roles", frozenset())
                catalogue = _catalogue()
                allowed = catalogue.resolve(roles)
                if "program_id" in kwargs and ctx_roles & catalogue.institution_payers:
                    # The caller's roles here are its roles in the program the URL names: a
                    # payer acting for an institution counts only where it pays.
                    from riskshare.api.context import current_context
                    from riskshare.auth.scope import dropped_roles, not_the_payer

                    ctx = current_context()
                    dropped = dropped_roles(ctx, kwargs["program_id"])
                    ctx_roles = g.roles = ctx_roles - dropped
                    if dropped & allowed and not ctx_roles & allowed:
                        raise not_the_payer(ctx, kwargs["program_id"], dropped & allowed)
                if not ctx_roles & allowed:
                    raise Problem(
                        403,
                        f"This needs one of the roles {sorted(allowed)} in tenant"
                        f" '{g.tenant}'; you have {sorted(ctx_roles) or 'none'}.",
                        kind="forbidden-role",
                        detail_zh=f"此操作需要租户“{g.tenant}”中的以下角色之一："
                        f"{'、'.join(sorted(allowed))}；您的角色："
                        f"{'、'.join(sorted(ctx_roles)) or '无'}。",
                    )
                return func(*args, **kwargs)

            self._document_errors(wrapper, {"x-roles": sorted(roles)})
            wrapper.admits_platform_admin = PLATFORM_ADMIN in roles  # type: ignore[attr-defined]
            return wrapper

        return decorator

    # every GET route declares how its reads are recorded (riskshare.api.reads says
    # how; the app does not start while one has no declaration).
    def reads(self, record_type: str, id_from: str | tuple[str, ...] = ()) -> Callable[[F], F]:
        """The route reads one ``record_type`` record; each read is an audit event."""
        return _reads.reads(record_type, id_from)

    def lists(self, record_type: str, key: str = "id") -> Callable[[F], F]:
        """The route lists ``record_type`` records; each page's ids are an audit event."""
        return _reads.lists(record_type, key)

    def downloads(self, record_type: str, id_from: str | tuple[str, ...] = ()) -> Callable[[F], F]:
        """The route sends a document's content; each download is an audit event naming it."""
        return _reads.downloads(record_type, id_from)

    def not_confidential(self, reason: str) -> Callable[[F], F]:
        """The route's answer carries no confidential data (``reason`` says why)."""
        return _reads.not_confidential(reason)

    def step(self, machine: StateMachine, *transitions: str, decided_by: str) -> Callable[[F], F]:
        """A workflow step: the state machine decides who may take it, not the route.

        Any member of the tenant reaches the view; the record's state machine, with the
        answer of the program's policy (``decided_by``: the hook that may assign the step to
        other roles), refuses everyone else with 403. The OpenAPI document shows the roles
        the machine gives ``transitions`` by default (``x-roles``, read from the machine, so
        the two cannot disagree) and where the program's own answer comes from.
        """
        roles: set[str] = set()
        for name in transitions:
            roles |= machine.transitions[name].roles
        documented = {
            "x-roles": sorted(roles),
            "x-transitions": [f"{machine.record}.{name}" for name in transitions],
            "x-roles-decided-by": decided_by,
        }

        def decorator(func: F) -> F:
            self._document_errors(func, documented)
            return func

        return decorator

    def _document_errors(self, func: F, extensions: dict[str, Any]) -> None:
        doc = getattr(func, "_apidoc", {})
        manual = doc.setdefault("manual_doc", {})
        responses = manual.setdefault("responses", {})
        for status in ERROR_RESPONSES:
            responses.setdefault(str(status), {"$ref": f"#/components/responses/Problem{status}"})
        manual.update(extensions)
        func._apidoc = doc  # type: ignore[attr-defined]

    def moves_money(self, func: F) -> F:
        """Require an ``Idempotency-Key``; replay the first response for a repeated key.

        Put it above ``@blp.response`` so that what is stored is the serialised response.
        The record is inserted before the work is done, in the same transaction: on
        PostgreSQL a concurrent request with the same key waits on the unique index and then
        replays, so a retry can never pay twice.
        """
        from riskshare.api.models import IdempotencyRecord
        from riskshare.api.session import db_session

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get("Idempotency-Key", "").strip()
            if not key or len(key) > 200:
                raise Problem(
                    400,
                    "This request moves money: send an Idempotency-Key header (1-200 chars),"
                    " and the same key again if you retry it.",
                    kind="idempotency-key-required",
                    errors=[{"pointer": "", "location": "headers", "detail": "Idempotency-Key"}],
                )
            digest = hashlib.sha256(
                request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()
            ).hexdigest()
            session = db_session()
            existing = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
            if existing is not None:
                return _replay(existing, digest)
            record = IdempotencyRecord(
                key=key,
                principal=g.principal.subject,
                endpoint=f"{request.method} {request.path}",
                request_hash=digest,
                status=0,
                body=None,
            )
            session.add(record)
            try:
                session.flush()
            except IntegrityError:
                # Another request with this key committed first: answer as it did.
                session.rollback()
                existing = session.scalar(
                    select(IdempotencyRecord).where(IdempotencyRecord.key == key)
                )
                if existing is None:
                    raise
                return _replay(existing, digest)
            response = func(*args, **kwargs)
            record.status = response.status_code
            record.body = response.get_json(silent=True)
            return response

        doc = getattr(wrapper, "_apidoc", {})
        params = doc.setdefault("manual_doc", {}).setdefault("parameters", [])
        params.append(
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Unique per intended operation; a retry sends the same key.",
            }
        )
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper


def _catalogue() -> Any:
    from riskshare.plugins.manager import role_catalogue

    return role_catalogue(current_app.extensions["riskshare"].pm)


def _replay(record: Any, digest: str) -> Any:
    from flask import jsonify

    if record.request_hash != digest or record.principal != g.principal.subject:
        raise Problem(
            422,
            "This Idempotency-Key was already used for a different request; use a new key.",
            kind="idempotency-key-reused",
        )
    response = jsonify(record.body)
    response.status_code = record.status
    response.headers["Idempotent-Replayed"] = "true"
    return response
