"""The custodian's pool: payments and the suspension (Y-14), gains and the fee (Y-01),
premium subsidies (Y-11), and the half-yearly balance figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riskshare.toolkit import (
    Context,
    Decision,
    Explanation,
    Facts,
    PaymentDecision,
    PaymentView,
    Period,
    ProgramView,
    already_done,
    attach_documents,
    enforce,
    explanations_as_json,
    facts,
    instruct_payment,
    ledger_transfer,
    not_after_today,
    not_found,
    on_effective_date,
    scoped,
    to_money,
)
from riskshare_yanqing.config import money, setting
from riskshare_yanqing.explain import check, explain
from riskshare_yanqing.models import FundEvent, FundState, Subsidy
from riskshare_yanqing.store import fund_state_of, invalid, save, yanqing_program

ZERO = Decimal("0.00")
SUBSIDY_DOCUMENTS = "yanqing_subsidy"
BEGINNING = dt.date(1900, 1, 1)


# ------------------------------------------------------------------------------ suspension


def net_compensation(facts: Facts) -> Decimal:
    """Y-14 interpretation: compensation paid minus recoveries returned to the pool."""
    return facts.paid("compensation") - facts.returned("pool")


def _change_state(
    s: Session,
    program_id: int,
    state: FundState | None,
    suspended: bool,
    day: dt.date,
    cause: str,
    why: Explanation,
) -> None:
    """Record a suspension or resumption on ``day``, caused by a payment being confirmed or
    by money coming into the pool; the fund's state row is made at the first one."""
    if state is None:
        state = FundState(program_id=program_id)
        s.add(state)
    kind = "suspend" if suspended else "resume"
    count = s.execute(
        select(func.count()).where(FundEvent.program_id == state.program_id, FundEvent.kind == kind)
    ).scalar_one()
    recorded = explanations_as_json([why])
    state.suspended, state.changed_on, state.explanation = suspended, day, recorded
    s.add(
        FundEvent(
            program_id=state.program_id,
            kind=kind,
            reference=f"{kind}-{count + 1}",
            year=day.year,
            booked_on=day,
            note=why.en,
            recorded_by=cause,
            explanation=recorded,
        )
    )
    s.flush()


def suspension(
    program: ProgramView, payment: PaymentView, facts: Facts
) -> tuple[list[Explanation], Decimal | None]:
    """Decide, under the program lock, whether compensation is suspended (Y-14), and how much
    of the payment is paid now (None: all of it).

    A suspended fund resumes as soon as money brings the pool back to ``resume_at``
    (``resume_when_back``); a payment that still finds it suspended and back resumes it
    first. The payment that brings net compensation to ``suspend_at`` suspends the next
    ones; under ``threshold_crossing`` = ``pay_in_full`` it is paid in full, under
    ``pay_to_threshold`` only the part up to ``suspend_at`` is paid and the rest waits for
    the restart.
    """
    s = facts.session
    state = fund_state_of(s, program.id)
    suspend_at, resume_at = money(program.config, "suspend_at"), money(program.config, "resume_at")
    balance, net = facts.pool_balance(), net_compensation(facts)
    found = []
    if state is not None and state.suspended:
        why = _restart(balance, resume_at, net, waiting=True)
        found.append(why)
        if not why.passed:
            return found, None
        _change_state(s, program.id, state, False, payment.paid_on, _paying(payment), why)
    after = net + payment.amount
    reaches = after >= suspend_at
    crossing = setting(program.config, "threshold_crossing")
    # Only a payment that starts below the level can stop at it; after a restart that left
    # net compensation at or above it, the next payment is made and suspends again.
    pay_now = (
        suspend_at - net if crossing == "pay_to_threshold" and net < suspend_at < after else None
    )
    if pay_now is not None:
        rest = payment.amount - pay_now
        why = explain(
            "Y-14",
            "paid up to the threshold",
            f"累计代偿（扣除追偿返还）{net} 元，本笔 {payment.amount} 元将超过 {suspend_at}"
            f" 元：按付至门槛的规定，本次支付 {pay_now} 元，其余 {rest} 元待重启代偿后支付；"
            "此后暂停代偿。",
            f"Net compensation {net}; this payment of {payment.amount} would pass {suspend_at}."
            f" Paid up to the threshold (threshold_crossing = pay_to_threshold): {pay_now} now,"
            f" the other {rest} waits for the restart; compensation is suspended after it.",
            threshold=suspend_at,
            net_compensation=net,
            amount=payment.amount,
            paid_now=pay_now,
            queued=rest,
            threshold_crossing=crossing,
        )
    else:
        why = explain(
            "Y-14",
            "suspends after this payment" if reaches else "paid",
            f"累计代偿（扣除追偿返还）{net} 元，本笔 {payment.amount} 元后为 {after} 元，"
            + (
                f"达到 {suspend_at} 元，本笔全额支付，此后暂停代偿。"
                if reaches
                else f"未达 {suspend_at} 元。"
            ),
            f"Net compensation {net}, {after} after this payment of {payment.amount}"
            + (
                f"; it reaches {suspend_at}: paid in full, and compensation is suspended after it."
                if reaches
                else f"; below {suspend_at}."
            ),
            threshold=suspend_at,
            net_compensation=net,
            amount=payment.amount,
            threshold_crossing=crossing,
        )
    found.append(why)
    if reaches:
        _change_state(s, program.id, state, True, payment.paid_on, _paying(payment), why)
    return found, pay_now


