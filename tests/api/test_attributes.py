"""Policy attributes have schemas: the API refuses what no policy reads, and corrections
(PATCH) of firms and loans are audited and have the loans' coverage decided again.

The toy policy declares one firm attribute, ``key_enterprise`` (rule T-10: a key enterprise's
loans are covered up to twice the loan cap of 2,000,000), one claim attribute, ``mode``, and
none on loans or events, which therefore take no attributes in its programs.
"""

from __future__ import annotations

import datetime as dt

from factories import USCC, register_loan, setup_program
from riskshare.testing.live import race
from riskshare.testing.pytest_plugin import today


def _world(api):
    today(api, dt.date(2024, 3, 1))
    return setup_program(api)


def _pointers(response):
    body = response.get_json()
    assert response.status_code == 422, body
    assert response.mimetype == "application/problem+json"
    return {e["pointer"]: e for e in body["errors"]}


def _audit(api, action):
    events = api.as_("auditor").ok("GET", "/audit/events?page_size=100")
    return [e for e in events if e["action"] == action]


def test_a_misspelt_loan_attribute_is_refused_with_its_pointer_and_no_loan_is_written(api):
    _, bank, firm = _world(api)
    lender = api.as_("lender", institution="bank-a")
    body = {
        "firm_id": firm["id"],
        "lender_id": bank["id"],
        "reference": "L-mdoe",
        "kind": "credit",
        "principal": "500000.00",
        "issue_date": "2024-03-01",
        "maturity_date": "2025-03-01",
        "attributes": {"mdoe": "bank"},
    }
    errors = _pointers(lender.post("/loans", body))
    assert set(errors) == {"/attributes/mdoe"}
    assert errors["/attributes/mdoe"]["allowed"] == []  # toy reads nothing on loans
    assert (
        "'mdoe' is not an attribute of a loan that toy reads"
        in (errors["/attributes/mdoe"]["detail"])
    )
    assert lender.ok("GET", "/loans") == []


def test_a_firm_attribute_the_tenants_policies_do_not_declare_is_refused(api):
    _world(api)
    office = api.as_("office")
    body = {
        "uscc": "91350100M000100Y43",
        "name": "Firm B",
        "industry": "industry",
        "employees": 25,
        "revenue": "5000000",
        "attributes": {"key_enterprse": True},
    }
    errors = _pointers(office.post("/firms", body))
    assert errors["/attributes/key_enterprse"]["allowed"] == ["key_enterprise"]
    assert [f["name"] for f in office.ok("GET", "/firms")] == ["Firm A"]


def test_an_attribute_of_the_wrong_type_is_refused_by_the_policys_schema(api):
    _world(api)
    body = {
        "uscc": "91350100M000100Y43",
        "name": "Firm B",
        "industry": "industry",
        "employees": 25,
        "revenue": "5000000",
        "attributes": {"key_enterprise": "yes"},
    }
    errors = _pointers(api.as_("office").post("/firms", body))
    error = errors["/attributes/key_enterprise"]
    assert error["policy"] == "toy" and "is not of type 'boolean'" in error["detail"]
    assert "Key enterprise" in error["detail"]  # the schema's title says which fact


def test_floats_in_attributes_are_refused_with_a_pointer_not_a_500(api):
    _, bank, firm = _world(api)
    loan = register_loan(api, firm, bank, classification="loss")
    claim = {
        "loan_id": loan["id"],
        "claimed_principal": "400000.00",
        "attributes": {"interest": {"rate": 0.0435}},
    }
    errors = _pointers(api.as_("lender", institution="bank-a").post("/claims", claim))
    assert "a number with a fraction" in errors["/attributes/interest/rate"]["detail"]
    assert errors["/attributes/interest"]["allowed"] == ["mode"]
    assert api.as_("reviewer").ok("GET", "/claims") == []


def test_loan_event_data_takes_only_what_the_policy_declares(api):
    _, bank, firm = _world(api)
    loan = register_loan(api, firm, bank)
    lender = api.as_("lender", institution="bank-a")
    event = {"kind": "overdue_filing", "event_date": "2024-03-01", "data": {"days": 3}}
    errors = _pointers(lender.post(f"/loans/{loan['id']}/events", event))
    assert set(errors) == {"/data/days"}
    assert lender.ok("GET", f"/loans/{loan['id']}/events") == []
    assert lender.ok("GET", f"/loans/{loan['id']}")["state"] == "active"


