"""Is a loan covered when it is registered (X-02 … X-07, X-14, X-18)?

Every rule is tried and explained, so an institution sees every reason a loan is not covered,
not just the first.
"""

from __future__ import annotations

from decimal import Decimal

from riskshare.toolkit import (
    Decision,
    Explanation,
    Facts,
    FirmView,
    InstitutionView,
    LoanView,
    labels,
    registered_in,
)
from riskshare_xinxiang.config import Config
from riskshare_xinxiang.explain import explain

ZERO = Decimal("0.00")


def loan_coverage(
    cfg: Config,
    loan: LoanView,
    firm: FirmView,
    lender: InstitutionView,
    guarantor: InstitutionView | None,
    facts: Facts,
) -> Decision:
    explanations = [
        _window(cfg, loan),
        _firm(cfg, firm, loan, facts),
        _channel(cfg, loan, lender, facts),
        _cooperating(lender, guarantor if loan.kind == "guaranteed" else None),
        _kind(cfg, loan, guarantor, facts),
        _per_firm(cfg, loan, facts),
    ]
    if loan.kind == "guaranteed":
        explanations.append(_guaranteed_size(cfg, loan))
    return Decision(all(e.passed for e in explanations), explanations)


def _window(cfg: Config, loan: LoanView) -> Explanation:
    start, end = cfg.window  # the program's own effective_from and effective_to
    inside = start <= loan.issue_date <= end
    return explain(
        "X-02",
        "inside" if inside else "outside",
        f"贷款发放日 {loan.issue_date}，本计划有效期 {start} 至 {end}（含）。",
        f"Issued {loan.issue_date}; {cfg.program.code} is in force from {start} to {end},"
        " inclusive.",
        passed=inside,
        threshold=[start, end],
        issue_date=loan.issue_date,
    )


def _firm(cfg: Config, firm: FirmView, loan: LoanView, facts: Facts) -> Explanation:
    agricultural = bool(firm.attributes.get("new_agricultural_operator"))
    place = registered_in(
        firm,
        divisions=cfg.registration_divisions,
        address_markers=cfg.registered_address_markers,
        place_zh="新乡市",
        place_en="Xinxiang",
    )
    reasons_zh, reasons_en = [], []
    if not place.inside:
        reasons_zh.append(place.zh)
        reasons_en.append(place.en)
    if firm.size_class not in cfg.size_classes and not agricultural:
        reasons_zh.append(
            f"企业规模为{labels.size_zh(firm.size_class)}，不属{labels.sizes_zh(cfg.size_classes)}企业"
        )
        reasons_en.append(f"size class is {firm.size_class}")
    if firm.industry in cfg.excluded_industries:
        reasons_zh.append(f"{labels.industry_zh(firm.industry)}企业不予支持")
        reasons_en.append(f"industry {firm.industry} is excluded")
    bans = facts.active_bans("firm", firm.id, loan.issue_date)
    if bans:  # a firm that evaded bank debt is excluded for good
        reasons_zh.append("企业已被列入禁入名单：" + "；".join(bans))
        reasons_en.append("the firm is barred: " + "; ".join(bans))
    ok = not reasons_zh
    basis = (
        "列入新型农业经营主体名录库" if agricultural else f"{labels.size_zh(firm.size_class)}企业"
    )
    return explain(
        "X-03",
        "eligible" if ok else "not eligible",
        f"企业（{basis}）"
        + (f"符合条件：{place.zh}。" if ok else "不符合：" + "；".join(reasons_zh) + "。"),
        f"The firm is eligible: {place.en}."
        if ok
        else "The firm is not eligible: " + "; ".join(reasons_en) + ".",
        passed=ok,
        threshold={
            "divisions": cfg.registration_divisions,
            "registered_address_markers": cfg.registered_address_markers,
            "size_classes": cfg.size_classes,
        },
        size_class=firm.size_class,
        industry=firm.industry,
        new_agricultural_operator=agricultural,
        **place.inputs(),
    )


def _purpose_accepted(cfg: Config, purpose: str) -> bool:
    # Purposes are free text: compared without case or surrounding blanks.
    return purpose.strip().casefold() in {p.strip().casefold() for p in cfg.accepted_purposes}


def _channel(cfg: Config, loan: LoanView, lender: InstitutionView, facts: Facts) -> Explanation:
    via_platform = bool(loan.attributes.get("via_platform"))
    # The lender's cooperation and bans the core checks itself (cited X-07 through cites).
    reasons_zh: list[str] = []
    reasons_en: list[str] = []
    if cfg.require_platform and not via_platform:
        reasons_zh.append("贷款未通过智慧金融平台发放")
        reasons_en.append("the loan was not issued through the smart finance platform")
    purpose_ok = _purpose_accepted(cfg, loan.purpose)
    if not purpose_ok:
        # The purpose is the bank's own wording, shown in the inputs, not in the sentence.
        reasons_zh.append("贷款用途不属于本计划认可的生产经营用途")
        reasons_en.append(
            f"the purpose '{loan.purpose}' is not production and operation (accepted:"
            f" {', '.join(cfg.accepted_purposes)})"
        )
    ok = not reasons_zh
    return explain(
        "X-04",
        "eligible" if ok else "not eligible",
        "合作机构经智慧金融平台发放，用于生产经营。" if ok else "；".join(reasons_zh) + "。",
        "Issued by a cooperating institution through the platform, for production and operation."
        if ok
        else "; ".join(reasons_en) + ".",
        passed=ok,
        threshold={"accepted_purposes": cfg.accepted_purposes},
        lender=lender.code,
        via_platform=via_platform,
        purpose=loan.purpose,
        purpose_accepted=purpose_ok,
    )


