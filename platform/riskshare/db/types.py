"""Shared column types.

Money is exact: on PostgreSQL it is ``NUMERIC``; on SQLite, which has no exact decimal type
(its NUMERIC affinity stores REAL), the same value is stored as a scaled integer (fen for
money), so SQL ``SUM`` stays exact on both backends.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

# What no text column can hold: the control characters (Unicode category Cc) but tab, line
# feed and carriage return, and the surrogates, which are not characters at all (JSON's
# "\ud800" decodes to one). PostgreSQL refuses NUL in text and JSON; a worksheet refuses
# most of the rest. Request bodies (api/bodies.py) and imported files are checked for them.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of places, exact on every backend."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 2) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("floats are never stored as money or ratios; use Decimal")
        value = Decimal(value).quantize(self.quantum, rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale))
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)


def Money() -> ExactDecimal:
    return ExactDecimal(18, 2)


def Ratio() -> ExactDecimal:
    return ExactDecimal(9, 6)


JSONDoc = JSON().with_variant(JSONB(), "postgresql")

TenantKey = String(63)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


money = Annotated[Decimal, mapped_column(Money())]
ratio = Annotated[Decimal, mapped_column(Ratio())]
date = Annotated[dt.date, mapped_column(Date())]
timestamp = Annotated[dt.datetime, mapped_column(DateTime(timezone=True), default=utcnow)]
jsondoc = Annotated[Any, mapped_column(JSONDoc)]
str40 = Annotated[str, mapped_column(String(40))]
str200 = Annotated[str, mapped_column(String(200))]
