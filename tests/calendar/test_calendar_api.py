"""The operator's holiday tables, through the API: a change is checked, counted on at once,
and recorded in every tenant's audit log (every tenant's deadlines are counted on it)."""

from __future__ import annotations

import datetime as dt

YEAR = "/api/v1/platform/calendar/years/2099"
DEADLINE = "/api/v1/platform/calendar/deadline?start=2098-12-31&working_days=1"
TABLE = {
    # Thursday and Friday off, Saturday worked instead.
    "holidays": ["2099-01-01", "2099-01-02"],
    "working_weekends": ["2099-01-03"],
    "source": "test notice 2099",
}


def calendar_events(api) -> list[dict]:
    events = api.as_("auditor").ok("GET", "/audit/events?page_size=100")
    return [e for e in events if e["action"] == "calendar.set"]


def test_a_year_table_moves_deadlines_and_is_audited_in_every_tenant(api, other_api):
    saved = api.admin.ok("PUT", YEAR, TABLE)
    assert saved["holidays"] == TABLE["holidays"]
    assert api.admin.ok("GET", DEADLINE)["due"] == "2099-01-03"
    for tenant in (api, other_api):
        [event] = calendar_events(tenant)
        assert (event["actor"], event["roles"]) == ("operator", "platform-admin")
        assert (event["record_type"], event["record_id"]) == ("calendar_years", "2099")
        assert event["after"]["holidays"] == TABLE["holidays"]
        assert event["after"]["source"] == "test notice 2099"


def test_a_table_with_dates_of_another_year_is_422_and_changes_nothing(api):
    api.admin.ok("PUT", YEAR, TABLE)
    bad = {**TABLE, "holidays": ["2099-01-01", "2100-01-04"], "source": "wrong"}
    body = api.admin.ok("PUT", YEAR, bad, status=422)
    assert body["errors"][0]["pointer"] == "/holidays"
    assert "2100-01-04" in body["detail"]
    assert api.admin.ok("GET", DEADLINE)["due"] == "2099-01-03"
    assert [e["after"]["source"] for e in calendar_events(api)] == ["test notice 2099"]


def test_only_the_platform_admin_sets_a_year(api):
    body = api.as_("office").ok("PUT", YEAR, TABLE, status=403)
    assert body["type"].endswith("/forbidden-role")
    assert calendar_events(api) == []


def test_a_request_that_counts_no_working_days_does_not_read_the_tables(api):
    """The calendar is read on a service's first working-day question, not on every request
    (a GET of a loan asks none); a request that asks still counts on the operator's tables."""
    import sqlalchemy as sa

    from factories import register_loan, setup_program
    from riskshare.calendar.service import LazyCalendar

    _, bank, firm = setup_program(api)
    loan = register_loan(api, firm, bank)
    engine = api.app.extensions["riskshare"].db.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        api.as_("office").ok("GET", f"/loans/{loan['id']}")
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if "calendar_years" in s]

    api.admin.ok("PUT", YEAR, TABLE)
    lazy = LazyCalendar(lambda: api.app.extensions["riskshare"].calendar.calendar())
    assert lazy.add_working_days(dt.date(2098, 12, 31), 1).due == dt.date(2099, 1, 3)
    assert lazy.working_days_between(dt.date(2098, 12, 31), dt.date(2099, 1, 3)) == 1
    assert not lazy.is_working_day(dt.date(2099, 1, 1))
