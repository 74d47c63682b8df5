"""The benchmark's data: a Xinxiang tenant made through the API, then grown by a fast path.

The API makes one of everything (the tenant, the program, two banks, a firm, a covered loan,
a defaulted loan with its overdue filing, a claim on it, approved), so the templates carry
what the platform itself writes: coverage decisions and their explanations, the firm's size
class, the claim's ratio, amount and shares. The fast path then copies those rows in SQL as
the database owner (row-level security does not apply to it): thousands of firms with valid
codes, loans spread over them, defaulted loans with their filings for claims to be made on,
and approved claims for the year-end plan. What the copies lack is what only the API writes
beside the rows: audit events and ledger entries of the copied registrations and approvals
(the bench reads loans and proposes plans; neither reads those).
"""

from __future__ import annotations

import base64
import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
import sqlalchemy as sa
from stdnum.cn import uscc as stdnum_uscc

TENANT = "bench"
BANK_FACTS = {"within_jurisdiction": True, "cooperation_agreement": True}
CREDIT_REPORT = {
    "kind": "credit_report",
    "filename": "credit-report.pdf",
    "content_type": "application/pdf",
    "content_base64": base64.b64encode(b"%PDF-1.4 bench credit report").decode(),
}
# Loans of the benchmark are issued in 2025 and default in 2025, so that the year-end plan of
# 2025 (period ended) takes the approved claims; the program's window holds both years.
ISSUED = "2025-03-03"
PLAN_DAY = "2025-12-31"
APPROVED_ON = dt.date(2025, 11, 20)


def uscc(serial: int, division: str = "410702") -> str:
    body = f"91{division}MA{serial:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


class Tokens:
    """Access tokens of the Keycloak stub for the tenant's users, an hour long."""

    def __init__(self, stub: Any, tenant: str = TENANT) -> None:
        self.stub, self.tenant = stub, tenant

    def __call__(self, role: str | None = None, institution: str | None = None) -> str:
        now = int(time.time())
        user = f"{role or 'operator'}{'@' + institution if institution else ''}"
        claims: dict[str, Any] = {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{user}")),
            "preferred_username": user,
            "iat": now,
            "exp": now + 3 * 3600,
            "groups": [f"/tenants/{self.tenant}/{role}"] if role else [],
        }
        if role is None:
            claims["realm_access"] = {"roles": ["platform-admin"]}
        if institution:
            claims["institution"] = institution
        return str(self.stub.issue_token(claims))


@dataclass
class World:
    base_url: str
    tokens: Tokens
    program_id: int = 0
    bank_id: int = 0
    firm_ids: list[int] = field(default_factory=list)
    loan_ids: list[int] = field(default_factory=list)
    # Defaulted loans (overdue filed, classified as a loss) without a claim: each POST /claims
    # of the bench takes one; the driver hands out disjoint slices of this list.
    defaulted_ids: list[int] = field(default_factory=list)
    approved_claims: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        role: str | None = "office",
        institution: str | None = None,
        status: int = 200,
    ) -> Any:
        url = path if path.startswith("/api/") else f"/api/v1/tenants/{TENANT}{path}"
        headers = {
            "Authorization": f"Bearer {self.tokens(role, institution)}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        response = requests.request(
            method, self.base_url + url, json=body, headers=headers, timeout=120
        )
        if response.status_code != status:
            raise RuntimeError(
                f"{method} {url}: expected {status}, got {response.status_code}: "
                f"{response.text[:2000]}"
            )
        return response.json()


def loan_body(world: World, firm_id: int, reference: str, **extra: Any) -> dict[str, Any]:
    return {
        "program_id": world.program_id,
        "firm_id": firm_id,
        "lender_id": world.bank_id,
        "reference": reference,
        "kind": "credit",
        "principal": "500000.00",
        "issue_date": ISSUED,
        "maturity_date": "2026-03-03",
        "attributes": {"via_platform": True},
        **extra,
    }


