"""What a JSON request body may hold before any view sees it.

The database cannot store a NUL byte or a lone surrogate, a worksheet cannot hold most
control characters, and a document nested hundreds of levels deep is an attack or a bug,
never a record. Each used to pass validation and fail later — at the database, in the xlsx
report a month afterwards — as a 500. Refused here, once, for every route (the core's and
every plugin's), with the pointer of each string to fix; and a body larger than the
configured limit is refused with 413 before it is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from riskshare.api.problems import Problem
from riskshare.db.types import UNSTORABLE
from riskshare.errors import pointer

# Deeper than any record the API takes (a plan's lines' explanations' inputs are ~6 levels).
MAX_DEPTH = 32
MAX_REPORTED = 20


def install(app: Flask, max_body_bytes: int) -> None:
    # werkzeug answers 413 (RequestEntityTooLarge, a problem by the HTTP handler) as soon as
    # a body's Content-Length or its streamed length passes the limit.
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes

    @app.before_request
    def _check_json_body() -> None:
        if not request.is_json or not request.path.startswith("/api/"):
            return
        data = request.get_data(cache=True)
        if not data:
            return
        try:
            document = json.loads(data)
        except RecursionError as exc:
            raise Problem(
                400,
                f"The JSON body is nested too deeply; records nest at most {MAX_DEPTH} levels.",
                kind="invalid-json",
            ) from exc
        except ValueError:
            return  # not JSON at all: the request parser answers 400 with its own message
        errors = list(_unstorable(document))
        if errors:
            shown = errors[:MAX_REPORTED]
            raise Problem(
                422,
                "The body holds text or nesting the platform cannot store: "
                + "; ".join(f"{e['pointer'] or '(body)'}: {e['detail']}" for e in shown[:3])
                + ("." if len(errors) <= 3 else f"; and {len(errors) - 3} more."),
                kind="validation",
                errors=shown,
            )


def _unstorable(document: Any) -> Iterator[dict[str, str]]:
    """Each string (key or value) that cannot be stored, and each part nested too deep."""
    stack: list[tuple[Any, list[Any], int]] = [(document, [], 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            yield {
                "pointer": pointer(path),
                "detail": f"nested deeper than {MAX_DEPTH} levels",
            }
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                problem = _text_problem(key)
                if problem:
                    yield {"pointer": pointer([*path, key]), "detail": f"the key {problem}"}
                stack.append((value, [*path, key], depth + 1))
        elif isinstance(node, list):
            stack.extend((item, [*path, i], depth + 1) for i, item in enumerate(node))
        elif isinstance(node, str):
            problem = _text_problem(node)
            if problem:
                yield {"pointer": pointer(path), "detail": problem}


def _text_problem(text: str) -> str | None:
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character (\\u0000)"
    if "\ud800" <= char <= "\udfff":
        return f"contains a lone surrogate (\\u{ord(char):04x}), which is not text"
    return f"contains the control character \\u{ord(char):04x}"
