"""The served OpenAPI document is valid OpenAPI 3.1, and the interactive docs are public."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from riskshare.api.problems import PROBLEM_MEDIA_TYPE

SPEC_URL = "/api/v1/openapi.json"


@pytest.fixture(scope="module")
def spec(rs_app):
    response = rs_app.test_client().get(SPEC_URL)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    validate(spec)  # picks the 3.1 validator from the "openapi" field; raises on any error


def test_amounts_are_documented_as_decimal_strings(spec):
    program_in = spec["components"]["schemas"]["ProgramIn"]["properties"]["fund_total"]
    assert program_in["type"] == "string" and program_in["format"] == "decimal"
    # The Range validator's bound survives as an extension, not as a (numeric) minimum.
    assert "minimum" not in program_in and "x-minimum" in program_in


def test_every_role_checked_operation_documents_its_errors_as_problems(spec):
    problem = spec["components"]["responses"]["Problem403"]["content"]
    assert set(problem) == {PROBLEM_MEDIA_TYPE}
    checked = 0
    for item in spec["paths"].values():
        for operation in item.values():
            if "x-roles" not in operation:
                continue
            refs = {status: r.get("$ref") for status, r in operation["responses"].items()}
            for status in ("400", "401", "403", "404", "409", "413", "422"):
                assert refs[status] == f"#/components/responses/Problem{status}"
            checked += 1
    assert checked > 40


def _resolve(spec, node):
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def test_every_error_response_is_documented_as_problem_json(spec):
    errors = 0
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):  # the path's parameters
                continue
            for status, response in operation["responses"].items():
                if status == "default" or status >= "400":
                    content = _resolve(spec, response)["content"]
                    assert set(content) == {PROBLEM_MEDIA_TYPE}, (status, content)
                    errors += 1
    assert errors > 300


def test_the_pagination_header_is_documented_as_the_json_text_it_is(spec, api):
    header = _resolve(spec, spec["components"]["headers"]["PAGINATION"])
    assert header["schema"]["type"] == "string"
    assert header["schema"]["contentMediaType"] == "application/json"
    sent = api.as_("auditor").get("/loans").headers["X-Pagination"]
    assert isinstance(sent, str) and '"total"' in sent


def test_amount_and_id_bounds_are_documented(spec):
    amount = spec["components"]["schemas"]["ProgramIn"]["properties"]["fund_total"]
    assert amount["pattern"] == "^-?[0-9]{1,16}(?:\\.[0-9]{1,2})?$"
    loan_in = spec["components"]["schemas"]["LoanIn"]["properties"]
    assert loan_in["firm_id"]["maximum"] == 2**31 - 1
    assert loan_in["issue_date"]["x-maximum"] == "2999-12-31"
    [path_id] = [
        p
        for p in spec["paths"]["/api/v1/tenants/{tenant}/claims/{claim_id}"]["parameters"]
        if p["name"] == "claim_id"
    ]
    assert path_id["schema"]["maximum"] == 2**31 - 1


@pytest.mark.parametrize(
    ("path", "marker"), [("/api/v1/docs", "swagger-ui"), ("/api/v1/rapidoc", "rapi-doc")]
)
def test_interactive_docs_are_served_without_a_token(rs_app, path, marker):
    response = rs_app.test_client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert marker in page and SPEC_URL in page


def test_a_workflow_steps_roles_are_read_from_its_state_machine(spec):
    """One authority: the document's x-roles for a step are what the record's machine allows
    by default (the policy's hook named in x-roles-decided-by may assign it to others)."""
    from riskshare.claims.models import CLAIM_STATES
    from riskshare.plans.models import PLAN_STATES

    machines = {"claim": CLAIM_STATES, "plan": PLAN_STATES}
    reviews = spec["paths"]["/api/v1/tenants/{tenant}/claims/{claim_id}/reviews"]["post"]
    assert reviews["x-roles"] == ["finance", "reviewer"]
    assert reviews["x-roles-decided-by"] == "riskshare_required_reviews"
    steps = 0
    for item in spec["paths"].values():
        for operation in item.values():
            record_steps = operation.get("x-transitions", []) if isinstance(operation, dict) else []
            if not record_steps:
                continue
            steps += 1
            roles: set[str] = set()
            for step in record_steps:
                record, name = step.split(".")
                if record in machines:
                    roles |= machines[record].transitions[name].roles
                else:
                    roles = set(operation["x-roles"])
                    break
            assert sorted(roles) == operation["x-roles"], step
    assert steps >= 11  # five plan steps, reviews, payments, returns, repayments, cooperation


def _request_schemas(spec):
    """Every schema a request sends (bodies and query or path parameters), each with where
    it is used, including those of the installed policies' own routes."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                yield where, media["schema"]
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                # flask-smorest's page number: a page past every table's rows is answered
                # empty (SQLCursorPage), whatever its size.
                if parameter["name"] != "page":
                    yield f"{where} ?{parameter['name']}", parameter["schema"]


def _unbounded(spec, schema, where, seen):
    """The integer and date fields reachable from ``schema`` with no upper bound."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return
        seen.add(name)
        schema = spec["components"]["schemas"][name]
        where = f"{where} {name}"
    if schema.get("readOnly"):
        return
    types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    if "integer" in types and "maximum" not in schema:
        yield where
    if schema.get("format") == "date" and "x-maximum" not in schema:
        yield where
    for name, prop in schema.get("properties", {}).items():
        yield from _unbounded(spec, prop, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _unbounded(spec, schema["items"], f"{where}[]", seen)


def test_every_integer_and_date_a_request_sends_is_bounded_in_the_document(spec):
    """Ids, counts and dates beyond the database's columns or the calendar are refused with a
    422 naming the field, and the document says so: plugins' routes included (they build
    their schemas with toolkit.IntegerField and toolkit.DateField)."""
    found = []
    for where, schema in _request_schemas(spec):
        found.extend(_unbounded(spec, schema, where, set()))
    assert found == [], "\n".join(found)
    assert any("/yanqing/" in path for path in spec["paths"])