def build(
    base_url: str,
    tokens: Tokens,
    owner_url: str,
    *,
    loans: int,
    claims: int,
    defaulted: int,
    firms: int,
) -> World:
    """The world through the API, then ``loans`` covered loans over ``firms`` firms,
    ``defaulted`` loans ready for a claim and ``claims`` approved claims, in SQL."""
    world = World(base_url, tokens)
    started = time.perf_counter()
    world.call(
        "POST", "/api/v1/platform/tenants", {"slug": TENANT, "name": "Bench"}, role=None, status=201
    )
    program = world.call(
        "POST",
        "/programs",
        {
            "code": "bench-2025",
            "name": "Bench fund",
            "policy": "xinxiang",
            "config": {},
            "fund_total": "900000000.00",
            "effective_from": "2025-01-01",
            "effective_to": "2027-12-31",
        },
        status=201,
    )
    world.program_id = program["id"]
    bank = world.call(
        "POST",
        "/institutions",
        {"code": "bank-a", "name": "Bench bank", "kind": "bank", "attributes": BANK_FACTS},
        status=201,
    )
    world.bank_id = bank["id"]
    firm = world.call(
        "POST",
        "/firms",
        {
            "uscc": uscc(1),
            "name": "Firm 1",
            "industry": "industry",
            "employees": 50,
            "revenue": "8000000",
            "attributes": {},
        },
        status=201,
    )
    lender = {"role": "lender", "institution": "bank-a"}
    covered = world.call(
        "POST", "/loans", loan_body(world, firm["id"], "T-covered"), status=201, **lender
    )
    assert covered["covered"], covered
    npl = world.call(
        "POST",
        "/loans",
        loan_body(world, firm["id"], "T-npl", classification="loss"),
        status=201,
        **lender,
    )
    world.call(
        "POST",
        f"/loans/{npl['id']}/events",
        {"kind": "overdue_filing", "event_date": "2025-11-03"},
        status=201,
        **lender,
    )
    claim = world.call(
        "POST",
        "/claims",
        {"loan_id": npl["id"], "claimed_principal": "500000.00", "documents": [CREDIT_REPORT]},
        status=201,
        **lender,
    )
    world.call(
        "POST",
        f"/claims/{claim['id']}/reviews",
        {"decision": "approve", "opinion": "ok"},
        role="reviewer",
        status=201,
    )
    world.timings["api_setup_s"] = time.perf_counter() - started

    started = time.perf_counter()
    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        grow(
            conn,
            world,
            firm["id"],
            covered["id"],
            npl["id"],
            claim["id"],
            loans=loans,
            claims=claims,
            defaulted=defaulted,
            firms=firms,
        )
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    world.timings["fast_path_s"] = time.perf_counter() - started
    return world


def grow(
    conn: sa.Connection,
    world: World,
    firm_id: int,
    covered_id: int,
    npl_id: int,
    claim_id: int,
    *,
    loans: int,
    claims: int,
    defaulted: int,
    firms: int,
) -> None:
    q = sa.text
    codes = [uscc(n) for n in range(2, firms + 1)]
    firm_cols = [c for c in columns(conn, "firms") if c not in ("id", "uscc", "name", "created_at")]
    conn.execute(
        q(f"""INSERT INTO firms (uscc, name, created_at, {", ".join(firm_cols)})
              SELECT code, 'Firm ' || n, now(), {", ".join("f." + c for c in firm_cols)}
              FROM firms f, unnest(CAST(:codes AS text[])) WITH ORDINALITY AS u(code, n)
              WHERE f.id = :id"""),
        {"codes": codes, "id": firm_id},
    )
    world.firm_ids = list(
        conn.scalars(q("SELECT id FROM firms WHERE tenant_id = :t ORDER BY id"), {"t": TENANT})
    )
    loan_cols = [
        c for c in columns(conn, "loans") if c not in ("id", "firm_id", "reference", "created_at")
    ]

    def copy_loans(template: int, count: int, prefix: str) -> list[int]:
        return list(
            conn.scalars(
                q(f"""INSERT INTO loans (firm_id, reference, created_at, {", ".join(loan_cols)})
                  SELECT (CAST(:firms AS int[]))[1 + (g % :nf)], :prefix || g, now(),
                         {", ".join("l." + c for c in loan_cols)}
                  FROM loans l, generate_series(1, :count) g WHERE l.id = :id
                  RETURNING id"""),
                {
                    "firms": world.firm_ids,
                    "nf": len(world.firm_ids),
                    "prefix": prefix,
                    "count": count,
                    "id": template,
                },
            )
        )

    world.loan_ids = copy_loans(covered_id, loans, "C-")
    world.defaulted_ids = copy_loans(npl_id, defaulted, "D-")
    approved = copy_loans(npl_id, claims, "A-")
    event_cols = [c for c in columns(conn, "loan_events") if c not in ("id", "loan_id")]
    conn.execute(
        q(f"""INSERT INTO loan_events (loan_id, {", ".join(event_cols)})
              SELECT n.id, {", ".join("e." + c for c in event_cols)}
              FROM loan_events e, unnest(CAST(:ids AS int[])) AS n(id)
              WHERE e.loan_id = :npl"""),
        {"ids": world.defaulted_ids + approved, "npl": npl_id},
    )
    claim_cols = [
        c
        for c in columns(conn, "claims")
        if c not in ("id", "loan_id", "submitted_on", "reviewed_on")
    ]
    conn.execute(
        q(f"""INSERT INTO claims (loan_id, submitted_on, reviewed_on, {", ".join(claim_cols)})
              SELECT n.id, :submitted, :approved, {", ".join("c." + c for c in claim_cols)}
              FROM claims c, unnest(CAST(:ids AS int[])) AS n(id) WHERE c.id = :claim"""),
        {
            "ids": approved,
            "claim": claim_id,
            "submitted": APPROVED_ON - dt.timedelta(days=5),
            "approved": APPROVED_ON,
        },
    )
    world.approved_claims = len(approved)


def columns(conn: sa.Connection, table: str) -> list[str]:
    return list(
        conn.scalars(
            sa.text("""SELECT column_name FROM information_schema.columns
                   WHERE table_name = :t AND table_schema = current_schema()
                   ORDER BY ordinal_position"""),
            {"t": table},
        )
    )
