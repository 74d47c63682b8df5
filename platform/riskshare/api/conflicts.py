"""Integrity errors as problems: a duplicate is a 409 that says what already exists.

Services check natural keys before they insert, but two identical requests at the same
moment both pass that check; the database's unique constraint then refuses the second
one. That refusal is the user's answer too, not a server error: it names the record kind
and the fields that must be unique, and nothing of the request is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import MetaData, UniqueConstraint
from sqlalchemy.exc import IntegrityError

from riskshare.api.problems import Problem

PG_UNIQUE_VIOLATION = "23505"
PG_FOREIGN_KEY_VIOLATION = "23503"
SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w., ]+)")
# Columns every tenant-owned key has: they say nothing the user can change.
IMPLIED = frozenset({"tenant_id", "program_id"})


@dataclass(frozen=True)
class UniqueKey:
    table: str
    columns: tuple[str, ...]

    @property
    def fields(self) -> list[str]:
        return [c for c in self.columns if c not in IMPLIED] or list(self.columns)

    @property
    def noun(self) -> str:
        return self.table.removesuffix("s").replace("_", " ")


class ConflictTranslator:
    """Knows every unique key of the schema by constraint name and by table and columns."""

    def __init__(self, metadata: MetaData) -> None:
        self.by_name: dict[str, UniqueKey] = {}
        self.by_columns: dict[tuple[str, frozenset[str]], UniqueKey] = {}
        for table in metadata.tables.values():
            keys = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
            keys += [i for i in table.indexes if i.unique]  # type: ignore[misc]
            for key in keys:
                unique = UniqueKey(table.name, tuple(c.name for c in key.columns))
                if key.name:
                    self.by_name[str(key.name)] = unique
                self.by_columns[(table.name, frozenset(unique.columns))] = unique

    def problem(self, error: IntegrityError) -> Problem | None:
        """The 409 (duplicate) or 422 (unknown reference) for ``error``; None if neither."""
        orig = error.orig
        code = getattr(orig, "sqlstate", None)
        if code == PG_FOREIGN_KEY_VIOLATION or "FOREIGN KEY constraint failed" in str(orig):
            return Problem(
                422,
                "The request refers to a record that does not exist; nothing was saved.",
                kind="validation",
            )
        key = None
        if code == PG_UNIQUE_VIOLATION:
            key = self.by_name.get(getattr(getattr(orig, "diag", None), "constraint_name", ""))
        elif match := SQLITE_UNIQUE.search(str(orig)):
            pairs = [c.strip().split(".") for c in match["columns"].split(",")]
            table = pairs[0][0]
            key = self.by_columns.get((table, frozenset(p[-1] for p in pairs)))
        else:
            return None
        return duplicate(key)


def duplicate(key: UniqueKey | None) -> Problem:
    if key is None:
        return Problem(
            409,
            "The same record exists already (perhaps made by a request at the same moment);"
            " nothing was saved.",
            kind="conflict",
        )
    fields = ", ".join(key.fields)
    return Problem(
        409,
        f"A {key.noun} with the same {fields} exists already (perhaps made by a request at"
        " the same moment); nothing was saved.",
        kind="conflict",
        errors=[{"pointer": f"/{f}", "detail": "duplicate"} for f in key.fields],
    )
