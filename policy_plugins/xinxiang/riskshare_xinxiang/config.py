"""The program config: every figure and interpretation switch of 新政办〔2021〕48号.

Defaults are the 2021 text's figures; a locality that reads the text differently changes
the program's config, not this code. The fund (X-01 总额) and the validity window (X-02) are
not config: they are the program's own ``fund_total``, ``effective_from`` and
``effective_to``, read from its view, so the program and its policy cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from riskshare.toolkit import ProgramView, attribute_schema

AMOUNT = r"^\d{1,12}(\.\d{1,2})?$"
RATIO = r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$"


def _amount(title: str, description: str, default: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "type": "string",
        "pattern": AMOUNT,
        "default": default,
    }


def _ratio(title: str, description: str, default: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "type": "string",
        "pattern": RATIO,
        "default": default,
    }


def _days(title: str, description: str, default: int) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "type": "integer",
        "minimum": 1,
        "maximum": 366,
        "default": default,
    }


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "新乡市小微企业贷款风险补偿资金 (新政办〔2021〕48号)",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "annual_cap": _amount(
            "年度补偿上限 Annual cap",
            "X-01 第二条: paid per calendar year; the total is the program's fund_total.",
            "10000000",
        ),
        "registration_divisions": {
            "title": "注册地行政区划 Registration divisions",
            "description": "X-03 第三条: USCC characters 3–8 must start with one of these.",
            "type": "array",
            "items": {"type": "string", "pattern": r"^\d{2,6}$"},
            "minItems": 1,
            "default": ["4107"],
        },
        "registered_address_markers": {
            "title": "注册地址 Registered address markers",
            "description": "X-03 第三条: a firm whose recorded registered address contains one"
            " of these is registered in Xinxiang whatever its division code (which names the"
            " registering authority, e.g. the provincial bureau's 4100xx); empty: the"
            " division code alone decides.",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": ["新乡"],
        },
        "size_classes": {
            "title": "企业规模 Size classes",
            "description": "X-03 第三条: N-1 classes accepted.",
            "type": "array",
            "items": {"enum": ["micro", "small", "medium"]},
            "minItems": 1,
            "default": ["small", "micro"],
        },
        "excluded_industries": {
            "title": "排除行业 Excluded industries",
            "description": "X-03 第三条: industries never covered (房地产开发经营).",
            "type": "array",
            "items": {"type": "string"},
            "default": ["real_estate_development"],
        },
        "covered_kinds": {
            "title": "支持贷款品种 Covered loan kinds",
            "description": "X-05 第四条: credit, IP/patent/trademark pledge, guaranteed.",
            "type": "array",
            "items": {
                "enum": [
                    "credit",
                    "ip_pledge",
                    "patent_pledge",
                    "trademark_pledge",
                    "guaranteed",
                    "insured",
                    "mortgage",
                ]
            },
            "default": ["credit", "ip_pledge", "patent_pledge", "trademark_pledge", "guaranteed"],
        },
        "require_platform": {
            "title": "须经智慧金融平台 Through the platform",
            "description": "X-04 第四条: loans must be issued through the smart finance platform.",
            "type": "boolean",
            "default": True,
        },
        "accepted_purposes": {
            "title": "贷款用途 Accepted purposes",
            "description": "X-04 第四条 用于生产经营: the loan purposes that count as production"
            " and operation, compared without case or surrounding blanks; a loan for another"
            " purpose is registered but not covered.",
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "minItems": 1,
            "default": ["production and operation", "生产经营"],
        },
        "per_firm_cap": _amount(
            "单户上限 Per-firm cap",
            "X-06 第四条: covered loans outstanding per firm, incl. the new one; a loan"
            " counts until closed or written off, whatever its maturity.",
            "10000000",
        ),
        "ratio_tiers": {
            "title": "补偿比例 Ratio tiers",
            "description": "X-13 第十一条: ratio by the loan's original principal, ascending.",
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["up_to", "ratio"],
                "properties": {
                    "up_to": {"type": "string", "pattern": AMOUNT},
                    "ratio": {"type": "string", "pattern": RATIO},
                },
            },
            "default": [
                {"up_to": "1000000", "ratio": "0.30"},
                {"up_to": "3000000", "ratio": "0.20"},
                {"up_to": "10000000", "ratio": "0.10"},
            ],
        },
        "guarantee_ratio": _ratio(
            "担保贷款补偿比例 Guarantee ratio", "X-14 第十一条: of the principal paid out.", "0.10"
        ),
        "guaranteed_loan_cap": _amount(
            "单笔担保贷款上限 Guaranteed loan cap",
            "X-14 第十一条: per guaranteed loan.",
            "10000000",
        ),
        "filing_days": _days(
            "逾期备案时限 Filing days", "X-08 第九条: working days to file an overdue.", 5
        ),
        "late_filing": {
            "title": "逾期备案处理 Late filing",
            "description": "X-08: 'flag' accepts and marks late filings; 'reject' refuses them.",
            "enum": ["flag", "reject"],
            "default": "flag",
        },
        "payout_days": _days(
            "代偿时限 Payout days", "X-10 第十条: calendar days from overdue to payout.", 60
        ),
        "review_days": _days(
            "审核时限 Review days", "X-11 第九条: working days to the review opinion.", 10
        ),
        "summary_days": _days(
            "年度汇总时限 Summary days", "X-12 第十条: working days after year end.", 10
        ),
        "over_cap": {
            "title": "超限分配 Over-cap allocation",
            "description": "X-12: pro rata carrying the rest, pro rata dropping it, or in order.",
            "enum": ["pro_rata_carry", "pro_rata_drop", "first_come"],
            "default": "pro_rata_carry",
        },
        "recovery_days": _days(
            "追偿返还时限 Recovery days", "X-15 第十二条: working days to return.", 10
        ),
        "write_off_days": _days(
            "核销材料时限 Write-off evidence days", "X-16 第十三条: working days.", 10
        ),
        "npl_limit": _ratio(
            "不良率上限 NPL limit", "X-17 第十五条: above it compensation may be suspended.", "0.05"
        ),
        "city_npl_indicator": {
            "title": "全市平均不良率指标 City NPL indicator",
            "description": "X-17: name of the indicator the office enters per period.",
            "type": "string",
            "default": "city_small_firm_npl_rate",
        },
        "fraud_ban_years": {
            "title": "骗补禁入年限 Fraud ban years",
            "description": "X-18 第十六条: years an institution may not claim after fraud.",
            "type": "integer",
            "minimum": 0,
            "default": 3,
        },
    },
}


# What the policy reads from records' attributes (PolicyDescriptor.attribute_schemas): the
# API refuses any other key and any other shape.
ATTRIBUTE_SCHEMAS: dict[str, dict[str, Any]] = {
    "firm": attribute_schema(
        "Xinxiang firm attributes",
        new_agricultural_operator={
            "title": "New agricultural operator",
            "description": "In the city's directory of new agricultural operators (新型农业"
            "经营主体名录库): eligible whatever its size (rule X-03).",
            "type": "boolean",
        },
    ),
    "loan": attribute_schema(
        "Xinxiang loan attributes",
        via_platform={
            "title": "Issued through the platform",
            "description": "Issued through the smart finance platform (智慧金融平台), which"
            " coverage requires when require_platform is on (rule X-04) and the NPL"
            " monitoring counts (X-17).",
            "type": "boolean",
        },
    ),
    "claim": attribute_schema(
        "Xinxiang claim attributes",
        interest_claimed={
            "title": "Interest claimed",
            "description": "Interest the claimant asks for, yuan: recorded in the explanation"
            " and never compensated (rules X-13, X-14).",
            "type": "string",
            "pattern": r"^\d+(\.\d{1,2})?$",
        },
    ),
    "event": attribute_schema(
        "Xinxiang loan event data",
        principal={
            "title": "Principal paid out",
            "description": "On a guarantor payout (代偿): the principal in the amount paid out,"
            " yuan; the compensation base (rule X-14).",
            "type": "string",
            "pattern": AMOUNT,
        },
        interest={
            "title": "Interest paid out",
            "description": "On a guarantor payout: the interest in the amount paid out, yuan;"
            " recorded and explained, never compensated (rule X-14). Principal and interest"
            " add up to the payout's amount.",
            "type": "string",
            "pattern": AMOUNT,
        },
    ),
}


def defaults() -> dict[str, Any]:
    return {key: spec["default"] for key, spec in SCHEMA["properties"].items()}


@dataclass(frozen=True)
class Tier:
    up_to: Decimal
    ratio: Decimal


@dataclass(frozen=True)
class Config:
    """The program's config with defaults filled in and figures as Decimal, beside the
    program whose fund and window it applies."""

    raw: dict[str, Any]
    program: ProgramView

    @classmethod
    def of(cls, program: ProgramView) -> Config:
        return cls({**defaults(), **dict(program.config)}, program)

    @property
    def fund_total(self) -> Decimal:
        """X-01: the program's fund (资金总额)."""
        return self.program.fund_total

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """X-02: the program's validity window, both days inclusive."""
        return self.program.effective_from, self.program.effective_to

    def __getattr__(self, name: str) -> Any:
        try:
            return self.raw[name]
        except KeyError:
            raise AttributeError(name) from None

    def money(self, name: str) -> Decimal:
        return Decimal(self.raw[name])

    @property
    def tiers(self) -> list[Tier]:
        tiers = [Tier(Decimal(t["up_to"]), Decimal(t["ratio"])) for t in self.raw["ratio_tiers"]]
        return sorted(tiers, key=lambda t: t.up_to)
