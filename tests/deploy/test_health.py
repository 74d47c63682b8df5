"""/healthz and /readyz (public, outside /api/), request ids and JSON log lines."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import current_app, g

from riskshare import logs
from riskshare.app import create_app
from riskshare.auth.tokens import KeycloakKeySource, TokenVerifier
from riskshare.config import ConfigError, Settings
from riskshare.migrations import upgrade
from riskshare.testing.keycloak_stub import KeycloakStub


def _settings(tmp_path, url, **overrides):
    return Settings(
        mode="test",
        database_url=url,
        instance_path=tmp_path,
        dev_key_path=tmp_path / "dev-key.pem",
        audit_key_path=tmp_path / "audit-key.pem",
        **overrides,
    )


def test_healthz_and_readyz_answer_without_a_token(rs_app):
    client = rs_app.test_client()
    alive = client.get("/healthz")
    assert alive.status_code == 200
    assert alive.json == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "signing_keys": "ok"},
    }


def test_readyz_is_503_until_the_database_is_at_the_migrations_heads(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(_settings(tmp_path, url))
    client = app.test_client()
    before = client.get("/readyz")
    assert before.status_code == 503
    assert before.json["checks"]["database"] == "migrations not at head"
    assert client.get("/healthz").status_code == 200  # alive all the same: no restart
    upgrade(url)
    assert client.get("/readyz").status_code == 200
    app.extensions["riskshare"].db.dispose()


def test_readyz_is_503_while_redis_does_not_answer(tmp_path, rs_sqlite_url):
    # Port 1: nothing listens there.
    app = create_app(_settings(tmp_path, rs_sqlite_url, redis_url="redis://127.0.0.1:1/0"))
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["redis"] == "failed"
    assert answer.json["checks"]["database"] == "ok"


def test_readyz_waits_for_the_signing_keys_once_then_survives_keycloak_going_away(
    tmp_path, rs_sqlite_url
):
    stub = KeycloakStub()
    stub.start()
    url = stub.url
    source = KeycloakKeySource(url, stub.realm, stub.client_id, min_refresh_interval=0)
    verifier = TokenVerifier(source, issuer=stub.issuer, audience=stub.client_id)
    app = create_app(_settings(tmp_path, rs_sqlite_url, auth="keycloak"), verifier=verifier)
    client = app.test_client()
    stub.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json["checks"]["signing_keys"] == "not fetched yet"
    with KeycloakStub() as again:
        source_up = KeycloakKeySource(again.url, again.realm, again.client_id)
        app.extensions["riskshare"].verifier = TokenVerifier(
            source_up, issuer=again.issuer, audience=again.client_id
        )
        app.extensions["riskshare_readiness"]._ext = app.extensions["riskshare"]
        assert client.get("/readyz").status_code == 200
        fetched = again.certs_requests
    # Keycloak gone after the first fetch: cached keys keep serving, the pod stays ready.
    assert client.get("/readyz").status_code == 200
    assert fetched == 1
    source.close()
    source_up.close()


def test_every_answer_carries_a_request_id_and_keeps_a_sensible_incoming_one(rs_app):
    client = rs_app.test_client()
    fresh = client.get("/api/v1/tenants")  # refused (no token): still has its id
    assert fresh.status_code == 401
    assert len(fresh.headers["X-Request-Id"]) == 32
    assert client.get("/healthz").headers["X-Request-Id"] != fresh.headers["X-Request-Id"]
    kept = client.get("/healthz", headers={"X-Request-Id": "edge-7f3a.1"})
    assert kept.headers["X-Request-Id"] == "edge-7f3a.1"
    # A long value could flood the log, markup or quotes could mislead a log viewer: replaced.
    for bad in ("x" * 200, "<script>", 'a" "b'):
        answered = client.get("/healthz", headers={"X-Request-Id": bad}).headers["X-Request-Id"]
        assert answered != bad
        assert len(answered) == 32


def test_log_lines_are_json_naming_the_request_id_and_tenant(tmp_path, rs_sqlite_url):
    app = create_app(_settings(tmp_path, rs_sqlite_url))

    @app.get("/log-probe/<tenant>")
    def _probe():
        current_app.logger.warning("probe for %s", g.tenant)
        return {}

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        app.test_client().get("/log-probe/anhui", headers={"X-Request-Id": "req-42"})
        with logs.context(tenant="yanqing", outbox_id=7):
            logging.getLogger("riskshare.jobs").warning("job line")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    probe = next(line for line in lines if line["message"] == "probe for anhui")
    assert probe["request_id"] == "req-42"
    assert probe["tenant"] == "anhui"
    assert probe["level"] == "WARNING"
    job = next(line for line in lines if line["message"] == "job line")
    assert (job["tenant"], job["outbox_id"]) == ("yanqing", 7)
    assert "request_id" not in job


@pytest.mark.parametrize(
    ("name", "value"), [("RISKSHARE_LOG_FORMAT", "xml"), ("RISKSHARE_LOG_LEVEL", "loud")]
)
def test_a_bad_log_setting_is_refused_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_production_logs_json_by_default_and_elsewhere_text():
    assert Settings.from_env({}).log_format == "text"
    assert (
        Settings.from_env(
            {
                "RISKSHARE_MODE": "production",
                "RISKSHARE_DATABASE_URL": "postgresql+psycopg://x@h/db",
            }
        ).log_format
        == "json"
    )
