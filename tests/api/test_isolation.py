"""Tenants never see each other; institutions never see each other's records.

The first test walks every operation of the OpenAPI document with a token of tenant A that
holds every role, aimed at tenant B's records (both through B's URL and through A's URL with
B's ids), and proves nothing is read or changed.
"""

from __future__ import annotations

import datetime as dt
import re

from factories import register_loan, setup_program
from riskshare.plugins.manager import role_catalogue
from riskshare.testing.pytest_plugin import today

IDS = re.compile(r"\{(\w+)\}")


def populate(api):
    """A tenant with a record of every kind; returns ids by path parameter name."""
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    lender = api.as_("lender", institution="bank-a")
    loan = register_loan(api, firm, bank, classification="loss")
    claim = lender.ok(
        "POST",
        "/claims",
        {
            "loan_id": loan["id"],
            "claimed_principal": "1000.00",
            "documents": [
                {"kind": "credit_report", "filename": "r.pdf", "content_base64": "cmVwb3J0"}
            ],
        },
        status=201,
    )
    return {
        "program_id": program["id"],
        "institution_id": bank["id"],
        "firm_id": firm["id"],
        "loan_id": loan["id"],
        "claim_id": claim["id"],
        "document_id": 1,
        "plan_id": 1,
        "disbursement_id": 1,
        "recovery_id": 1,
        "write_off_id": 1,
        "ban_id": 1,
        "clawback_id": 1,
        "year": 2030,
    }


def operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path


def chain_length(api):
    return api.as_("auditor").ok("GET", "/audit/verification")["events"]


def test_tenant_a_cannot_read_or_change_anything_of_tenant_b(api, other_api):
    b_ids = populate(other_api)
    before = chain_length(other_api)
    every_role = role_catalogue(api.app.extensions["riskshare"].pm).names
    a = api.as_(*sorted(every_role), institution=None)
    walked = 0
    for method, path in operations(api.app):
        if not path.startswith("/api/v1/tenants/{tenant}"):
            continue
        for tenant in (other_api.tenant, api.tenant):
            url = path.replace("{tenant}", tenant)
            url = IDS.sub(lambda m: str(b_ids.get(m.group(1), 1)), url)
            response = a.call(method, url, {} if method != "GET" else None, key="k")
            body = response.get_data(as_text=True)
            if tenant == other_api.tenant:
                assert response.status_code == 403, (method, url, response.status_code)
            elif response.status_code < 400:
                # A's own listings are fine, but must not contain B's rows.
                assert other_api.tenant not in body and "Firm A" not in body, (method, url)
            walked += 1
    assert walked > 40
    assert chain_length(other_api) == before  # B's audit log saw nothing happen


def test_an_institution_user_cannot_reach_another_institutions_records(api):
    populate(api)
    office = api.as_("office")
    office.ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    other = api.as_("lender", institution="bank-b")
    assert other.ok("GET", "/loans") == []
    assert other.ok("GET", "/claims") == []
    assert other.ok("GET", "/firms") == []
    assert other.get("/loans/1").status_code in (404,)
    [loan] = api.as_("lender", institution="bank-a").ok("GET", "/loans")
    assert other.get(f"/loans/{loan['id']}").status_code == 404
    [claim] = api.as_("auditor").ok("GET", "/claims")
    assert other.get(f"/claims/{claim['id']}").status_code == 404
    assert (
        other.post("/claims", {"loan_id": loan["id"], "claimed_principal": "10.00"}).status_code
        == 404
    )


def test_platform_admin_cannot_read_tenant_claims(api):
    populate(api)
    response = api.admin.get("/claims")
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
