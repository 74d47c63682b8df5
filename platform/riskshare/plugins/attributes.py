"""The attributes a policy reads on firms, loans, claims and loan events, checked on write.

Each policy declares, in ``PolicyDescriptor.attribute_schemas``, a JSON Schema per record for
the free-form ``attributes`` it reads (a loan event's ``data``). A key that no policy in
play declares is refused, not stored: the policy would read nothing under a misspelt key and
decide differently from what the caller meant. A key declared is checked by every policy in
play that declares it. Refusals are 422 problems pointing at the key, before anything is
written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jsonschema
import pluggy

from riskshare.errors import Problem, pointer
from riskshare.plugins.manager import policy_registry
from riskshare.plugins.types import ATTRIBUTE_RECORDS


def component_name(policy: str, record: str) -> str:
    """The OpenAPI component of a policy's schema for one record: ``toy.FirmAttributes``."""
    return f"{policy}.{record.capitalize()}Attributes"


def declared(
    pm: pluggy.PluginManager, policies: Iterable[str], record: str
) -> list[tuple[str, Mapping[str, Any]]]:
    """``(policy, schema)`` of every named policy that declares attributes of ``record``.

    A policy no installed plugin offers declares nothing (its programs' records then take
    no attributes until the plugin is back).
    """
    if record not in ATTRIBUTE_RECORDS:
        raise ValueError(f"no attributes on {record!r}")
    registry = policy_registry(pm)
    out = []
    for name in sorted(set(policies)):
        descriptor = registry.get(name)
        schema = descriptor.attribute_schemas.get(record) if descriptor else None
        if schema is not None:
            out.append((name, schema))
    return out


def check_attributes(
    pm: pluggy.PluginManager,
    policies: Iterable[str],
    record: str,
    attributes: Mapping[str, Any] | None,
    *,
    at: str = "/attributes",
) -> dict[str, Any]:
    """The attributes as given, or a 422 problem naming every key that is wrong and why.

    :param policies: the policies in play: a loan's, claim's or event's program's policy; for
        a firm, the policies of every program of the tenant.
    :param at: the JSON pointer of the attributes in the request body.
    """
    given = dict(attributes or {})
    policies = sorted(set(policies))
    schemas = declared(pm, policies, record)
    allowed = sorted({key for _, schema in schemas for key in schema.get("properties", {})})
    errors: list[dict[str, Any]] = []
    errors.extend(_fractions(given, at))
    for key in sorted(set(given) - set(allowed)):
        readers = " or ".join(policies) or "no policy"
        errors.append(
            {
                "pointer": f"{at}{pointer([key])}",
                "detail": f"'{key}' is not an attribute of {_a(record)} that {readers} reads;"
                f" allowed: {', '.join(allowed) or 'none'}.",
                "allowed": allowed,
            }
        )
    for name, schema in schemas:
        # Each policy checks the keys it declares: a tenant's firm carries the keys of every
        # policy of its programs, and one policy's schema knows nothing of another's keys.
        mine = {k: v for k, v in given.items() if k in schema.get("properties", {})}
        validator = jsonschema.Draft202012Validator(dict(schema))
        for err in sorted(validator.iter_errors(mine), key=lambda e: list(e.absolute_path)):
            path = list(err.absolute_path)
            if err.validator == "required":
                path += [k for k in err.validator_value if k not in err.instance][:1]
            errors.append(
                {
                    "pointer": f"{at}{pointer(path)}",
                    "detail": f"{err.message} (policy {name}: {_title(schema, path)}).",
                    "policy": name,
                }
            )
    if errors:
        fields = ", ".join(dict.fromkeys(e["pointer"] for e in errors))
        raise Problem(
            422,
            f"The {record}'s attributes are not what its policies read: check {fields}.",
            kind="validation",
            errors=errors,
        )
    return given


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _fractions(value: Any, at: str, path: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Floats anywhere in the attributes: a JSON number with a fraction may have lost
    precision already, and a policy that turned it into money would compute with it."""
    if isinstance(value, float):
        return [
            {
                "pointer": f"{at}{pointer(list(path))}",
                "detail": "a number with a fraction; send amounts and ratios as decimal"
                ' strings ("0.30").',
            }
        ]
    if isinstance(value, Mapping):
        return [e for k, v in value.items() for e in _fractions(v, at, (*path, k))]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _fractions(v, at, (*path, i))]
    return []


def _title(schema: Mapping[str, Any], path: list[Any]) -> str:
    prop = schema.get("properties", {}).get(path[0]) if path else None
    return str(prop.get("title")) if prop else str(schema.get("title", ""))


def openapi_components(
    pm: pluggy.PluginManager,
) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """Every installed policy's attribute schemas as OpenAPI 3.1 schema components:
    ``(policy, record) -> (component name, schema)``."""
    return {
        (name, record): (
            component_name(name, record),
            {k: v for k, v in schema.items() if k != "$schema"},
        )
        for name, descriptor in sorted(policy_registry(pm).items())
        for record, schema in sorted(descriptor.attribute_schemas.items())
    }
