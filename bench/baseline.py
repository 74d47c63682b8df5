"""The bare-Flask baseline: the essential work of each benchmarked request, nothing else.

Served by gunicorn with Riskshare's own configuration file (platform/riskshare/gunicorn_conf.py:
the same workers, threads, timeouts and JSON access log), it answers the same paths:

* verifies the bearer token (RS256, jwcrypto, as Riskshare does through python-keycloak) with
  the realm's keys fetched once per process and cached, checks ``iss``, ``aud``, ``exp`` and
  that the caller holds a role of the tenant;
* connects as the same row-level-security-bound role, one connection per thread, and in one
  transaction sets the tenant (``app.tenant_id``, which the policies read) and runs the
  minimal SQL for the same answer:

  - ``GET /loans/<id>``: one SELECT of the loan;
  - ``GET /loans?page=&page_size=``: the page (ORDER BY id, OFFSET/LIMIT) and its exact count,
    which Riskshare sends in ``X-Pagination``;
  - ``POST /loans``: one SELECT of the program, firm and lender (a wrong id is a 422), one
    INSERT of the loan with a coverage decision of the same shape;
  - ``POST /claims``: one SELECT of the loan (it must be non-performing), one INSERT of the
    claim (40% of the claimed principal, Xinxiang's ratio) and one of its document;
  - ``POST /plans``: the hand-written write path of a year-end plan: one INSERT of the plan
    and one INSERT ... SELECT of its items from the period's approved claims (each allocated
    in full); the answer is the plan with its item count.

No rules beyond those, no audit trail, no idempotency keys, no rate limit: that is the point
of a baseline (bench/README.md says what each side does).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import threading
from decimal import Decimal
from typing import Any

import psycopg
import requests
from flask import Flask, Response, g, request
from jwcrypto import jwk, jwt

ZERO = Decimal("0.00")


def _database_dsn() -> str:
    url = os.environ["RISKSHARE_DATABASE_URL"]
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Keys:
    """The realm's signing keys, fetched once and cached for the life of the process."""

    def __init__(self) -> None:
        server = os.environ["RISKSHARE_OIDC_SERVER_URL"].rstrip("/")
        realm = os.environ.get("RISKSHARE_OIDC_REALM", "riskshare")
        self.issuer = f"{server}/realms/{realm}"
        self.audience = os.environ.get("RISKSHARE_OIDC_AUDIENCE", "riskshare-api")
        self._url = f"{self.issuer}/protocol/openid-connect/certs"
        self._keys: jwk.JWKSet | None = None
        self._lock = threading.Lock()

    def keyset(self) -> jwk.JWKSet:
        if self._keys is None:
            with self._lock:
                if self._keys is None:
                    document = requests.get(self._url, timeout=10).json()
                    keys = jwk.JWKSet()
                    for entry in document["keys"]:
                        if entry.get("use", "sig") == "sig":
                            keys.add(jwk.JWK(**entry))
                    self._keys = keys
        return self._keys

    def verify(self, header: str | None) -> dict[str, Any] | None:
        if not header or not header.startswith("Bearer "):
            return None
        try:
            token = jwt.JWT(
                jwt=header[7:],
                key=self.keyset(),
                algs=["RS256"],
                check_claims={"iss": self.issuer, "aud": self.audience, "exp": None},
            )
        except Exception:  # any failure is a 401 here
            return None
        claims: dict[str, Any] = json.loads(token.claims)
        return claims


def _problem(status: int, title: str) -> Response:
    return Response(
        json.dumps({"status": status, "title": title}),
        status=status,
        mimetype="application/problem+json",
    )


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, default=_default),
        status=status,
        mimetype="application/json",
        headers=headers,
    )


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


LOAN_COLUMNS = (
    "id, program_id, firm_id, lender_id, guarantor_id, insurer_id, reference, kind,"
    " principal, outstanding, issue_date, maturity_date, registered_on, purpose,"
    " classification, state, covered, coverage, attributes"
)


