"""A recommendation naming a firm the tenant does not have is a 422 pointing at the field:
the plugin asks ``Facts.firm_or_none`` rather than catching the core's lookup error."""

from __future__ import annotations

from yanqing_steps import recommend


def test_a_recommendation_of_an_unknown_firm_points_at_firm_id(yq):
    api, program, _ = yq
    problem = recommend(api, program, {"id": 987654}, status=422)
    assert problem["errors"] == [{"pointer": "/firm_id", "detail": "unknown firm"}]
    assert problem["detail"] == "There is no firm 987654."
