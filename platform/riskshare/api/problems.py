"""RFC 9457 problem details: every error the API gives is ``application/problem+json``.

Services raise the domain errors of ``riskshare.errors``; this module maps them (and the HTTP
layer's own errors) to problem responses, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Response, has_request_context, json, request
from marshmallow.exceptions import SCHEMA
from werkzeug.exceptions import HTTPException

from riskshare.errors import DomainError, Problem, pointer, refused

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "DomainError",
    "HTTPProblem",
    "Problem",
    "http_problem",
    "pointer",
    "problem_body",
    "problem_response",
    "refused",
    "validation_problem",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://riskshare.example/problems/"


class HTTPProblem(Problem):
    """A problem the HTTP layer finds itself (a 405, an unknown key): a domain error plus the
    response headers its status calls for (``Allow``, ``Retry-After``)."""

    def __init__(
        self, status: int, detail: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(status, detail, **kwargs)
        self.headers = dict(headers or {})


# Languages of ``title`` and ``detail``: English (as before: a client that asks for none gets
# it) or Chinese, whichever the request's Accept-Language prefers.
LANGUAGES = ("en", "zh")
TITLES_ZH = {
    400: "请求有误",
    401: "未通过身份认证",
    403: "无权进行此操作",
    404: "未找到",
    405: "不支持此请求方法",
    406: "无法提供所要求的格式",
    409: "与当前状态冲突",
    412: "前提条件不满足",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "请求无法处理",
    428: "缺少前提条件",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂时不可用",
}


def language() -> str:
    """``zh`` when the request's Accept-Language prefers Chinese (``zh``, ``zh-CN``, ...)
    to English, else ``en``."""
    if not has_request_context():
        return "en"
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def detail_in(error: DomainError, lang: str) -> str:
    """The detail in ``lang``: the error's own Chinese sentence, else the status's Chinese
    title followed by the English detail (so nothing the detail says is lost)."""
    if lang != "zh":
        return error.detail
    if error.detail_zh:
        return error.detail_zh
    return f"{TITLES_ZH.get(error.status, HTTPStatus(error.status).phrase)}：{error.detail}"


def problem_body(error: DomainError, lang: str = "en") -> dict[str, Any]:
    """The problem+json document of a domain error: its status, type, detail, field errors,
    refusing rule and any further members, exactly as the service gave them; ``title`` and
    ``detail`` in ``lang`` (``en`` or ``zh``)."""
    phrase = HTTPStatus(error.status).phrase
    kind = error.kind or phrase.lower().replace(" ", "-").replace("'", "")
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": TITLES_ZH.get(error.status, phrase) if lang == "zh" else phrase,
        "status": error.status,
        "detail": detail_in(error, lang),
    }
    if error.errors:
        body["errors"] = error.errors
    if error.rule:
        body["rule"] = dict(error.rule)
    body.update(error.extra)
    return body


def problem_response(error: DomainError) -> Response:
    """The one place a domain error becomes an HTTP response, in the caller's language."""
    lang = language()
    resp = Response(
        json.dumps(problem_body(error, lang)), status=error.status, mimetype=PROBLEM_MEDIA_TYPE
    )
    resp.headers["Content-Language"] = "zh-CN" if lang == "zh" else "en"
    resp.vary.add("Accept-Language")
    if error.status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="riskshare"'
    resp.headers.update(getattr(error, "headers", {}))
    return resp


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


def validation_problem(messages: Mapping[str, Any], status: int = 422) -> HTTPProblem:
    """Turn flask-smorest/webargs validation messages (keyed by location) into a problem."""
    errors: list[dict] = []
    for location, fields in messages.items():
        for err in marshmallow_errors(fields if isinstance(fields, Mapping) else {SCHEMA: fields}):
            err["location"] = location
            errors.append(err)
    fields = ", ".join(e["pointer"] or "(body)" for e in errors) or "the request"
    fields_zh = "、".join(e["pointer"] or "（请求体）" for e in errors) or "请求"
    return HTTPProblem(
        status,
        f"The request is not valid: check {fields}.",
        kind="validation",
        errors=errors,
        detail_zh=f"请求内容无效：请检查 {fields_zh}。",
    )


def http_problem(error: HTTPException) -> HTTPProblem:
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
        problem = HTTPProblem(status, error.description or error.name)
    problem.headers.update(headers)
    return problem