def create_app() -> Flask:
    app = Flask(__name__)
    keys = Keys()
    dsn = _database_dsn()
    local = threading.local()

    def connection() -> psycopg.Connection[Any]:
        conn = getattr(local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(dsn)
            local.conn = conn
        return conn

    def begin(tenant: str) -> psycopg.Cursor[Any]:
        cur = connection().cursor()
        cur.execute("select set_config('app.tenant_id', %s, true)", (tenant,))
        return cur

    def authorise(tenant: str, *roles: str) -> dict[str, Any] | Response:
        claims = keys.verify(request.headers.get("Authorization"))
        if claims is None:
            return _problem(401, "invalid token")
        held = {
            path.rsplit("/", 1)[-1]
            for path in claims.get("groups", [])
            if path.startswith(f"/tenants/{tenant}/")
        }
        if not held.intersection(roles):
            return _problem(403, "forbidden")
        g.claims = claims
        return claims

    @app.teardown_request
    def _end(exc: BaseException | None) -> None:
        conn = getattr(local, "conn", None)
        if conn is not None and not conn.closed:
            if exc is None:
                conn.commit()
            else:
                conn.rollback()

    @app.get("/readyz")
    def readyz() -> Response:
        return _json({"status": "ok"})

    @app.get("/api/v1/tenants/<tenant>/loans/<int:loan_id>")
    def get_loan(tenant: str, loan_id: int) -> Response:
        denied = authorise(tenant, "office", "lender", "reviewer", "auditor", "finance")
        if isinstance(denied, Response):
            return denied
        cur = begin(tenant)
        cur.execute(f"SELECT {LOAN_COLUMNS} FROM loans WHERE id = %s", (loan_id,))
        row = cur.fetchone()
        if row is None:
            return _problem(404, "not found")
        return _json(_loan(cur, row))

    @app.get("/api/v1/tenants/<tenant>/loans")
    def list_loans(tenant: str) -> Response:
        denied = authorise(tenant, "office", "lender", "reviewer", "auditor", "finance")
        if isinstance(denied, Response):
            return denied
        page = max(1, request.args.get("page", 1, type=int))
        size = min(100, max(1, request.args.get("page_size", 10, type=int)))
        cur = begin(tenant)
        cur.execute(
            f"SELECT {LOAN_COLUMNS} FROM loans ORDER BY id OFFSET %s LIMIT %s",
            ((page - 1) * size, size),
        )
        rows = cur.fetchall()
        loans = [_loan(cur, row) for row in rows]
        cur.execute("SELECT count(*) FROM loans")
        (total,) = cur.fetchone() or (0,)
        header = json.dumps({"total": total, "page": page, "page_size": size})
        return _json(loans, headers={"X-Pagination": header})

    @app.post("/api/v1/tenants/<tenant>/loans")
    def post_loan(tenant: str) -> Response:
        claims = authorise(tenant, "lender")
        if isinstance(claims, Response):
            return claims
        body = request.get_json()
        cur = begin(tenant)
        cur.execute(
            """SELECT p.id, f.size_class, i.code FROM programs p, firms f, institutions i
               WHERE p.id = %s AND f.id = %s AND i.id = %s""",
            (body["program_id"], body["firm_id"], body["lender_id"]),
        )
        found = cur.fetchone()
        if found is None or found[2] != claims.get("institution"):
            return _problem(422, "unknown program, firm or lender")
        covered = found[1] in ("micro", "small")
        coverage = [
            {"rule": "X-03", "passed": covered, "outcome": "small" if covered else "not small"}
        ]
        principal = Decimal(body["principal"])
        today = dt.date.today()
        cur.execute(
            f"""INSERT INTO loans (tenant_id, program_id, firm_id, lender_id, reference, kind,
                   principal, outstanding, registered_outstanding, registered_classification,
                   issue_date, maturity_date, registered_on, purpose, classification, state,
                   covered, coverage, attributes, created_at)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'normal', %s, %s, %s,
                   'production and operation', 'normal', 'active', %s, %s, %s, now())
                RETURNING {LOAN_COLUMNS}""",
            (
                tenant,
                body["program_id"],
                body["firm_id"],
                body["lender_id"],
                body["reference"],
                body["kind"],
                principal,
                principal,
                principal,
                body["issue_date"],
                body["maturity_date"],
                today,
                covered,
                json.dumps(coverage),
                json.dumps(body.get("attributes") or {}),
            ),
        )
        return _json(_loan(cur, cur.fetchone()), 201)

    @app.post("/api/v1/tenants/<tenant>/claims")
    def post_claim(tenant: str) -> Response:
        claims = authorise(tenant, "lender")
        if isinstance(claims, Response):
            return claims
        body = request.get_json()
        cur = begin(tenant)
        cur.execute(
            "SELECT program_id, lender_id, classification FROM loans WHERE id = %s",
            (body["loan_id"],),
        )
        loan = cur.fetchone()
        if loan is None or loan[2] not in ("substandard", "doubtful", "loss"):
            return _problem(422, "not a non-performing loan")
        claimed = Decimal(body["claimed_principal"])
        amount = (claimed * Decimal("0.4")).quantize(Decimal("0.01"))
        user = g.claims.get("preferred_username", "")
        try:
            cur.execute(
                """INSERT INTO claims (tenant_id, program_id, loan_id, institution_id,
                       submitted_on, submitted_by, claimed_principal, ratio, amount, state,
                       explanations, attributes, shares, created_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, 0.4, %s, 'submitted', '[]', '{}',
                       %s, now())
                   RETURNING id, submitted_on""",
                (
                    tenant,
                    loan[0],
                    body["loan_id"],
                    loan[1],
                    dt.date.today(),
                    user,
                    claimed,
                    amount,
                    json.dumps(
                        [{"institution_id": loan[1], "role": "lender", "amount": str(amount)}]
                    ),
                ),
            )
        except psycopg.errors.UniqueViolation:
            connection().rollback()
            return _problem(409, "an open claim exists")
        claim_id, submitted_on = cur.fetchone() or (0, None)
        for document in body.get("documents", []):
            content = base64.b64decode(document["content_base64"])
            cur.execute(
                """INSERT INTO documents (tenant_id, owner_type, owner_id, kind, filename,
                       content_type, size, sha256, uploaded_by, content, created_at)
                   VALUES (%s, 'claim', %s, %s, %s, %s, %s, %s, %s, %s, now())""",
                (
                    tenant,
                    claim_id,
                    document["kind"],
                    document["filename"],
                    document["content_type"],
                    len(content),
                    hashlib.sha256(content).hexdigest(),
                    user,
                    content,
                ),
            )
        return _json(
            {
                "id": claim_id,
                "loan_id": body["loan_id"],
                "state": "submitted",
                "submitted_on": submitted_on,
                "claimed_principal": claimed,
                "amount": amount,
            },
            201,
        )

    @app.post("/api/v1/tenants/<tenant>/plans")
    def post_plan(tenant: str) -> Response:
        claims = authorise(tenant, "office")
        if isinstance(claims, Response):
            return claims
        body = request.get_json()
        day = dt.date.fromisoformat(body["day"])
        start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
        cur = begin(tenant)
        cur.execute(
            """INSERT INTO allocation_plans (tenant_id, program_id, period, period_start,
                   period_end, state, proposed_by, proposed_on, capacity, explanations,
                   created_at)
               VALUES (%s, %s, %s, %s, %s, 'draft', %s, %s, 0, '[]', now()) RETURNING id""",
            (
                tenant,
                body["program_id"],
                str(day.year),
                start,
                end,
                g.claims.get("preferred_username", ""),
                dt.date.today(),
            ),
        )
        (plan_id,) = cur.fetchone() or (0,)
        cur.execute(
            """INSERT INTO plan_items (tenant_id, plan_id, claim_id, institution_id, requested,
                   allocated, carried, explanation, holds_claim)
               SELECT %s, %s, c.id, c.institution_id, c.approved_amount, c.approved_amount, 0,
                   '[]', true
               FROM claims c
               WHERE c.program_id = %s AND c.state = 'approved' AND c.reviewed_on <= %s
                 AND NOT EXISTS (SELECT 1 FROM plan_items i WHERE i.claim_id = c.id
                                 AND i.holds_claim)""",
            (tenant, plan_id, body["program_id"], end),
        )
        items = cur.rowcount
        return _json(
            {"id": plan_id, "period": str(day.year), "state": "draft", "items": items}, 201
        )

    return app


def _loan(cur: psycopg.Cursor[Any], row: Any) -> dict[str, Any]:
    names = [d.name for d in cur.description or []]
    loan = dict(zip(names, row, strict=True))
    loan["non_performing"] = loan["classification"] in ("substandard", "doubtful", "loss")
    return loan


app = create_app()
