"""Supervising the institutions: NPL rates, warnings, suspension and resumption (X-17, X-19)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from riskshare.toolkit import (
    Alert,
    Decision,
    Explanation,
    Facts,
    InstitutionView,
    LoanView,
    ReportSection,
)
from riskshare_xinxiang.config import Config
from riskshare_xinxiang.explain import explain

ZERO = Decimal("0.00")
RATE = Decimal("0.0001")


@dataclass(frozen=True)
class NplRate:
    institution: InstitutionView
    non_performing: Decimal
    outstanding: Decimal

    @property
    def rate(self) -> Decimal:
        if self.outstanding == 0:
            return Decimal("0.0000")
        return (self.non_performing / self.outstanding).quantize(RATE, rounding=ROUND_HALF_UP)


def npl_rate(institution: InstitutionView, loans: list[LoanView]) -> NplRate:
    """Non-performing balance / outstanding balance of the institution's loans (it lent or
    guaranteed them) issued through the platform."""
    loans = [
        loan
        for loan in loans
        if institution.id in (loan.lender_id, loan.guarantor_id)
        and loan.attributes.get("via_platform")
        and loan.state != "closed"
    ]
    outstanding = sum((loan.outstanding for loan in loans), ZERO)
    bad = sum((loan.outstanding for loan in loans if loan.non_performing), ZERO)
    return NplRate(institution, bad, outstanding)


def _rate_explanation(cfg: Config, npl: NplRate, passed: bool, result: str) -> Explanation:
    limit = Decimal(cfg.npl_limit)
    return explain(
        "X-17",
        result,
        f"{npl.institution.name} 平台贷款不良余额 {npl.non_performing} 元，贷款余额"
        f" {npl.outstanding} 元，不良率 {npl.rate}（上限 {limit}）。",
        f"{npl.institution.name}: non-performing {npl.non_performing} of {npl.outstanding}"
        f" outstanding through the platform, NPL rate {npl.rate} (limit {limit}).",
        passed=passed,
        threshold=limit,
        non_performing=npl.non_performing,
        outstanding=npl.outstanding,
        rate=npl.rate,
    )


def cooperation_change(
    cfg: Config, institution: InstitutionView, action: str, facts: Facts
) -> Decision | None:
    """Suspension is for an NPL rate above the limit; resumption once it is below again."""
    if action == "revoke":
        return None  # fraud or an ended agreement: no rate condition
    npl = npl_rate(institution, facts.institution_loans(institution.id))
    limit = Decimal(cfg.npl_limit)
    ok = npl.rate > limit if action == "suspend" else npl.rate < limit
    return Decision(ok, [_rate_explanation(cfg, npl, ok, action if ok else "refused")])


def supervised_rates(facts: Facts) -> list[NplRate]:
    """The NPL rates of the lenders and guarantee companies, from one read of the loans."""
    loans = facts.program_loans()
    return [
        npl_rate(institution, loans)
        for institution in facts.institutions("bank") + facts.institutions("guarantor")
    ]


def monitoring(cfg: Config, day: dt.date, facts: Facts) -> list[Alert]:
    city = facts.indicator(cfg.city_npl_indicator, day)
    limit = Decimal(cfg.npl_limit)
    alerts = []
    for npl in supervised_rates(facts):
        institution = npl.institution
        if npl.outstanding == 0:
            continue
        data = {"rate": npl.rate, "cooperation": institution.cooperation}
        if npl.rate > limit:
            filed = [d for d in facts.filings(institution.id, "X-17") if d <= day]
            data["rectification_filed_on"] = filed[-1] if filed else None
            alerts.append(
                Alert(
                    "npl-over-limit",
                    "action",
                    "institution",
                    institution.id,
                    _rate_explanation(cfg, npl, False, "explanation and rectification plan due"),
                    data,
                )
            )
        elif city is not None and npl.rate >= city:
            alerts.append(
                Alert(
                    "npl-warning",
                    "warning",
                    "institution",
                    institution.id,
                    explain(
                        "X-17",
                        "risk warning",
                        f"{institution.name} 不良率 {npl.rate} 不低于全市小微企业平均不良率"
                        f" {city}，予以风险提示。",
                        f"{institution.name}'s NPL rate {npl.rate} is at or above the city average"
                        f" {city}: risk warning.",
                        passed=False,
                        threshold=city,
                        rate=npl.rate,
                    ),
                    data,
                )
            )
    return alerts


def npl_section(cfg: Config, facts: Facts) -> ReportSection:
    rows = []
    for npl in supervised_rates(facts):
        institution = npl.institution
        rows.append(
            {
                "institution": institution.code,
                "name": institution.name,
                "cooperation": institution.cooperation,
                "outstanding": npl.outstanding,
                "non_performing": npl.non_performing,
                "npl_rate": npl.rate,
                "compensation_paid": facts.paid("compensation", institution_id=institution.id),
            }
        )
    return ReportSection(
        "xinxiang-institutions",
        "合作机构不良率与补偿 Institutions: NPL and compensation",
        [
            "institution",
            "name",
            "cooperation",
            "outstanding",
            "non_performing",
            "npl_rate",
            "compensation_paid",
        ],
        rows,
        [
            explain(
                "X-19",
                "monthly report",
                "按月向领导小组书面报告资金运行和使用情况。",
                "The fund's operation and use, reported monthly to the leading group.",
            )
        ],
    )