def _paying(payment: PaymentView) -> str:
    return f"payment of {payment.kind} on claim {payment.claim_id}"


def _restart(balance: Decimal, resume_at: Decimal, net: Decimal, *, waiting: bool) -> Explanation:
    """Y-14: whether a suspended fund is back at the restart level (重启代偿)."""
    back = balance >= resume_at
    return check(
        "Y-14",
        back,
        f"代偿已暂停；资金池 {balance} 元，"
        + (
            "已达重启规模，重启代偿。"
            if back
            else f"达到 {resume_at} 元后重启" + ("，本笔待付。" if waiting else "。")
        ),
        f"Compensation is suspended; the pool holds {balance}"
        + (
            ", back at the restart level: resumed."
            if back
            else f", it restarts at {resume_at}" + ("; this payment waits." if waiting else ".")
        ),
        threshold=resume_at,
        pool_balance=balance,
        net_compensation=net,
    )


def resume_when_back(program: ProgramView, day: dt.date, cause: str, facts: Facts) -> bool:
    """Y-14: money came into the pool (a recovery returned, a gain, an appropriation): a
    suspended fund that is back at ``resume_at`` is resumed at once, so the fund state and
    monitoring say so before anyone tries to pay. Under the program's lock, which every
    caller holds. True when it resumed."""
    s = facts.session
    state = fund_state_of(s, program.id)
    if state is None or not state.suspended:
        return False
    resume_at = money(program.config, "resume_at")
    why = _restart(facts.pool_balance(), resume_at, net_compensation(facts), waiting=False)
    if why.passed:
        _change_state(s, program.id, state, False, day, cause, why)
    return why.passed


def check_payment(program: ProgramView, payment: PaymentView, facts: Facts) -> Decision:
    # The payee's cooperation and bans the core checks itself (cited Y-16 through cites).
    explanations: list[Explanation] = []
    balance = facts.pool_balance()
    explanations.append(
        check(
            "Y-01",
            payment.amount <= balance,
            f"资金托管机构按通知从资金池支付 {payment.amount} 元，池内余额 {balance} 元。",
            f"The custodian pays {payment.amount} from the pool, which holds {balance}.",
            threshold=balance,
            amount=payment.amount,
            kind=payment.kind,
        )
    )
    # Only compensation (代偿) is suspended; premium subsidies are not part of it.
    pay_now = None
    if payment.kind == "compensation" and all(e.passed for e in explanations):
        found, pay_now = suspension(program, payment, facts)
        explanations.extend(found)
    return PaymentDecision(all(e.passed for e in explanations), explanations, pay_now)


# ------------------------------------------------------------------------------ gains and fee


