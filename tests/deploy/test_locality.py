"""An operator adds a locality in production (docs/deployment.md, Adding a locality).

A policy that is not in the tree (Hebi, written here) is built into a wheel with pip and
published on a package index served here. The chart rendered with ``policies.distributions``
and ``policies.indexUrl`` gets an init container that installs it; its command runs here as a
process and installs the wheel into a folder of its own, which the rendered web container
imports from (``PYTHONPATH``): the environment running these tests never has the plugin, so
what finds it is the chart's mechanism, not the test's. The web container is first run
without it (the old pods), then with it (the rolling restart): the new policy is listed with
its distribution, allowed for one tenant, and a loan is registered and compensated under it;
a tenant onboarded before is not allowed it, and none of its rows changed.

What it does not prove: a real image build (no container tool here) and pip inside the image
(the same pip, but the venv's); the platform's own packages come from the test environment,
as in the image they come from its venv.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
import uuid
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from deploy_processes import free_port, stop, wait_until
from sqlalchemy.engine import make_url
from test_chart import REDIS_URL, _command, _container_env, by_kind, render

from riskshare.plugins.manager import available_plugins
from riskshare.testing.keycloak_stub import KeycloakStub

POLICIES_PATH = "/opt/riskshare-policies"  # the chart's (templates/_helpers.tpl)

PYPROJECT = """\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "riskshare-hebi"
version = "2026.1"
description = "Riskshare policy plugin: Hebi (a test locality, not in the tree)"
requires-python = ">=3.11"
dependencies = ["riskshare"]

[project.entry-points."riskshare.policies"]
hebi = "riskshare_hebi.policy"

[tool.setuptools]
packages = ["riskshare_hebi"]
"""

POLICY = '''\
"""Hebi: loans up to 1,000,000 are covered (HB-1); half the lost principal is paid (HB-2)."""

from decimal import Decimal

from riskshare.toolkit import (
    Compensation,
    DeadlineDecision,
    Decision,
    Explanation,
    PolicyDescriptor,
    hookimpl,
    to_money,
)

CLAUSE = "鹤壁市办法第"
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Hebi loan compensation",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "loan_cap": {
            "title": "Loan cap",
            "description": "Largest covered principal, yuan.",
            "type": "string",
            "pattern": "^[0-9]+$",
            "default": "1000000",
        },
    },
}


@hookimpl
def riskshare_policies():
    return [PolicyDescriptor("hebi", "2026", "鹤壁市贷款风险补偿办法 (Hebi)", SCHEMA)]


@hookimpl
def riskshare_loan_coverage(program, loan, firm, lender, guarantor, facts):
    cap = Decimal(program.config["loan_cap"])
    ok = loan.principal <= cap
    return Decision(ok, [Explanation(
        "HB-1", CLAUSE + "一条", "covered" if ok else "not covered",
        f"贷款本金 {loan.principal} 元，上限 {cap} 元。",
        f"Principal {loan.principal} against the cap {cap}.",
        inputs={"principal": loan.principal}, threshold=cap, passed=ok,
    )])


@hookimpl
def riskshare_claim_eligibility(program, loan, claim, facts):
    ok = loan.non_performing
    return Decision(ok, [Explanation(
        "HB-3", CLAUSE + "三条", "eligible" if ok else "refused",
        "贷款须为不良。", "The loan must be non-performing.",
        inputs={"classification": loan.classification}, passed=ok,
    )])


@hookimpl
def riskshare_compensation(program, loan, claim, facts):
    ratio = Decimal("0.5")
    amount = to_money(claim.claimed_principal * ratio)
    return Compensation(claim.claimed_principal, ratio, amount, [Explanation(
        "HB-2", CLAUSE + "二条", str(amount), "按损失本金的 50% 补偿。",
        "Half the lost principal is compensated.",
        inputs={"claimed": claim.claimed_principal}, threshold=ratio,
    )])


@hookimpl
def riskshare_deadline(program, kind, start, calendar):
    if kind not in ("claim_review", "recovery_return"):
        return None
    deadline = calendar.add_working_days(start, 10)
    return DeadlineDecision(deadline, Explanation(
        "HB-4", CLAUSE + "四条", deadline.due.isoformat(), "10 个工作日内。",
        "Within 10 working days.", inputs={"start": start}, threshold=10,
    ))
'''


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "src" / "riskshare-hebi"
    (source / "riskshare_hebi").mkdir(parents=True)
    (source / "pyproject.toml").write_text(PYPROJECT)
    (source / "riskshare_hebi" / "__init__.py").write_text("")
    (source / "riskshare_hebi" / "policy.py").write_text(POLICY)
    dist = tmp_path / "dist"
    built = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
            *("--disable-pip-version-check", "--quiet", "-w", str(dist), str(source)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("riskshare_hebi-2026.1-*.whl")
    return wheel


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def publish(wheel: Path, root: Path) -> ThreadingHTTPServer:
    """A PEP 503 simple index holding the wheel, as the operator's index would."""
    project = root / "simple" / "riskshare-hebi"
    project.mkdir(parents=True)
    shutil.copy(wheel, project / wheel.name)
    (project / "index.html").write_text(f'<a href="{wheel.name}">{wheel.name}</a>\n')
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rows_of(engine: sa.Engine, tenant: str) -> dict[str, list[str]]:
    """The tenant's rows in every table but the records of requests (the audit log records
    refusals too, the outbox the onboarding's jobs), and its tenants row."""
    skip = {"audit_events", "audit_checkpoints", "idempotency_records", "job_outbox", "job_runs"}
    with engine.connect() as conn:
        tables = conn.scalars(
            sa.text(
                "SELECT table_name FROM information_schema.columns WHERE column_name ="
                " 'tenant_id' AND table_schema = 'public' ORDER BY table_name"
            )
        ).all()
        found = {
            t: sorted(
                conn.scalars(
                    sa.text(f"SELECT r::text FROM {t} r WHERE r.tenant_id = :t"), {"t": tenant}
                )
            )
            for t in tables
            if t not in skip
        }
        found["tenants"] = sorted(
            conn.scalars(sa.text("SELECT r::text FROM tenants r WHERE slug = :t"), {"t": tenant})
        )
    return found


