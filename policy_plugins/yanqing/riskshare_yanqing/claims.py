"""Loan coverage, claim eligibility and the compensation amount (Y-04 … Y-13, Y-16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from riskshare.toolkit import (
    ClaimView,
    Compensation,
    Decision,
    Explanation,
    Facts,
    FirmView,
    LoanView,
    ProgramView,
    Share,
    WriteOffDecision,
    WriteOffView,
    labels,
    largest_remainder,
    to_money,
)
from riskshare_yanqing import eligibility
from riskshare_yanqing.config import grade_ratio, grade_zh, setting
from riskshare_yanqing.explain import check, explain
from riskshare_yanqing.grading import seats
from riskshare_yanqing.models import Penalty, Recommendation
from riskshare_yanqing.store import recommendation_of

GRADED_STATES = ("graded", "pushed")


def graded(rec: Recommendation | None) -> Explanation:
    ok = rec is not None and rec.state in GRADED_STATES and rec.grade_effective_on is not None
    grade = rec.grade if rec else None
    return check(
        "Y-07",
        ok,
        f"企业风险等级：{grade_zh(grade)}"
        + ("（已生效）。" if ok else "；须经推荐、联审评级（高等级须区政府同意）后方可贷款。"),
        f"Risk grade: {grade or 'none'}"
        + (
            " (in effect)."
            if ok
            else "; a firm needs a grade in effect (recommended, jointly"
            " reviewed, and for high grades approved by the district) before its loan."
        ),
        grade=grade,
        state=rec.state if rec else None,
    )


def pushed(config: Any, rec: Recommendation | None, loan: LoanView) -> Explanation:
    parties = [i for i in (loan.lender_id, loan.guarantor_id) if i is not None]
    targets = list(rec.pushed_to) if rec else []
    ok = not config["require_push"] or any(i in targets for i in parties)
    return check(
        "Y-08",
        ok,
        "区发展改革委已向该贷款的银行或担保公司推送企业。"
        if ok
        else "企业未被推送至该银行或担保公司。",
        "The DRC pushed the firm to this loan's bank or guarantee company."
        if ok
        else "The firm was not pushed to this loan's bank or guarantee company.",
        pushed_to=targets,
        parties=parties,
    )


def on_trial(program: ProgramView, loan: LoanView) -> Explanation:
    """Y-18: the scheme is on trial for three years; the program's window is that trial."""
    start, end = program.effective_from, program.effective_to
    ok = start <= loan.issue_date <= end
    return check(
        "Y-18",
        ok,
        f"贷款发放日 {loan.issue_date}，本方案试行期 {start} 至 {end}（含）。",
        f"Issued {loan.issue_date}; {program.code} is on trial from {start} to {end}, inclusive.",
        threshold=[start, end],
        issue_date=loan.issue_date,
    )


def coverage(
    program: ProgramView,
    loan: LoanView,
    firm: FirmView,
    facts: Facts,
) -> Decision:
    config = program.config
    s = facts.session
    rec = recommendation_of(s, program.id, firm.id)
    checks = [
        on_trial(program, loan),
        graded(rec),
        pushed(config, rec, loan),
        # Y-02 again at the loan: the firm may have moved, been cancelled or revoked since
        # its recommendation.
        eligibility.registered_in_district(config, firm),
        eligibility.in_existence(config, firm),
        eligibility.sme_size(config, firm),
        eligibility.financing_cap(config, loan.principal, "principal"),
        eligibility.one_loan_ever(s, facts, firm, rec, loan_id=loan.id),
        eligibility.not_banned(facts, firm, loan.issue_date),
        eligibility.channel(config, loan),
    ]
    return Decision(all(c.passed for c in checks), checks)