def record_gain(ctx: Context, program_id: int, data: dict[str, Any]) -> FundEvent:
    """Y-01: the custodian's investment gains go into the pool.

    Under the program's lock: one gain per reference (a repeat is a 409 naming the first),
    and none booked in a year whose fee is settled (the fee is that year's gains × the rate).
    ``effective_on`` dates the action; ``booked_on``, the gain's own date (default: the
    action's), is neither after it nor before the program's start.
    """
    pview = yanqing_program(ctx, program_id, lock=True)
    start = pview.effective_from
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=start, previous="the program's start"
    )
    if data["amount"] <= ZERO:
        raise invalid("Gains are positive amounts.", "/amount", "must be > 0")
    booked = data.get("booked_on") or ctx.today
    not_after_today(ctx, booked, "/booked_on")
    if booked < start:
        raise invalid(
            f"booked_on {booked} is before the program's start ({start}).",
            "/booked_on",
            "before the program",
        )
    _refuse_repeat(_first_event(ctx, program_id, "gain", data["reference"]))
    fee = _first_event(ctx, program_id, "fee", str(booked.year))
    if fee is not None:
        raise already_done(
            f"The custodian fee for {booked.year} was settled on {fee.booked_on} (event"
            f" {fee.id}) on that year's gains; a gain booked in {booked.year} would change it.",
            fund_event_id=fee.id,
        )
    why = explain(
        "Y-01",
        str(data["amount"]),
        f"资金托管机构增值收益 {data['amount']} 元存入风险资金池。",
        f"The custodian's investment gain of {data['amount']} goes into the pool.",
        reference=data["reference"],
    )
    event = _fund_event(ctx, program_id, "gain", data["reference"], booked, data["amount"], why)
    ledger_transfer(
        ctx.session,
        program_id=program_id,
        source_key=f"yanqing:gain:{event.id}",
        kind="investment_gain",
        booked_on=booked,
        memo=f"investment gain {data['reference']}"[:300],
        debit="fund:pool",
        credit="fund:gains",
        amount=data["amount"],
    )
    resume_when_back(
        pview, ctx.today, f"investment gain {data['reference']}", facts(ctx, program_id)
    )
    return event


def _fund_event(
    ctx: Context,
    program_id: int,
    kind: str,
    reference: str,
    booked: dt.date,
    amount: Decimal | None,
    why: Explanation,
    note: str = "",
    *,
    rate: Decimal | None = None,
) -> FundEvent:
    """A new event of the pool, unless one of its kind and reference exists (checked under
    the program's lock, which every caller takes; the unique key backs it)."""
    _refuse_repeat(_first_event(ctx, program_id, kind, reference))
    event = FundEvent(
        program_id=program_id,
        kind=kind,
        reference=reference,
        year=booked.year,
        booked_on=booked,
        amount=amount,
        rate=rate,
        note=note,
        recorded_by=ctx.actor,
        explanation=explanations_as_json([why]),
    )
    return save(ctx, f"yanqing.{kind}", event)


def _first_event(ctx: Context, program_id: int, kind: str, reference: str) -> FundEvent | None:
    return ctx.session.scalar(
        select(FundEvent).where(
            FundEvent.program_id == program_id,
            FundEvent.kind == kind,
            FundEvent.reference == reference,
        )
    )


def _refuse_repeat(first: FundEvent | None) -> None:
    if first is not None:
        raise already_done(
            f"The {first.kind} '{first.reference}' is recorded already: event {first.id},"
            f" booked on {first.booked_on} by {first.recorded_by}.",
            fund_event_id=first.id,
        )


def gains_in_year(s: Session, program_id: int, year: int) -> Decimal:
    total = s.scalar(
        select(func.coalesce(func.sum(FundEvent.amount), 0)).where(
            FundEvent.program_id == program_id, FundEvent.kind == "gain", FundEvent.year == year
        )
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))


def fee_rate(config: Any, asked: Decimal | None) -> Decimal:
    """Y-01: the year's rate, set by the DRC and the finance bureau according to the
    custodian's performance (根据履职情况) within the configured bounds; the program's
    ``custodian_fee_rate`` when they give none. A rate outside the bounds is a 422 naming
    the bound it passes."""
    low, high = Decimal(config["custodian_fee_rate_min"]), Decimal(config["custodian_fee_rate_max"])
    rate = Decimal(config["custodian_fee_rate"]) if asked is None else _plain(asked)
    # The default lies within the text's 15%-20% but a district may narrow the bounds.
    whose = "The fee rate" if asked is not None else "The program's custodian_fee_rate"
    for passes, side, key, bound in (
        (rate < low, "below the lowest", "custodian_fee_rate_min", low),
        (rate > high, "above the highest", "custodian_fee_rate_max", high),
    ):
        if passes:
            raise invalid(
                f"{whose} {rate} is {side} rate the program allows, {key} = {bound}; give a"
                f" rate from {low} to {high}.",
                "/rate",
                f"{side.split()[0]} {key} {bound}",
            )
    return rate


