"""Each user's inbox: the reminders of deadlines addressed to the caller's roles and
institution, with the caller's own read marks."""

from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.auth.roles import EVERYONE
from riskshare.notifications import service
from riskshare.notifications.schemas import CountsOut, InboxQuery, NotificationOut

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/notifications",
    description="The caller's inbox: reminders of deadlines due soon, due today or missed.",
)


@blp.route("")
class InboxViews(MethodView):
    @blp.lists("notifications")
    @blp.roles(EVERYONE)
    @blp.arguments(InboxQuery, location="query")
    @blp.response(200, NotificationOut(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List the notifications addressed to you (your roles, your institution), newest
        first, each with whether you have read it"""
        total, items = service.inbox_page(
            current_context(),
            pagination_parameters.first_item,
            pagination_parameters.page_size,
            unread=query["unread"],
            program_id=query["program_id"],
        )
        pagination_parameters.item_count = total
        return items


@blp.route("/counts")
class CountViews(MethodView):
    @blp.not_confidential("two counts of the caller's own notifications, no record")
    @blp.roles(EVERYONE)
    @blp.response(200, CountsOut)
    def get(self):
        """How many notifications you have, and how many you have not read"""
        return service.counts(current_context())


@blp.route("/<int:notification_id>/read")
class ReadViews(MethodView):
    @blp.roles(EVERYONE)
    @blp.response(200, NotificationOut)
    def post(self, notification_id):
        """Mark a notification of yours read (marking it again changes nothing)"""
        return service.mark_read(current_context(), notification_id)
