"""Test support shipped with the package.

Lives inside `riskshare` (not under `tests/`) so the platform's tests and the policy plugins'
tests can share the same fixtures and doubles, such as the Keycloak-compatible stub server.
"""
