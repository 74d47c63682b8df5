"""The file side of an import: its columns, the template, and reading rows from xlsx or CSV.

A column is named in the header row by its Chinese label and its English key,
``贷款编号 reference``; a header cell holding only the key, or only the label, is read too.
Row numbers are the spreadsheet's (the header is row 1), so an error names the row a user
sees in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pluggy
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from riskshare.errors import DomainError, Invalid
from riskshare.labels import CLASSIFICATIONS, LOAN_KINDS
from riskshare.plugins.attributes import declared

ATTRIBUTE_PREFIX = "attributes."


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    required: bool = False
    # The JSON type of a policy attribute column (``boolean``, ``integer``, ...); None for
    # the core's columns, which the loan schema reads.
    json_type: str | None = None
    # Codes the cell may also give as their Chinese term (贷款类型: 信用贷款 for credit).
    zh_codes: Mapping[str, str] | None = None

    @property
    def header(self) -> str:
        return f"{self.zh} {self.key}"


# The core's loan columns: POST /loans's fields, with the firm and the institutions named as
# people who keep the records know them (credit code, institution code) instead of ids.
LOAN_COLUMNS: tuple[Column, ...] = (
    Column("reference", "贷款编号", required=True),
    Column("firm_uscc", "企业统一社会信用代码", required=True),
    Column("lender_code", "贷款银行代码", required=True),
    Column("guarantor_code", "担保机构代码"),
    Column("insurer_code", "保险机构代码"),
    Column("kind", "贷款类型", required=True, zh_codes=LOAN_KINDS),
    Column("principal", "贷款本金（元）", required=True),
    Column("outstanding", "贷款余额（元）"),
    Column("issue_date", "发放日期", required=True),
    Column("maturity_date", "到期日期", required=True),
    Column("purpose", "贷款用途"),
    Column("classification", "五级分类", zh_codes=CLASSIFICATIONS),
    Column("effective_on", "登记日期"),
)


def loan_columns(pm: pluggy.PluginManager, policy: str) -> list[Column]:
    """The core's loan columns, then one per loan attribute the program's policy reads."""
    columns = list(LOAN_COLUMNS)
    for _policy, schema in declared(pm, [policy], "loan"):
        required = set(schema.get("required", ()))
        for key, prop in schema.get("properties", {}).items():
            columns.append(
                Column(
                    ATTRIBUTE_PREFIX + key,
                    str(prop.get("title") or key),
                    required=key in required,
                    json_type=prop.get("type") if isinstance(prop.get("type"), str) else None,
                )
            )
    return columns


# ----------------------------------------------------------------------------- the template


def template(columns: Sequence[Column], fmt: str) -> bytes:
    """An empty file with the header row (and, in xlsx, a sheet explaining each column)."""
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerow([c.header for c in columns])
        # utf-8 with a BOM: Excel opens it as UTF-8 and shows the Chinese headers.
        return text.getvalue().encode("utf-8-sig")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "loans"
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=column.required)
        sheet.column_dimensions[get_column_letter(index)].width = 22
    notes = book.create_sheet("说明 notes")
    notes.append(["列 column", "键 key", "必填 required", "取值 values"])
    for column in columns:
        values = ", ".join(f"{code} / {zh}" for code, zh in (column.zh_codes or {}).items())
        notes.append([column.zh, column.key, "是 yes" if column.required else "", values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- reading


@dataclass
class Table:
    header: list[str]
    # (spreadsheet row number, the row's cells as text, None for an empty cell)
    rows: list[tuple[int, list[str | None]]]


def read_table(content: bytes, fmt: str, *, max_rows: int, header_only: bool = False) -> Table:
    """The header and the non-empty rows of the file's first sheet; 422 if it is not a
    table or holds more than ``max_rows`` rows."""
    lines = _xlsx_lines(content) if fmt == "xlsx" else _csv_lines(content)
    try:
        header_line = next(lines, None)
        if header_line is None:
            raise _bad_file("文件是空的。", "The file is empty.")
        header = [cell or "" for cell in header_line]
        rows: list[tuple[int, list[str | None]]] = []
        if header_only:
            return Table(header, rows)
        for number, cells in enumerate(lines, start=2):
            if not any(cells):
                continue
            if len(rows) >= max_rows:
                raise _bad_file(
                    f"文件超过 {max_rows} 行，请分成多个文件导入。",
                    f"The file has more than {max_rows} rows; split it into several files.",
                )
            rows.append((number, cells))
        return Table(header, rows)
    except DomainError:
        raise
    except Exception as exc:
        # Whatever openpyxl or csv trips on in a damaged file (a bad zip member, broken
        # XML, a malformed quote) is the file's fault: 422, never a 500.
        zh = "文件无法读取：不是有效的 xlsx 或 CSV 文件。"
        raise _bad_file(zh, f"The file cannot be read as xlsx or CSV: {exc}") from exc


def _xlsx_lines(content: bytes) -> Iterator[list[str | None]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_text(v) for v in values]
    finally:
        book.close()


def _csv_lines(content: bytes) -> Iterator[list[str | None]]:
    # Excel in a Chinese locale saves CSV as GB18030 (GBK); everything else as UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _bad_file("CSV 文件编码无法识别（应为 UTF-8 或 GBK）。", "CSV is not UTF-8 or GBK.")
    for cells in csv.reader(io.StringIO(text, newline="")):
        yield [c.strip() or None for c in cells]


def _text(value: Any) -> str | None:
    """A cell as the text a user typed: dates as YYYY-MM-DD, numbers without float noise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same double: 1234.56, not
        # 1234.5599999999999.
        return format(Decimal(repr(value)), "f")
    text = str(value).strip()
    return text or None


