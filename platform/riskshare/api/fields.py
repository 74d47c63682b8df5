"""Schema pieces shared by every resource: money as strings, bounded integers and dates,
pagination of queries.

The bounds are the database's: an id or count beyond PostgreSQL's ``integer``, an amount
beyond ``NUMERIC(18,2)`` or a date beyond the working-day calendar would otherwise reach
the database or the calendar and come back as a 500 instead of a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask_smorest import Page
from sqlalchemy import func, select
from sqlalchemy.orm import Session

# PostgreSQL's ``integer``, the type of every id and count column.
INT_MAX = 2**31 - 1
# NUMERIC(18,2): sixteen digits before the point.
MONEY_INTEGER_DIGITS = 16
# The span the working-day calendar and every deadline computed from a date can reach.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)

# One way to write an amount: ASCII digits, an optional minus, at most two decimals. Python's
# Decimal would also take "１００", "٣", "1_000", " 100 " and "1E+2"; a person who typed one of
# those may have meant something else, so the platform asks instead of guessing.
_AMOUNT = re.compile(rf"-?[0-9]{{1,{MONEY_INTEGER_DIGITS}}}(?:\.[0-9]{{1,2}})?")
AMOUNT_FORMAT = (
    f"a string of ASCII digits with an optional minus sign and at most two decimals, at most"
    f' {MONEY_INTEGER_DIGITS} digits before the point, e.g. "1234.50"'
)


class Money(ma.fields.Decimal):
    """Yuan, as a decimal string with two places ("1234.50"); never a JSON number."""

    default_error_messages = {"format": "An amount is " + AMOUNT_FORMAT + "."}

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("example", "1000000.00")
        metadata.setdefault("pattern", _AMOUNT.pattern.join("^$"))
        super().__init__(places=2, as_string=True, allow_nan=False, **kwargs)

    def _validated(self, value: Any) -> Decimal:
        # A JSON number may already have lost precision; a string is read one way only.
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
            raise self.make_error("format")
        return super()._validated(value)


class Integer(ma.fields.Integer):
    """An integer the database's ``integer`` columns hold (ids, counts, years, days)."""

    def __init__(self, **kwargs: Any) -> None:
        lowest = kwargs.pop("minimum", -INT_MAX - 1)
        highest = kwargs.pop("maximum", INT_MAX)
        validators = list(_as_list(kwargs.pop("validate", None)))
        validators.insert(0, ma.validate.Range(min=lowest, max=highest))
        super().__init__(validate=validators, **kwargs)


class Date(ma.fields.Date):
    """A calendar date between 1900-01-01 and 2999-12-31, the span every deadline the
    platform computes from it stays inside."""

    def __init__(self, **kwargs: Any) -> None:
        validators = list(_as_list(kwargs.pop("validate", None)))
        validators.insert(0, ma.validate.Range(min=FIRST_DATE, max=LAST_DATE))
        super().__init__(validate=validators, **kwargs)


def _as_list(validate: Any) -> list[Any]:
    if validate is None:
        return []
    return list(validate) if isinstance(validate, list | tuple) else [validate]


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
        if self.page_params.first_item > INT_MAX:
            # No table holds more rows than its integer ids: the page is past the end, and
            # an offset this large would overflow the database's bigint.
            return []
        return list(
            listing.session.scalars(
                listing.query.offset(self.page_params.first_item).limit(self.page_params.page_size)
            )
        )


def page(session: Session, query: Any) -> Listing:
    return Listing(session, query)


def EffectiveOn() -> ma.fields.Date:
    """The business date of an action (its value date), when it is not today."""
    return Date(
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