def _claimant(config: Any, loan: LoanView, claim: ClaimView) -> Explanation:
    """Y-09 … Y-11: who is compensated depends on the channel."""
    by_lender = claim.institution_id == loan.lender_id
    if loan.kind == "guaranteed":
        rule, ok = "Y-10", claim.institution_id == loan.guarantor_id
        zh = "担保贷款的代偿资金补贴给担保公司，由其按约定比例与银行分担。"
        en = "On a guaranteed loan the guarantee company claims, and shares with the lender."
    elif loan.kind == "insured" and not config["insured_loans_compensated"]:
        rule, ok = "Y-11", False
        zh = "保险贷款由风险补偿资金补贴保费，不予代偿。"
        en = "Insured loans are supported by the premium subsidy, not compensated."
    elif loan.kind == "insured":
        rule, ok = "Y-11", by_lender
        zh, en = "保险贷款由贷款银行申请代偿。", "On an insured loan the lender claims."
    else:
        rule, ok = "Y-09", by_lender
        zh, en = "银行直接贷款的代偿资金补贴给银行。", "On a bank loan the bank claims."
    return check(rule, ok, zh, en, claimant=claim.institution_id)


def claim_eligibility(
    program: ProgramView, loan: LoanView, claim: ClaimView, facts: Facts
) -> Decision:
    npl = check(
        "Y-12",
        loan.non_performing,
        f"贷款五级分类为{labels.classification_zh(loan.classification)}，须为不良贷款方可申请代偿。",
        f"The loan is {loan.classification}; only non-performing loans (N-3) are compensated.",
        classification=loan.classification,
    )
    checks = [npl, _claimant(program.config, loan, claim), _recovery_statement(claim, facts)]
    return Decision(all(c.passed for c in checks), checks)


def _recovery_statement(claim: ClaimView, facts: Facts) -> Explanation:
    """Y-13: each new claim states how recovery on the earlier compensated loans went."""
    earlier = facts.paid("compensation", institution_id=claim.institution_id)
    statement = str(claim.attributes.get("recovery_statement") or "").strip()
    stated = bool(statement) or "recovery_statement" in claim.document_kinds
    ok = earlier <= 0 or stated
    return check(
        "Y-13",
        ok,
        f"该机构已获代偿 {earlier} 元；新申请须书面说明已代偿项目的追偿情况："
        f"{'已说明' if stated else '未说明'}。",
        f"The institution was compensated {earlier} before; a new claim states the recovery"
        f" on those loans (attributes.recovery_statement): {'given' if stated else 'missing'}.",
        compensated_before=earlier,
        statement=statement or None,
    )


def required_reviews(program: ProgramView, claim: ClaimView, facts: Facts) -> list[str]:
    """Y-12 各笔不良贷款风险等级评定单位联审: the units that graded the claim's firm review it,
    each seat of that firm's joint review through the role ``claim_review_roles`` names."""
    loan = facts.loan(claim.loan_id)
    rec = recommendation_of(facts.session, program.id, loan.firm_id)
    graded_by = seats(program.config, rec) if rec else list(program.config["panel_seats"])
    roles = setting(program.config, "claim_review_roles")
    return list(dict.fromkeys(roles[seat] for seat in graded_by))


def lowered_ratio(s: Any, program_id: int, claim: ClaimView) -> Penalty | None:
    """Y-16: the strictest ratio cap decided against the claimant before the claim's day
    (claims submitted on the day of the decision keep the ratio they were made under)."""
    return s.scalar(
        select(Penalty)
        .where(
            Penalty.program_id == program_id,
            Penalty.institution_id == claim.institution_id,
            Penalty.measure == "lower_ratio",
            Penalty.decided_on < claim.submitted_on,
        )
        .order_by(Penalty.max_ratio, Penalty.id)
        .limit(1)
    )


def _split(loan: LoanView, amount: Decimal) -> tuple[list[Share], Explanation] | None:
    """Y-10: a guaranteed loan's compensation is paid to the guarantee company, which shares
    it with the lender by their agreed split; each part is recorded as the share the
    institution bears, to the fen, adding up to the amount (largest remainder)."""
    share = eligibility.lender_share(loan)
    if loan.kind != "guaranteed" or share is None or loan.guarantor_id is None:
        return None
    to_guarantor, to_lender = largest_remainder(amount, [1 - share, share])
    shares = [
        Share(loan.guarantor_id, "guarantor", to_guarantor),
        Share(loan.lender_id, "lender", to_lender),
    ]
    why = explain(
        "Y-10",
        f"{1 - share}:{share}",
        f"代偿 {amount} 元付担保公司，按其与银行商定的风险分担比例分配：担保公司承担"
        f" {to_guarantor} 元，银行承担 {to_lender} 元。",
        f"{amount} is paid to the guarantee company and shared by the split it agreed with the"
        f" lender: the guarantee company bears {to_guarantor}, the lender bears {to_lender}.",
        threshold=share,
        guarantor_share=to_guarantor,
        lender_share=to_lender,
    )
    return shares, why


