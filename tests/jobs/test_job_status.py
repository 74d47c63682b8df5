"""What operators see of background work: ``GET /platform/jobs`` and ``riskshare jobs`` list
failed jobs with their error, and a failed job can be sent again; nothing fails silently."""

from __future__ import annotations

import pytest
from test_outbox import ask, rows

from riskshare.cli import main
from riskshare.jobs import runner
from riskshare.jobs.models import FAILED, PENDING

JOBS = "/api/v1/platform/jobs"


def failed_job(api, message):
    outbox_id = ask(api, "test.fail", f"fail:{message}", message=message)
    with pytest.raises(RuntimeError):
        runner.execute(api.app, api.tenant, outbox_id, last_attempt=True)
    return outbox_id


def test_platform_jobs_lists_a_failed_job_with_its_error_and_retries_it(api):
    outbox_id = failed_job(api, "claim 7 has no review date")
    listed = api.admin.ok("GET", f"{JOBS}?tenant={api.tenant}")
    assert [(j["id"], j["job_name"], j["state"], j["last_error"]) for j in listed] == [
        (outbox_id, "test.fail", FAILED, "RuntimeError: claim 7 has no review date")
    ]
    assert api.admin.ok("GET", f"{JOBS}?tenant={api.tenant}&state=done") == []

    api.admin.ok("POST", f"{JOBS}/{api.tenant}/{outbox_id}/retry")
    [row] = rows(api)
    assert row.state == PENDING  # the relay sends it again


def test_a_job_that_has_run_is_not_retried(api):
    outbox_id = ask(api, "test.mark", "mark:ran", label="ran")
    runner.execute(api.app, api.tenant, outbox_id)
    problem = api.admin.ok("POST", f"{JOBS}/{api.tenant}/{outbox_id}/retry", status=409)
    assert "has run" in problem["detail"]
    api.admin.ok("POST", f"{JOBS}/{api.tenant}/{outbox_id + 1000}/retry", status=404)


def test_only_platform_operators_see_jobs(api):
    failed_job(api, "hidden from tenant staff")
    api.as_("office").call("GET", JOBS, expect=403)


def test_riskshare_jobs_lists_failures_on_the_command_line(api):
    outbox_id = failed_job(api, "no filing for 2024")
    result = api.app.test_cli_runner().invoke(main, args=["jobs", "--tenant", api.tenant])
    assert result.exit_code == 0, result.output
    assert f"{api.tenant} #{outbox_id} test.fail fail:no filing for 2024: failed" in result.output
    assert "RuntimeError: no filing for 2024" in result.output

    retried = api.app.test_cli_runner().invoke(
        main, args=["jobs", "retry", api.tenant, str(outbox_id)]
    )
    assert retried.exit_code == 0, retried.output
    assert [r.state for r in rows(api)] == [PENDING]
