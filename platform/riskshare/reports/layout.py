"""The fund report laid out for people: Chinese headings (English beside them), typed cells,
the same tables for the .xlsx (``riskshare.reports.xlsx``) and the PDF
(``riskshare.reports.pdf``).

The report's JSON (``service.compose``) keeps its machine keys and amounts as strings; this
module turns it into titled tables whose columns know what they hold (an amount, a count, a
ratio, a date, text), so each writer formats a number as a number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# What a column holds, and so how it is written: amounts with two decimals and thousands
# separators, counts as whole numbers, ratios as percentages, dates as dates.
TEXT, AMOUNT, COUNT, RATIO, DATE, ID, FLAG = (
    "text",
    "amount",
    "count",
    "ratio",
    "date",
    "id",
    "flag",
)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = TEXT


@dataclass
class Table:
    """A titled table: ``rows`` are lists of Python values (Decimal, int, date, str, None),
    one per column; ``notes`` are the explanations printed under it."""

    key: str
    title: str
    columns: list[Column]
    rows: Iterable[list[Any]]
    notes: list[str] = field(default_factory=list)
    chart: tuple[str, str] | None = None  # (label column key, value column key)


@dataclass
class Layout:
    title: str
    subtitle: str
    block: list[tuple[str, Any, str]]  # (heading, value, kind)
    fund: Table
    activity: Table
    sections: list[Table]
    loans: Table | None


# Payment kinds as the ledger names them (payable:<kind>); an unknown kind shows its code.
PAYMENT_KINDS = {
    "compensation": "风险补偿（代偿）",
    "premium_subsidy": "保费补贴",
    "interest_subsidy": "贴息",
    "guarantee_fee_subsidy": "担保费补贴",
}

ACTIVITY = {
    "loans_registered": ("本期登记贷款笔数", "Loans registered"),
    "loans_covered": ("其中纳入风险补偿笔数", "of which covered"),
    "covered_principal": ("纳入风险补偿贷款本金（元）", "Covered principal"),
    "claims_submitted": ("本期提交代偿申请笔数", "Claims submitted"),
    "claims_reviewed": ("本期完成审核笔数", "Claims reviewed"),
    "claims_awaiting_review": ("期末待审核笔数", "Claims awaiting review at the end"),
}

# Columns common to policies' sections; a section's own ``headings`` come first.
COMMON_HEADINGS = {
    "period": "期间 Period",
    "institution": "机构代码 Institution",
    "name": "名称 Name",
    "cooperation": "合作状态 Cooperation",
    "outstanding": "贷款余额 Outstanding",
    "non_performing": "不良贷款 Non-performing",
    "npl_rate": "不良率 NPL rate",
    "compensation_paid": "已付代偿 Compensation paid",
    "pool_balance": "资金池余额 Pool balance",
    "paid": "已支付 Paid",
    "loan_id": "贷款编号 Loan id",
    "loan": "贷款 Loan",
    "firm": "企业 Firm",
    "state": "状态 State",
    "grade": "等级 Grade",
    "firms": "企业数 Firms",
}

LOAN_COLUMNS = [
    Column("loan_id", "贷款编号", "Loan id", ID),
    Column("reference", "合同编号", "Reference"),
    Column("lender", "贷款银行", "Lender"),
    Column("guarantor", "担保机构", "Guarantor"),
    Column("kind", "贷款类型", "Kind"),
    Column("principal", "本金（元）", "Principal", AMOUNT),
    Column("issue_date", "发放日", "Issued", DATE),
    Column("maturity_date", "到期日", "Matures", DATE),
    Column("covered", "纳入补偿", "Covered", FLAG),
]

AMOUNT_TEXT = re.compile(r"^-?\d+\.\d\d$")
NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
DATE_TEXT = re.compile(r"^\d{4}-\d\d-\d\d$")
RATIO_NAME = re.compile(r"(rate|ratio|share)$")


def split_heading(heading: str) -> tuple[str, str]:
    """``"期初余额 Opening pool"`` as (zh, en): the Chinese words, then the rest."""
    match = re.match(r"^(\S*[\u3000-\u9fff\uff00-\uffef]\S*)\s+(.*)$", heading)
    return (match[1], match[2]) if match else (heading, "")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str) and NUMBER_TEXT.match(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern allows only numbers
            return None
    return None


def column_kind(key: str, values: list[Any]) -> str:
    """What a section's column holds, from its name and its values."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return TEXT
    if RATIO_NAME.search(key) and all(_decimal(v) is not None for v in present):
        return RATIO
    if all(isinstance(v, bool) for v in present):
        return FLAG
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return ID if key == "id" or key.endswith("_id") else COUNT
    if all(isinstance(v, str) and AMOUNT_TEXT.match(v) for v in present):
        return AMOUNT
    if all(isinstance(v, Decimal) for v in present):
        return AMOUNT
    if all(isinstance(v, str) and DATE_TEXT.match(v) for v in present):
        return DATE
    return TEXT


