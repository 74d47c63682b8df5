"""X-20: every read of confidential data is recorded, by one mechanism no route can forget.

Each GET route declares its reads (riskshare.api.reads); the app refuses to start while one
does not; the walk below calls every GET of the core's OpenAPI document with real records
and finds in the audit log the event its declaration promises. The Yanqing plugin's routes
are walked the same way by its own suite (test_yanqing_reads.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask.views import MethodView

from factories import approved_plan, register_loan, setup_program
from import_files import upload, with_bad_rows, xlsx
from riskshare.api.blueprint import Blueprint
from riskshare.api.reads import UndeclaredRead
from riskshare.jobs import runner
from riskshare.plugins.hookspec import hookimpl
from riskshare.plugins.manager import role_catalogue
from riskshare.routes import blueprints
from riskshare.testing.client import ApiClient
from riskshare.testing.pytest_plugin import _make_app, today
from riskshare.testing.reads import audit_events_after, audit_head, get_operations, walk_reads

# What X-20 names as confidential, by the GET that returns it: (event, record type).
CONFIDENTIAL = {
    "/loans": ("list", "loans"),
    "/loans/{loan_id}": ("read", "loans"),
    "/loans/{loan_id}/events": ("read", "loans"),
    "/firms": ("list", "firms"),
    "/firms/{firm_id}": ("read", "firms"),
    "/claims": ("list", "claims"),
    "/claims/{claim_id}": ("read", "claims"),
    "/claims/{claim_id}/reviews": ("read", "claims"),
    "/claims/{claim_id}/documents": ("list", "documents"),
    "/claims/{claim_id}/documents/{document_id}": ("download", "documents"),
    "/plans": ("list", "allocation_plans"),
    "/plans/{plan_id}": ("read", "allocation_plans"),
    "/disbursements": ("list", "disbursements"),
    "/disbursements/{disbursement_id}": ("read", "disbursements"),
    "/recoveries": ("list", "recoveries"),
    "/recoveries/{recovery_id}": ("read", "recoveries"),
    "/write-offs": ("list", "write_offs"),
    "/programs/{program_id}/ledger": ("read", "ledger"),
    "/programs/{program_id}/ledger/entries": ("list", "journal_entries"),
    "/programs/{program_id}/reports/{period}": ("read", "fund_reports"),
    "/programs/{program_id}/reports/stored": ("list", "documents"),
    "/programs/{program_id}/reports/stored/{report_id}": ("download", "documents"),
    "/audit/events": ("list", "audit_events"),
}

CORE_TAGS = {blp.name for blp in blueprints()}


def populate(api):
    """A tenant with a real record behind every parameter of the core's GET routes."""
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    lender = api.as_("lender", institution="bank-a")
    loan = register_loan(api, firm, bank, classification="loss")
    written_off = register_loan(api, firm, bank, "L-2", classification="loss")
    evidence = {"kind": "credit_report", "filename": "r.pdf", "content_base64": "cmVwb3J0"}
    body = {"loan_id": loan["id"], "claimed_principal": "1000.00", "documents": [evidence]}
    claim = lender.ok("POST", "/claims", body, status=201)
    [document] = lender.ok("GET", f"/claims/{claim['id']}/documents")
    review = {"decision": "approve", "opinion": "ok"}
    api.as_("reviewer").ok("POST", f"/claims/{claim['id']}/reviews", review, 201)
    today(api, dt.date(2024, 7, 2))
    plan = approved_plan(api, program, "2024-06-01")
    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")
    finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {"payment_reference": "B"})
    recovered = {"received_on": "2024-07-01", "recovered": "100.00", "costs": "0.00"}
    recovery = lender.ok("POST", "/recoveries", {"claim_id": claim["id"], **recovered}, 201)
    write_off = {"loan_id": written_off["id"], "approved_on": "2024-07-01", "net_loss": "1000.00"}
    lender.ok("POST", "/write-offs", write_off, status=201)
    ban = {"subject_type": "firm", "subject_id": firm["id"], "rule": "T-9", "reason": "fraud"}
    api.as_("office").ok("POST", "/bans", {**ban, "program_id": program["id"], "years": 1}, 201)
    clawback = {"program_id": program["id"], "institution_id": bank["id"], "reason": "fraud"}
    api.as_("approver").ok("POST", "/clawbacks", clawback, status=201)
    base = f"/programs/{program['id']}"
    filing = {"rule": "T-8", "period": "2024-H1", "explanation": "why", "rectification_plan": "fix"}
    lender.ok("POST", f"{base}/supervision-filings", filing, status=201)
    # The toy policy's T-8 suspends a bank whose non-performing loans pass this limit: the
    # monitoring below records that standing.
    limit = {"effective_from": "2024-07-01", "value": "1", "note": "T-8 limit"}
    api.as_("office").ok("PUT", f"{base}/indicators/npl_suspension", limit)
    api.as_("office").ok("GET", f"{base}/monitoring")
    # A workbook made by a job (run here, in the test's process) and stored.
    job = api.as_("office").ok("POST", f"{base}/reports", {"period": "2024-07"}, status=202)
    stored = runner.execute(api.app, api.tenant, job["id"])
    # A loan file imported (its job run here too), with a bad row for the annotated copy.
    rows, _ = with_bad_rows(3, every=2)
    started = upload(api, xlsx(rows), program=program).get_json()
    runner.execute(api.app, api.tenant, started["outbox_id"], last_attempt=True)
    remind_the_office(api, program)
    return {
        "import_id": started["id"],
        "job_id": job["id"],
        "report_id": stored["document_id"],
        "program_id": program["id"],
        "institution_id": bank["id"],
        "firm_id": firm["id"],
        "loan_id": loan["id"],
        "claim_id": claim["id"],
        "document_id": document["id"],
        "plan_id": plan["id"],
        "disbursement_id": payment["id"],
        "recovery_id": recovery["id"],
        "period": "2024-07",
        "slug": api.tenant,  # the platform's routes of one tenant
    }


