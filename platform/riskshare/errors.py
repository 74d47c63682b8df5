"""The errors services raise: what went wrong, in the caller's terms, and what to fix.

Services, state machines and policies raise these and know nothing of HTTP; the API turns each
into an RFC 9457 ``application/problem+json`` response in one handler
(``riskshare.api.problems``). The class decides the status and the problem ``type`` slug; the
error carries the detail, the field errors (JSON pointers into the request), the rule that
refused and the ids of a record in the way, and the response shows them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a service raises for its caller to see.

    :param detail: what went wrong, in terms of the request.
    :param kind: a short slug forming the problem ``type`` (the class's own by default).
    :param errors: field-level errors: ``[{"pointer": "/principal", "detail": "..."}]``.
    :param rule: the policy explanation that refused, when a rule refused.
    :param extra: further members of the answer (``claim_id=12``: the record in the way).
    :param status: the HTTP status, when it differs from the class's.
    :param detail_zh: the detail in Chinese, for callers who ask for it (``Accept-Language:
        zh``); without one they get a Chinese sentence for the status with this detail.
    """

    status: int = 400
    default_kind: ClassVar[str | None] = None

    def __init__(
        self,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        rule: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
        status: int | None = None,
        detail_zh: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_zh = detail_zh
        self.kind = kind if kind is not None else self.default_kind
        self.errors = errors
        self.rule = rule
        self.extra = dict(extra or {})
        if status is not None:
            self.status = status


class Invalid(DomainError):
    """422: the request (or the configuration it relies on) cannot be used; ``errors`` point
    at the fields to fix."""

    status = 422
    default_kind = "validation"


class NotFound(DomainError):
    """404: absent, or not the caller's to see (the two get the same answer)."""

    status = 404
    default_kind = "not-found"


class Forbidden(DomainError):
    """403: the caller's role or institution may not do this."""

    status = 403


class Conflict(DomainError):
    """409: the record's state (or another request) stands in the way; ``extra`` names it."""

    status = 409
    default_kind = "conflict"


class Refused(DomainError):
    """A policy rule said no (422 unless the rule asks for another status): the error carries
    the rule's explanation (id, clause, zh and en) and the reason."""

    status = 422
    default_kind = "rule-refused"

    def __init__(
        self, explanation: Mapping[str, Any], status: int = 422, detail: str | None = None
    ) -> None:
        rule, zh = explanation.get("rule"), explanation.get("zh")
        super().__init__(
            detail or f"Refused by rule {rule}: {explanation.get('en')}",
            rule=explanation,
            status=status,
            # The rule's own Chinese sentence (a reason given in English has none of its own).
            detail_zh=f"依据规则 {rule} 不予办理：{zh}" if zh else None,
        )


class Problem(DomainError):
    """An error with an explicit status, for what the classes above do not name (plugins
    raise it as ``Problem(409, "...", kind="paid-already")``)."""

    def __init__(self, status: int, detail: str, **kwargs: Any) -> None:
        super().__init__(detail, status=status, **kwargs)


def refused(
    explanation: Mapping[str, Any], status: int = 422, detail: str | None = None
) -> Refused:
    """A policy rule said no: the error carries the rule and the reason."""
    return Refused(explanation, status, detail)


def pointer(path: list[Any] | tuple[Any, ...]) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return "/" + "/".join(escaped) if path else ""
