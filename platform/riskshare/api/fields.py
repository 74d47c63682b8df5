"""Schema pieces shared by every resource: money as strings, pagination of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask_smorest import Page
from sqlalchemy import func, select
from sqlalchemy.orm import Session


class Money(ma.fields.Decimal):
    """Yuan, as a decimal string with two places ("1234.50"); never a JSON number out."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault("example", "1000000.00")
        super().__init__(places=2, as_string=True, allow_nan=False, **kwargs)

    def _validated(self, value: Any) -> Decimal:
        if isinstance(value, float):
            raise self.make_error("invalid")  # a JSON number may already have lost precision
        result = super()._validated(value)
        if result is not None and result.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ma.ValidationError("Amounts have at most two decimal places (fen).")
        return result


class Ratio(ma.fields.Decimal):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=6, as_string=True, allow_nan=False, **kwargs)


class Explanations(ma.fields.List):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ma.fields.Dict(), dump_only=True, **kwargs)


@dataclass(frozen=True)
class Listing:
    """A query still to be paginated (a view returning a tuple would mean (body, status))."""

    session: Session
    query: Any


class SQLCursorPage(Page):
    """flask-smorest pagination over a SQLAlchemy select, counted in SQL."""

    @property
    def item_count(self) -> int:
        listing: Listing = self.collection
        subquery = listing.query.order_by(None).subquery()
        return listing.session.execute(select(func.count()).select_from(subquery)).scalar_one()

    @property
    def items(self) -> list[Any]:
        listing: Listing = self.collection
        return list(
            listing.session.scalars(
                listing.query.offset(self.page_params.first_item).limit(self.page_params.page_size)
            )
        )


def page(session: Session, query: Any) -> Listing:
    return Listing(session, query)


def EffectiveOn() -> ma.fields.Date:
    """The business date of an action (its value date), when it is not today."""
    return ma.fields.Date(
        load_default=None,
        metadata={
            "description": "the date the action took effect (default today, Asia/Shanghai);"
            " never in the future nor before the record's previous step"
        },
    )


class Attributes(ma.fields.Dict):
    """The free-form facts a policy reads on a record (``firm``, ``loan``, ``claim``, a loan
    ``event``'s data): the services check them against the policies' declared schemas, and
    the OpenAPI document links each installed policy's schema (``x-policy-attributes``)."""

    def __init__(self, record: str, **kwargs: Any) -> None:
        self.record = record
        kwargs.setdefault("metadata", {}).setdefault(
            "description",
            f"what the {record}'s policies read: only the keys their schemas declare"
            " (see x-policy-attributes); amounts and ratios as decimal strings",
        )
        super().__init__(keys=ma.fields.String(), **kwargs)


def policy_attributes_property(converter: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: an ``Attributes`` field links the installed policies'
    schemas for its record (set by the app factory in ``converter.policy_attribute_refs``)."""
    if not isinstance(field, Attributes):
        return {}
    refs = getattr(converter, "policy_attribute_refs", {}).get(field.record, {})
    return {"x-policy-attributes": {p: {"$ref": ref} for p, ref in sorted(refs.items())}}
