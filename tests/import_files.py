"""Loan files for import tests: rows as the template's keys, written as xlsx or CSV."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from factories import USCC
from riskshare.imports.table import LOAN_COLUMNS
from riskshare.testing.client import Form

HEADERS = {c.key: c.header for c in LOAN_COLUMNS}


def good_row(n: int, **changes: str) -> dict[str, str]:
    return {
        "reference": f"IMP-{n:05d}",
        "firm_uscc": USCC,
        "lender_code": "bank-a",
        "kind": "credit",
        "principal": "100000.00",
        "issue_date": "2024-03-01",
        "maturity_date": "2025-03-01",
        **changes,
    }


def xlsx(rows: list[dict[str, str]], keys: list[str] | None = None) -> bytes:
    keys = keys or list(HEADERS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([HEADERS.get(k, k) for k in keys])
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(HEADERS.values()))
    for row in rows:
        writer.writerow([row.get(k, "") for k in HEADERS])
    return out.getvalue().encode(encoding)


# Bad rows, each with the column its error names and a word its English message holds.
BAD = [
    ({"firm_uscc": "91110000000000000X"}, "firm_uscc", "No firm has the credit code"),
    ({"lender_code": "no-such-bank"}, "lender_code", "No institution has the code"),
    ({"issue_date": "2024-13-01"}, "issue_date", "Not a valid date"),
    ({"principal": "lots"}, "principal", "amount"),
    ({"maturity_date": "2023-01-01"}, "maturity_date", "maturity_date is before issue_date"),
    ({"kind": "gift"}, "kind", "Must be one of"),
    ({"outstanding": "200000.00"}, "outstanding", "more than the principal"),
    ({"reference": None}, "reference", "reference is required"),
]


def with_bad_rows(count: int, every: int) -> tuple[list[dict[str, str]], dict[int, tuple]]:
    """``count`` rows, every ``every``-th one bad (cycling through BAD); returns the rows and
    {spreadsheet row number: (column, words)} of the bad ones."""
    rows, bad = [], {}
    for n in range(count):
        if n % every == every - 1:
            changes, column, words = BAD[(n // every) % len(BAD)]
            row = good_row(n, **{k: v for k, v in changes.items() if v is not None})
            for k, v in changes.items():
                if v is None:
                    row.pop(k)
            bad[n + 2] = (column, words)
        else:
            row = good_row(n)
        rows.append(row)
    return rows, bad


def upload(api, content, *, program, mode="valid_rows", filename="loans.xlsx", caller=None):
    """POST /imports as bank-a's lender (or ``caller``); returns the response."""
    caller = caller or api.as_("lender", institution="bank-a")
    form = Form({"program_id": program["id"], "mode": mode}, {"file": (content, filename)})
    return caller.call("POST", "/imports", form)


def loan_count(api):
    """Loans of the tenant, as the X-Pagination header of GET /loans counts them."""
    response = api.as_("office").call("GET", "/loans?page_size=1", expect=200)
    return json.loads(response.headers["X-Pagination"])["total"]