def test_T10_adding_a_firm_to_the_key_enterprise_list_redecides_its_unclaimed_loans(api):
    _, bank, firm = _world(api)
    big = register_loan(api, firm, bank, "L-big", "3000000.00")
    assert big["covered"] is False and big["coverage"][0]["rule"] == "T-1"
    claimed = register_loan(api, firm, bank, "L-claimed", "500000.00", classification="loss")
    api.as_("lender", institution="bank-a").ok(
        "POST", "/claims", {"loan_id": claimed["id"], "claimed_principal": "100000.00"}, 201
    )
    office = api.as_("office")

    answer = office.ok("PATCH", f"/firms/{firm['id']}", {"attributes": {"key_enterprise": True}})
    assert answer["firm"]["attributes"] == {"key_enterprise": True}
    assert answer["corrected"] == ["attributes"]
    by_ref = {x["reference"]: x for x in answer["loans"]}
    assert by_ref["L-big"]["redecided"] and by_ref["L-big"]["changed"]
    assert by_ref["L-big"]["covered_before"] is False and by_ref["L-big"]["covered"] is True
    [t10] = by_ref["L-big"]["coverage"]
    assert t10["rule"] == "T-10" and t10["threshold"] == "4000000"
    assert "key enterprise" in t10["en"] and t10["zh"]
    # A loan with a claim keeps the coverage the claim relied on, and says so.
    assert by_ref["L-claimed"]["redecided"] is False and by_ref["L-claimed"]["covered"]
    assert by_ref["L-claimed"]["coverage"][0]["rule"] == "CORE-COVERAGE-KEPT"
    assert office.ok("GET", f"/loans/{big['id']}")["covered"] is True

    [corrected] = _audit(api, "firm.correct")
    assert corrected["before"]["attributes"] == {}
    assert corrected["after"]["attributes"] == {"key_enterprise": True}
    [redecided] = _audit(api, "loan.redecide_coverage")
    assert redecided["record_id"] == str(big["id"])
    assert (redecided["before"]["covered"], redecided["after"]["covered"]) == (False, True)

    # A merge patch: null takes the firm off the list again, and the loan with it (T-1).
    answer = office.ok("PATCH", f"/firms/{firm['id']}", {"attributes": {"key_enterprise": None}})
    assert answer["firm"]["attributes"] == {}
    by_ref = {x["reference"]: x for x in answer["loans"]}
    assert by_ref["L-big"]["changed"] and by_ref["L-big"]["coverage"][0]["rule"] == "T-1"


def test_a_firms_new_size_figures_classify_it_again_and_only_the_office_corrects_firms(api):
    _, _, firm = _world(api)
    lender = api.as_("lender", institution="bank-a")
    refused = lender.patch(f"/firms/{firm['id']}", {"name": "Firm A Ltd"})
    assert refused.status_code == 403, refused.get_json()
    answer = api.as_("office").ok(
        "PATCH", f"/firms/{firm['id']}", {"employees": 1200, "revenue": "500000000"}
    )
    assert answer["firm"]["size_class"] == "large" and answer["firm"]["uscc"] == USCC
    assert sorted(answer["corrected"]) == ["employees", "revenue"]


def test_a_refused_correction_writes_nothing(api):
    _, bank, firm = _world(api)
    loan = register_loan(api, firm, bank)
    office = api.as_("office")
    errors = _pointers(
        office.patch(
            f"/firms/{firm['id']}", {"name": "Renamed", "attributes": {"key_enterprise": 1}}
        )
    )
    assert set(errors) == {"/attributes/key_enterprise"}
    assert office.ok("GET", f"/firms/{firm['id']}")["name"] == "Firm A"
    lender = api.as_("lender", institution="bank-a")
    errors = _pointers(
        lender.patch(f"/loans/{loan['id']}", {"purpose": "working capital", "attributes": {"x": 1}})
    )
    assert set(errors) == {"/attributes/x"}
    assert lender.ok("GET", f"/loans/{loan['id']}")["purpose"] == "production and operation"
    assert _audit(api, "firm.correct") == [] and _audit(api, "loan.correct") == []
    _pointers(office.patch(f"/firms/{firm['id']}", {}))  # nothing named: nothing to do


def test_the_lender_corrects_its_loan_and_the_policy_decides_its_coverage_again(api):
    _, bank, firm = _world(api)
    loan = register_loan(api, firm, bank)
    lender = api.as_("lender", institution="bank-a")
    answer = lender.ok(
        "PATCH",
        f"/loans/{loan['id']}",
        {"purpose": "working capital", "maturity_date": "2025-09-01"},
    )
    assert answer["loan"]["purpose"] == "working capital"
    assert answer["loan"]["maturity_date"] == "2025-09-01"
    assert answer["corrected"] == ["maturity_date", "purpose"]
    change = answer["coverage_change"]
    assert change["redecided"] and not change["changed"] and change["covered"] is True
    assert change["coverage"][0]["rule"] == "T-1"
    [corrected] = _audit(api, "loan.correct")
    assert corrected["before"]["purpose"] == "production and operation"
    assert corrected["after"]["purpose"] == "working capital"

    errors = _pointers(lender.patch(f"/loans/{loan['id']}", {"maturity_date": "2024-01-01"}))
    assert set(errors) == {"/maturity_date"}
    # Ids, programs and money are not correctable: the schema does not know them.
    errors = _pointers(lender.patch(f"/loans/{loan['id']}", {"principal": "1.00"}))
    assert set(errors) == {"/principal"}