# X-07 第五条: what makes an institution a cooperating one, by kind: each is a fact recorded
# on the institution (its attributes), and a fact never recorded is not met.
CONDITIONS: dict[str, list[tuple[str, str, str]]] = {
    "bank": [
        (
            "within_jurisdiction",
            "属新乡市辖区内银行业金融机构",
            "a banking institution within the city's jurisdiction",
        ),
        (
            "cooperation_agreement",
            "与智慧金融平台签订合作协议",
            "signed the cooperation agreement with the platform",
        ),
    ],
    "guarantor": [
        ("government_backed", "属政府性融资担保公司", "a government-backed guarantee company"),
        (
            "provincial_reguarantee",
            "与中原再担保集团签订再担保协议",
            "signed a re-guarantee agreement with Zhongyuan Re-guarantee Group",
        ),
    ],
}
ROLES = {"bank": ("贷款银行", "the lender"), "guarantor": ("担保公司", "the guarantee company")}


def _cooperating(lender: InstitutionView, guarantor: InstitutionView | None) -> Explanation:
    """X-07: the lender, and a guaranteed loan's guarantee company, are cooperating
    institutions by the facts recorded about them."""
    facts_met: dict[str, dict[str, bool]] = {}
    unmet_zh, unmet_en, met_zh = [], [], []
    for kind, institution in (("bank", lender), ("guarantor", guarantor)):
        if institution is None:
            continue
        role_zh, role_en = ROLES[kind]
        met = {key: institution.attributes.get(key) is True for key, _, _ in CONDITIONS[kind]}
        facts_met[institution.code] = met
        for key, zh, en in CONDITIONS[kind]:
            if met[key]:
                met_zh.append(zh)
            else:
                unmet_zh.append(f"{role_zh}{institution.name}未记录{zh}")
                unmet_en.append(f"{role_en} {institution.name} is not recorded as {en} ({key})")
    ok = not unmet_zh
    return explain(
        "X-07",
        "cooperating" if ok else "not cooperating",
        "合作机构条件均已满足：" + "、".join(met_zh) + "。" if ok else "；".join(unmet_zh) + "。",
        "The institutions meet every condition of a cooperating institution."
        if ok
        else "Not a cooperating institution: " + "; ".join(unmet_en) + ".",
        passed=ok,
        threshold={
            kind: [key for key, _, _ in conditions] for kind, conditions in CONDITIONS.items()
        },
        conditions=facts_met,
    )


def _kind(
    cfg: Config, loan: LoanView, guarantor: InstitutionView | None, facts: Facts
) -> Explanation:
    ok = loan.kind in cfg.covered_kinds
    zh = labels.kind_zh(loan.kind) + ("属支持范围" if ok else "不属支持范围")
    en = f"Loan kind {loan.kind} is " + ("covered" if ok else "not covered")
    if ok and loan.kind == "guaranteed":
        in_system = bool(guarantor and guarantor.attributes.get("provincial_reguarantee"))
        ok = in_system
        if not in_system:
            zh += "，但担保公司未纳入省再担保体系"
            en += ", but the guarantee company is not in the provincial re-guarantee system"
    return explain(
        "X-05",
        "covered" if ok else "not covered",
        zh + "。",
        en + ".",
        passed=ok,
        threshold=cfg.covered_kinds,
        kind=loan.kind,
        guarantor=guarantor.code if guarantor else None,
    )


# A loan stops counting against the per-firm cap when it is settled, not when it matures:
# an overdue loan past its maturity is still owed.
ENDED = ("closed", "written_off")


def outstanding_covered(facts: Facts, loan: LoanView) -> Decimal:
    """Principal of the firm's other covered loans issued by the loan's issue day and not
    closed or written off, whatever their maturity dates."""
    return sum(
        (
            other.principal
            for other in facts.firm_loans(loan.firm_id)
            if other.covered
            and other.id != loan.id
            and other.state not in ENDED
            and other.issue_date <= loan.issue_date
        ),
        ZERO,
    )


def _per_firm(cfg: Config, loan: LoanView, facts: Facts) -> Explanation:
    cap = cfg.money("per_firm_cap")
    others = outstanding_covered(facts, loan)
    total = others + loan.principal
    ok = total <= cap
    return explain(
        "X-06",
        "within" if ok else "over",
        f"本笔 {loan.principal} 元，加该企业其他已纳入补偿范围、尚未结清或核销的贷款 {others} 元"
        f"（逾期未还的到期贷款仍计入），合计 {total} 元，单户上限 {cap} 元。",
        f"This {loan.principal} plus {others} of the firm's other covered loans not yet closed"
        f" or written off (overdue loans past maturity included) is {total}; the cap is {cap}.",
        passed=ok,
        threshold=cap,
        principal=loan.principal,
        outstanding_covered=others,
    )


def _guaranteed_size(cfg: Config, loan: LoanView) -> Explanation:
    cap = cfg.money("guaranteed_loan_cap")
    ok = loan.principal <= cap
    return explain(
        "X-14",
        "within" if ok else "over",
        f"单笔担保贷款 {loan.principal} 元，上限 {cap} 元。",
        f"A guaranteed loan of {loan.principal}; the single-loan cap is {cap}.",
        passed=ok,
        threshold=cap,
        principal=loan.principal,
    )
