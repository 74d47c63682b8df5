"""Settings from the environment: production refuses what is only safe on a laptop."""

from __future__ import annotations

import pytest

from riskshare.config import ConfigError, Settings

PRODUCTION = {
    "RISKSHARE_MODE": "production",
    "RISKSHARE_DATABASE_URL": "postgresql+psycopg://riskshare_app@db/riskshare",
}


def test_production_refuses_the_development_signing_key():
    with pytest.raises(ConfigError, match="development signing key"):
        Settings.from_env({**PRODUCTION, "RISKSHARE_AUTH": "dev"})


def test_production_refuses_sqlite():
    with pytest.raises(ConfigError, match="PostgreSQL"):
        Settings.from_env({"RISKSHARE_MODE": "production"})


def test_production_with_keycloak_and_postgresql_starts():
    settings = Settings.from_env(PRODUCTION)
    assert settings.auth == "keycloak"
    assert settings.max_body_bytes == 8 * 1024 * 1024


def test_size_limits_are_read_and_checked_against_each_other():
    settings = Settings.from_env(
        {"RISKSHARE_MAX_BODY_BYTES": "20000000", "RISKSHARE_MAX_DOCUMENT_BYTES": "10000000"}
    )
    assert (settings.max_body_bytes, settings.max_document_bytes) == (20000000, 10000000)
    with pytest.raises(ConfigError, match="RISKSHARE_MAX_BODY_BYTES"):
        Settings.from_env({"RISKSHARE_MAX_BODY_BYTES": "1000000"})  # documents are 5 MiB
    with pytest.raises(ConfigError, match="whole number of bytes"):
        Settings.from_env({"RISKSHARE_MAX_DOCUMENT_BYTES": "5MB"})


def test_token_lifetime_and_rate_limit_are_read_from_the_environment():
    # Both are documented settings (README, docs/security.md); the bench raises the limit.
    default = Settings.from_env({})
    assert (default.token_max_lifetime, default.rate_limit_per_minute) == (12 * 3600, 600)
    settings = Settings.from_env(
        {"RISKSHARE_TOKEN_MAX_LIFETIME": "3600", "RISKSHARE_RATE_LIMIT_PER_MINUTE": "100000"}
    )
    assert (settings.token_max_lifetime, settings.rate_limit_per_minute) == (3600, 100000)
    with pytest.raises(ConfigError, match="RISKSHARE_RATE_LIMIT_PER_MINUTE"):
        Settings.from_env({"RISKSHARE_RATE_LIMIT_PER_MINUTE": "0"})
    with pytest.raises(ConfigError, match="RISKSHARE_TOKEN_MAX_LIFETIME"):
        Settings.from_env({"RISKSHARE_TOKEN_MAX_LIFETIME": "12h"})


def test_production_needs_its_audit_key_mounted_and_other_modes_make_one(tmp_path):
    from riskshare.app import _audit_key

    missing = tmp_path / "secrets" / "audit-key.pem"
    production = Settings(mode="production", audit_key_path=missing)
    with pytest.raises(ConfigError, match="mount the deployment's audit key"):
        _audit_key(production)
    assert not missing.exists()  # production never makes its own: every process must share it
    embedded = Settings(mode="embedded", instance_path=tmp_path)
    key = _audit_key(embedded)
    assert key.path == tmp_path / "audit-key.pem" and key.path.stat().st_mode & 0o077 == 0
    assert _audit_key(embedded).kid == key.kid  # the same key on the next start
