"""URL pieces: the ``<int:...>`` of every route is an id the database can hold.

werkzeug's ``int`` converter takes any number of digits; ``/claims/99999999999`` then reached
PostgreSQL as an integer it cannot compare and came back as a 500. With this converter such
a URL matches no route, which is the truth: there is no such record (404).
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

from riskshare.api.fields import INT_MAX


class RecordId(IntegerConverter):
    """A non-negative integer no larger than the id columns (PostgreSQL ``integer``)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def record_id_parameter(converter: RecordId) -> dict[str, Any]:
    """How the OpenAPI document shows a ``RecordId`` path parameter."""
    schema: dict[str, Any] = {"type": "integer", "minimum": max(converter.min or 0, 0)}
    schema["maximum"] = converter.max
    return schema
