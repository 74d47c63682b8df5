"""Firm and loan eligibility: Y-02 … Y-05, Y-09 … Y-11, Y-17.

Shared by the recommendation (checked when a department recommends a firm) and the loan
coverage decision (checked again when the loan is registered), so both cite the same rules
with the same figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskshare.toolkit import Explanation, Facts, FirmView, LoanView, labels, registered_in
from riskshare_yanqing.config import DOCUMENTS_ZH, FOCUS_SECTORS_ZH, money
from riskshare_yanqing.explain import check
from riskshare_yanqing.models import Recommendation
from riskshare_yanqing.store import as_list


def registered_in_district(config: Any, firm: FirmView) -> Explanation:
    """Y-02 在我区登记注册: by the credit code's division (110119, or 110229 from before 2015)
    or by the recorded registered address; the explanation says which basis applied."""
    place = registered_in(
        firm,
        divisions=config["district_codes"],
        address_markers=config["registered_address_markers"],
        place_zh="延庆区",
        place_en="Yanqing",
    )
    return check(
        "Y-02",
        place.inside,
        f"{place.zh}。",
        f"The firm is {place.en}.",
        threshold={
            "district_codes": list(config["district_codes"]),
            "registered_address_markers": list(config["registered_address_markers"]),
        },
        uscc=firm.uscc,
        **place.inputs(),
    )


def in_existence(config: Any, firm: FirmView) -> Explanation:
    """Y-02 有效存续、具有具体经营项目: a cancelled (注销) or revoked (吊销) firm is refused, and
    so is one without a business scope recorded (unless ``missing_business_scope`` is
    ``flag``)."""
    active = firm.registration_status == "active"
    scope = (firm.business_scope or "").strip()
    flag_only = config["missing_business_scope"] == "flag"
    ok = active and (bool(scope) or flag_only)
    status_zh = labels.registration_status_zh(firm.registration_status)
    if scope:
        scope_zh, scope_en = "已记录经营范围（具体经营项目）", "its business scope is recorded"
    else:
        scope_zh = "未记录经营范围，无具体经营项目" + ("（仅作提示）" if flag_only else "")
        scope_en = "no business scope is recorded" + (" (flagged only)" if flag_only else "")
    return check(
        "Y-02",
        ok,
        f"企业登记状态为{status_zh}，{'有效存续' if active else '不属有效存续'}；{scope_zh}。",
        f"The firm's registration is {firm.registration_status}"
        f" ({'in force' if active else 'not in force'}); {scope_en}.",
        threshold={"registration_status": "active", "business_scope": "recorded"},
        registration_status=firm.registration_status,
        business_scope=firm.business_scope,
    )


def sme_size(config: Any, firm: FirmView) -> Explanation:
    ok = firm.size_class in config["accepted_sizes"]
    return check(
        "Y-02",
        ok,
        f"企业划型为{labels.size_zh(firm.size_class)}企业（中小企业划型标准），"
        f"支持{labels.sizes_zh(list(config['accepted_sizes']))}企业。",
        f"The firm is {firm.size_class} (N-1); accepted: {', '.join(config['accepted_sizes'])}.",
        threshold=list(config["accepted_sizes"]),
        size_class=firm.size_class,
    )


# Y-02 违法、违规、失信等不良信用记录, of the firm or of its actual controller (实际控制人).
CREDIT_ENTRY_KINDS = {"illegal": "违法", "irregular": "违规", "dishonest": "失信"}
CREDIT_SUBJECTS = {"firm": "企业", "controller": "实际控制人"}


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def clean_record(config: Any, record: dict[str, Any], applied_on: dt.date) -> Explanation:
    """Y-02 两年无不良信用记录: a bad-credit entry of the firm or its actual controller dated
    within ``clean_record_years`` before the application refuses it; one dated on or before
    the same day that many years earlier is older and does not."""
    years = config["clean_record_years"]
    since = years_before(applied_on, years)
    entries = sorted(record.get("entries", []), key=lambda e: str(e["dated"]))
    within = [e for e in entries if dt.date.fromisoformat(str(e["dated"])) > since]
    older = len(entries) - len(within)
    ok = not within
    listed_zh = "；".join(
        f"{CREDIT_SUBJECTS.get(e['subject'], e['subject'])}于 {e['dated']} 有"
        f"{CREDIT_ENTRY_KINDS.get(e['kind'], e['kind'])}记录"
        for e in within
    )
    listed_en = "; ".join(f"{e['subject']}: {e['kind']} on {e['dated']}" for e in within)
    older_zh = f"另有 {older} 条记录早于 {since}（含），已满 {years} 年，不影响。" if older else ""
    older_en = f" {older} older record(s), dated on or before {since}, do not count."
    if not older:
        older_en = ""
    return check(
        "Y-02",
        ok,
        (
            f"企业及其实际控制人在 {since} 之后（申请日 {applied_on} 前 {years} 年内）"
            + ("无违法、违规、失信等不良信用记录。" if ok else f"有不良信用记录：{listed_zh}。")
            + older_zh
        ),
        (
            f"In the {years} years before the application on {applied_on} (after {since}) the"
            " firm and its actual controller have "
            + ("no illegal, irregular or bad-credit record." if ok else f"records: {listed_en}.")
            + older_en
        ),
        threshold=years,
        applied_on=applied_on,
        since=since,
        controller=record.get("controller"),
        entries_within=within,
        entries_older=older,
    )


def focus_sector(config: Any, sector: str | None) -> Explanation:
    inside = sector in config["focus_sectors"]
    ok = inside or not config["require_focus_sector"]
    return check(
        "Y-02",
        ok,
        f"所属领域：{FOCUS_SECTORS_ZH.get(sector or '', sector or '未填')}，"
        f"{'属于' if inside else '不属于'}重点支持领域"
        f"{'' if config['require_focus_sector'] else '（仅作记录）'}。",
        f"Sector {sector or 'not given'} is {'a' if inside else 'not a'} focus sector"
        f"{'' if config['require_focus_sector'] else ' (recorded, not required)'}.",
        threshold=list(config["focus_sectors"]),
        focus_sector=sector,
    )


def documents(config: Any, kinds: set[str]) -> Explanation:
    missing = [k for k in config["required_documents"] if k not in kinds]
    return check(
        "Y-03",
        not missing,
        f"推荐资料缺少：{'、'.join(DOCUMENTS_ZH.get(k, k) for k in missing) or '无'}。",
        f"Missing documents: {', '.join(missing) or 'none'}.",
        threshold=list(config["required_documents"]),
        documents=sorted(kinds),
    )


def financing_cap(config: Any, amount: Decimal, what: str = "financing need") -> Explanation:
    cap = money(config, "financing_cap")
    ok = amount <= cap
    return check(
        "Y-04",
        ok,
        f"融资金额 {amount} 元，上限 {cap} 元（含）。",
        f"The {what} is {amount}; the cap is {cap}, inclusive.",
        threshold=cap,
        amount=amount,
    )


def not_banned(facts: Facts, firm: FirmView, on: Any) -> Explanation:
    """Y-17: a firm barred, or whose legal representative (法定代表人) represented a firm when
    it was barred, gets no recommendation or covered loan while the ban lasts."""
    bans = facts.bans_covering(firm, on)
    said_zh, said_en = [], []
    for ban in bans:
        until_zh = f"至 {ban.ends_on}（不含）" if ban.ends_on else "，长期"
        until_en = f"until {ban.ends_on} (exclusive)" if ban.ends_on else "for good"
        if ban.subject_type == "firm" and ban.subject_id == firm.id:
            said_zh.append(f"企业自 {ban.starts_on} 起被禁止{until_zh}（{ban.reason}）")
            said_en.append(f"the firm is barred from {ban.starts_on} {until_en} ({ban.reason})")
        else:
            other = facts.firm_or_none(ban.subject_id)
            name = other.name if other else str(ban.subject_id)
            said_zh.append(
                f"其法定代表人在任的企业 {name} 自 {ban.starts_on} 起被禁止{until_zh}"
                f"（{ban.reason}），禁止及于其法定代表人"
            )
            said_en.append(
                f"its legal representative represented {name} when that firm was barred from"
                f" {ban.starts_on} {until_en} ({ban.reason}); the ban covers the legal"
                " representative"
            )
    return check(
        "Y-17",
        not bans,
        "；".join(said_zh) + "。" if bans else "企业及其法定代表人不在失信禁止期内。",
        _sentence("; ".join(said_en))
        if bans
        else "Neither the firm nor its legal representative is barred.",
        firm=firm.uscc,
        legal_representative_id=firm.legal_representative_id,
        bans=[ban.id for ban in bans],
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _relations(rec: Recommendation | None) -> set[str]:
    """The affiliates and shareholders a recommendation names."""
    if rec is None:
        return set()
    return set(as_list(rec.affiliates)) | set(as_list(rec.shareholders))


def one_loan_ever(
    s: Session,
    facts: Facts,
    firm: FirmView,
    mine: Recommendation | None,
    loan_id: int | None = None,
) -> Explanation:
    """Y-05: one covered loan per firm, ever; none afterwards for its affiliates/shareholders.

    ``loan_id``: the loan being decided, when it is registered already (its coverage decided
    again after a correction): its own earlier decision does not count against it.
    """
    own = [
        loan.reference for loan in facts.firm_loans(firm.id) if loan.covered and loan.id != loan_id
    ]
    ours = _relations(mine)
    others = s.scalars(select(Recommendation).where(Recommendation.firm_id != firm.id))
    related = sorted(
        {
            other.firm_uscc
            for other in others
            if (firm.uscc in _relations(other) or other.firm_uscc in ours)
            and any(loan.covered for loan in facts.firm_loans(other.firm_id))
        }
    )
    ok = not own and not related
    return check(
        "Y-05",
        ok,
        f"企业已获贷款：{'、'.join(own) or '无'}；已获贷款的关联企业或股东："
        f"{'、'.join(related) or '无'}。",
        f"Loans the firm already obtained: {', '.join(own) or 'none'}; affiliated firms or"
        f" shareholders that obtained one: {', '.join(related) or 'none'}.",
        threshold=1,
        own_loans=own,
        related_financed=related,
    )


def lender_share(loan: LoanView) -> Decimal | None:
    """The lender's share of a guaranteed loan's compensation, by the agreement (Y-10)."""
    raw = loan.attributes.get("lender_share")
    try:
        share = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return share if Decimal(0) <= share <= Decimal(1) else None


def channel(config: Any, loan: LoanView) -> Explanation:
    """Y-09 bank loans, Y-10 guaranteed loans (with the agreed split), Y-11 insured loans."""
    if loan.kind == "guaranteed":
        share = lender_share(loan)
        ok = loan.guarantor_id is not None and share is not None
        return check(
            "Y-10",
            ok,
            f"担保贷款须有担保公司及约定的银担分担比例（银行 {share}）。",
            f"A guaranteed loan needs its guarantee company and the agreed split (lender share"
            f" {share}); attributes.lender_share is a ratio between 0 and 1.",
            kind=loan.kind,
            lender_share=share,
        )
    if loan.kind == "insured":
        ok = loan.insurer_id is not None
        return check(
            "Y-11",
            ok,
            "保险贷款须有承保的保险公司。",
            "An insured loan needs the insurance company that insures it.",
            kind=loan.kind,
        )
    ok = loan.kind in config["bank_loan_kinds"]
    return check(
        "Y-09",
        ok,
        f"贷款种类为{labels.kind_zh(loan.kind)}，银行直接贷款种类为"
        f"{'、'.join(labels.kind_zh(k) for k in config['bank_loan_kinds'])}。",
        f"Loan kind {loan.kind}; bank loan kinds are {', '.join(config['bank_loan_kinds'])}.",
        threshold=list(config["bank_loan_kinds"]),
        kind=loan.kind,
    )
