"""The fund report as a PDF to print and hand on: the same tables as the workbook
(``riskshare.reports.layout``), on landscape A4 pages, with Chinese rendered by a CJK font.

The font: a TrueType CJK font found on the machine (``CJK_FONT_FILES``: Debian's
fonts-wqy-zenhei, which the image and the test scripts install) is embedded, subset to the
characters used, so the file reads the same on any viewer; without one, reportlab's built-in
``STSong-Light`` (Adobe-GB1, not embedded) is named, which Chinese viewers (and Adobe's, with
its Asian fonts) substitute with their own Song face.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from riskshare.reports.layout import (
    AMOUNT,
    COUNT,
    DATE,
    FLAG,
    ID,
    RATIO,
    TEXT,
    Column,
    Layout,
    cell_kind,
)
from riskshare.reports.layout import Table as ReportTable

CJK_FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
FALLBACK_FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN
LOANS_PER_TABLE = 40  # about a page: small tables never need splitting, which is slow
PROGRESS_EVERY = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HEADING_BG = colors.HexColor("#DDE7F3")
WEIGHTS = {TEXT: 2.2, AMOUNT: 1.4, DATE: 1.1, COUNT: 0.9, RATIO: 0.9, ID: 0.8, FLAG: 0.7}


@cache
def font() -> str:
    """The registered name of the CJK font the PDF is set in (see the module's docstring)."""
    for path in CJK_FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont("RiskshareCJK", str(path), subfontIndex=0))
            return "RiskshareCJK"
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def clean(value: str) -> str:
    """Text for a paragraph: no control characters, markup characters escaped."""
    return escape(CONTROL.sub("", value))


