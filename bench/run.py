"""The benchmark: Riskshare and the bare-Flask baseline side by side (``make bench``).

See bench/README.md. In short: a throwaway PostgreSQL database migrated as the owner, the
Keycloak stub signing the tokens, ``riskshare serve`` in production mode and the baseline
under gunicorn with the same configuration file, both as the RLS-bound role; data made
through the API and grown in SQL (bench/world.py); each scenario driven by wrk on loopback,
the two sides interleaved pair by pair; CPU per request read from /proc for the gunicorn
processes and the database's backends. Results: bench/results/<commit>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from world import CREDIT_REPORT, PLAN_DAY, TENANT, Tokens, World, build  # noqa: E402

from riskshare.auth.tokens import load_private_key  # noqa: E402
from riskshare.testing.databases import postgres_database  # noqa: E402
from riskshare.testing.keycloak_stub import KeycloakStub  # noqa: E402

BIN = Path(sys.executable).parent
SIDES = ("riskshare", "baseline")
TICKS = os.sysconf("SC_CLK_TCK")
LOAD_SCENARIOS = ("get_loan", "page", "post_loan", "post_claim")
TITLES = {
    "get_loan": "GET one loan",
    "page": "GET a page of 50 loans",
    "post_loan": "POST a loan (coverage decided)",
    "post_claim": "POST a claim (eligibility + amount)",
    "plan": "year-end plan (POST /plans)",
    "startup": "start-up (import + app factory)",
}


# ------------------------------------------------------------------------------ processes


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed (Debian package wrk)")
    return found


class Server:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self._log = log.open("w")
        self.process = subprocess.Popen(
            argv, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.process.returncode}): see its log")
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} was not ready in {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def workers(self) -> list[int]:
        return children(self.process.pid)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def backends(database: str) -> list[int]:
    """PostgreSQL backends connected to ``database`` (their title names it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            title = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            found.append(int(entry))
    return found


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU time the server's processes (gunicorn's master and workers) and the database's
    backends spend while it runs, polled from /proc every 0.2 s so that processes that start
    or end meanwhile (a worker restarted after max_requests) are counted too."""

    def __init__(self, server: Server, database: str) -> None:
        self.server, self.database = server, database
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _pids(self) -> Iterator[tuple[str, int]]:
        yield "web", self.server.process.pid
        for pid in self.server.workers():
            yield "web", pid
        for pid in backends(self.database):
            yield "db", pid

    def _poll(self, initial: bool) -> None:
        for key in self._pids():
            ticks = cpu_ticks(key[1])
            if ticks is None:
                continue
            if key not in self.first:
                self.first[key] = ticks if initial else 0
            self.last[key] = ticks

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._poll(False)

    def __enter__(self) -> CpuMeter:
        self._poll(True)
        self._machine = machine_ticks()
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._poll(False)
        busy, total = machine_ticks()
        self.machine_busy = (busy - self._machine[0]) / max(1, total - self._machine[1])
        self.elapsed = time.monotonic() - self._started

    def seconds(self, kind: str | None = None) -> float:
        return (
            sum(
                self.last[key] - self.first[key]
                for key in self.last
                if kind is None or key[0] == kind
            )
            / TICKS
        )


# ------------------------------------------------------------------------------ wrk


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    if not match:
        raise RuntimeError(f"wrk said:\n{output}")
    result["requests"] = int(match.group(1))
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        found = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+\w+)", output, re.M)
        if found:
            result[f"p{pct}_ms"] = _ms(found.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["errors"] = int(errors.group(1)) if errors else 0
    sockets = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = sockets.group(1).strip() if sockets else ""
    return result


class Bench:
    def __init__(
        self,
        args: argparse.Namespace,
        wrk: str,
        servers: dict[str, Server],
        world: World,
        database: str,
        owner_url: str,
    ) -> None:
        self.args, self.wrk, self.servers, self.world = args, wrk, servers, world
        self.database, self.owner_url = database, owner_url
        self.next_defaulted = world.defaulted_ids[0]
        self.owner = sa.create_engine(owner_url)

    def env(self, scenario: str, side: str, delay_ms: float, lo: int, hi: int) -> dict[str, str]:
        role = "lender" if scenario.startswith("post") else "office"
        token = self.world.tokens(role, "bank-a" if role == "lender" else None)
        return {
            **os.environ,
            "BENCH_TOKEN": token,
            "BENCH_PREFIX": f"/api/v1/tenants/{TENANT}",
            "BENCH_SCENARIO": scenario,
            "BENCH_LO": str(lo),
            "BENCH_HI": str(hi),
            "BENCH_PROGRAM": str(self.world.program_id),
            "BENCH_LENDER": str(self.world.bank_id),
            "BENCH_RUN": f"{side[0]}{uuid.uuid4().hex[:8]}",
            "BENCH_DELAY_MS": f"{delay_ms:.1f}",
            "BENCH_DOCUMENT": json.dumps(CREDIT_REPORT),
            "BENCH_THREADS": str(self.args.threads),
        }

    def ids(self, scenario: str, side: str, duration: float) -> tuple[int, int]:
        if scenario == "get_loan":
            return self.world.loan_ids[0], self.world.loan_ids[-1]
        if scenario == "post_loan":
            return self.world.firm_ids[0], self.world.firm_ids[-1]
        if scenario == "post_claim":
            # Unclaimed defaulted loans from here on; used_up() moves past what the run took.
            lo, hi = self.next_defaulted, self.world.defaulted_ids[-1]
            if hi - lo < 1000:
                raise SystemExit("out of defaulted loans: raise --defaulted")
            return lo, hi
        return 0, 0

    def wrk_run(
        self, scenario: str, side: str, duration: float, delay_ms: float = 0.0
    ) -> dict[str, Any]:
        lo, hi = self.ids(scenario, side, duration)
        server = self.servers[side]
        argv = [
            self.wrk,
            f"-t{self.args.threads}",
            f"-c{self.args.connections}",
            f"-d{max(1, round(duration))}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(HERE / "wrk.lua"),
            server.url,
        ]
        with CpuMeter(server, self.database) as meter:
            done = subprocess.run(
                argv,
                env=self.env(scenario, side, delay_ms, lo, hi),
                capture_output=True,
                text=True,
                check=False,
            )
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed: {done.stderr}\n{done.stdout}")
        result = parse_wrk(done.stdout)
        if scenario == "post_claim":
            self.used_up(lo, hi)
        requests_done = max(1, result["requests"])
        result.update(
            cpu_ms_per_request=meter.seconds() * 1000 / requests_done,
            web_cpu_ms_per_request=meter.seconds("web") * 1000 / requests_done,
            db_cpu_ms_per_request=meter.seconds("db") * 1000 / requests_done,
            machine_busy_cpus=round(meter.machine_busy * (os.cpu_count() or 1), 2),
            # Everything else the machine ran meanwhile: wrk and other people's work.
            other_busy_cpus=round(
                meter.machine_busy * (os.cpu_count() or 1) - meter.seconds() / meter.elapsed, 2
            ),
        )
        return result

    def used_up(self, lo: int, hi: int) -> None:
        """Move past the defaulted loans a claims run took. Thread t of T claims on lo + t,
        then every T-th loan; a request still in flight when wrk stopped is at most one per
        connection beyond the last claim saved (waited for a little)."""
        time.sleep(1.0)
        with self.owner.connect() as conn:
            last = conn.scalar(
                sa.text("SELECT max(loan_id) FROM claims WHERE loan_id BETWEEN :lo AND :hi"),
                {"lo": lo, "hi": hi},
            )
        margin = (self.args.connections + 1) * self.args.threads
        self.next_defaulted = (last or lo) + margin + 1

    def load_scenario(self, scenario: str) -> dict[str, Any]:
        args = self.args
        for side in SIDES:  # warm-up, not recorded (and it sizes the claims' slices)
            self.wrk_run(scenario, side, args.warmup)
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
        for pair in range(args.pairs):
            order = SIDES if pair % 2 == 0 else SIDES[::-1]
            for side in order:
                full = self.wrk_run(scenario, side, args.duration)
                # Latency at about half the side's maximum: each connection pauses so that
                # together they ask for half of the rate just measured (a connection's cycle
                # is its pause and its request; the request is taken as half its time at
                # full load, so the rate comes out near half, and is reported as measured).
                cycle = args.connections * 1000.0 / max(1.0, full["rps"] / 2)
                delay = max(0.0, cycle - full.get("p50_ms", 0.0) / 2)
                half = self.wrk_run(scenario, side, args.duration, delay)
                full["half"] = {
                    "rps": half["rps"],
                    "fraction_of_max": round(half["rps"] / max(1.0, full["rps"]), 2),
                    "p50_ms": half.get("p50_ms"),
                    "p99_ms": half.get("p99_ms"),
                    "errors": half["errors"],
                }
                runs[side].append(full)
                print(
                    f"  {scenario} pair {pair + 1} {side}: {full['rps']:.1f} req/s,"
                    f" {full['cpu_ms_per_request']:.2f} ms CPU/req, half-load p50"
                    f" {half.get('p50_ms')} p99 {half.get('p99_ms')} ms,"
                    f" errors {full['errors']}+{half['errors']}",
                    flush=True,
                )
        return summarise(runs)

    def plan_scenario(self) -> dict[str, Any]:
        engine = sa.create_engine(self.owner_url)
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
        body = {"program_id": self.world.program_id, "day": PLAN_DAY}
        for pair in range(self.args.plan_pairs):
            order = SIDES if pair % 2 == 0 else SIDES[::-1]
            for side in order:
                server = self.servers[side]
                headers = {
                    "Authorization": f"Bearer {self.world.tokens('office')}",
                    "Idempotency-Key": uuid.uuid4().hex,
                }
                rss_before = max((rss(pid)[0] for pid in server.workers()), default=0)
                with CpuMeter(server, self.database) as meter:
                    started = time.perf_counter()
                    response = requests.post(
                        f"{server.url}/api/v1/tenants/{TENANT}/plans",
                        json=body,
                        headers=headers,
                        timeout=600,
                    )
                    seconds = time.perf_counter() - started
                if response.status_code != 201:
                    raise RuntimeError(
                        f"{side} POST /plans: {response.status_code} {response.text[:1000]}"
                    )
                plan = response.json()
                items = plan["items"] if isinstance(plan["items"], int) else len(plan["items"])
                after = [rss(pid) for pid in server.workers()]
                runs[side].append(
                    {
                        "seconds": seconds,
                        "items": items,
                        "answer_bytes": len(response.content),
                        "cpu_ms": meter.seconds() * 1000,
                        "web_cpu_ms": meter.seconds("web") * 1000,
                        "db_cpu_ms": meter.seconds("db") * 1000,
                        "worker_rss_growth_mb": round(
                            max((a[0] for a in after), default=0) - rss_before, 1
                        ),
                        "worker_peak_rss_mb": max((a[1] for a in after), default=0),
                        "machine_busy_cpus": round(meter.machine_busy * (os.cpu_count() or 1), 2),
                    }
                )
                print(f"  plan pair {pair + 1} {side}: {seconds:.3f} s, {items} items", flush=True)
                with engine.begin() as conn:  # make room for the next plan of the period
                    conn.execute(
                        sa.text("DELETE FROM plan_items WHERE plan_id = :p"), {"p": plan["id"]}
                    )
                    conn.execute(
                        sa.text("DELETE FROM allocation_plans WHERE id = :p"), {"p": plan["id"]}
                    )
        engine.dispose()
        return summarise(runs, keys=(("seconds", False), ("cpu_ms", False)))

    def startup_scenario(self, env: dict[str, str]) -> dict[str, Any]:
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
        for pair in range(self.args.startup_pairs):
            order = SIDES if pair % 2 == 0 else SIDES[::-1]
            for side in order:
                done = subprocess.run(
                    [sys.executable, str(HERE / "startup.py"), side],
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
        return summarise(runs, keys=(("seconds", False), ("peak_mb", False), ("modules", False)))


def rss(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0, 0.0
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
    return int(values.get("VmRSS", 0)) / 1024, int(values.get("VmHWM", 0)) / 1024


def summarise(
    runs: dict[str, list[dict[str, Any]]],
    keys: tuple[tuple[str, bool], ...] = (("rps", True), ("cpu_ms_per_request", False)),
) -> dict[str, Any]:
    """Medians per side and, per key, the ratio Riskshare / baseline pair by pair: its
    median, min and max."""
    out: dict[str, Any] = {"runs": runs, "median": {}, "ratio": {}}
    for side in SIDES:
        out["median"][side] = {
            key: statistics.median(r[key] for r in runs[side]) for key, _ in keys
        }
        if "half" in runs[side][0]:
            for key in ("p50_ms", "p99_ms", "fraction_of_max"):
                values = [r["half"][key] for r in runs[side] if r["half"][key] is not None]
                out["median"][side][f"half_{key}"] = statistics.median(values) if values else None
        for extra in (
            "items",
            "worker_peak_rss_mb",
            "answer_bytes",
            "web_cpu_ms_per_request",
            "db_cpu_ms_per_request",
        ):
            if extra in runs[side][0]:
                out["median"][side][extra] = statistics.median(r[extra] for r in runs[side])
        out["median"][side]["errors"] = sum(
            r.get("errors", 0) + r.get("half", {}).get("errors", 0) for r in runs[side]
        )
    for key, _ in keys:
        ratios = [
            a[key] / b[key] if b[key] else float("nan")
            for a, b in zip(runs["riskshare"], runs["baseline"], strict=True)
        ]
        out["ratio"][key] = {
            "median": statistics.median(ratios),
            "min": min(ratios),
            "max": max(ratios),
        }
    return out


# ------------------------------------------------------------------------------ report


def git(*argv: str) -> str:
    return subprocess.run(
        ["git", *argv], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    s = results["scale"]
    lines = [
        f"# Bench results, commit {results['commit']}",
        "",
        f"{results['date']}; {m['cpus']} CPUs ({m['model']}), load average"
        f" {m['loadavg_before']} before and {m['loadavg_after']} after; the machine's"
        f" busy CPUs during the runs: median {m['busy_cpus_median']}, min"
        f" {m['busy_cpus_min']}, max {m['busy_cpus_max']}, of which not the measured server and"
        f" its database backends (wrk, other work on the machine): median"
        f" {m['other_busy_cpus_median']}, min {m['other_busy_cpus_min']}, max"
        f" {m['other_busy_cpus_max']}.",
        "",
        f"Scale: {s['tenants']} tenant, {s['firms']} firms, {s['loans']} loans in all"
        f" ({s['covered_loans']} covered, {s['defaulted']} defaulted for claims,"
        f" {s['approved_claims']} with approved claims). Set up through the API in"
        f" {s['api_setup_s']:.1f} s, grown in SQL in {s['fast_path_s']:.2f} s.",
        "",
        f"Server: gunicorn, {results['settings']['workers']} workers x"
        f" {results['settings']['web_threads']} threads (gunicorn_conf.py, production mode);"
        f" wrk {results['settings']['threads']} threads, {results['settings']['connections']}"
        f" connections, {results['settings']['duration']} s a run, {results['settings']['pairs']}"
        " interleaved pairs (plan and start-up: their own pair counts). Ratios are Riskshare /"
        " baseline per pair: median (min–max).",
        "",
        "| scenario | Riskshare req/s | baseline req/s | req/s ratio | Riskshare CPU ms/req"
        " (web+db) | baseline CPU ms/req | CPU ratio | p50 / p99 ms at ~half max, Riskshare |"
        " baseline | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def ratio(r: dict[str, float]) -> str:
        return f"{r['median']:.2f} ({r['min']:.2f}–{r['max']:.2f})"

    for name in LOAD_SCENARIOS:
        if name not in results["scenarios"]:
            continue
        sc = results["scenarios"][name]
        rs, base = sc["median"]["riskshare"], sc["median"]["baseline"]

        def lat(side: dict[str, Any]) -> str:
            return (
                f"{side['half_p50_ms']:.1f} / {side['half_p99_ms']:.1f}"
                f" (at {side['half_fraction_of_max']:.2f} of max)"
            )

        lines.append(
            f"| {TITLES[name]} | {rs['rps']:.0f} | {base['rps']:.0f} | {ratio(sc['ratio']['rps'])}"
            f" | {rs['cpu_ms_per_request']:.2f} ({rs['web_cpu_ms_per_request']:.2f}"
            f"+{rs['db_cpu_ms_per_request']:.2f}) | {base['cpu_ms_per_request']:.2f}"
            f" ({base['web_cpu_ms_per_request']:.2f}+{base['db_cpu_ms_per_request']:.2f})"
            f" | {ratio(sc['ratio']['cpu_ms_per_request'])} | {lat(rs)} | {lat(base)}"
            f" | {rs['errors']} / {base['errors']} |"
        )
    if "plan" in results["scenarios"]:
        sc = results["scenarios"]["plan"]
        rs, base = sc["median"]["riskshare"], sc["median"]["baseline"]
        lines += [
            "",
            f"Year-end plan over {rs['items']} approved claims (one POST /plans, answered"
            " with the plan): Riskshare"
            f" {rs['seconds']:.3f} s ({rs['cpu_ms']:.0f} ms CPU, answer"
            f" {rs['answer_bytes'] / 1024:.0f} KiB, worker peak RSS"
            f" {rs['worker_peak_rss_mb']:.0f} MB), baseline {base['seconds']:.3f} s"
            f" ({base['cpu_ms']:.0f} ms CPU, worker peak RSS {base['worker_peak_rss_mb']:.0f}"
            f" MB): time ratio {ratio(sc['ratio']['seconds'])}, CPU ratio"
            f" {ratio(sc['ratio']['cpu_ms'])}.",
        ]
    if "startup" in results["scenarios"]:
        sc = results["scenarios"]["startup"]
        rs, base = sc["median"]["riskshare"], sc["median"]["baseline"]
        lines += [
            "",
            f"Start-up (a fresh interpreter importing the WSGI module, which builds the app):"
            f" Riskshare {rs['seconds']:.2f} s, {rs['peak_mb']:.0f} MB, {rs['modules']:.0f}"
            f" modules; baseline {base['seconds']:.2f} s, {base['peak_mb']:.0f} MB,"
            f" {base['modules']:.0f} modules: time ratio {ratio(sc['ratio']['seconds'])}.",
        ]
    lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ main


@contextmanager
def stack(
    args: argparse.Namespace, tmp: Path
) -> Iterator[tuple[dict[str, Server], Any, str, str, dict[str, str]]]:
    with postgres_database(args.pg_admin_url) as app_url, KeycloakStub() as stub:
        database = make_url(app_url).database or ""
        owner_url = (
            make_url(args.pg_admin_url).set(database=database).render_as_string(hide_password=False)
        )
        audit_key = tmp / "audit-key.pem"
        load_private_key(audit_key, create=True, purpose="bench audit key")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RISKSHARE_")}
        env.update(
            RISKSHARE_MODE="production",
            RISKSHARE_DATABASE_URL=app_url,
            RISKSHARE_REDIS_URL=args.redis_url,
            RISKSHARE_QUEUE=f"bench-{uuid.uuid4().hex[:8]}",
            RISKSHARE_OIDC_SERVER_URL=stub.url,
            RISKSHARE_OIDC_REALM=stub.realm,
            RISKSHARE_OIDC_AUDIENCE=stub.client_id,
            RISKSHARE_AUDIT_KEY_PATH=str(audit_key),
            RISKSHARE_INSTANCE_PATH=str(tmp),
            RISKSHARE_WEB_WORKERS=str(args.workers),
            # The limiter still runs (its Redis round trip is part of a request), with a
            # limit the bench's single accounts never reach.
            RISKSHARE_RATE_LIMIT_PER_MINUTE="100000000",
        )
        ports = {side: free_port() for side in SIDES}
        servers = {
            "riskshare": Server(
                "riskshare",
                [
                    str(BIN / "riskshare"),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(ports["riskshare"]),
                ],
                env,
                ports["riskshare"],
                tmp / "riskshare.log",
            ),
            "baseline": Server(
                "baseline",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    str(ROOT / "platform/riskshare/gunicorn_conf.py"),
                    "--bind",
                    f"127.0.0.1:{ports['baseline']}",
                    "--pythonpath",
                    str(HERE),
                    "baseline:app",
                ],
                env,
                ports["baseline"],
                tmp / "baseline.log",
            ),
        }
        try:
            for server in servers.values():
                server.wait_ready()
            yield servers, stub, database, owner_url, env
        finally:
            for server in servers.values():
                server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=10_000, help="covered loans")
    parser.add_argument("--firms", type=int, default=1_000)
    parser.add_argument(
        "--claims", type=int, default=2_000, help="approved claims the year-end plan takes"
    )
    parser.add_argument(
        "--defaulted", type=int, default=30_000, help="defaulted loans for POST /claims to use up"
    )
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--plan-pairs", type=int, default=3)
    parser.add_argument("--startup-pairs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of one wrk run")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per side")
    parser.add_argument("--scenarios", default="get_loan,page,post_loan,post_claim,plan,startup")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get(
            "RISKSHARE_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("RISKSHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    args = parser.parse_args(argv)
    wanted = args.scenarios.split(",")
    wrk = ensure_wrk()
    commit = git("rev-parse", "--short=12", "HEAD")
    if git(
        "status", "--porcelain", "--untracked-files=no", "--", "platform", "policy_plugins", "bench"
    ):
        commit += "-dirty"
    loadavg_before = Path("/proc/loadavg").read_text().split()[:3]
    started = time.monotonic()
    results: dict[str, Any] = {"commit": commit, "scenarios": {}}
    with (
        tempfile.TemporaryDirectory(prefix="riskshare-bench-") as tmpdir,
        stack(args, Path(tmpdir)) as (servers, stub, database, owner_url, env),
    ):
        print(f"servers up; building the world in {database}", flush=True)
        world = build(
            servers["riskshare"].url,
            Tokens(stub),
            owner_url,
            loans=args.loans,
            claims=args.claims,
            defaulted=args.defaulted,
            firms=args.firms,
        )
        for ids in (world.loan_ids, world.firm_ids, world.defaulted_ids):
            assert ids == list(range(ids[0], ids[-1] + 1)), "ids are not contiguous"
        print(f"world: {world.timings}", flush=True)
        bench = Bench(args, wrk, servers, world, database, owner_url)
        for name in LOAD_SCENARIOS:
            if name in wanted:
                print(f"{TITLES[name]}:", flush=True)
                results["scenarios"][name] = bench.load_scenario(name)
        if "plan" in wanted:
            print(f"{TITLES['plan']}:", flush=True)
            results["scenarios"]["plan"] = bench.plan_scenario()
        if "startup" in wanted:
            print(f"{TITLES['startup']}:", flush=True)
            results["scenarios"]["startup"] = bench.startup_scenario(env)
        other = [
            r["other_busy_cpus"]
            for sc in results["scenarios"].values()
            for side in SIDES
            for r in sc["runs"][side]
            if "other_busy_cpus" in r
        ]
        busy = [
            r["machine_busy_cpus"]
            for sc in results["scenarios"].values()
            for side in SIDES
            for r in sc["runs"][side]
            if "machine_busy_cpus" in r
        ]
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    results.update(
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        minutes=round((time.monotonic() - started) / 60, 1),
        machine={
            "cpus": os.cpu_count(),
            "model": model,
            "loadavg_before": " ".join(loadavg_before),
            "loadavg_after": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
            "busy_cpus_median": statistics.median(busy) if busy else None,
            "busy_cpus_min": min(busy) if busy else None,
            "busy_cpus_max": max(busy) if busy else None,
            "other_busy_cpus_median": statistics.median(other) if other else None,
            "other_busy_cpus_min": min(other) if other else None,
            "other_busy_cpus_max": max(other) if other else None,
        },
        scale={
            "tenants": 1,
            "firms": len(world.firm_ids),
            "loans": len(world.loan_ids) + len(world.defaulted_ids) + world.approved_claims + 2,
            "covered_loans": len(world.loan_ids),
            "defaulted": len(world.defaulted_ids),
            "approved_claims": world.approved_claims,
            **world.timings,
        },
        settings={
            "workers": args.workers,
            "web_threads": int(os.environ.get("RISKSHARE_WEB_THREADS", "4")),
            "threads": args.threads,
            "connections": args.connections,
            "duration": args.duration,
            "pairs": args.pairs,
            "plan_pairs": args.plan_pairs,
            "startup_pairs": args.startup_pairs,
        },
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{commit}.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / f"{commit}.md").write_text(markdown(results))
    print(markdown(results))
    print(f"written: {args.out / commit}.json and .md ({results['minutes']} minutes)")


if __name__ == "__main__":
    main()
