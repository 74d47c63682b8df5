"""The fund report as an .xlsx workbook people hand on: a title and period block, Chinese
headings with English beneath, numbers as numbers (amounts ``#,##0.00``, ratios as %),
column widths, frozen headings and a chart of the fund's flows.

Written in openpyxl's write-only mode, row by row, so a sheet of 100,000 loans never holds
every cell in memory. Every text cell goes through ``_text``: text stored before control
characters were refused at the API, or by a plugin's own table, must not make the whole
report fail.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from riskshare.reports.layout import (
    AMOUNT,
    COUNT,
    DATE,
    FLAG,
    ID,
    RATIO,
    Layout,
    Table,
    cell_kind,
)

FORMATS = {
    AMOUNT: "#,##0.00",
    COUNT: "#,##0",
    RATIO: "0.00%",
    DATE: "yyyy-mm-dd",
    ID: "0",
}
WIDTHS = {AMOUNT: 18, COUNT: 12, RATIO: 10, DATE: 12, ID: 10, FLAG: 9}
PROGRESS_EVERY = 2000  # loans written between two progress reports

TITLE = Font(bold=True, size=16)
BOLD = Font(bold=True)
ENGLISH = Font(italic=True, color="666666", size=9)
HEADING_FILL = PatternFill("solid", fgColor="DDE7F3")
WRAP = Alignment(wrap_text=True, vertical="top")


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def sheet_title(key: str) -> str:
    """A worksheet title: at most 31 characters, none of []:*?/\\ nor control characters."""
    return re.sub(r"[\[\]:*?/\\\x00-\x1f]", "_", str(key))[:31] or "section"


def display_width(text: str) -> int:
    """Characters a column needs for ``text``: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


class _Sheet:
    """One write-only worksheet and the styled cells it is written with."""

    def __init__(self, book: Workbook, title: str) -> None:
        self.ws = book.create_sheet(title)
        self.rows = 0

    def cell(self, value: Any, kind: str | None = None, font: Font | None = None) -> Any:
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, str):
            value = _text(value)
        elif value is not None and not isinstance(value, int | Decimal | dt.date):
            value = _text(str(value))
        cell = WriteOnlyCell(self.ws, value)
        if kind in FORMATS and isinstance(value, int | Decimal | dt.date):
            cell.number_format = FORMATS[kind]
        if font is not None:
            cell.font = font
        return cell

    def append(self, cells: list[Any]) -> int:
        self.ws.append(cells)
        self.rows += 1
        return self.rows

    def widths(self, widths: list[float]) -> None:
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60)

    def heading(self, table: Table) -> None:
        """The table's two heading rows: Chinese (bold, shaded), then English."""
        zh = []
        for column in table.columns:
            cell = self.cell(column.zh, font=BOLD)
            cell.fill = HEADING_FILL
            cell.alignment = WRAP
            zh.append(cell)
        self.append(zh)
        self.append([self.cell(c.en, font=ENGLISH) for c in table.columns])


def _title_block(sheet: _Sheet, layout: Layout, span: int) -> None:
    sheet.append([sheet.cell(layout.title, font=TITLE)])
    sheet.ws.merged_cells.add(f"A1:{get_column_letter(span)}1")
    sheet.append([sheet.cell(layout.subtitle, font=ENGLISH)])
    for heading, value, kind in layout.block:
        sheet.append([sheet.cell(heading, font=BOLD), sheet.cell(value, kind)])
    sheet.append([])


def _rows(sheet: _Sheet, table: Table) -> tuple[int, int]:
    """Write the table's rows; return its first and last data row."""
    first = sheet.rows + 1
    for row in table.rows:
        sheet.append(
            [
                sheet.cell(value, cell_kind(column.kind, value))
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    return first, sheet.rows


def _chart(sheet: _Sheet, table: Table, rows: tuple[int, int], anchor: str, title: str) -> None:
    assert table.chart is not None
    keys = [c.key for c in table.columns]
    label, value = (keys.index(k) + 1 for k in table.chart)
    first, last = rows
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"  # horizontal: the long Chinese item names read along the axis
    chart.title = title
    chart.legend = None
    chart.height = max(6, 1 + (last - first + 1))  # cm
    chart.width = 18
    data = Reference(sheet.ws, min_col=value, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(Reference(sheet.ws, min_col=label, min_row=first, max_row=last))
    chart.y_axis.numFmt = FORMATS[table.columns[value - 1].kind]
    chart.x_axis.scaling.orientation = "maxMin"  # first item on top, as in the table
    sheet.ws.add_chart(chart, anchor)


def write_xlsx(layout: Layout, progress: Callable[[int], None] | None = None) -> bytes:
    """The laid-out report as a workbook: 资金情况 (title, period block, flows with a chart,
    activity), a sheet per policy section, and 贷款明细 (the loans, when laid out);
    ``progress(rows)`` hears of the loans written every ``PROGRESS_EVERY`` rows."""
    book = Workbook(write_only=True)

    # A write-only sheet writes its widths and frozen panes before its first row.
    fund = _Sheet(book, "资金情况")
    fund.widths([30, 30, 18, 18, 18])
    fund.ws.freeze_panes = f"A{3 + len(layout.block) + 2 + 1}"  # under the flows' headings
    _title_block(fund, layout, 5)
    fund.heading(layout.fund)
    flows = _rows(fund, layout.fund)
    fund.append([])
    fund.heading(layout.activity)
    _rows(fund, layout.activity)
    _chart(fund, layout.fund, flows, "G7", "累计至期末（元） To the period's end")

    for table in layout.sections:
        sheet = _Sheet(book, sheet_title(table.key))
        rows = list(table.rows)  # a section is small: its widths come from its values
        table.rows = rows
        sheet.ws.freeze_panes = "A5"  # under the title, the period and the two headings
        sheet.widths(
            [
                max(
                    [display_width(c.zh) + 2, display_width(c.en) * 0.8, WIDTHS.get(c.kind, 0)]
                    + [display_width(str(r[i])) + 2 for r in rows if isinstance(r[i], str)]
                )
                for i, c in enumerate(table.columns)
            ]
        )
        sheet.append([sheet.cell(table.title, font=TITLE)])
        sheet.append([sheet.cell(f"报告期间 Period: {layout.block[0][1]}", font=ENGLISH)])
        sheet.heading(table)
        written = _rows(sheet, table)
        for note in table.notes:
            sheet.append([sheet.cell(note)])
        if table.chart is not None:
            anchor = f"{get_column_letter(len(table.columns) + 2)}3"
            zh = next(c.zh for c in table.columns if c.key == table.chart[1])
            _chart(sheet, table, written, anchor, zh)

    if layout.loans is not None:
        loans = _Sheet(book, "贷款明细")
        loans.widths(
            [WIDTHS.get(c.kind, max(display_width(c.zh) + 4, 16)) for c in layout.loans.columns]
        )
        loans.ws.freeze_panes = "A3"  # under the two headings
        loans.heading(layout.loans)
        count = 0
        for row in layout.loans.rows:
            loans.append(
                [
                    loans.cell(value, column.kind)
                    for value, column in zip(row, layout.loans.columns, strict=True)
                ]
            )
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        if progress is not None:
            progress(count)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
