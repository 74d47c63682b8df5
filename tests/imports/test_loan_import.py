"""Bulk import of loans, the job run in process (tests/jobs/test_bulk_import.py runs it on a
real worker): rows registered through the loan service, bad rows reported by row and
column in Chinese and English, nothing twice, all-or-nothing when asked."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from factories import setup_program
from import_files import BAD, csv_bytes, good_row, loan_count, upload, with_bad_rows, xlsx
from riskshare.audit.models import AuditEvent
from riskshare.audit.service import verify_chain
from riskshare.db import tenant_session
from riskshare.imports import service
from riskshare.jobs import runner


def run_job(api, imported):
    """Run the import's outbox job here, as the worker would."""
    return runner.execute(api.app, api.tenant, imported["outbox_id"], last_attempt=True)


def imported(api, import_id, caller=None):
    return (caller or api.as_("lender", institution="bank-a")).ok("GET", f"/imports/{import_id}")


def import_file(api, content, program, **kw):
    started = upload(api, content, program=program, **kw)
    assert started.status_code == 202, started.get_json()
    body = started.get_json()
    assert body["state"] == "queued" and body["percent"] == 0
    run_job(api, body)
    return imported(api, body["id"])


@pytest.fixture
def world(api):
    program, bank, firm = setup_program(api)
    return program, bank, firm


def test_template_names_each_column_in_chinese_with_its_key(api, world):
    program, _, _ = world
    office = api.as_("office")
    response = office.call("GET", f"/imports/templates/{program['id']}", expect=200)
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:3] == [
        "贷款编号 reference",
        "企业统一社会信用代码 firm_uscc",
        "贷款银行代码 lender_code",
    ]
    assert "贷款本金（元） principal" in header and "发放日期 issue_date" in header
    csv_template = office.call("GET", f"/imports/templates/{program['id']}?format=csv", expect=200)
    assert csv_template.data.decode("utf-8-sig").strip().split(",") == header


def test_1000_rows_register_the_good_and_report_each_bad_row(api, world):
    program, _, _ = world
    rows, bad = with_bad_rows(1000, every=25)  # 40 bad rows
    result = import_file(api, xlsx(rows), program)

    assert (result["state"], result["percent"]) == ("done", 100)
    assert (result["total_rows"], result["rows_processed"]) == (1000, 1000)
    assert (result["created_count"], result["existing_count"], result["error_count"]) == (
        960,
        0,
        40,
    )
    assert loan_count(api) == 960
    by_row = {}
    for error in result["errors"]:
        by_row.setdefault(error["row"], []).append(error)
    assert sorted(by_row) == sorted(bad)
    for row, (column, words) in bad.items():
        [error] = by_row[row]
        assert error["column"] == column, error
        assert words in error["en"], error
        assert error["zh"] and not error["zh"].isascii(), error
    first_bad = by_row[26][0]  # row 26: the 25th data row, the first of BAD
    assert first_bad == {
        "row": 26,
        "column": "firm_uscc",
        "column_zh": "企业统一社会信用代码",
        "value": "91110000000000000X",
        "zh": "没有统一社会信用代码为 91110000000000000X 的企业；请先登记企业。",
        "en": "No firm has the credit code 91110000000000000X; register the firm first.",
    }

    # Each loan went through the loan service: covered or not by the policy, and audited
    # once, in the uploader's name.
    loan = api.as_("office").ok("GET", "/loans?page_size=1")[0]
    assert loan["coverage"] and loan["coverage"][0]["rule"]
    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        registered = session.execute(
            select(AuditEvent.actor, func.count())
            .where(AuditEvent.action == "loan.register")
            .group_by(AuditEvent.actor)
        ).all()
    assert registered == [("lender@bank-a", 960)]
    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        done = session.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "import.done")
        ).all()
    assert [(d["created"], d["errors"]) for d in done] == [(960, 40)]
    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        key = api.app.extensions["riskshare"].audit_key
        assert verify_chain(session, api.tenant, key).ok  # batches appended in one chain

    # The same file again creates nothing new, and reports the same bad rows.
    again = import_file(api, xlsx(rows), program)
    assert (again["created_count"], again["existing_count"], again["error_count"]) == (
        0,
        960,
        40,
    )
    assert loan_count(api) == 960


