from __future__ import annotations

import datetime as dt

from flask import current_app, g
from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.calendar import service
from riskshare.calendar.schemas import DeadlineOut, DeadlineQuery, YearIn, YearOut
from riskshare.db.session import tenant_session
from riskshare.tenants.routes import require_platform_admin

blp = Blueprint(
    "calendar",
    __name__,
    url_prefix="/api/v1/platform/calendar",
    description="Working days: statutory holidays and adjusted working weekends.",
)


@blp.route("/years/<int:year>")
class CalendarYearViews(MethodView):
    @blp.arguments(YearIn)
    @blp.response(200, YearOut)
    def put(self, data, year):
        """Set the holiday table of a year (overrides the bundled data for that year)"""
        require_platform_admin()
        db = current_app.extensions["riskshare"].db
        with tenant_session(db, None) as session:
            row = service.set_year(session, year, actor=g.principal.username, **data)
            current_app.logger.info("calendar %s set by %s", year, g.principal.username)
            return row


@blp.route("/deadline")
class DeadlineViews(MethodView):
    @blp.not_confidential("working-day arithmetic on the public calendar")
    @blp.arguments(DeadlineQuery, location="query")
    @blp.response(200, DeadlineOut)
    def get(self, query):
        """The N-th working day strictly after a date (provisional beyond all tables)"""
        calendar = current_app.extensions["riskshare"].calendar.calendar()
        start: dt.date = query["start"]
        return calendar.add_working_days(start, query["working_days"]).as_dict()