def _bad_file(zh: str, en: str) -> Invalid:
    return Invalid(
        en, kind="import-file", errors=[{"pointer": "/file", "detail": en, "zh": zh, "en": en}]
    )


def match_header(header: Sequence[str], columns: Sequence[Column]) -> list[Column | None]:
    """The column of each header cell (None for an empty one); 422 naming every header cell
    not known and every required column missing."""
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name[column.key] = column
        by_name[column.zh] = column
        by_name[column.header] = column
    found: list[Column | None] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, cell in enumerate(header, start=1):
        name = " ".join(cell.split())
        if not name:
            found.append(None)
            continue
        known = by_name.get(name) or by_name.get(name.rsplit(" ", 1)[-1])
        found.append(known)
        if known is None:
            errors.append(
                _header_error(
                    index,
                    name,
                    f"第 {index} 列「{name}」不是本计划模板中的列。",
                    f"Column {index} '{name}' is not a column of this program's template.",
                )
            )
        elif known.key in seen:
            errors.append(
                _header_error(
                    index,
                    name,
                    f"第 {index} 列「{name}」重复。",
                    f"Column {index} '{name}' appears twice.",
                )
            )
        else:
            seen.add(known.key)
    for column in columns:
        if column.required and column.key not in seen:
            errors.append(
                _header_error(
                    None,
                    column.header,
                    f"缺少必填列「{column.zh}」（{column.key}）。",
                    f"The required column '{column.key}' ({column.zh}) is missing.",
                )
            )
    if errors:
        raise Invalid(
            "The file's header row does not match the program's template: "
            + " ".join(e["en"] for e in errors[:5]),
            kind="import-header",
            errors=errors,
        )
    return found


def _header_error(index: int | None, name: str, zh: str, en: str) -> dict[str, Any]:
    return {"pointer": "/file", "row": 1, "column": name, "detail": en, "zh": zh, "en": en}


# ----------------------------------------------------------------------------- annotating

ERROR_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")


def annotate(
    table: Table, matched: Sequence[Column | None], errors: Sequence[Mapping[str, Any]]
) -> bytes:
    """The table as a workbook with its rows' errors marked (see ``service.annotated``)."""
    by_row: dict[int, list[Mapping[str, Any]]] = {}
    for error in errors:
        by_row.setdefault(int(error["row"]), []).append(error)
    index_of = {c.key: i for i, c in enumerate(matched, start=1) if c is not None}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "loans"
    last = len(table.header) + 1
    sheet.append([*table.header, "错误 errors"])
    for number, cells in table.rows:
        found = by_row.get(number, [])
        sheet.append([*cells, *([None] * (len(table.header) - len(cells)))])
        out_row = sheet.max_row
        for error in found:
            index = index_of.get(str(error.get("column")))
            if index is not None:
                cell = sheet.cell(row=out_row, column=index)
                cell.fill = ERROR_FILL
                cell.comment = Comment(f"{error['zh']}\n{error['en']}", "riskshare")
        if found:
            sheet.cell(row=out_row, column=last).value = "\n".join(
                f"{e['zh']} / {e['en']}" for e in found
            )
            sheet.cell(row=out_row, column=last).fill = ERROR_FILL
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