def shown(value: Any, kind: str) -> str:
    """A cell's value as printed: amounts with thousands separators, ratios in %."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal) and kind == RATIO:
        return f"{value * 100:,.2f}%"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and kind == COUNT:
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return CONTROL.sub("", str(value))


class _Styles:
    def __init__(self, name: str) -> None:
        def style(key: str, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(key, fontName=name, wordWrap="CJK", **kw)

        self.title = style("title", fontSize=18, leading=24, spaceAfter=2)
        self.subtitle = style(
            "subtitle", fontSize=9, leading=12, textColor=colors.grey, spaceAfter=8
        )
        self.h2 = style("h2", fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.cell = style("cell", fontSize=8, leading=10)
        self.head = style("head", fontSize=8, leading=10)
        self.note = style("note", fontSize=8, leading=11, spaceBefore=3)


def _widths(columns: list[Column]) -> list[float]:
    weights = [WEIGHTS.get(c.kind, 1.0) for c in columns]
    return [WIDTH * w / sum(weights) for w in weights]


def _head(columns: list[Column], styles: _Styles) -> list[Any]:
    return [
        Paragraph(
            f"<b>{clean(c.zh)}</b>"
            + (f"<br/><font size=6 color='#666666'>{clean(c.en)}</font>" if c.en else ""),
            styles.head,
        )
        for c in columns
    ]


def _style(columns: list[Column], name: str, rows: int) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), name),
        ("FONTSIZE", (0, 1), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEADING_BG),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i, column in enumerate(columns):
        if column.kind in (AMOUNT, COUNT, RATIO, ID):
            commands.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    commands += [
        ("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F5F7FA")) for r in range(2, rows, 2)
    ]
    return TableStyle(commands)


def _table(table: ReportTable, rows: Iterable[list[Any]], styles: _Styles, name: str) -> Table:
    """A small table: text cells wrap (paragraphs), numbers are right-aligned."""
    body = [
        [
            Paragraph(clean(shown(v, c.kind)), styles.cell)
            if c.kind == TEXT
            else shown(v, cell_kind(c.kind, v))
            for v, c in zip(row, table.columns, strict=True)
        ]
        for row in rows
    ]
    out = Table(
        [_head(table.columns, styles), *body], colWidths=_widths(table.columns), repeatRows=1
    )
    out.setStyle(_style(table.columns, name, len(body) + 1))
    return out


def _chart(table: ReportTable, rows: list[list[Any]], name: str, title: str) -> Drawing | None:
    assert table.chart is not None
    keys = [c.key for c in table.columns]
    label, value = (keys.index(k) for k in table.chart)
    points = [(str(r[label]), float(r[value])) for r in rows if r[value] is not None]
    if not points:
        return None
    height = 30 + 18 * len(points)
    drawing = Drawing(WIDTH, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 10
    chart.width, chart.height = int(WIDTH) - 220, height
    chart.data = [[v for _, v in reversed(points)]]
    chart.categoryAxis.categoryNames = [n for n, _ in reversed(points)]
    chart.categoryAxis.labels.fontName = name
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = name
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    kind = table.columns[value].kind
    chart.valueAxis.labelTextFormat = (
        (lambda v: f"{v * 100:.1f}%") if kind == RATIO else (lambda v: f"{v:,.0f}")
    )
    chart.bars[0].fillColor = colors.HexColor("#4F7CAC")
    drawing.add(chart)
    from reportlab.graphics.shapes import String

    drawing.add(String(0, height + 8, title, fontName=name, fontSize=9))
    return drawing


def write_pdf(layout: Layout, progress: Callable[[int], None] | None = None) -> bytes:
    """The laid-out report as a PDF: title and period block, the fund's flows with a chart,
    the activity, each policy section with its explanations, and the loans (when laid out),
    with page numbers; ``progress(rows)`` hears of the loans laid out."""
    name = font()
    styles = _Styles(name)
    story: list[Any] = [
        Paragraph(clean(layout.title), styles.title),
        Paragraph(clean(layout.subtitle), styles.subtitle),
    ]
    block = Table(
        [
            [Paragraph(clean(heading), styles.cell), shown(value, kind)]
            for heading, value, kind in layout.block
        ],
        colWidths=[60 * mm, 80 * mm],
        hAlign="LEFT",
    )
    block.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), name),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    story += [block, Paragraph(clean(layout.fund.title), styles.h2)]
    flows = list(layout.fund.rows)
    story.append(_table(layout.fund, flows, styles, name))
    chart = _chart(layout.fund, flows, name, "累计至期末（元） To the period's end")
    if chart is not None:
        story += [Spacer(1, 6), chart]
    story += [
        Paragraph(clean(layout.activity.title), styles.h2),
        _table(layout.activity, layout.activity.rows, styles, name),
    ]
    for section in layout.sections:
        rows = list(section.rows)
        story.append(Paragraph(clean(section.title), styles.h2))
        story.append(_table(section, rows, styles, name))
        if section.chart is not None:
            zh = next(c.zh for c in section.columns if c.key == section.chart[1])
            drawing = _chart(section, rows, name, zh)
            if drawing is not None:
                story += [Spacer(1, 6), drawing]
        story += [Paragraph(clean(note), styles.note) for note in section.notes]
    written = 0
    if layout.loans is not None:
        story += [PageBreak(), Paragraph(clean(layout.loans.title), styles.h2)]
        chunk: list[list[Any]] = []
        for row in layout.loans.rows:
            chunk.append(row)
            written += 1
            if len(chunk) == LOANS_PER_TABLE:
                story.append(_loan_table(layout.loans, chunk, styles, name))
                chunk = []
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
        if chunk or not written:
            story.append(_loan_table(layout.loans, chunk, styles, name))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(name, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 8 * mm, CONTROL.sub("", layout.title))
        canvas.drawRightString(PAGE[0] - MARGIN, 8 * mm, f"第 {doc.page} 页 Page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=CONTROL.sub("", layout.title),
        author="Riskshare",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    if progress is not None:
        progress(written)
    return buffer.getvalue()


def _loan_table(table: ReportTable, rows: list[list[Any]], styles: _Styles, name: str) -> Table:
    """A page of loans: plain strings (no paragraphs), fixed row heights, so 10,000 loans
    lay out in seconds."""
    body = [[shown(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in rows]
    out = Table(
        [_head(table.columns, styles), *body],
        colWidths=_widths(table.columns),
        rowHeights=[None] + [12] * len(body),
    )
    out.setStyle(_style(table.columns, name, len(body) + 1))
    return out