def test_the_annotated_workbook_marks_each_bad_cell(api, world):
    program, _, _ = world
    rows, bad = with_bad_rows(30, every=10)
    result = import_file(api, xlsx(rows), program)
    response = api.as_("lender", institution="bank-a").call(
        "GET", f"/imports/{result['id']}/annotated", expect=200
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "错误 errors"
    for row, (column, _words) in bad.items():
        index = next(i for i, h in enumerate(header) if h.endswith(" " + column))
        cell = sheet.cell(row=row, column=index + 1)
        assert cell.fill.start_color.rgb.endswith("FFC7CE"), (row, column)
        assert cell.comment is not None
        assert " / " in sheet.cell(row=row, column=len(header)).value
    assert sheet.cell(row=2, column=len(header)).value is None  # a good row: no message


def test_all_or_nothing_imports_nothing_when_one_row_is_bad(api, world):
    program, _, _ = world
    rows = [good_row(n) for n in range(1000)]
    rows[617] = good_row(617, maturity_date="2020-01-01")
    result = import_file(api, xlsx(rows), program, mode="all_or_nothing")
    assert (result["created_count"], result["error_count"]) == (0, 1)
    [error] = result["errors"]
    assert (error["row"], error["column"]) == (619, "maturity_date")
    assert error["zh"] == "到期日期：早于发放日期。"
    assert loan_count(api) == 0
    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        assert not session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "loan.register")
        )

    rows[617] = good_row(617)
    fixed = import_file(api, xlsx(rows), program, mode="all_or_nothing")
    assert (fixed["created_count"], fixed["error_count"]) == (1000, 0)
    assert loan_count(api) == 1000


def test_csv_in_gbk_with_chinese_terms(api, world):
    program, _, _ = world
    rows = [good_row(1, kind="信用贷款", classification="关注"), good_row(2)]
    result = import_file(api, csv_bytes(rows, "gb18030"), program, filename="贷款.csv")
    assert (result["format"], result["created_count"], result["error_count"]) == ("csv", 2, 0)
    first = next(
        loan for loan in api.as_("office").ok("GET", "/loans") if loan["reference"] == "IMP-00001"
    )
    assert (first["kind"], first["classification"]) == ("credit", "special_mention")


def test_a_lender_imports_only_its_own_loans(api, world):
    """Rows are registered as the uploader would register them: bank-b's lender cannot
    register bank-a's loans, and does not see bank-a's imports."""
    program, _, _ = world
    api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    bank_b = api.as_("lender", institution="bank-b")
    result = upload(api, xlsx([good_row(1)]), program=program, caller=bank_b).get_json()
    run_job(api, result)
    seen = imported(api, result["id"], caller=bank_b)
    assert (seen["created_count"], seen["error_count"]) == (0, 1)
    assert seen["errors"][0]["zh"] == "该行：无权登记其他机构的贷款。"
    assert "your own institution" in seen["errors"][0]["en"]
    bank_a_import = import_file(api, xlsx([good_row(2)]), program)
    bank_b.ok("GET", f"/imports/{bank_a_import['id']}", status=404)
    assert [i["id"] for i in bank_b.ok("GET", "/imports")] == [result["id"]]


def test_a_file_not_matching_the_template_is_refused_at_upload(api, world):
    program, _, _ = world
    wrong = xlsx([good_row(1)], keys=["reference", "firm_uscc", "colour", "lender_code"])
    response = upload(api, wrong, program=program)
    assert response.status_code == 422
    problem = response.get_json()
    details = {(e.get("column"), e["zh"]) for e in problem["errors"]}
    assert ("colour", "第 3 列「colour」不是本计划模板中的列。") in details
    assert any(e["en"].startswith("The required column 'kind'") for e in problem["errors"])

    garbage = upload(api, b"PK\x03\x04 not a workbook", program=program)
    assert garbage.status_code == 422
    assert garbage.get_json()["errors"][0]["zh"].startswith("文件无法读取")
    assert upload(api, b"", program=program).status_code == 422


