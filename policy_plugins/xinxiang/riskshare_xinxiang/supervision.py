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

    def above(self, bound: Decimal) -> bool:
        """Compared unrounded (5.004% is above 5%): bad / outstanding > bound, multiplied
        out so no division rounds."""
        return self.non_performing > bound * self.outstanding

    def at_or_above(self, bound: Decimal) -> bool:
        return self.non_performing >= bound * self.outstanding

    def below(self, bound: Decimal) -> bool:
        return self.non_performing < bound * self.outstanding

    @property
    def rate(self) -> Decimal:
        """For display only (reports, alert data): rounded to 0.01%; decisions use the
        comparisons above."""
        if self.outstanding == 0:
            return Decimal("0.0000")
        return (self.non_performing / self.outstanding).quantize(RATE, rounding=ROUND_HALF_UP)

    @property
    def percent(self) -> str:
        """The rate as a percentage for sentences, to six decimals so a rate just over a
        bound does not read as equal to it."""
        if self.outstanding == 0:
            return "0%"
        exact = self.non_performing * 100 / self.outstanding
        return f"{exact.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP).normalize():f}%"


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


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _rate_explanation(cfg: Config, npl: NplRate, passed: bool, result: str) -> Explanation:
    limit = Decimal(cfg.npl_limit)
    over = npl.above(limit)
    return explain(
        "X-17",
        result,
        f"{npl.institution.name} 平台贷款不良余额 {npl.non_performing} 元，贷款余额"
        f" {npl.outstanding} 元，不良率 {npl.percent}，"
        + ("超过" if over else "未超过" if not npl.at_or_above(limit) else "等于")
        + f"上限 {_percent(limit)}。",
        f"{npl.institution.name}: non-performing {npl.non_performing} of {npl.outstanding}"
        f" outstanding through the platform, NPL rate {npl.percent}, "
        + ("above" if over else "not above")
        + f" the limit {_percent(limit)} (compared unrounded).",
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
    ok = npl.above(limit) if action == "suspend" else npl.below(limit)
    return Decision(ok, [_rate_explanation(cfg, npl, ok, action if ok else "refused")])


def supervised_rates(facts: Facts) -> list[NplRate]:
    """The NPL rates of the lenders and guarantee companies, from one read of the loans."""
    loans = facts.program_loans()
    return [
        npl_rate(institution, loans)
        for institution in facts.institutions("bank") + facts.institutions("guarantor")
    ]


def monitoring(cfg: Config, day: dt.date, facts: Facts) -> list[Alert]:
    """Per institution, cumulatively: above the limit, an explanation and rectification plan
    is due; at or above the city average, a risk warning, whether or not it is also above
    the limit."""
    city = facts.indicator(cfg.city_npl_indicator, day)
    limit = Decimal(cfg.npl_limit)
    alerts = []
    for npl in supervised_rates(facts):
        institution = npl.institution
        if npl.outstanding == 0:
            continue
        data = {"rate": npl.rate, "cooperation": institution.cooperation}
        if npl.above(limit):
            filed = [d for d in facts.filings(institution.id, "X-17") if d <= day]
            alerts.append(
                Alert(
                    "npl-over-limit",
                    "action",
                    "institution",
                    institution.id,
                    _rate_explanation(cfg, npl, False, "explanation and rectification plan due"),
                    {**data, "rectification_filed_on": filed[-1] if filed else None},
                )
            )
        if city is not None and npl.at_or_above(city):
            alerts.append(
                Alert(
                    "npl-warning",
                    "warning",
                    "institution",
                    institution.id,
                    explain(
                        "X-17",
                        "risk warning",
                        f"{institution.name} 不良率 {npl.percent} 不低于全市小微企业平均不良率"
                        f" {_percent(city)}，予以风险提示。",
                        f"{institution.name}'s NPL rate {npl.percent} is at or above the city"
                        f" average {_percent(city)}: risk warning.",
                        passed=False,
                        threshold=city,
                        rate=npl.rate,
                        non_performing=npl.non_performing,
                        outstanding=npl.outstanding,
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