def _plain(rate: Decimal) -> Decimal:
    """A rate as people write it: 0.175, 0.20 (the API reads ratios to six places)."""
    short = rate.normalize()
    return short if short != short.quantize(Decimal("0.01")) else rate.quantize(Decimal("0.01"))


def settle_fee(ctx: Context, program_id: int, data: dict[str, Any]) -> FundEvent:
    """Y-01: after the year, the custodian's fee = the year's gains × the year's rate, from
    the pool; the DRC and the finance bureau set the rate (``rate``, within the configured
    bounds) according to the custodian's performance (``performance``, recorded with it).

    Under the program's lock: once a year (a repeat is a 409 naming the first), dated
    (``effective_on``) after the year's end.
    """
    year = data["year"]
    pview = yanqing_program(ctx, program_id, lock=True)
    rate = fee_rate(pview.config, data.get("rate"))
    ctx = on_effective_date(
        ctx,
        data.get("effective_on"),
        not_before=dt.date(year + 1, 1, 1),
        previous=f"the end of {year}",
    )
    if ctx.today.year <= year:
        raise invalid(
            f"The fee for {year} is settled after the year ends.", "/year", "year not over"
        )
    gains = gains_in_year(ctx.session, program_id, year)
    fee = to_money(gains * rate) if gains > ZERO else ZERO
    performance = data["performance"]
    why = explain(
        "Y-01",
        str(fee),
        f"区发展改革委、区财政局根据资金托管机构履职情况（{performance}）确定 {year} 年管理费率"
        f" {rate}；{year} 年增值收益 {gains} 元 × {rate} = 年度管理费 {fee} 元，从资金池支付"
        + ("；当年无增值，不付管理费。" if gains <= ZERO else "。"),
        f"The DRC and the finance bureau set the {year} fee rate at {rate} on the custodian's"
        f" performance ({performance}); {year} gains {gains} × {rate} = custodian fee {fee},"
        " paid from the pool" + ("; no gains that year, so no fee." if gains <= ZERO else "."),
        threshold=rate,
        gains=gains,
        rate=rate,
        bounds=[pview.config["custodian_fee_rate_min"], pview.config["custodian_fee_rate_max"]],
        performance=performance,
    )
    event = _fund_event(
        ctx, program_id, "fee", str(year), ctx.today, fee, why, performance, rate=rate
    )
    if fee > ZERO:
        ledger_transfer(
            ctx.session,
            program_id=program_id,
            source_key=f"yanqing:fee:{year}",
            kind="custodian_fee",
            booked_on=ctx.today,
            memo=f"custodian fee {year} at {rate}",
            debit="fund:fees",
            credit="fund:pool",
            amount=fee,
        )
    return event


# ------------------------------------------------------------------------------ subsidies


def get_subsidy(ctx: Context, subsidy_id: int) -> Subsidy:
    """A premium subsidy the caller sees, or 404: the DRC's and the finance bureau's staff
    see all; a custodian those of the program it is the custodian of (Y-01)."""
    query = scoped(ctx, select(Subsidy).where(Subsidy.id == subsidy_id), Subsidy.program_id)
    subsidy = ctx.session.scalar(query)
    if subsidy is None:
        raise not_found("premium subsidy", subsidy_id)
    return subsidy


