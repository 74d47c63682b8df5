"""The program config: every figure and interpretation switch of the Yanqing text.

Defaults equal the text (docs/policies/yanqing.md, Y-01 … Y-17); a district that reads it
differently changes configuration, not code. Money and ratios are decimal strings, never
JSON numbers. The fund (Y-01 资金规模, 1500万 + 1500万) and the trial window (Y-18) are not
config: they are the program's own ``fund_total``, ``effective_from`` and ``effective_to``,
on its view.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from riskshare.toolkit import attribute_schema

MONEY = r"^\d+(\.\d{1,2})?$"
RATIO = r"^(0(\.\d+)?|1(\.0+)?)$"
# An institution's code, as the core's institutions take it.
INSTITUTION_CODE = r"^[A-Za-z0-9_.-]{1,63}$"
# Y-01: the custodian's fee is 15%–20% of the year's gains.
FEE_RATE = r"^0\.(1[5-9]\d*|20*)$"

GRADES = ("high", "medium", "low")
SEATS = ("drc", "finance", "industry", "bank", "guarantor")
# The Chinese names the explanations use for the codes above (二(四) 高、中、低三个等级;
# 三(三) the joint review's units), and for a delegate's rejection.
GRADES_ZH = {"high": "高", "medium": "中", "low": "低"}
CHOICES_ZH = {**{g: f"{zh}等级" for g, zh in GRADES_ZH.items()}, "reject": "不予支持"}
SEATS_ZH = {
    "drc": "区发展改革委",
    "finance": "区财政局",
    "industry": "行业主管部门",
    "bank": "银行",
    "guarantor": "担保公司",
}
# Y-06: the delegates who always vote (the guarantor's seat is added by the pre-screen).
PANEL_SEATS = ("drc", "finance", "industry", "bank")
# Y-12: the role whose claim review stands for each joint-review seat (the DRC reviews as
# ``reviewer``, the finance bureau as ``finance``; the other units' delegates have roles of
# their own, which read every claim as the panelists read every firm).
CLAIM_REVIEW_ROLES = {
    "drc": "reviewer",
    "finance": "finance",
    "industry": "industry_delegate",
    "bank": "bank_delegate",
    "guarantor": "guarantor_delegate",
}
# Y-03: 营业执照、生产经营地证明、资产负债表、利润表、现金流量表、社保缴费记录、纳税申报记录.
DOCUMENTS_ZH = {
    "business_licence": "营业执照",
    "premises_proof": "生产经营地证明文件",
    "balance_sheet": "资产负债表",
    "income_statement": "利润表",
    "cash_flow_statement": "现金流量表",
    "social_insurance_records": "社保缴费记录",
    "tax_filings": "纳税申报记录",
}
REQUIRED_DOCUMENTS = tuple(DOCUMENTS_ZH)
# Y-02 重点聚焦低空经济、科创、文旅、涉农等领域.
FOCUS_SECTORS_ZH = {
    "low_altitude_economy": "低空经济",
    "science_technology": "科创",
    "culture_tourism": "文旅",
    "agriculture": "涉农",
}


def _prop(title: str, description: str, default: Any, **schema: Any) -> dict[str, Any]:
    return {"title": title, "description": description, "default": default, **schema}


def _money(title: str, description: str, default: str) -> dict[str, Any]:
    return _prop(title, description, default, type="string", pattern=MONEY)


def _strings(title: str, description: str, default: list[str], **items: Any) -> dict[str, Any]:
    return _prop(
        title,
        description,
        default,
        type="array",
        items={"type": "string", **items},
        uniqueItems=True,
    )


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "延庆区中小微企业融资风险补偿实施方案",
    "description": "Yanqing district SME financing risk compensation (rules Y-01 … Y-17).",
    "type": "object",
    "additionalProperties": False,
    # Y-01: the DRC chooses the program's custodian; it alone pays and reads the pool.
    "required": ["custodian"],
    "properties": {
        "custodian": {
            "title": "Custodian (Y-01)",
            "description": "The institution code of the program's custodian (资金托管机构,"
            " chosen by the DRC): only a custodian acting for it confirms the program's"
            " payments, books its gains, files its reports and reads its money records.",
            "type": "string",
            "pattern": INSTITUTION_CODE,
        },
        "custodian_fee_rate": _prop(
            "Custodian fee rate (Y-01)",
            "The default share of the year's investment gains paid to the custodian, 0.15 to"
            " 0.20, when the DRC and the finance bureau book the fee without a rate.",
            "0.15",
            type="string",
            pattern=FEE_RATE,
        ),
        "custodian_fee_rate_min": _prop(
            "Lowest fee rate (Y-01)",
            "The lowest rate the DRC and the finance bureau may set for a year (15%).",
            "0.15",
            type="string",
            pattern=RATIO,
        ),
        "custodian_fee_rate_max": _prop(
            "Highest fee rate (Y-01)",
            "The highest rate the DRC and the finance bureau may set for a year (20%).",
            "0.20",
            type="string",
            pattern=RATIO,
        ),
        "annual_report_due": _prop(
            "Annual report due (Y-01)",
            "MM-DD by which the custodian submits last year's operating report (5月底前).",
            "05-31",
            type="string",
            pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
        ),
        "half_yearly_report_days": _prop(
            "Half-yearly report days (Y-01)",
            "Days after each half year by which the custodian reports the pool's changes"
            " (每半年报告风险补偿资金变化情况; the text sets no day).",
            30,
            type="integer",
            minimum=0,
        ),
        "district_codes": _strings(
            "District codes (Y-02)",
            "Administrative division codes (USCC characters 3-8) of firms registered in"
            " Yanqing: 110119 (延庆区 since 2015) and 110229 (the former 延庆县).",
            ["110119", "110229"],
            pattern=r"^\d{6}$",
        ),
        "registered_address_markers": _strings(
            "Registered address markers (Y-02)",
            "A firm whose recorded registered address contains one of these is registered in"
            " Yanqing whatever its division code (which names the registering authority);"
            " empty: the division code alone decides.",
            ["延庆"],
            minLength=1,
        ),
        "missing_business_scope": _prop(
            "Missing business scope (Y-02)",
            "具有具体经营项目: a firm with no business scope recorded is refused (refuse), or"
            " only flagged in the explanation (flag).",
            "refuse",
            type="string",
            enum=["refuse", "flag"],
        ),
        "accepted_sizes": _strings(
            "Accepted sizes (Y-02, N-1)",
            "SME classes accepted: the text names 中小微 (micro, small and medium).",
            ["micro", "small", "medium"],
            enum=["micro", "small", "medium", "large"],
        ),
        "clean_record_years": _prop(
            "Clean record years (Y-02)",
            "Years without illegal, irregular or bad-credit records for firm and controller.",
            2,
            type="integer",
            minimum=0,
        ),
        "focus_sectors": _strings(
            "Focus sectors (Y-02)",
            "低空经济、科创、文旅、涉农, recorded per firm.",
            list(FOCUS_SECTORS_ZH),
        ),
        "require_focus_sector": _prop(
            "Require a focus sector (Y-02)",
            "When true a firm outside the focus sectors is not recommended; the text only"
            " says 重点聚焦, so by default it is recorded, not required.",
            False,
            type="boolean",
        ),
        "required_documents": _strings(
            "Required documents (Y-03)",
            "营业执照、生产经营地证明、资产负债表、利润表、现金流量表、社保缴费记录、纳税申报记录.",
            list(REQUIRED_DOCUMENTS),
        ),
        "quarterly_recommendation_target": _prop(
            "Quarterly recommendations (Y-03)",
            "Firms each department or town should recommend a quarter; reported, not enforced.",
            5,
            type="integer",
            minimum=0,
        ),
        "financing_cap": _money(
            "Financing cap (Y-04)",
            "Largest financing need supported, inclusive, yuan.",
            "5000000.00",
        ),
        "panel_seats": _strings(
            "Joint review seats (Y-06)",
            "Delegates who always vote; the guarantee company's seat is added when the"
            " pre-screen says it is needed.",
            list(PANEL_SEATS),
            enum=list(SEATS),
        ),
        "veto_seat": _prop(
            "Veto seat (Y-06)",
            "The delegate whose rejection rejects the firm (区发展改革委一票否决).",
            "drc",
            type="string",
            enum=list(SEATS),
        ),
        "tie_breaker_seat": _prop(
            "Tie breaker (Y-06)",
            "Interpretation: a tied vote is decided by this delegate's vote.",
            "drc",
            type="string",
            enum=list(SEATS),
        ),
        "grade_ratios": _prop(
            "Grade ratios (Y-07)",
            "Compensation ratio per risk grade.",
            {"high": "1.00", "medium": "0.50", "low": "0.20"},
            type="object",
            additionalProperties=False,
            required=list(GRADES),
            properties={
                g: {
                    "title": f"{g} grade",
                    "description": f"Ratio for {g}-risk firms.",
                    "type": "string",
                    "pattern": RATIO,
                }
                for g in GRADES
            },
        ),
        "high_grade_quota": _prop(
            "High grades a year (Y-07)",
            "Firms that may take effect as high grade per calendar year (每年支持不超过2家).",
            2,
            type="integer",
            minimum=0,
        ),
        "require_push": _prop(
            "Require a push (Y-08)",
            "A loan is covered only when the DRC pushed the firm to its lender or guarantor.",
            True,
            type="boolean",
        ),
        "max_failed_financing": _prop(
            "Failed financing attempts (Y-08)",
            "After this many failures the firm is no longer pushed.",
            2,
            type="integer",
            minimum=1,
        ),
        "bank_loan_kinds": _strings(
            "Bank loan kinds (Y-09)",
            "Loan kinds that count as a bank's direct loan.",
            ["credit", "ip_pledge", "patent_pledge", "trademark_pledge", "mortgage", "other"],
        ),
        "insured_loans_compensated": _prop(
            "Compensate insured loans (Y-11)",
            "The text supports insured loans with the premium subsidy only; true would also"
            " compensate their losses.",
            False,
            type="boolean",
        ),
        "premium_subsidy_rate": _prop(
            "Premium subsidy rate (Y-11)",
            "Share of the loan-insurance premium paid to the firm.",
            "0.50",
            type="string",
            pattern=RATIO,
        ),
        "subsidy_documents": _strings(
            "Subsidy documents (Y-11)",
            "贷款到位相关文件、有效保单、缴费证明.",
            ["loan_documents", "insurance_policy", "payment_proof"],
        ),
        "claim_review_roles": _prop(
            "Claim review roles (Y-12)",
            "各笔不良贷款风险等级评定单位联审: a claim is reviewed by the units that graded its"
            " firm (the seats of that firm's joint review); this names the role whose review"
            " stands for each seat.",
            dict(CLAIM_REVIEW_ROLES),
            type="object",
            additionalProperties=False,
            required=list(SEATS),
            properties={
                seat: {
                    "title": f"{seat} seat",
                    "description": f"The role that reviews claims for the {seat} seat.",
                    "type": "string",
                    "pattern": r"^[a-z][a-z0-9_]*$",
                }
                for seat in SEATS
            },
        ),
        "payment_frequency": _prop(
            "Payment frequency (Y-12)",
            "原则上一年一拨付: annual sends the custodian one compensation notice a year (after"
            " the second half year's review), a first half year's claims waiting for it unless"
            " the finance bureau approves the DRC's request to pay them as a special case;"
            " half_yearly sends a notice after each half-year review.",
            "annual",
            type="string",
            enum=["annual", "half_yearly"],
        ),
        "write_off_grounds": _strings(
            "Write-off grounds (Y-13)",
            "破产清算 / 诉讼裁定执行终结: when a compensated loan's net loss may be written off.",
            ["bankruptcy_liquidation", "enforcement_terminated"],
        ),
        "write_off_reviewers": _strings(
            "Write-off reviewers (Y-13)",
            "Roles that each review a write-off the lender confirmed: the DRC and finance.",
            ["reviewer", "finance"],
        ),
        "suspend_at": _money(
            "Suspend at (Y-14)",
            "Cumulative compensation (paid minus recoveries returned) that suspends payment.",
            "21000000.00",
        ),
        "resume_at": _money(
            "Resume at (Y-14)",
            "Pool balance at which suspended compensation restarts.",
            "15000000.00",
        ),
        "threshold_crossing": _prop(
            "Threshold crossing (Y-14)",
            "The payment that would take net compensation past suspend_at: pay_in_full pays"
            " it all and suspends after it; pay_to_threshold pays the part up to suspend_at"
            " and queues the rest until compensation restarts.",
            "pay_in_full",
            type="string",
            enum=["pay_in_full", "pay_to_threshold"],
        ),
        "department_flag_count": _prop(
            "Department flag (Y-15)",
            "Compensated firms of one recommender in a year that flag it.",
            2,
            type="integer",
            minimum=1,
        ),
        "ban_years": _prop(
            "Ban years (Y-17)",
            "Years a defrauding firm is barred (Y-17 bans under the program take this length).",
            3,
            type="integer",
            minimum=1,
        ),
    },
}


# What the policy reads from records' attributes (PolicyDescriptor.attribute_schemas): the
# API refuses any other key and any other shape.
ATTRIBUTE_SCHEMAS: dict[str, dict[str, Any]] = {
    "loan": attribute_schema(
        "Yanqing loan attributes",
        lender_share={
            "title": "Lender's share",
            "description": "A guaranteed loan's agreed split: the bank's share of the"
            ' compensation, a ratio from 0 to 1 as a decimal string ("0.30") (rule Y-10).',
            "type": "string",
            "pattern": r"^(0(\.\d+)?|1(\.0+)?)$",
        },
    ),
    "claim": attribute_schema(
        "Yanqing claim attributes",
        recovery_statement={
            "title": "Recovery statement",
            "description": "What the claimant does to recover the loans it claims on (or"
            " attach a recovery_statement document) (rule Y-13).",
            "type": "string",
            "maxLength": 2000,
        },
    ),
}


def money(config: Any, key: str) -> Decimal:
    return Decimal(config[key])


def grade_zh(grade: str | None) -> str:
    """``high`` → 高等级, ``reject`` → 不予支持 (a code the table lacks is shown as it is)."""
    return CHOICES_ZH.get(grade or "", grade or "未评定")


def seat_zh(seat: str) -> str:
    return SEATS_ZH.get(seat, seat)


def grade_ratio(config: Any, grade: str) -> Decimal:
    return Decimal(config["grade_ratios"][grade])


def setting(config: Any, key: str) -> Any:
    """A config value, or the schema's default for a key the program's stored config
    predates (configs are filled with the defaults of the plugin version that created them)."""
    if key in config:
        return config[key]
    return SCHEMA["properties"][key]["default"]