def remind_the_office(api, program):
    """A reminder in the office's inbox (the sweep's, written here as it writes it)."""
    from riskshare.db import tenant_session
    from riskshare.notifications.models import Notification

    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        session.add(
            Notification(
                key="plan_summary:plan:1:due_soon:office",
                program_id=program["id"],
                kind="plan_summary",
                rule="T-4",
                stage="due_soon",
                subject_type="plan",
                subject_id=1,
                due_on=dt.date(2025, 1, 15),
                sent_on=dt.date(2025, 1, 10),
                role="office",
                explanation={"rule": "T-4", "zh": "即将到期。", "en": "Due soon."},
            )
        )


def reader(api):
    """One caller holding every role, bound to no institution: every GET answers it."""
    return api.as_(*sorted(role_catalogue(api.app.extensions["riskshare"].pm).names))


def test_X20_every_get_of_the_core_records_what_it_read(api):
    ids = populate(api)
    queries = {"/api/v1/platform/calendar/deadline": "?start=2024-07-01&working_days=5"}
    walked = walk_reads(api, ids, tags=CORE_TAGS, reader=reader(api), queries=queries)
    every = {op.path for op in get_operations(api.app, CORE_TAGS)}
    assert set(walked) == every and len(every) > 30  # the tags found the core's routes


def test_X20_what_the_rule_names_is_declared_read(rs_app):
    """Loans, firms (their list too), claims, plans, disbursements, recoveries, the ledger,
    reports and documents: each GET that returns them says it records the read. A
    declaration removed stops the app; one turned into not_confidential fails here."""
    declared = {
        op.path.removeprefix("/api/v1/tenants/{tenant}"): op.reads for op in get_operations(rs_app)
    }
    for path, (event, record_type) in CONFIDENTIAL.items():
        reads = declared[path]
        assert reads["confidential"] is True, f"GET {path}: {reads}"
        assert (reads["event"], reads["record_type"]) == (event, record_type), path