def grant_subsidy(ctx: Context, program_id: int, data: dict[str, Any]) -> Subsidy:
    """Y-11: on the firm's application the DRC notifies the custodian to pay 50% of the premium.

    Under the program's lock: one subsidy per loan (a repeat is a 409 naming the first; the
    unique key backs it), dated (``effective_on``) no earlier than the loan's issue. The
    custodian then pays it by confirming the payment (``/disbursements/{id}/confirm``).
    """
    pview = yanqing_program(ctx, program_id, lock=True)
    loan = facts(ctx, program_id).loan_or_none(data["loan_id"])
    if loan is None or loan.program_id != program_id:
        raise invalid(
            f"There is no loan {data['loan_id']} in this program.", "/loan_id", "unknown loan"
        )
    first = ctx.session.scalar(select(Subsidy).where(Subsidy.loan_id == loan.id))
    if first is not None:
        raise already_done(
            f"The premium of this loan was subsidised already: subsidy {first.id} of"
            f" {first.amount}, noticed on {first.noticed_on} (payment {first.disbursement_id}).",
            subsidy_id=first.id,
        )
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=loan.issue_date, previous="the loan's issue"
    )
    kinds = {d["kind"] for d in data["documents"]}
    required = pview.config["subsidy_documents"]
    missing = [k for k in required if k not in kinds]
    checks = [
        check(
            "Y-11",
            loan.kind == "insured" and bool(loan.covered),
            f"贷款种类 {loan.kind}，{'已' if loan.covered else '未'}纳入风险补偿；"
            "保费补贴仅限保险贷款。",
            f"The loan is {loan.kind} and {'covered' if loan.covered else 'not covered'};"
            " premium subsidies are for covered insured loans.",
            kind=loan.kind,
            covered=loan.covered,
        ),
        check(
            "Y-11",
            not missing,
            f"申请材料缺少：{'、'.join(missing) or '无'}。",
            f"Missing documents: {', '.join(missing) or 'none'}.",
            threshold=list(required),
            documents=sorted(kinds),
        ),
    ]
    enforce(Decision(all(c.passed for c in checks), checks))
    rate = Decimal(pview.config["premium_subsidy_rate"])
    amount = to_money(data["premium"] * rate)
    checks.append(
        explain(
            "Y-11",
            str(amount),
            f"保费 {data['premium']} 元 × 补贴比例 {rate} = {amount} 元，由资金托管机构拨付企业。",
            f"Premium {data['premium']} × {rate} = {amount}, paid to the firm by the custodian.",
            threshold=rate,
            premium=data["premium"],
        )
    )
    disbursement = instruct_payment(
        ctx,
        pview,
        kind="premium_subsidy",
        amount=amount,
        source_key=f"yanqing:subsidy:{loan.id}",
        memo=f"premium subsidy, loan {loan.reference}",
        payee_firm_id=loan.firm_id,
    )
    subsidy = Subsidy(
        program_id=program_id,
        loan_id=loan.id,
        firm_id=loan.firm_id,
        premium=data["premium"],
        rate=rate,
        amount=amount,
        disbursement_id=disbursement.id,
        noticed_by=ctx.actor,
        noticed_on=ctx.today,
        explanation=explanations_as_json(checks),
    )
    save(ctx, "yanqing.subsidy", subsidy)
    attach_documents(ctx, SUBSIDY_DOCUMENTS, subsidy.id, data["documents"])
    return subsidy


# ------------------------------------------------------------------------------ reporting


def state_summary(ctx: Context, program_id: int) -> dict[str, Any]:
    pview = yanqing_program(ctx, program_id)
    f = facts(ctx, program_id)
    state = fund_state_of(ctx.session, program_id)
    return {
        "program_id": program_id,
        "suspended": bool(state and state.suspended),
        "changed_on": state.changed_on if state else None,
        "net_compensation": net_compensation(f),
        "pool_balance": f.pool_balance(),
        "suspend_at": money(pview.config, "suspend_at"),
        "resume_at": money(pview.config, "resume_at"),
        "explanation": state.explanation if state else [],
    }


def balance_rows(facts: Facts, period: Period) -> list[dict[str, Any]]:
    """Y-01: the half-yearly report on the pool's changes, from the ledger."""
    start, end = period.start, period.end
    return [
        {
            "period": period.label,
            "opening_pool": facts.pool_balance(on=period.start - dt.timedelta(days=1)),
            "appropriated": facts.appropriated(start=start, end=end),
            "investment_gains": facts.credits("fund:gains", start=start, end=end),
            "custodian_fees": facts.debits("fund:fees", start=start, end=end),
            "compensation_paid": facts.paid("compensation", start=start, end=end),
            "premium_subsidies_paid": facts.paid("premium_subsidy", start=start, end=end),
            "recoveries_returned": facts.returned("pool", start=start, end=end),
            "closing_pool": facts.pool_balance(on=period.end),
        }
    ]
