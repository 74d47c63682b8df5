"""Tenants never see each other; institutions never see each other's records.

The first test walks every operation of the OpenAPI document with a token of tenant A that
holds every role, aimed at tenant B's records (both through B's URL and through A's URL with
B's ids), and proves nothing is read or changed.
"""

from __future__ import annotations

import datetime as dt
import re

from factories import approved_plan, register_loan, setup_program
from riskshare.jobs import runner
from riskshare.plugins.manager import policy_registry, role_catalogue
from riskshare.testing.pytest_plugin import today

IDS = re.compile(r"\{(\w+)\}")


def populate(api):
    """A tenant with a record of every kind the core's routes name, each one real; returns
    their ids by path parameter name."""
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    lender = api.as_("lender", institution="bank-a")
    loan = register_loan(api, firm, bank, classification="loss")
    written_off = register_loan(api, firm, bank, "L-2", classification="loss")
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
    [document] = lender.ok("GET", f"/claims/{claim['id']}/documents")
    api.as_("reviewer").ok(
        "POST", f"/claims/{claim['id']}/reviews", {"decision": "approve", "opinion": "ok"}, 201
    )
    today(api, dt.date(2024, 7, 2))
    plan = approved_plan(api, program, "2024-06-01")
    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")
    finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {"payment_reference": "B"})
    recovery = lender.ok(
        "POST",
        "/recoveries",
        {
            "claim_id": claim["id"],
            "received_on": "2024-07-01",
            "recovered": "100.00",
            "costs": "0.00",
        },
        status=201,
    )
    write_off = lender.ok(
        "POST",
        "/write-offs",
        {"loan_id": written_off["id"], "approved_on": "2024-07-01", "net_loss": "1000.00"},
        status=201,
    )
    ban = api.as_("office").ok(
        "POST",
        "/bans",
        {
            "subject_type": "firm",
            "subject_id": firm["id"],
            "rule": "T-9",
            "reason": "fraud",
            "program_id": program["id"],
            "years": 1,
        },
        status=201,
    )
    clawback = api.as_("approver").ok(
        "POST",
        "/clawbacks",
        {"program_id": program["id"], "institution_id": bank["id"], "reason": "fraud"},
        status=201,
    )
    api.as_("office").ok(
        "PUT",
        f"/programs/{program['id']}/indicators/pool_floor",
        {"effective_from": "2024-07-01", "value": "1", "note": "floor"},
    )
    # Last, as it suspends the bank: the toy policy's T-8 records a standing decision when
    # monitoring finds its non-performing loans over the office's limit.
    base = f"/programs/{program['id']}"
    api.as_("office").ok(
        "PUT",
        f"{base}/indicators/npl_suspension",
        {"effective_from": "2024-07-01", "value": "1", "note": "T-8 limit"},
    )
    api.as_("office").ok("GET", f"{base}/monitoring")
    [standing] = api.as_("office").ok("GET", f"{base}/standings")
    # A workbook made by a job (run here, in process) and stored for the report's readers.
    report_job = api.as_("office").ok("POST", f"{base}/reports", {"period": "2024-07"}, status=202)
    runner.execute(api.app, api.tenant, report_job["id"])
    [report] = api.as_("office").ok("GET", f"{base}/reports/stored")
    return {
        "program_id": program["id"],
        "institution_id": bank["id"],
        "firm_id": firm["id"],
        "loan_id": loan["id"],
        "claim_id": claim["id"],
        "document_id": document["id"],
        "plan_id": plan["id"],
        "disbursement_id": payment["id"],
        "recovery_id": recovery["id"],
        "write_off_id": write_off["id"],
        "ban_id": ban["id"],
        "clawback_id": clawback["id"],
        "standing_id": standing["id"],
        "job_id": report_job["id"],
        "report_id": report["id"],
        "name": "pool_floor",
        "period": "2024-07",
    }


def operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path


def chain_length(api):
    return api.as_("auditor").ok("GET", "/audit/verification")["events"]


