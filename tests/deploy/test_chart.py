"""The Helm chart, offline: Helm's own Go library (helm-python-sdk) lints and renders it,
kubernetes-validate checks every manifest strictly for the chart's Kubernetes version,
values.schema.json refuses bad values, and the rendered web, worker, scheduler and migration
containers run here as processes until /readyz answers 200 and a job completes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import helm_python as helm
import kubernetes_validate
import pytest
import requests
import sqlalchemy as sa
import yaml
from deploy_processes import free_port, stop, wait_until
from redis import Redis
from rq import Queue
from sqlalchemy.engine import make_url

from riskshare.testing.keycloak_stub import KeycloakStub

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "riskshare"
PRODUCTION = yaml.safe_load((Path(__file__).with_name("production-values.yaml")).read_text())
KUBE_VERSION = "1.30.0"  # the oldest the chart declares (Chart.yaml kubeVersion >= 1.29)
REDIS_URL = os.environ.get("RISKSHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def render(values=None):
    chart = helm.Chart.load(str(CHART))
    try:
        files = chart.render(values or {}, name="rs", namespace="risk", is_install=True)
    finally:
        chart.close()
    return [doc for text in files.values() for doc in yaml.safe_load_all(text) if doc]


def by_kind(manifests, kind, suffix):
    return next(
        m for m in manifests if m["kind"] == kind and m["metadata"]["name"].endswith(suffix)
    )


@pytest.mark.parametrize("values", [None, PRODUCTION], ids=["default", "production"])
def test_the_chart_lints_clean_and_every_manifest_is_valid_kubernetes(values):
    report = helm.lint(str(CHART), values, strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []
    manifests = render(values)
    kinds = sorted({m["kind"] for m in manifests})
    assert {"Deployment", "Job", "Service", "ConfigMap", "ServiceAccount"} <= set(kinds)
    assert {"PodDisruptionBudget", "NetworkPolicy"} <= set(kinds)
    for manifest in manifests:
        kubernetes_validate.validate(manifest, KUBE_VERSION, strict=True)
    if values is PRODUCTION:
        assert {
            m["metadata"]["name"] for m in manifests if m["kind"] == "HorizontalPodAutoscaler"
        } == {
            "rs-riskshare-web",
            "rs-riskshare-worker",
        }
        assert (
            by_kind(manifests, "Ingress", "riskshare")["spec"]["tls"][0]["secretName"] == "rs-tls"
        )


def test_pods_run_as_non_root_on_a_read_only_root_and_secrets_are_references():
    manifests = render(PRODUCTION)
    pods = [m["spec"]["template"]["spec"] for m in manifests if m["kind"] in ("Deployment", "Job")]
    assert len(pods) == 4
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"] + pod.get("initContainers", []):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            for env in container.get("env", []):
                # Credentials come from Secrets the operator made: never a value in the chart.
                if re.search(r"URL$|PASSWORD|SECRET", env["name"]) and "OIDC" not in env["name"]:
                    assert "valueFrom" in env, env
    assert not [m for m in manifests if m["kind"] == "Secret"]
    # The locality's plugin is installed in every pod, the migration Job's too (a plugin may
    # bring migrations), from the index named by a secret.
    for pod in pods:
        (init,) = pod["initContainers"]
        index = next(e for e in init["env"] if e["name"] == "PIP_INDEX_URL")
        assert index["valueFrom"]["secretKeyRef"] == {"name": "rs-policy-index", "key": "url"}
        assert init["command"][-1] == "riskshare-hebi==2026.1"
    job = by_kind(manifests, "Job", "migrations")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    owner = next(
        e
        for e in job["spec"]["template"]["spec"]["containers"][0]["env"]
        if e["name"] == "RISKSHARE_DATABASE_URL"
    )
    assert owner["valueFrom"]["secretKeyRef"]["key"] == "ownerUrl"  # the schema owner
    web = by_kind(manifests, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_distributions_without_an_index_are_refused_naming_what_to_set():
    with pytest.raises(helm.HelmError, match=r"policies\.indexUrl or policies\.indexUrlSecret"):
        render({"policies": {"distributions": ["riskshare-hebi==2026.1"]}})
    pod = by_kind(render(), "Deployment", "web")["spec"]["template"]["spec"]
    assert "initContainers" not in pod  # no distributions: the image's plugins only
    assert "policies" not in {v["name"] for v in pod["volumes"]}


def test_the_realm_is_shipped_as_a_configmap_for_a_bundled_keycloak():
    realm = by_kind(render(), "ConfigMap", "realm")
    shipped = (CHART / "files" / "realm-riskshare.json").read_text()
    assert realm["data"]["realm-riskshare.json"] == shipped
    assert not [
        m
        for m in render({"keycloak": {"realmConfigMap": {"enabled": False}}})
        if m["metadata"]["name"].endswith("realm")
    ]


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"worker": {"replicas": 1}}, "replicas"),
        ({"web": {"port": "eighty"}}, "port"),
        ({"settings": {"logLevel": "loud"}}, "logLevel"),
        ({"settings": {"oidcServerUrl": "keycloak:8080"}}, "oidcServerUrl"),
        ({"secrets": {"database": {"name": "Bad_Name"}}}, "name"),
        ({"web": {"resources": {"limits": {"memory": "lots"}}}}, "memory"),
        ({"databasePassword": "hunter2"}, "databasePassword"),  # no values for secrets
        # Every pod of a rolling restart installs the same version: pinned, or refused.
        ({"policies": {"distributions": ["riskshare-hebi"]}}, "distributions"),
        ({"policies": {"indexUrl": "pypi.gov.example/simple"}}, "indexUrl"),
        ({"policies": {"wheels": ["x.whl"]}}, "wheels"),
    ],
)
def test_values_schema_refuses_bad_values_naming_them(values, named):
    chart = helm.Chart.load(str(CHART))
    try:
        merged = chart.merge_values(values) if hasattr(chart, "merge_values") else values
        with pytest.raises(helm.HelmError, match=named):
            chart.validate_schema(merged)
        chart.validate_schema(chart.values)  # the defaults pass
    finally:
        chart.close()


def _read_by_riskshare() -> set[str]:
    source = "\n".join(p.read_text() for p in (ROOT / "platform" / "riskshare").rglob("*.py"))
    return set(re.findall(r"RISKSHARE_[A-Z_]+", source))


@pytest.mark.parametrize("values", [None, PRODUCTION], ids=["default", "production"])
def test_every_variable_the_chart_sets_is_one_riskshare_reads(values):
    read = _read_by_riskshare()
    manifests = render(values)
    set_by_chart = set(by_kind(manifests, "ConfigMap", "settings")["data"])
    for m in manifests:
        if m["kind"] in ("Deployment", "Job"):
            for c in m["spec"]["template"]["spec"]["containers"]:
                set_by_chart |= {e["name"] for e in c.get("env", [])}
    # PYTHONPATH (Python's own): where the locality's plugins are installed (policies.*).
    assert set_by_chart - read - {"PYTHONPATH"} == set()
    assert ("PYTHONPATH" in set_by_chart) == (values is PRODUCTION)
    assert "RISKSHARE_KEYCLOAK_ADMIN_CLIENT_SECRET" in set_by_chart or values is None


def _container_env(container, configmap, secrets, mounts):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKSHARE_")}
    if container.get("envFrom"):
        env.update(configmap)
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            value = secrets.get(ref["name"], {}).get(ref["key"])
            if value is None:
                assert ref.get("optional"), ref
                continue
            env[item["name"]] = value
    for name, value in list(env.items()):
        for path, local in mounts.items():
            if name.startswith("RISKSHARE_") and value.startswith(path):
                env[name] = str(local) + value[len(path) :]
    return env


def _command(container):
    command = list(container["command"])
    assert command[0] == "riskshare"
    return [str(Path(sys.executable).with_name("riskshare")), *command[1:]]


@pytest.mark.postgres
def test_the_rendered_containers_run_migrate_serve_ready_and_complete_a_job(
    request, tmp_path, rs_app
):
    admin_url = request.config.getoption("--rs-pg-admin-url")
    database = f"riskshare_chart_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    owner = make_url(admin_url).set(database=database)
    app_url = owner.set(
        username="riskshare_app", password=os.environ.get("RISKSHARE_DB_APP_PASSWORD")
    )
    queue = f"rs-chart-{uuid.uuid4().hex[:8]}"
    port = free_port()
    audit_dir = tmp_path / "audit"
    audit_dir.mkdir()
    (audit_dir / "audit-key.pem").write_bytes(
        rs_app.extensions["riskshare"].audit_key.path.read_bytes()
    )
    processes = []
    try:
        with KeycloakStub() as keycloak:
            values = {
                "settings": {"oidcServerUrl": keycloak.url, "queue": queue},
                "web": {"port": port, "workers": 1},
            }
            manifests = render(values)
            configmap = by_kind(manifests, "ConfigMap", "settings")["data"]
            secrets = {
                "riskshare-database": {
                    "url": app_url.render_as_string(hide_password=False),
                    "ownerUrl": owner.render_as_string(hide_password=False),
                },
                "riskshare-redis": {"url": REDIS_URL},
            }
            mounts = {"/etc/riskshare/audit": audit_dir, "/tmp/riskshare": tmp_path / "instance"}

            def container(kind, suffix):
                return by_kind(manifests, kind, suffix)["spec"]["template"]["spec"]["containers"][0]

            migrations = container("Job", "migrations")
            done = subprocess.run(
                _command(migrations),
                env=_container_env(migrations, configmap, secrets, mounts),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr
            for suffix in ("web", "worker", "scheduler"):
                c = container("Deployment", suffix)
                with (tmp_path / f"{suffix}.log").open("w") as log:
                    processes.append(
                        subprocess.Popen(
                            _command(c),
                            env=_container_env(c, configmap, secrets, mounts),
                            stdout=log,
                            stderr=subprocess.STDOUT,
                        )
                    )
            ready = wait_until(
                lambda: (
                    requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
                ),
                timeout=90,
                what="/readyz from the rendered web container",
                process=processes[0],
            )
            assert ready
            finished = Queue(queue, connection=Redis.from_url(REDIS_URL)).finished_job_registry
            # The scheduler's periodic jobs (relay, audit checkpoints) run on the worker.
            wait_until(
                lambda: finished.get_job_ids(),
                timeout=60,
                what="a job run by the rendered worker",
                process=processes[1],
            )
    finally:
        codes = [stop(p, timeout=60) for p in processes]
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    assert codes == [0, 0, 0]
