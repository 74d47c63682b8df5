"""A policy's attribute schemas are checked at start-up, like its config schema: one the API
could not validate or document stops the platform with a message naming the policy."""

from __future__ import annotations

import pytest

import toy_policy
from riskshare.plugins.manager import PluginLoadError, get_plugin_manager
from riskshare.toolkit import PolicyDescriptor, hookimpl

GOOD = toy_policy.FIRM_ATTRIBUTES


def _start_with(attribute_schemas):
    class Policy:
        @staticmethod
        @hookimpl
        def riskshare_policies():
            return [
                PolicyDescriptor(
                    "odd", "1", "Odd", toy_policy.SCHEMA, attribute_schemas=attribute_schemas
                )
            ]

    return get_plugin_manager([], [("odd", Policy)])


def test_well_formed_attribute_schemas_start():
    _start_with({"firm": GOOD, "loan": GOOD, "claim": GOOD, "event": GOOD})


@pytest.mark.parametrize(
    ("schemas", "message"),
    [
        # Open schemas would let a misspelt key through, which is what they are for.
        (
            {"loan": {**GOOD, "additionalProperties": True}},
            r"'loan' attributes whose schema breaks the meta-schema",
        ),
        # The API document shows every property's title and description.
        (
            {"firm": {**GOOD, "properties": {"x": {"type": "boolean"}}}},
            r"'firm' attributes .*'title' is a required property",
        ),
        # Amounts and ratios are decimal strings: a JSON number with a fraction is a float.
        (
            {
                "claim": {
                    **GOOD,
                    "properties": {"x": {"title": "X", "description": "d", "type": "number"}},
                }
            },
            r"'claim' attributes .*\.type: 'number' should not be valid",
        ),
        # Not valid JSON Schema although the meta-schema's shape is kept.
        (
            {
                "event": {
                    **GOOD,
                    "properties": {"x": {"title": "X", "description": "d", "type": "decimal"}},
                }
            },
            r"'event' attributes whose schema is not valid JSON Schema",
        ),
        ({"institution": GOOD}, r"records that take attributes are \['firm', 'loan'"),
    ],
)
def test_a_malformed_attribute_schema_stops_start_up(schemas, message):
    with pytest.raises(PluginLoadError, match=message) as raised:
        _start_with(schemas)
    assert "policy 'odd'" in str(raised.value)
