"""The operator's holiday tables, through the API: a change is checked, counted on at once,
and recorded in every tenant's audit log (every tenant's deadlines are counted on it)."""

from __future__ import annotations

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
