"""Bad input is a 4xx problem that says what to fix — never a 500, never a partial write.

Each case is one a fuzzer or a careless client sent to the running platform and got a 500
for: numbers beyond the database's columns, money written in ways a person might mean but
the platform must not guess, text the database or the xlsx writer cannot hold, dates at the
calendar's edge, bodies too large to be anything but a mistake.
"""

from __future__ import annotations

import json

import pytest

from factories import register_loan, setup_program
from riskshare.api.problems import PROBLEM_MEDIA_TYPE

BEYOND_INT = 99999999999  # above PostgreSQL's integer (2**31 - 1)


def problem(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.get_data()[:500])
    assert response.mimetype == PROBLEM_MEDIA_TYPE
    body = response.get_json(force=True)
    assert body["detail"].strip()
    return body


def raw(api, method: str, path: str, data: bytes | str, role: str = "office", **token) -> object:
    """Send ``data`` as the JSON body as it is (the client's json= would re-encode it)."""
    caller = api.as_(role, **token)
    return api.app.test_client().open(
        f"/api/v1/tenants/{api.tenant}{path}",
        method=method,
        data=data,
        headers={**caller.headers, "Content-Type": "application/json", "Idempotency-Key": "k"},
    )


@pytest.fixture
def world(api):
    program, bank, firm = setup_program(api)
    return api, program, bank, firm


# ----------------------------------------------------------------------------- ids and pages


@pytest.mark.parametrize(
    "path",
    [
        f"/claims/{BEYOND_INT}",
        f"/loans/{BEYOND_INT}",
        f"/plans/{BEYOND_INT}",
        f"/programs/{BEYOND_INT}/ledger",
        f"/disbursements/{BEYOND_INT}",
        f"/firms/{2**63}",
    ],
)
def test_an_id_beyond_the_column_is_not_found(world, path):
    api = world[0]
    body = problem(api.as_("auditor").get(path), 404)
    assert "404" not in body["detail"]


def test_an_id_beyond_the_column_in_a_body_names_its_field(world):
    api, _program, _bank, _firm = world
    response = api.as_("office").post(
        "/bans",
        {
            "subject_type": "firm",
            "subject_id": 1099511627776,
            "rule": "X",
            "years": 3,
            "reason": "fraud",
        },
    )
    body = problem(response, 422)
    assert [e["pointer"] for e in body["errors"]] == ["/subject_id"]


@pytest.mark.parametrize("page", ["4611686018427387904", "2147483648"])
def test_a_page_beyond_any_listing_is_refused_or_empty(world, page):
    api = world[0]
    response = api.as_("auditor").get(f"/loans?page={page}")
    if response.status_code == 200:
        assert response.get_json() == []
    else:
        body = problem(response, 422)
        assert "page" in json.dumps(body)


# ----------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    "amount",
    ["99999999999999999.99", "１００", "٣", "1_000", " 100 ", "1E+2", "1e2", "+100", 100, 100.5],
)
def test_money_is_a_plain_decimal_string_within_the_column(world, amount):
    api, program, _bank, _firm = world
    response = api.as_("finance").post(
        f"/programs/{program['id']}/appropriations", {"amount": amount, "reference": "B-1"}
    )
    body = problem(response, 422)
    [error] = body["errors"]
    assert error["pointer"] == "/amount"
    assert "1234.50" in error["detail"] or "digits" in error["detail"]
    ledger = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger")
    assert ledger["balanced"] is True


def test_the_largest_amount_the_column_holds_is_accepted(world):
    api, program, _bank, _firm = world
    api.as_("finance").ok(
        "POST",
        f"/programs/{program['id']}/appropriations",
        {"amount": "9999999999999999.99", "reference": "B-1"},
        status=201,
    )


# ----------------------------------------------------------------------------- text and JSON


def test_a_float_inside_attributes_is_refused_with_its_pointer(world):
    api, _program, bank, firm = world
    response = api.as_("lender", institution="bank-a").post(
        "/loans",
        {
            "firm_id": firm["id"],
            "lender_id": bank["id"],
            "reference": "L-float",
            "kind": "credit",
            "principal": "100000.00",
            "issue_date": "2024-03-01",
            "maturity_date": "2025-03-01",
            "attributes": {"rate": 0.5},
        },
    )
    body = problem(response, 422)
    assert "/attributes/rate" in [e["pointer"] for e in body["errors"]]


@pytest.mark.parametrize(
    "data",
    [
        '{"code": "x", "name": ' + "[" * 500 + "]" * 500 + ', "kind": "bank"}',
        '{"code": "nul", "name": "A\\u0000B", "kind": "bank"}',
        '{"code": "sur", "name": "A\\ud800B", "kind": "bank"}',
        '{"code": "ctl", "name": "A\\u0001B", "kind": "bank"}',
        '{"code": "ke\\u0000y", "name": "AB", "kind": "bank"}',
        "{" * 5000,
    ],
    ids=["deep", "nul", "surrogate", "control", "nul-in-key", "unbalanced"],
)
def test_json_the_platform_cannot_store_is_refused_before_anything_is_written(world, data):
    api = world[0]
    before = api.as_("office").ok("GET", "/institutions")
    problem(raw(api, "POST", "/institutions", data), 400, 422)
    assert api.as_("office").ok("GET", "/institutions") == before


