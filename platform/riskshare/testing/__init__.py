"""Test support shipped with the package: the facade for tests and demo stories.

Lives inside `riskshare` (not under `tests/`) so the platform's tests and the policy plugins'
tests can share the same fixtures and doubles, such as the Keycloak-compatible stub server.
A policy plugin's tests and its demo story import from here (and from `riskshare.toolkit`),
never from the core's other modules. Importing this package does not import pytest: a demo
story runs in `riskshare serve`.
"""

from riskshare.testing.client import ApiClient, Caller

__all__ = ["ApiClient", "Caller"]