def test_an_upload_above_the_body_limit_is_refused_with_413(api, world):
    program, _, _ = world
    limit = api.app.config["MAX_CONTENT_LENGTH"]
    boundary = "riskshare-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="program_id"\r\n\r\n'
            f'{program["id"]}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file";'
            ' filename="big.csv"\r\n\r\n'
        ).encode()
        + b"x" * limit
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = api.as_("lender", institution="bank-a").call(
        "POST",
        "/imports",
        None,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert response.get_json()["status"] == 413
    assert api.as_("office").ok("GET", "/imports") == []


def test_a_job_killed_mid_file_resumes_after_its_last_committed_batch(api, world, monkeypatch):
    """valid_rows commits each batch with the import's progress: a crash in the second
    batch leaves the first registered and counted, and the retry registers the rest once."""
    program, _, _ = world
    rows, _bad = with_bad_rows(1200, every=100)
    started = upload(api, xlsx(rows), program=program).get_json()
    real = service.register_loan
    calls = {"n": 0}

    def crash_in_second_batch(ctx, data):
        calls["n"] += 1
        if calls["n"] == service.BATCH_ROWS + 10:
            raise RuntimeError("worker killed")
        return real(ctx, data)

    monkeypatch.setattr(service, "register_loan", crash_in_second_batch)
    with pytest.raises(RuntimeError):
        runner.execute(api.app, api.tenant, started["outbox_id"], last_attempt=False)
    halfway = imported(api, started["id"])
    assert (halfway["state"], halfway["rows_processed"]) == ("running", service.BATCH_ROWS)
    assert loan_count(api) == halfway["created_count"] == service.BATCH_ROWS - 5

    monkeypatch.setattr(service, "register_loan", real)
    run_job(api, started)
    done = imported(api, started["id"])
    assert (done["created_count"], done["existing_count"], done["error_count"]) == (1188, 0, 12)
    assert sorted(e["row"] for e in done["errors"]) == [n * 100 + 101 for n in range(12)]
    assert loan_count(api) == 1188


def test_bad_rows_cover_every_kind_of_mistake():
    # The table drives the tests above: each kind of mistake is one the service or the
    # schema reports, at its own column.
    assert len({column for _, column, _ in BAD}) == len(BAD)


def test_the_command_imports_a_file_with_a_progress_bar(api, world, tmp_path, monkeypatch):
    """``riskshare import FILE --program N``: the same upload and job, from the command line;
    exit status 1 when rows were bad, and a second run creates nothing."""
    from riskshare.cli import main

    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")
    program, _, _ = world
    rows, bad = with_bad_rows(60, every=20)
    path = tmp_path / "贷款.xlsx"
    path.write_bytes(xlsx(rows))
    args = ["import", str(path), "--program", str(program["id"]), "--tenant", api.tenant]
    args += ["--user", "loader", "--role", "lender", "--institution", "bank-a"]
    ran = api.app.test_cli_runner().invoke(main, args=args)
    assert ran.exit_code == 1, ran.output
    # The bar (on a terminal it redraws as rows are processed; here only its label shows).
    assert "\nrows" in ran.output, ran.output
    assert "57 created, 0 already there, 3 with errors" in ran.output
    for row, (column, _words) in bad.items():
        assert f"row {row} {column}:" in ran.output
    assert loan_count(api) == 57
    again = api.app.test_cli_runner().invoke(main, args=args)
    assert "0 created, 57 already there, 3 with errors" in again.output
    assert loan_count(api) == 57

    unknown = api.app.test_cli_runner().invoke(main, args=[*args[:-2], "--institution", "x"])
    assert unknown.exit_code != 0 and "has no institution 'x'" in unknown.output


def test_a_row_repeating_an_earlier_rows_loan_is_reported_not_registered_twice(api, world):
    program, _, _ = world
    rows = [good_row(1), good_row(2), good_row(1, principal="90000.00")]
    result = import_file(api, csv_bytes(rows), program, filename="loans.csv")
    assert (result["created_count"], result["error_count"]) == (2, 1)
    [error] = result["errors"]
    assert (error["row"], error["column"], error["value"]) == (4, "reference", "IMP-00001")
    assert error["en"] == "Repeats the lender and reference of row 2."
    assert error["zh"] == "与第 2 行的贷款编号重复（同一贷款银行）。"


def test_a_cell_the_database_cannot_store_is_a_row_error_not_a_failed_job(api, world):
    program, _, _ = world
    rows = [good_row(1, purpose="working\x00capital"), good_row(2)]
    result = import_file(api, csv_bytes(rows), program, filename="nul\x00.csv")
    assert (result["created_count"], result["error_count"]) == (1, 1)
    [error] = result["errors"]
    assert (error["row"], error["column"], error["value"]) == (2, "purpose", None)
    assert result["filename"] == "nul.csv"


def test_a_damaged_workbook_is_refused_at_upload(api, world):
    program, _, _ = world
    import zipfile

    good = xlsx([good_row(1)])
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut mid-XML
            target.writestr(item, data)
    response = upload(api, damaged.getvalue(), program=program)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["zh"].startswith("文件无法读取")
