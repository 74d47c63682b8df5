"""Reports as jobs, through the HTTP API and the real worker: a workbook of more loans than
RISKSHARE_SYNC_REPORT_MAX_LOANS is refused inside the request with a pointer to the job; the
job, asked with POST, reports its state, percent and rows, and stores the workbook, which is
downloaded when it is ready and holds what the synchronous one holds (X-19, X-20)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from redis import Redis
from rq.job import Job

from conftest import wait_for
from factories import register_loan, setup_program
from riskshare.db import tenant_session
from riskshare.jobs.models import OutboxJob

LOANS = 3


@pytest.fixture
def program(api):
    program, bank, firm = setup_program(api)
    for n in range(LOANS):
        register_loan(api, firm, bank, f"L-{n}", issue_date=f"2024-0{n + 3}-01")
    return program


@pytest.fixture
def sync_limit(api):
    """Sets the app's RISKSHARE_SYNC_REPORT_MAX_LOANS for the test."""
    settings = api.app.extensions["riskshare"].settings
    before = settings.sync_report_max_loans

    def set_limit(value):
        settings.sync_report_max_loans = value

    yield set_limit
    settings.sync_report_max_loans = before


def sheets(content):
    book = load_workbook(BytesIO(content))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_a_large_workbook_is_made_by_a_job_and_downloaded_when_ready(
    api, program, worker, sync_limit, redis_url
):
    office = api.as_("office")
    base = f"/api/v1/tenants/{api.tenant}/programs/{program['id']}/reports"
    sync_limit(LOANS)
    small = office.get(f"/programs/{program['id']}/reports/2024?format=xlsx")
    assert small.status_code == 200
    made_in_request = sheets(small.data)
    assert len(made_in_request["贷款明细"]) == LOANS + 2  # Chinese and English headings

    sync_limit(LOANS - 1)
    refused = office.ok("GET", f"/programs/{program['id']}/reports/2024?format=xlsx", status=409)
    assert refused["type"].endswith("report-too-large")
    assert (refused["loans"], refused["limit"]) == (LOANS, LOANS - 1)
    assert refused["job"] == {
        "method": "POST",
        "path": base,
        "body": {"period": "2024", "format": "xlsx"},
    }
    # The figures alone (no loan list) stay synchronous.
    assert office.ok("GET", f"/programs/{program['id']}/reports/2024")["period"] == "2024"

    response = office.post(f"/programs/{program['id']}/reports", {"period": "2024"})
    assert response.status_code == 202
    asked = response.get_json()
    assert (asked["state"], asked["percent"], asked["rows"], asked["total_rows"]) == (
        "queued",
        0,
        0,
        LOANS,
    )
    assert response.headers["Location"] == f"{base}/jobs/{asked['id']}"

    job_path = f"/programs/{program['id']}/reports/jobs/{asked['id']}"
    done = wait_for(
        lambda: (j := office.ok("GET", job_path))["state"] == "done" and j,
        what="the report job",
        log=worker.log_path,
    )
    assert (done["percent"], done["rows"], done["total_rows"]) == (100, LOANS, LOANS)
    # The progress is the job's own, written to its RQ job as it went.
    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        row = session.get(OutboxJob, asked["id"])
        rq_job = Job.fetch(row.rq_job_id, connection=Redis.from_url(redis_url))
    assert rq_job.meta["progress"] == {"rows": LOANS, "total": LOANS}

    [stored] = office.ok("GET", f"/programs/{program['id']}/reports/stored")
    assert stored["id"] == done["document_id"] and stored["period"] == "2024"
    download = office.get(f"/programs/{program['id']}/reports/stored/{stored['id']}")
    assert download.status_code == 200
    made_by_job = sheets(download.data)
    assert made_by_job["贷款明细"] == made_in_request["贷款明细"]
    assert made_by_job["资金情况"] == made_in_request["资金情况"]


def test_a_pdf_is_made_by_a_job_too_and_downloaded_as_a_pdf(api, program, worker, sync_limit):
    from pypdf import PdfReader

    office = api.as_("office")
    sync_limit(LOANS - 1)
    refused = office.ok("GET", f"/programs/{program['id']}/reports/2024?format=pdf", status=409)
    assert refused["job"]["body"] == {"period": "2024", "format": "pdf"}
    asked = office.ok("POST", f"/programs/{program['id']}/reports", refused["job"]["body"], 202)
    assert asked["format"] == "pdf"
    job_path = f"/programs/{program['id']}/reports/jobs/{asked['id']}"
    done = wait_for(
        lambda: (j := office.ok("GET", job_path))["state"] == "done" and j,
        what="the PDF report job",
        log=worker.log_path,
    )
    assert (done["rows"], done["format"]) == (LOANS, "pdf")
    [stored] = office.ok("GET", f"/programs/{program['id']}/reports/stored")
    assert stored["content_type"] == "application/pdf" and stored["filename"].endswith(".pdf")
    download = office.get(f"/programs/{program['id']}/reports/stored/{stored['id']}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(download.data)).pages)
    assert "本期登记贷款明细" in text and "L-2" in text


def test_report_jobs_are_the_readers_own(api, program):
    path = f"/programs/{program['id']}/reports"
    # a bank reads no fund report, made now or by a job.
    lender = api.as_("lender", institution="bank-a")
    assert lender.post(path, {"period": "2024"}).status_code == 403
    assert lender.get(f"{path}/stored").status_code == 403
    office = api.as_("office")
    bad = office.ok("POST", path, {"period": "2024-13"}, status=422)
    assert bad["errors"][0]["pointer"] == "/period"
    bad = office.ok("POST", path, {"period": "2024", "format": "docx"}, status=422)
    assert bad["errors"][0]["pointer"] == "/format"
    asked = office.ok("POST", path, {"period": "2024"}, status=202)
    assert lender.get(f"{path}/jobs/{asked['id']}").status_code == 403
    # Another program's path, or an id that is no report job: as if it did not exist.
    assert office.get(f"/programs/{program['id'] + 1}/reports/jobs/{asked['id']}").status_code in (
        404,
    )
    assert office.get(f"{path}/stored/{asked['id']}").status_code == 404