def typed(value: Any, kind: str) -> Any:
    """A JSON value as the Python value its column's kind writes."""
    if value is None or value == "":
        return None
    if kind in (AMOUNT, RATIO):
        number = _decimal(value)
        return number if number is not None else value
    if kind == DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _flow_rows(fund: Mapping[str, Any]) -> list[list[Any]]:
    def amount(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    rows: list[list[Any]] = [
        ["财政拨入资金", "Appropriated", None, None, amount(fund["appropriated_to_date"])]
    ]
    kinds = sorted(
        set(fund["paid_to_date"]) | set(fund["paid_year_to_date"]) | set(fund["paid_in_period"])
    )
    for kind in kinds:
        rows.append(
            [
                f"支付：{PAYMENT_KINDS.get(kind, kind)}",
                f"Paid: {kind}",
                amount(fund["paid_in_period"].get(kind, "0.00")),
                amount(fund["paid_year_to_date"].get(kind, "0.00")),
                amount(fund["paid_to_date"].get(kind, "0.00")),
            ]
        )
    rows.append(
        [
            "追偿返还资金池",
            "Recoveries returned to the pool",
            amount(fund["returned_to_pool_in_period"]),
            None,
            amount(fund["returned_to_pool_to_date"]),
        ]
    )
    for account in sorted(set(fund["remitted_to_date"]) | set(fund["remitted_in_period"])):
        rows.append(
            [
                f"追偿资金划转（{account}）",
                f"Recoveries remitted to {account}",
                amount(fund["remitted_in_period"].get(account, "0.00")),
                None,
                amount(fund["remitted_to_date"].get(account, "0.00")),
            ]
        )
    rows.append(
        [
            "期末资金池余额",
            "Pool balance at the end",
            None,
            None,
            amount(fund["pool_balance_at_end"]),
        ]
    )
    return rows


def _values() -> dict[str, dict[str, str]]:
    """Codes common to policies' sections, in Chinese (the JSON keeps the codes)."""
    from riskshare.labels import COOPERATION

    return {"cooperation": COOPERATION}


def _section(section: Mapping[str, Any]) -> Table:
    keys = list(section["columns"])
    headings = {**COMMON_HEADINGS, **dict(section.get("headings") or {})}
    raw = [[row.get(key) for key in keys] for row in section["rows"]]
    columns = []
    for i, key in enumerate(keys):
        zh, en = split_heading(headings.get(key, key))
        columns.append(Column(key, zh, en, column_kind(key, [r[i] for r in raw])))
    values = _values()
    rows = [
        [
            typed(values.get(c.key, {}).get(v, v) if isinstance(v, str) else v, c.kind)
            for v, c in zip(r, columns, strict=True)
        ]
        for r in raw
    ]
    notes = [
        f"{e['rule']}（{e['clause']}）：{e.get('zh') or ''} {e.get('en') or ''}".strip()
        for e in section["explanations"]
    ]
    # A chart of the first ratio column (else none) against the first text column.
    label = next((c.key for c in columns if c.kind == TEXT), None)
    ratio = next((c.key for c in columns if c.kind == RATIO), None)
    chart = (label, ratio) if label and ratio and rows else None
    return Table(str(section["key"]), str(section["title"]), columns, rows, notes, chart)


def lay_out(report: Mapping[str, Any], loans: Iterator[list[Any]] | None = None) -> Layout:
    """The report (``service.compose``'s JSON) as titled, typed tables."""
    start, end = report["start"], report["end"]
    if isinstance(start, str):
        start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    generated = report["generated_on"]
    if isinstance(generated, str):
        generated = dt.date.fromisoformat(generated)
    fund = Table(
        "fund",
        "资金收支情况 The fund's flows (元 CNY)",
        [
            Column("item", "项目", "Item"),
            Column("item_en", "Item", ""),
            Column("in_period", "本期", "In the period", AMOUNT),
            Column("year_to_date", "本年累计", "Year to date", AMOUNT),
            Column("to_date", "累计至期末", "To the period's end", AMOUNT),
        ],
        _flow_rows(report["fund"]),
        chart=("item", "to_date"),
    )
    activity = Table(
        "activity",
        "业务情况 Activity",
        [
            Column("item", "项目", "Item"),
            Column("item_en", "Item", ""),
            Column("value", "本期", "In the period", COUNT),
        ],
        [
            [
                zh,
                en,
                Decimal(str(report["activity"][key]))
                if key == "covered_principal"
                else report["activity"][key],
            ]
            for key, (zh, en) in ACTIVITY.items()
            if key in report["activity"]
        ],
    )
    name = str(report["program"])
    return Layout(
        title=f"{name}运行和使用情况报告"
        if name.endswith("资金")
        else f"{name} 资金运行和使用情况报告",
        subtitle=f"Fund report of {report['program']}",
        block=[
            ("报告期间 Period", f"{period_zh(str(report['period']))}（{report['period']}）", TEXT),
            ("起止日期 From – to", f"{start.isoformat()} 至 {end.isoformat()}", TEXT),
            ("资金规模（元） Fund total", Decimal(str(report["fund_total"])), AMOUNT),
            ("生成日期 Generated on", generated, DATE),
        ],
        fund=fund,
        activity=activity,
        sections=[_section(s) for s in report["sections"]],
        loans=None
        if loans is None
        else Table(
            "loans", "本期登记贷款明细 Loans registered in the period", LOAN_COLUMNS, _loans(loans)
        ),
    )


def period_zh(label: str) -> str:
    """``2022`` 2022年, ``2022-H1`` 2022年上半年, ``2022-Q3`` 2022年第三季度, ``2022-03``
    2022年3月."""
    year, _, part = label.partition("-")
    if not part:
        return f"{year}年"
    if part.startswith("H"):
        return f"{year}年{'上' if part == 'H1' else '下'}半年"
    if part.startswith("Q"):
        return f"{year}年第{'一二三四'[int(part[1]) - 1]}季度"
    return f"{year}年{int(part)}月"


def cell_kind(kind: str, value: Any) -> str:
    """A cell's own kind: an amount in a column of counts (the covered principal) stays an
    amount."""
    if kind == COUNT and isinstance(value, Decimal):
        return AMOUNT
    return kind


def _loans(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """The loans sheet's rows with each loan's kind in Chinese, as the readers name it."""
    from riskshare.labels import kind_zh

    for row in rows:
        row = list(row)
        row[4] = kind_zh(row[4]) if row[4] else row[4]
        yield [typed(v, c.kind) for v, c in zip(row, LOAN_COLUMNS, strict=True)]
