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
    institution_in_good_standing,
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
        f"贷款发放日 {loan.issue_date}，{cfg.program.code} 有效期 {start} 至 {end}（含）。",
        f"Issued {loan.issue_date}; {cfg.program.code} is in force from {start} to {end},"
        " inclusive.",
        passed=inside,
        threshold=[start, end],
        issue_date=loan.issue_date,
    )


def _firm(cfg: Config, firm: FirmView, loan: LoanView, facts: Facts) -> Explanation:
    agricultural = bool(firm.attributes.get("new_agricultural_operator"))
    division = firm.uscc[2:8]
    reasons_zh, reasons_en = [], []
    if not any(division.startswith(p) for p in cfg.registration_divisions):
        reasons_zh.append(f"注册地区划 {division} 不在新乡市")
        reasons_en.append(f"registered in division {division}, outside Xinxiang")
    if firm.size_class not in cfg.size_classes and not agricultural:
        reasons_zh.append(f"企业规模为 {firm.size_class}")
        reasons_en.append(f"size class is {firm.size_class}")
    if firm.industry in cfg.excluded_industries:
        reasons_zh.append(f"行业 {firm.industry} 不予支持")
        reasons_en.append(f"industry {firm.industry} is excluded")
    bans = facts.active_bans("firm", firm.id, loan.issue_date)
    if bans:  # a firm that evaded bank debt is excluded for good
        reasons_zh.append("企业已被列入禁入名单：" + "；".join(bans))
        reasons_en.append("the firm is barred: " + "; ".join(bans))
    ok = not reasons_zh
    basis = "新型农业经营主体名录库" if agricultural else f"规模 {firm.size_class}"
    return explain(
        "X-03",
        "eligible" if ok else "not eligible",
        f"企业（{basis}）" + ("符合条件。" if ok else "不符合：" + "；".join(reasons_zh) + "。"),
        "The firm is eligible."
        if ok
        else "The firm is not eligible: " + "; ".join(reasons_en) + ".",
        passed=ok,
        threshold={"divisions": cfg.registration_divisions, "size_classes": cfg.size_classes},
        size_class=firm.size_class,
        industry=firm.industry,
        division=division,
        new_agricultural_operator=agricultural,
    )


def _channel(cfg: Config, loan: LoanView, lender: InstitutionView, facts: Facts) -> Explanation:
    via_platform = bool(loan.attributes.get("via_platform"))
    refusals = institution_in_good_standing(lender.id, facts, loan.issue_date)
    reasons_zh, reasons_en = [e.zh for e in refusals], [e.en for e in refusals]
    if cfg.require_platform and not via_platform:
        reasons_zh.append("贷款未通过智慧金融平台发放")
        reasons_en.append("the loan was not issued through the smart finance platform")
    if not lender.attributes.get("cooperation_agreement", True):
        reasons_zh.append(f"{lender.name} 未签订合作协议")
        reasons_en.append(f"{lender.name} has not signed a cooperation agreement")
    ok = not reasons_zh
    return explain(
        "X-04",
        "eligible" if ok else "not eligible",
        "合作银行经平台发放。" if ok else "；".join(reasons_zh) + "。",
        "Issued by a cooperating bank through the platform." if ok else "; ".join(reasons_en) + ".",
        passed=ok,
        lender=lender.code,
        via_platform=via_platform,
        purpose=loan.purpose,
    )


def _kind(
    cfg: Config, loan: LoanView, guarantor: InstitutionView | None, facts: Facts
) -> Explanation:
    ok = loan.kind in cfg.covered_kinds
    zh = f"贷款品种 {loan.kind}" + ("属支持范围" if ok else "不属支持范围")
    en = f"Loan kind {loan.kind} is " + ("covered" if ok else "not covered")
    if ok and loan.kind == "guaranteed":
        in_system = bool(guarantor and guarantor.attributes.get("provincial_reguarantee"))
        standing = (
            institution_in_good_standing(guarantor.id, facts, loan.issue_date) if guarantor else []
        )
        ok = in_system and not standing
        if not in_system:
            zh += "，但担保公司未纳入省再担保体系"
            en += ", but the guarantee company is not in the provincial re-guarantee system"
        for refusal in standing:
            zh, en = f"{zh}；{refusal.zh}", f"{en}; {refusal.en}"
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


def outstanding_covered(facts: Facts, loan: LoanView) -> Decimal:
    """Principal of the firm's other covered loans still outstanding on the loan's issue day."""
    return sum(
        (
            other.principal
            for other in facts.firm_loans(loan.firm_id)
            if other.covered
            and other.id != loan.id
            and other.state != "closed"
            and other.issue_date <= loan.issue_date <= other.maturity_date
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
        f"本笔 {loan.principal} 元加在保未结清 {others} 元，合计 {total} 元，上限 {cap} 元。",
        f"This {loan.principal} plus {others} outstanding is {total}; the cap is {cap}.",
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