def test_an_institution_cannot_correct_another_institutions_loan(api):
    _, bank, firm = _world(api)
    office = api.as_("office")
    office.ok("POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, 201)
    guarantor = office.ok(
        "POST", "/institutions", {"code": "guar-g", "name": "G", "kind": "guarantor"}, 201
    )
    loan = register_loan(api, firm, bank, kind="guaranteed", guarantor_id=guarantor["id"])
    other_bank = api.as_("lender", institution="bank-b")
    response = other_bank.patch(f"/loans/{loan['id']}", {"purpose": "mine now"})
    assert response.status_code == 404, response.get_json()  # it is not even visible
    # The guarantor sees the loan but is not its lender.
    response = api.as_("lender", institution="guar-g").patch(
        f"/loans/{loan['id']}", {"purpose": "mine now"}
    )
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["type"].endswith("/forbidden-institution")
    response = api.as_("guarantor", institution="guar-g").patch(
        f"/loans/{loan['id']}", {"purpose": "mine now"}
    )
    assert response.status_code == 403, response.get_json()  # not a role that corrects loans
    assert office.ok("GET", f"/loans/{loan['id']}")["purpose"] == "production and operation"
    # The office corrects any loan of the tenant.
    office.ok("PATCH", f"/loans/{loan['id']}", {"purpose": "fixed by the office"})


def test_the_openapi_document_shows_each_policys_attribute_schemas(rs_app):
    spec = rs_app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    firm_schema = schemas["toy.FirmAttributes"]
    assert firm_schema["additionalProperties"] is False
    assert firm_schema["properties"]["key_enterprise"]["type"] == "boolean"
    ref = {"$ref": "#/components/schemas/toy.FirmAttributes"}
    for component in ("FirmIn", "FirmPatch"):
        field = schemas[component]["properties"]["attributes"]
        assert field["x-policy-attributes"]["toy"] == ref, field
    # Toy reads nothing on loans: the loans' attributes field links no toy schema (only the
    # other installed policies').
    loan_field = schemas["LoanIn"]["properties"]["attributes"]
    assert "toy" not in loan_field["x-policy-attributes"]
    for policy, link in loan_field["x-policy-attributes"].items():
        assert link["$ref"].removeprefix("#/components/schemas/") in schemas, policy
    patch = spec["paths"]["/api/v1/tenants/{tenant}/loans/{loan_id}"]["patch"]
    assert patch["x-roles"] == ["lender", "office"]


def test_a_tenant_with_no_program_yet_takes_firm_attributes_of_any_installed_policy(api):
    office = api.as_("office")
    body = {
        "uscc": USCC,
        "name": "Firm A",
        "industry": "industry",
        "employees": 25,
        "revenue": "5000000",
        "attributes": {"key_enterprise": True},
    }
    errors = _pointers(office.post("/firms", {**body, "attributes": {"mdoe": "bank"}}))
    assert "key_enterprise" in errors["/attributes/mdoe"]["allowed"]
    assert office.ok("POST", "/firms", body, 201)["attributes"] == {"key_enterprise": True}


def test_ten_corrections_of_one_loan_at_once_each_see_the_one_before(api, rs_live):
    """The loan is locked with its program: each correction reads the loan as the previous
    one left it, so the audit log's before/after form one chain, none lost."""
    _, bank, firm = _world(api)
    loan = register_loan(api, firm, bank)
    lender = api.live(rs_live, "lender", institution="bank-a")
    responses = race(
        [
            lambda n=n: lender.call("PATCH", f"/loans/{loan['id']}", {"purpose": f"p{n}"})
            for n in range(10)
        ]
    )
    assert sorted(r.status_code for r in responses) == [200] * 10
    events = _audit(api, "loan.correct")
    befores = [e["before"]["purpose"] for e in events]
    afters = [e["after"]["purpose"] for e in events]
    assert len(set(befores)) == 10, befores  # no two corrections saw the same loan
    assert befores[1:] == afters[:-1]


def test_a_firms_registration_is_recorded_and_corrected_like_its_other_fields(api):
    """The licence's registered address, status (存续/注销/吊销) and business scope are
    fields of every firm, for the policies that decide on them (X-03, Y-02)."""
    _, _, firm = _world(api)
    assert (firm["registered_address"], firm["registration_status"]) == (None, "active")
    office = api.as_("office")
    answer = office.ok(
        "PATCH",
        f"/firms/{firm['id']}",
        {"registered_address": "北京市延庆区妫水北街1号", "registration_status": "revoked"},
    )
    assert answer["firm"]["registered_address"] == "北京市延庆区妫水北街1号"
    assert answer["firm"]["registration_status"] == "revoked"
    assert sorted(answer["corrected"]) == ["registered_address", "registration_status"]
    errors = _pointers(office.patch(f"/firms/{firm['id']}", {"registration_status": "dormant"}))
    assert "active" in errors["/registration_status"]["detail"]
