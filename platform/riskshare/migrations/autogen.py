"""How autogenerate sees the models: the target metadata, type comparison and rendering.

Shared by ``env.py`` (``alembic check`` and new revisions) and ``regenerate`` (the initial
revision), so both render and compare the same way. This module imports the app models;
revision files must not import it.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic.autogenerate.api import AutogenContext
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

import riskshare

PACKAGE_DIR = Path(riskshare.__file__).resolve().parent


def model_modules() -> list[str]:
    """Every ``riskshare.<area>.models`` module, found on disk so a new area needs no edit."""
    return sorted(
        f"riskshare.{path.parent.name}.models"
        for path in PACKAGE_DIR.glob("*/models.py")
        if (path.parent / "__init__.py").exists()
    )


def target_metadata() -> sa.MetaData:
    """The core's metadata with every model module imported."""
    for name in model_modules():
        importlib.import_module(name)
    from riskshare.db.base import Base

    return Base.metadata


def core_tables() -> set[str]:
    """The core's tables: the metadata's, less those mapped by classes outside ``riskshare``
    (a plugin that shares the Base keeps its tables in its own revisions).
    """
    metadata = target_metadata()
    from riskshare.db.base import Base

    foreign = {
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if mapper.class_.__module__.split(".")[0] != "riskshare"
        and isinstance(mapper.local_table, sa.Table)
    }
    return set(metadata.tables) - foreign


# -------------------------------------------------------------------------------------------
# Comparison
# -------------------------------------------------------------------------------------------


def compare_type(
    context: MigrationContext,
    inspected_column: sa.Column[Any],
    metadata_column: sa.Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """True when the types differ, None to let Alembic decide.

    ``ExactDecimal`` is stored as NUMERIC(p, s) on PostgreSQL and as a scaled BIGINT on
    SQLite; compare it with what the revision created on each, not with its Python face.
    """
    from riskshare.db.types import ExactDecimal

    if not isinstance(metadata_type, ExactDecimal):
        return None
    if context.dialect.name == "sqlite":
        return not isinstance(inspected_type, sa.BigInteger)
    if isinstance(inspected_type, sa.Numeric) and not isinstance(inspected_type, sa.Float):
        return (inspected_type.precision, inspected_type.scale) != (
            metadata_type.precision,
            metadata_type.scale,
        )
    return True


def include_object_for(
    tables: Collection[str] | None,
) -> Any:
    """An ``include_object`` hook limited to ``tables`` (None: everything)."""

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if tables is None:
            return True
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or table.name in tables

    return include_object


# -------------------------------------------------------------------------------------------
# Rendering
# -------------------------------------------------------------------------------------------


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the project's column types as plain SQLAlchemy, so revisions need no app import.

    ``ExactDecimal(p, s)`` becomes NUMERIC(p, s) with a BIGINT variant for SQLite (what
    ``ExactDecimal.load_dialect_impl`` stores); ``JSONDoc`` becomes JSON with a JSONB variant.
    """
    if type_ != "type":
        return False
    from riskshare.db.types import ExactDecimal

    if isinstance(obj, ExactDecimal):
        return f'sa.Numeric({obj.precision}, {obj.scale}).with_variant(sa.BigInteger(), "sqlite")'
    variants = getattr(obj, "_variant_mapping", None) or {}
    if isinstance(obj, sa.JSON) and isinstance(variants.get("postgresql"), JSONB):
        if set(variants) != {"postgresql"}:
            raise TypeError(f"render_item does not know JSON variants {sorted(variants)}")
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    if type(obj).__module__.split(".")[0] == "riskshare":
        # The default rendering would import riskshare in the revision: teach render_item.
        raise TypeError(
            f"{type(obj).__module__}.{type(obj).__name__} has no migration rendering; "
            "add one to riskshare.migrations.autogen.render_item"
        )
    return False


def context_options(include_tables: Collection[str] | None = None) -> dict[str, Any]:
    """The ``context.configure`` options for autogenerate, the same everywhere."""
    return {
        "compare_type": compare_type,
        "compare_server_default": True,
        "render_item": render_item,
        "include_object": include_object_for(include_tables),
        # Batch ops run as plain ALTERs on PostgreSQL and as table copies on SQLite, where
        # ALTER is limited; every revision runs on both, so they are always rendered batched.
        "render_as_batch": True,
    }