def test_newlines_and_tabs_are_ordinary_text(world):
    api = world[0]
    office = api.as_("office")
    made = office.ok(
        "POST",
        "/institutions",
        {"code": "nl", "name": "Bank\tB\r\nC", "kind": "bank"},
        status=201,
    )
    assert made["name"] == "Bank\tB\r\nC"


# ----------------------------------------------------------------------------- dates


def test_a_deadline_beyond_the_calendar_is_refused(world):
    api = world[0]
    response = api.as_("auditor").get(
        "/api/v1/platform/calendar/deadline?start=9999-12-30&working_days=10"
    )
    body = problem(response, 422)
    [error] = body["errors"]
    assert error["pointer"] == "/start" and "2999-12-31" in error["detail"]


def test_a_loan_maturing_at_the_end_of_time_is_refused(world):
    api, _program, bank, firm = world
    response = api.as_("lender", institution="bank-a").post(
        "/loans",
        {
            "firm_id": firm["id"],
            "lender_id": bank["id"],
            "reference": "L-end",
            "kind": "credit",
            "principal": "100000.00",
            "issue_date": "2024-03-01",
            "maturity_date": "9999-12-31",
        },
    )
    problem(response, 422)


# ----------------------------------------------------------------------------- sizes


def test_a_body_beyond_the_limit_is_413_and_nothing_is_stored(world):
    api = world[0]
    limit = api.app.config["MAX_CONTENT_LENGTH"]
    data = json.dumps({"code": "big", "name": "x" * limit, "kind": "bank"})
    problem(raw(api, "POST", "/institutions", data), 413)
    codes = [i["code"] for i in api.as_("office").ok("GET", "/institutions")]
    assert "big" not in codes


def test_stored_text_never_breaks_the_xlsx_or_pdf_report(world):
    """Text stored before control characters were refused (or by a plugin's own table)
    still gives a workbook: the writer drops what a worksheet cannot hold."""
    from io import BytesIO

    from openpyxl import load_workbook

    api, program, _bank, _firm = world
    office = api.as_("office")
    report = office.ok("GET", f"/programs/{program['id']}/reports/2024")
    report["program"] = "toy\x01-2024"
    report["sections"] = [
        {
            "key": "bad\x03key[1]",
            "title": "bad\x02title",
            "columns": ["a\x1b"],
            "rows": [{"a\x1b": "x\x00y"}],
            "explanations": [],
        }
    ]
    from riskshare.reports.service import as_xlsx

    sheets = load_workbook(BytesIO(as_xlsx(report)))
    assert sheets.active["A1"].value == "toy-2024 资金运行和使用情况报告"
    assert sheets.sheetnames == ["资金情况", "bad_key_1_"]
    section = sheets["bad_key_1_"]
    assert (section["A1"].value, section["A3"].value, section["A5"].value) == (
        "badtitle",
        "a",
        "xy",
    )
    # The PDF too: the same text, without the control characters, and no failure.
    from pypdf import PdfReader

    from riskshare.reports.service import as_pdf

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(as_pdf(report))).pages)
    assert "toy-2024" in text and "badtitle" in text and "xy" in text
    assert not any(ch in text for ch in "\x00\x01\x02\x03\x1b")


def test_a_document_keeps_its_base_name_and_a_large_one_is_refused(world, monkeypatch):
    import base64

    api, _program, bank, firm = world
    loan = register_loan(api, firm, bank, reference="L-doc", classification="loss")
    lender = api.as_("lender", institution="bank-a")

    def claim(filename, content):
        return lender.post(
            "/claims",
            {
                "loan_id": loan["id"],
                "claimed_principal": "100000.00",
                "documents": [
                    {
                        "kind": "evidence",
                        "filename": filename,
                        "content_base64": base64.b64encode(content).decode(),
                    }
                ],
            },
        )

    monkeypatch.setitem(api.app.config, "RISKSHARE_MAX_DOCUMENT_BYTES", 1024)
    body = problem(claim("big.pdf", b"x" * 1025), 422)
    assert [e["pointer"] for e in body["errors"]] == ["/documents/0/content_base64"]
    assert "1024" in body["errors"][0]["detail"]

    made = claim("..\\..\\C:\\evil/../.hidden:name?.pdf", b"x" * 1024)
    assert made.status_code == 201, made.get_json()
    [document] = lender.ok("GET", f"/claims/{made.get_json()['id']}/documents")
    assert document["filename"] == "hidden_name_.pdf" and document["size"] == 1024
