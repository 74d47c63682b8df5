"""Every error the API gives is application/problem+json (RFC 9457), whatever raised it.

Each case goes through a different path to the response: the authentication hook, a role
check, a service's own Problem, werkzeug's routing, webargs validation, the policy's JSON
Schema. A refused write must also leave nothing behind.
"""

from __future__ import annotations

from http import HTTPStatus

from riskshare.api.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE

PROGRAM = {
    "code": "toy-2024",
    "name": "Toy fund",
    "policy": "toy",
    "fund_total": "1000000.00",
    "effective_from": "2024-01-01",
    "effective_to": "2026-12-31",
}


def assert_problem(response, status: int) -> dict:
    """The response is a problem document for ``status``; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_MEDIA_TYPE
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert body["type"].startswith(TYPE_BASE) and len(body["type"]) > len(TYPE_BASE)
    assert isinstance(body["detail"], str) and body["detail"].strip()
    return body


def pointers(body: dict) -> list[str]:
    return sorted(error["pointer"] for error in body["errors"])


def test_no_token_is_401_with_a_challenge(api_any):
    response = api_any.app.test_client().get(f"/api/v1/tenants/{api_any.tenant}/programs")
    assert assert_problem(response, 401)["type"].endswith("/unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_forged_token_is_401(api_any):
    response = api_any.app.test_client().get(
        f"/api/v1/tenants/{api_any.tenant}/programs",
        headers={"Authorization": "Bearer not.a.token"},
    )
    body = assert_problem(response, 401)
    assert body["type"].endswith("/invalid-token") and "refused" in body["detail"]


def test_the_wrong_role_is_403_naming_the_roles_needed(api_any):
    body = assert_problem(api_any.as_("reviewer").post("/programs", PROGRAM), 403)
    assert "office" in body["detail"]
    assert api_any.as_("office").ok("GET", "/programs") == []


def test_an_unknown_id_is_404(api_any):
    body = assert_problem(api_any.as_("office").get("/programs/999999"), 404)
    assert "999999" in body["detail"]


def test_an_unknown_path_is_404(api_any):
    office = api_any.as_("office")
    assert_problem(office.get("/no-such-resource"), 404)
    assert_problem(office.get("/api/v1/no-such-thing"), 404)


def test_a_wrong_method_is_405_and_keeps_the_allow_header(api_any):
    response = api_any.as_("office").call("DELETE", "/programs")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_malformed_json_is_400_pointing_at_the_whole_body(api_any):
    response = api_any.as_("office").call(
        "POST", "/institutions", data="{not json", content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert body["errors"] == [{"pointer": "", "location": "json", "detail": "Invalid JSON body."}]


def test_a_duplicate_code_is_409_and_changes_nothing(api_any):
    office = api_any.as_("office")
    bank = {"code": "bank-a", "name": "Bank A", "kind": "bank"}
    office.ok("POST", "/institutions", bank, status=201)
    body = assert_problem(office.post("/institutions", {**bank, "name": "Other"}), 409)
    assert "bank-a" in body["detail"]
    assert [i["name"] for i in office.ok("GET", "/institutions")] == ["Bank A"]


def test_invalid_fields_are_422_with_a_pointer_each_and_nothing_written(api_any):
    office = api_any.as_("office")
    before = office.ok("GET", "/institutions")
    response = office.post("/institutions", {"code": "no spaces", "kind": "spaceship"})
    body = assert_problem(response, 422)
    assert pointers(body) == ["/code", "/kind", "/name"]
    assert {error["location"] for error in body["errors"]} == {"json"}
    assert all(error["detail"] for error in body["errors"])
    assert office.ok("GET", "/institutions") == before


def test_an_invalid_program_config_names_each_schema_error(api_any):
    office = api_any.as_("office")
    events = api_any.as_("auditor").ok("GET", "/audit/verification")["events"]
    response = office.post("/programs", {**PROGRAM, "config": {"ratio": "abc", "colour": "red"}})
    body = assert_problem(response, 422)
    assert body["type"].endswith("/config-invalid")
    # The unknown property is the config object's fault, the bad pattern the ratio's.
    assert pointers(body) == ["/config", "/config/ratio"]
    by_pointer = {error["pointer"]: error["detail"] for error in body["errors"]}
    assert "colour" in by_pointer["/config"] and "abc" in by_pointer["/config/ratio"]
    assert office.ok("GET", "/programs") == []
    assert api_any.as_("auditor").ok("GET", "/audit/verification")["events"] == events


def test_each_domain_error_maps_to_one_status_and_type():
    """Services raise domain errors without HTTP; ``problem_body`` is the one mapping, and it
    keeps what the service said (detail, pointers, the refusing rule, the record in the way)."""
    from riskshare.api.problems import problem_body
    from riskshare.errors import Conflict, Forbidden, Invalid, NotFound, Problem, refused

    errors = [{"pointer": "/principal", "detail": "must be positive"}]
    rule = {"rule": "X-13", "en": "Over the annual cap."}
    cases = [
        (NotFound("There is no claim 7."), 404, "not-found"),
        (
            Forbidden("Not your institution.", kind="forbidden-institution"),
            403,
            "forbidden-institution",
        ),
        (Forbidden("No."), 403, "forbidden"),
        (Conflict("Paid already.", extra={"claim_id": 7}), 409, "conflict"),
        (Invalid("Check /principal.", errors=errors), 422, "validation"),
        (refused(rule), 422, "rule-refused"),
        (refused(rule, 409), 409, "rule-refused"),
        (Problem(409, "Granted already.", kind="granted-already"), 409, "granted-already"),
    ]
    for error, status, kind in cases:
        body = problem_body(error)
        assert (body["status"], body["type"]) == (status, TYPE_BASE + kind), body
        assert body["title"] == HTTPStatus(status).phrase
        assert body["detail"] == error.detail
    assert problem_body(cases[3][0])["claim_id"] == 7
    assert problem_body(cases[4][0])["errors"] == errors
    assert problem_body(cases[5][0])["rule"] == rule
    assert problem_body(cases[5][0])["detail"] == "Refused by rule X-13: Over the annual cap."
