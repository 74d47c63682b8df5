"""X-20 for the plugin's own routes: every GET under /yanqing records what it read.

The same walk as the core's (riskshare.testing.reads): each GET of the plugin's part of the
OpenAPI document, called with real records, leaves the read event its declaration
promises; what carries nothing confidential leaves none.
"""

from __future__ import annotations

import datetime as dt

from yanqing_steps import YQ, graded_firm, register_loan

from riskshare.testing import every_role, get_operations, today, walk_reads
from riskshare_yanqing.demo import documents


def test_X20_every_get_of_the_plugin_records_what_it_read(yq):
    api, program, insts = yq
    base = f"{YQ}/programs/{program['id']}"
    f, rec = graded_firm(api, program, insts, 31, "medium")
    loan = register_loan(api, f, insts, "YQ-INS-31", kind="insured", principal="1000000")
    today(api, dt.date(2025, 2, 10))
    body = {
        "loan_id": loan["id"],
        "premium": "40000.00",
        "documents": documents("loan_documents", "insurance_policy", "payment_proof"),
    }
    subsidy = api.as_("office").ok("POST", f"{base}/premium-subsidies", body, status=201)
    penalty = {
        "institution_id": insts["yq-bank"]["id"],
        "measure": "clawback",
        "reason": "合谋骗贷",
    }
    api.as_("office").ok("POST", f"{base}/penalties", penalty, status=201)
    today(api, dt.date(2025, 7, 2))
    report = {"kind": "half_yearly", "period": "2025-H1", "document_reference": "延托报1号"}
    api.as_("custodian", institution="yq-custodian").ok(
        "POST", f"{base}/custodian-reports", report, status=201
    )
    extra = {"period": "2025-H1", "reason": "合作银行流动性紧张"}
    api.as_("office").ok("POST", f"{base}/extra-payments", extra, status=201)
    rec_documents = api.as_("office").ok("GET", f"{YQ}/recommendations/{rec['id']}/documents")
    ids = {
        "program_id": program["id"],
        "rec_id": rec["id"],
        "record_id": None,  # set per route below
        "document_id": None,
    }
    reader = every_role(api)
    counts = "/api/v1/tenants/{tenant}/yanqing/programs/{program_id}/recommendation-counts"
    queries = {counts: "?quarter=2025-Q1"}
    subsidy_documents = api.as_("office").ok(
        "GET", f"{YQ}/premium-subsidies/{subsidy['id']}/documents"
    )
    walked = []
    every = {op.path for op in get_operations(api.app, {"yanqing"})}
    # The two document routes name their owner ``record_id``: walk each owner in turn.
    for owner, document in ((rec, rec_documents[0]), (subsidy, subsidy_documents[0])):
        ids.update(record_id=owner["id"], document_id=document["id"])
        kind = "recommendations" if owner is rec else "premium-subsidies"
        only = {p for p in every if "/documents" not in p or f"/{kind}/" in p}
        walked += walk_reads(api, ids, tags={"yanqing"}, reader=reader, queries=queries, only=only)
    assert set(walked) == every and len(every) >= 12