def compensation(
    program: ProgramView, loan: LoanView, claim: ClaimView, facts: Facts
) -> Compensation:
    """Y-12: non-performing principal × the firm's grade ratio (lowered by a Y-16 penalty)."""
    s = facts.session
    rec = recommendation_of(s, program.id, loan.firm_id)
    grade = rec.grade if rec and rec.grade_effective_on else None
    ratio = grade_ratio(program.config, grade) if grade else Decimal("0")
    base = claim.claimed_principal
    explanations = []
    penalty = lowered_ratio(s, program.id, claim)
    if penalty is not None and penalty.max_ratio is not None and penalty.max_ratio < ratio:
        explanations.append(
            explain(
                "Y-16",
                str(penalty.max_ratio),
                f"因 {penalty.reason}，该机构代偿比例降至 {penalty.max_ratio}。",
                f"The institution's ratio is lowered to {penalty.max_ratio}: {penalty.reason}.",
                threshold=penalty.max_ratio,
                grade_ratio=ratio,
                penalty=penalty.id,
            )
        )
        ratio = penalty.max_ratio
    amount = to_money(base * ratio)
    explanations.insert(
        0,
        explain(
            "Y-12",
            str(amount),
            f"不良贷款本金 {base} 元 × 风险等级{grade_zh(grade)}的代偿比例 {ratio} = {amount} 元。",
            f"Non-performing principal {base} × the ratio {ratio} of grade {grade or 'none'}"
            f" = {amount}.",
            threshold=ratio,
            claimed_principal=base,
            grade=grade,
        ),
    )
    split = _split(loan, amount)
    if split is None:
        return Compensation(base, ratio, amount, explanations)
    shares, why = split
    return Compensation(base, ratio, amount, [*explanations, why], shares)


# The write-off grounds of Y-13 (config write_off_grounds), as the text names them.
WRITE_OFF_GROUNDS_ZH = {
    "bankruptcy_liquidation": "借款企业破产清算",
    "enforcement_terminated": "诉讼裁定执行终结",
}


def write_off(
    program: ProgramView, loan: LoanView, write_off: WriteOffView, facts: Facts
) -> WriteOffDecision:
    """Y-13: after bankruptcy liquidation or terminated enforcement, the compensation's net
    loss is written off once the lender confirms it and the DRC and finance review it."""
    grounds = program.config["write_off_grounds"]
    on_ground = check(
        "Y-13",
        write_off.ground in grounds,
        f"核销事由：{WRITE_OFF_GROUNDS_ZH.get(write_off.ground or '', write_off.ground or '未填')}"
        "；须为借款企业破产清算或诉讼裁定执行终结。",
        f"Ground: {write_off.ground or 'none'}; a write-off needs one of {', '.join(grounds)}.",
        threshold=list(grounds),
        ground=write_off.ground,
    )
    claims = facts.claims(loan_id=loan.id, states=("paid", "approved"))
    paid = sum((facts.paid(claim_id=c.id) for c in claims), Decimal("0.00"))
    returned = sum((facts.recoveries_due(claim_id=c.id) for c in claims), Decimal("0.00"))
    net = paid - returned
    net_loss = check(
        "Y-13",
        paid > 0,
        f"补偿净损失 = 已代偿 {paid} 元 − 已返还 {returned} 元 = {net} 元"
        + (
            "，经金融机构确认，报区发展改革委、财政局审核后核销。"
            if paid > 0
            else "；未获代偿，无补偿净损失可核销。"
        ),
        f"The compensation's net loss = {paid} paid − {returned} returned = {net}"
        + (
            "; confirmed by the lender, it is written off after the DRC and finance review."
            if paid > 0
            else "; nothing was compensated on this loan, so there is no net loss to write off."
        ),
        threshold=paid,
        net_loss=net,
        stated_net_loss=write_off.net_loss,
    )
    checks = [on_ground, net_loss]
    return WriteOffDecision(
        all(c.passed for c in checks), checks, reviewers=list(program.config["write_off_reviewers"])
    )
