"""A recommendation naming a firm the tenant does not have is a 422 pointing at the field:
the plugin asks ``Facts.firm_or_none`` rather than catching the core's lookup error."""

from __future__ import annotations

from yanqing_steps import recommend


def test_a_recommendation_of_an_unknown_firm_points_at_firm_id(yq):
    api, program, _ = yq
    problem = recommend(api, program, {"id": 987654}, status=422)
    assert problem["errors"] == [{"pointer": "/firm_id", "detail": "unknown firm"}]
    assert problem["detail"] == "There is no firm 987654."


BEYOND_INT = 99_999_999_999  # above PostgreSQL's integer, the type of every id column


def test_ids_and_dates_beyond_the_columns_are_a_422_naming_the_field_never_a_500(yq):
    """The plugin's own request schemas use the toolkit's bounded IntegerField and DateField,
    as the core's do: nothing out of range reaches the database or the calendar."""
    api, program, _ = yq
    problem = recommend(api, program, {"id": BEYOND_INT}, status=422)
    assert "firm_id" in str(problem["errors"])
    entry = {"subject": "firm", "kind": "dishonest", "dated": "9999-12-31"}
    problem = recommend(
        api,
        program,
        {"id": 1},
        credit_record={"controller": "张三", "entries": [entry]},
        status=422,
    )
    assert "dated" in str(problem["errors"])
    penalty = {"institution_id": BEYOND_INT, "measure": "termination", "reason": "合谋骗贷"}
    answer = api.as_("office").post(f"/yanqing/programs/{program['id']}/penalties", penalty)
    assert answer.status_code == 422 and "institution_id" in str(answer.get_json()["errors"])
    assert api.as_("auditor").ok("GET", f"/yanqing/programs/{program['id']}/penalties") == []
