"""Background jobs for platform operators: what is pending, sent, failed, and retrying it.

Operators see job names, keys and errors across tenants, never the records the jobs touch.
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.errors import Conflict, NotFound
from riskshare.jobs import status
from riskshare.jobs.schemas import JobOut, JobQuery, RetryOut
from riskshare.tenants.routes import require_platform_admin

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/api/v1/platform/jobs",
    description="Platform operators: background jobs, their failures and retries.",
)


@blp.route("")
class JobViews(MethodView):
    @blp.not_confidential("background jobs' state: names, times and failures, no records")
    @blp.arguments(JobQuery, location="query")
    @blp.response(200, JobOut(many=True))
    def get(self, query):
        """List background jobs with their RQ status and last error (default: not done)"""
        require_platform_admin()
        return status.list_jobs(
            current_app.extensions["riskshare"], states=query["state"], tenant=query["tenant"]
        )


# ``slug``, not ``tenant``: a ``tenant`` URL variable would enter the tenant as its user.
@blp.route("/<slug>/<int:outbox_id>/retry")
class JobRetryViews(MethodView):
    @blp.response(200, RetryOut)
    def post(self, slug, outbox_id):
        """Send a failed job again (a job whose effect committed is not run again)"""
        require_platform_admin()
        try:
            detail = status.retry_job(current_app.extensions["riskshare"], slug, outbox_id)
        except status.JobMissing as missing:
            raise NotFound(str(missing)) from None
        except status.RetryRefused as refused:
            raise Conflict(str(refused)) from None
        return {"detail": detail}