class Caller:
    def __init__(self, base: str, token: str, tenant: str | None = None) -> None:
        self.base, self.tenant = base, tenant
        self.headers = {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, body: object = None, status: int = 200) -> dict:
        url = path if path.startswith("/api/") else f"/api/v1/tenants/{self.tenant}{path}"
        headers = dict(self.headers)
        if method != "GET":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        response = requests.request(method, self.base + url, json=body, headers=headers, timeout=30)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json()


@pytest.mark.postgres
def test_an_operator_adds_a_locality_and_a_rolling_restart_runs_it_for_one_tenant_only(
    request, tmp_path, rs_pg_url, rs_app
):
    wheel = build_wheel(tmp_path)
    index = publish(wheel, tmp_path / "index")
    assert "hebi" not in available_plugins()  # not in the environment running the tests
    owner = sa.create_engine(
        make_url(request.config.getoption("--rs-pg-admin-url")).set(
            database=make_url(rs_pg_url).database
        )
    )
    audit_dir = tmp_path / "audit"
    audit_dir.mkdir()
    (audit_dir / "audit-key.pem").write_bytes(
        rs_app.extensions["riskshare"].audit_key.path.read_bytes()
    )
    installed = tmp_path / "policies"
    installed.mkdir()
    mounts = {"/etc/riskshare/audit": audit_dir, "/tmp/riskshare": tmp_path / "instance"}
    secrets = {"riskshare-database": {"url": rs_pg_url}, "riskshare-redis": {"url": REDIS_URL}}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    before, after = f"b{uuid.uuid4().hex[:10]}", f"a{uuid.uuid4().hex[:10]}"
    process = None

    def web(values: dict, name: str) -> subprocess.Popen:
        manifests = render(values)
        configmap = by_kind(manifests, "ConfigMap", "settings")["data"]
        container = by_kind(manifests, "Deployment", "web")["spec"]["template"]["spec"][
            "containers"
        ][0]
        env = _container_env(container, configmap, secrets, mounts)
        if "PYTHONPATH" in env:
            assert env["PYTHONPATH"] == POLICIES_PATH
            env["PYTHONPATH"] = str(installed)
        with (tmp_path / f"{name}.log").open("w") as log:
            started = subprocess.Popen(
                _command(container), env=env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(
            lambda: requests.get(f"{base}/readyz", timeout=2).status_code == 200,
            timeout=60,
            what=f"/readyz of the {name} web container",
            process=started,
        )
        return started

    try:
        with KeycloakStub() as keycloak:

            def token(user: str, tenant: str | None = None, role: str | None = None, **c):
                claims = {"sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, user)), **c}
                claims["preferred_username"] = user
                claims["groups"] = [f"/tenants/{tenant}/{role}"] if role else []
                return keycloak.issue_token(claims)

            operator = Caller(base, token("operator", realm_access={"roles": ["platform-admin"]}))
            values = {
                "settings": {"oidcServerUrl": keycloak.url},
                "web": {"port": port, "workers": 1},
            }
            # The pods before: a tenant onboarded, with a record of its own.
            process = web(values, "before")
            assert "hebi" not in {p["name"] for p in operator("GET", "/api/v1/platform/policies")}
            operator("POST", "/api/v1/platform/tenants", {"slug": before, "name": "安阳"}, 201)
            office_b = Caller(base, token("office-b", before, "office"), before)
            office_b("POST", "/institutions", {"code": "bank-b", "name": "B", "kind": "bank"}, 201)
            rows_before = rows_of(owner, before)
            assert stop(process) == 0

            # The upgrade: the chart names the distribution; the init container installs it.
            values["policies"] = {
                "distributions": ["riskshare-hebi==2026.1"],
                "indexUrl": f"http://127.0.0.1:{index.server_port}/simple/",
            }
            init = by_kind(render(values), "Deployment", "web")["spec"]["template"]["spec"][
                "initContainers"
            ][0]
            command = [sys.executable if c == "python" else c for c in init["command"]]
            command = [str(installed) if c == POLICIES_PATH else c for c in command]
            env = {k: v for k, v in os.environ.items() if not k.startswith(("RISKSHARE_", "PIP"))}
            env.update({e["name"]: e["value"] for e in init["env"]})
            env["HOME"] = str(tmp_path)
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            assert (installed / "riskshare_hebi" / "policy.py").exists()
            assert "hebi" not in available_plugins()

            process = web(values, "after")
            hebi = next(
                p for p in operator("GET", "/api/v1/platform/policies") if p["name"] == "hebi"
            )
            assert hebi["distribution"] == {"name": "riskshare-hebi", "version": "2026.1"}
            assert (hebi["plugin"], hebi["version"]) == ("hebi", "2026")
            assert hebi["config_schema"]["properties"]["loan_cap"]["default"] == "1000000"

            # The tenant onboarded before may not run it: the operator has not allowed it.
            assert (
                "hebi"
                not in operator("GET", f"/api/v1/platform/tenants/{before}/policies")["policies"]
            )
            program = {
                "code": "hebi-2026",
                "name": "鹤壁基金",
                "policy": "hebi",
                "fund_total": "1000000.00",
                "effective_from": "2024-01-01",
                "effective_to": "2026-12-31",
            }
            refused = office_b("POST", "/programs", program, 403)
            assert refused["type"].endswith("/policy-not-allowed")

            # The tenant the operator allows it runs a loan through it.
            operator(
                "POST",
                "/api/v1/platform/tenants",
                {"slug": after, "name": "鹤壁", "policies": ["hebi"]},
                201,
            )
            office = Caller(base, token("office-a", after, "office"), after)
            office("POST", "/programs", program, 201)
            bank = office(
                "POST", "/institutions", {"code": "bank-a", "name": "A", "kind": "bank"}, 201
            )
            lender = Caller(base, token("lender-a", after, "lender", institution="bank-a"), after)
            firm = lender(
                "POST",
                "/firms",
                {
                    "uscc": "91110108551385082Q",
                    "name": "Firm A",
                    "industry": "industry",
                    "employees": 25,
                    "revenue": "5000000",
                },
                201,
            )
            loan = lender(
                "POST",
                "/loans",
                {
                    "firm_id": firm["id"],
                    "lender_id": bank["id"],
                    "reference": "HB-L-1",
                    "kind": "credit",
                    "principal": "800000.00",
                    "issue_date": "2024-03-01",
                    "maturity_date": "2025-03-01",
                    "classification": "loss",
                },
                201,
            )
            assert loan["covered"] is True, loan
            assert "HB-1" in str(loan)
            claim = lender(
                "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": "100000.00"}, 201
            )
            reviewer = Caller(base, token("reviewer-a", after, "reviewer"), after)
            reviewed = reviewer(
                "POST",
                f"/claims/{claim['id']}/reviews",
                {"decision": "approve", "opinion": "ok"},
                201,
            )
            assert reviewed["approved_amount"] == "50000.00", reviewed
            assert "HB-2" in str(reviewed)
            # Nothing of the tenant onboarded before changed through the restart and after.
            assert rows_of(owner, before) == rows_before
    finally:
        if process is not None:
            stop(process)
        index.shutdown()
        index.server_close()
        owner.dispose()