def test_X20_the_report_as_a_workbook_is_recorded_too(api):
    ids = populate(api)
    period = f"{ids['program_id']}:{ids['period']}"
    head = audit_head(api)
    workbook = api.as_("auditor").get(f"/programs/{ids['program_id']}/reports/2024-07?format=xlsx")
    assert workbook.status_code == 200 and workbook.mimetype.endswith("sheet")
    [event] = audit_events_after(api, head)
    assert (event["action"], event["record_type"], event["record_id"]) == (
        "read",
        "fund_reports",
        period,
    )
    assert event["actor"] == "auditor"


def test_X20_a_page_records_the_ids_it_returned_and_an_institution_only_its_own(api):
    ids = populate(api)
    lender = api.as_("lender", institution="bank-a")
    loans = [loan["id"] for loan in lender.ok("GET", "/loans")]
    assert len(loans) > 2
    head = audit_head(api)
    [second] = lender.ok("GET", "/loans?page=2&page_size=1")
    [event] = audit_events_after(api, head)
    assert event["after"]["ids"] == [second["id"]] == loans[1:2]
    assert event["after"]["request"].endswith("/loans?page=2&page_size=1")
    # Another bank lists nothing of bank-a's: its event says so, with no id.
    api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "B", "kind": "bank"}, 201
    )
    head = audit_head(api)
    assert api.as_("lender", institution="bank-b").ok("GET", "/firms") == []
    [event] = audit_events_after(api, head)
    assert (event["action"], event["record_type"], event["after"]["ids"]) == ("list", "firms", [])
    assert ids["firm_id"]  # bank-a's firm exists; bank-b did not read it


def test_X20_a_refused_read_records_nothing(api):
    ids = populate(api)
    head = audit_head(api)
    assert api.as_("auditor").get("/claims/999999").status_code == 404
    assert api.as_("lender", institution="bank-a").get("/audit/events").status_code == 403
    other = api.as_("office").ok(
        "POST", "/institutions", {"code": "b", "name": "B", "kind": "bank"}, 201
    )
    assert other["id"]
    assert api.as_("lender", institution="b").get(f"/claims/{ids['claim_id']}").status_code == 404
    assert [e for e in audit_events_after(api, head) if e["action"] != "institution.create"] == []


# ----------------------------------------------------------------------- the app refuses


def _plugin_with_route(declare):
    """A plugin adding one GET route, declared by ``declare`` (None: not declared)."""
    blp = Blueprint("probe", __name__, url_prefix="/api/v1/tenants/<tenant>/probe")

    class Probe(MethodView):
        def get(self, thing_id):
            return {"thing": thing_id}

    if declare is not None:
        Probe.get = declare(blp)(Probe.get)
    blp.route("/<int:thing_id>")(Probe)

    class ProbePlugin:
        @hookimpl
        def riskshare_register_routes(self, api):
            api.register_blueprint(blp)

    return ProbePlugin()


def test_X20_the_app_refuses_to_start_with_a_get_that_does_not_declare_its_reads(
    rs_pg_url, tmp_path
):
    with pytest.raises(UndeclaredRead) as refused:
        _make_app(rs_pg_url, tmp_path, [("probe", _plugin_with_route(None))])
    assert "GET /api/v1/tenants/<tenant>/probe/<int:thing_id> (probe.Probe)" in str(refused.value)
    assert "@blp.not_confidential" in str(refused.value)


def test_X20_the_app_refuses_a_declaration_it_could_not_keep(rs_pg_url, tmp_path):
    wrong_id = _plugin_with_route(lambda blp: blp.reads("things", id_from="other_id"))
    with pytest.raises(UndeclaredRead, match=r"takes the id from \['other_id'\]"):
        _make_app(rs_pg_url, tmp_path, [("probe", wrong_id)])


def test_X20_a_read_that_cannot_be_recorded_is_not_answered(rs_pg_url, tmp_path, api):
    """The probe answers without an id of its own: nothing to record, so no answer."""
    app = _make_app(rs_pg_url, tmp_path, [("probe", _plugin_with_route(lambda b: b.reads("x")))])
    try:
        head = audit_head(api)
        response = ApiClient(app, api.tenant).as_("auditor").get("/probe/7")
        assert response.status_code == 500 and "thing" not in response.get_data(as_text=True)
        assert audit_events_after(api, head) == []
    finally:
        app.extensions["riskshare"].db.dispose()