def test_tenant_b_has_every_record_the_walk_probes(other_api):
    """The walk below aims at real records: each id names one B can read."""
    b_ids = populate(other_api)
    auditor = other_api.as_("auditor")
    for path in (
        "/programs/{program_id}",
        "/institutions/{institution_id}",
        "/firms/{firm_id}",
        "/loans/{loan_id}",
        "/claims/{claim_id}/documents/{document_id}",
        "/plans/{plan_id}",
        "/disbursements/{disbursement_id}",
        "/recoveries/{recovery_id}",
        "/programs/{program_id}/reports/{period}",
        "/programs/{program_id}/reports/jobs/{job_id}",
        "/programs/{program_id}/reports/stored/{report_id}",
    ):
        auditor.ok("GET", path.format(**b_ids))
    listed = {
        "write_off_id": [w["id"] for w in auditor.ok("GET", "/write-offs")],
        "ban_id": [b["id"] for b in auditor.ok("GET", "/bans")],
        "clawback_id": [c["id"] for c in auditor.ok("GET", "/clawbacks")],
        "standing_id": [
            s["id"] for s in auditor.ok("GET", f"/programs/{b_ids['program_id']}/standings")
        ],
    }
    for name, ids in listed.items():
        assert b_ids[name] in ids, name


def test_tenant_a_cannot_read_or_change_anything_of_tenant_b(api, other_api):
    b_ids = populate(other_api)
    before = chain_length(other_api)
    pm = api.app.extensions["riskshare"].pm
    every_role = role_catalogue(pm).names
    # A plugin's own routes name its own records (B has none of a toy program): they are
    # walked at B's URL, where the tenant wall answers before any id is looked at.
    plugin_paths = tuple(f"/{name}/" for name in policy_registry(pm))
    a = api.as_(*sorted(every_role), institution=None)
    walked = 0
    for method, path in operations(api.app):
        if not path.startswith("/api/v1/tenants/{tenant}"):
            continue
        names = IDS.findall(path.removeprefix("/api/v1/tenants/{tenant}"))
        plugin_route = any(part in path for part in plugin_paths)
        if not plugin_route:
            assert set(names) <= set(b_ids), f"{path}: B has no record for {names}"
        for tenant in (other_api.tenant, api.tenant):
            if plugin_route and tenant == api.tenant:
                continue
            url = path.replace("{tenant}", tenant)
            url = IDS.sub(lambda m: str(b_ids.get(m.group(1), 1)), url)
            response = a.call(method, url, {} if method != "GET" else None, key="k")
            body = response.get_data(as_text=True)
            if tenant == other_api.tenant:
                assert response.status_code == 403, (method, url, response.status_code)
            elif names and method == "GET":
                # B's ids through A's URL: as if they did not exist.
                assert response.status_code == 404, (method, url, response.status_code)
            elif response.status_code < 400:
                # A's own listings and writes are fine, but must not show B's rows.
                assert other_api.tenant not in body and "Firm A" not in body, (method, url)
            walked += 1
    assert walked > 40
    assert chain_length(other_api) == before  # B's audit log saw nothing happen


def test_an_institution_user_cannot_reach_another_institutions_records(api):
    ids = populate(api)
    office = api.as_("office")
    office.ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    other = api.as_("lender", institution="bank-b")
    for listing in ("/loans", "/claims", "/firms", "/disbursements", "/recoveries", "/write-offs"):
        assert other.ok("GET", listing) == [], listing
    for path in (
        "/loans/{loan_id}",
        "/claims/{claim_id}",
        "/claims/{claim_id}/documents/{document_id}",
        "/disbursements/{disbursement_id}",
        "/recoveries/{recovery_id}",
    ):
        url = path.format(**ids)
        assert api.as_("lender", institution="bank-a").get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
    refused = other.post("/claims", {"loan_id": ids["loan_id"], "claimed_principal": "10.00"})
    assert refused.status_code == 404


def test_platform_admin_cannot_read_tenant_claims(api):
    populate(api)
    response = api.admin.get("/claims")
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
