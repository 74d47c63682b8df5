"""Recommendation, pre-screen, joint review, the district's approval and pushes (Y-02 … Y-08)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import false, func, or_, select

from riskshare.toolkit import (
    Context,
    Decision,
    Explanation,
    Problem,
    already_done,
    attach_documents,
    enforce,
    explanations_as_json,
    facts,
    get_or_404,
    jsonable,
    lock_for_change,
    not_found,
    on_effective_date,
    transition,
)
from riskshare_yanqing import eligibility
from riskshare_yanqing.config import grade_zh, seat_zh
from riskshare_yanqing.explain import check, explain
from riskshare_yanqing.models import RECOMMENDATION_STATES, Recommendation, Vote
from riskshare_yanqing.store import (
    as_list,
    invalid,
    quarter_of,
    recommendation_of,
    save,
    yanqing_program,
    year_bounds,
)

RECOMMENDER_KINDS = ("department", "town")
DOCUMENT_OWNER = "yanqing_recommendation"
CHOICES = ("high", "medium", "low", "reject")
# Which delegates may take a seat: the kind of institution they act for (None: government).
SEAT_HOLDERS: dict[str, set[str | None]] = {
    "drc": {None},
    "finance": {None},
    "industry": {None, *RECOMMENDER_KINDS},
    "bank": {"bank"},
    "guarantor": {"guarantor"},
}


def get_recommendation(ctx: Context, rec_id: int, *, lock: bool = False) -> Recommendation:
    """The recommendation (404 for another recommender's); ``lock``: with its program, for a
    step that decides on it, so two simultaneous steps see each other (one vote per seat, the
    high-grade quota)."""
    if lock:
        query = select(Recommendation).where(Recommendation.id == rec_id)
        _, rec = lock_for_change(ctx, query, "recommendation", rec_id)
    else:
        rec = get_or_404(ctx, Recommendation, rec_id, "recommendation")
    if ctx.institution_id is not None and not ctx.session.scalar(
        select(Recommendation.id).where(Recommendation.id == rec.id, _seen_by(ctx))
    ):
        raise not_found("recommendation", rec_id)
    return rec


def _seen_by(ctx: Context) -> Any:
    """The recommendations a caller acting for an institution sees: a recommending
    department or town its own; a joint-review delegate (Y-06) those under review, where it
    holds a seat, and those it voted on — what its seat needs, and nothing else."""
    seen = []
    if "recommender" in ctx.roles:
        seen.append(Recommendation.recommender_id == ctx.institution_id)
    if "panelist" in ctx.roles:
        seen.append(Recommendation.state == "in_review")
        seen.append(
            Recommendation.id.in_(select(Vote.recommendation_id).where(Vote.voter == ctx.actor))
        )
    return or_(*seen) if seen else false()


def _step_on(
    ctx: Context, rec_id: int, data: dict[str, Any]
) -> tuple[Context, Recommendation, Any]:
    """A step on a recommendation: the recommendation locked with its program (first, before
    anything writes), then the step's date: ``effective_on`` or today, never in the future
    nor before the recommendation's latest step. Returns the dated context, the
    recommendation as it stands after the lock, and its program."""
    rec = get_recommendation(ctx, rec_id, lock=True)
    previous = "the recommendation" if rec.state == "recommended" else "its latest step"
    ctx = on_effective_date(
        ctx, data.get("effective_on"), not_before=rec.last_step_on, previous=previous
    )
    return ctx, rec, yanqing_program(ctx, rec.program_id)


def _move(
    ctx: Context,
    rec: Recommendation,
    name: str,
    pview: Any,
    changes: dict[str, Any] | None = None,
) -> None:
    """``transition``, recording the step's date as the recommendation's latest step."""
    changes = {**(changes or {}), "stepped_on": ctx.today}
    transition(ctx, RECOMMENDATION_STATES, rec, name, pview, changes)


def visible_recommendations(ctx: Context, program_id: int) -> Any:
    yanqing_program(ctx, program_id)
    query = (
        select(Recommendation)
        .where(Recommendation.program_id == program_id)
        .order_by(Recommendation.id)
    )
    if ctx.institution_id is not None:
        query = query.where(_seen_by(ctx))
    return query


def recommend(ctx: Context, program_id: int, data: dict[str, Any]) -> Recommendation:
    """Y-02, Y-03: a department or town recommends a firm with the required documents.

    Under the program's lock: one recommendation per firm and program (a second, at the same
    moment or later, is a 409 naming the first), and Y-05 reads the others as committed.
    """
    pview = yanqing_program(ctx, program_id, lock=True)
    ctx = on_effective_date(
        ctx,
        data.get("effective_on"),
        not_before=pview.effective_from,
        previous="the program's start",
    )
    f = facts(ctx, program_id)
    if ctx.institution_id is None:
        raise Problem(403, "Recommendations are made for a department or town.", kind="forbidden")
    recommender = f.institution(ctx.institution_id)
    if recommender.kind not in RECOMMENDER_KINDS:
        raise Problem(
            403,
            f"{recommender.name} is a {recommender.kind}; only industry departments and towns"
            " recommend firms (Y-03).",
            kind="forbidden-institution",
        )
    firm = f.firm_or_none(data["firm_id"])
    if firm is None:
        raise invalid(f"There is no firm {data['firm_id']}.", "/firm_id", "unknown firm")
    _recommends_its_own(recommender, firm)
    first = recommendation_of(ctx.session, program_id, firm.id)
    if first is not None:
        raise already_done(
            f"The firm is recommended to this program already: recommendation {first.id},"
            f" on {first.recommended_on} ({first.state}).",
            recommendation_id=first.id,
        )
    config = pview.config
    rec = Recommendation(
        program_id=program_id,
        firm_id=firm.id,
        firm_uscc=firm.uscc,
        recommender_id=recommender.id,
        recommended_on=ctx.today,
        stepped_on=ctx.today,
        quarter=quarter_of(ctx.today),
        financing_need=data["financing_need"],
        focus_sector=data.get("focus_sector"),
        affiliates=as_list(data.get("affiliates")),
        shareholders=as_list(data.get("shareholders")),
        credit_record=_credit_record(data["credit_record"], ctx.today),
        checks=[],
    )
    kinds = {d["kind"] for d in data["documents"]}
    checks = [
        eligibility.registered_in_district(config, firm),
        eligibility.in_existence(config, firm),
        eligibility.sme_size(config, firm),
        eligibility.clean_record(config, rec.credit_record, rec.recommended_on),
        eligibility.not_banned(f, firm, ctx.today),
        eligibility.focus_sector(config, rec.focus_sector),
        eligibility.documents(config, kinds),
        eligibility.financing_cap(config, rec.financing_need),
        eligibility.one_loan_ever(ctx.session, f, firm, rec),
    ]
    enforce(Decision(all(c.passed for c in checks), checks))
    rec.checks = explanations_as_json(checks)
    save(ctx, "yanqing.recommend", rec)
    attach_documents(ctx, DOCUMENT_OWNER, rec.id, data["documents"])
    return rec


def _recommends_its_own(recommender: Any, firm: Any) -> None:
    """Y-03: each department or town recommends the firms it registered (POST /firms as
    itself), never one another institution or the fund's staff registered: 403 citing the
    rule, naming neither the firm nor who registered it."""
    own = firm.registered_by_institution_id == recommender.id
    if own:
        return
    enforce(
        Decision(
            False,
            [
                check(
                    "Y-03",
                    False,
                    f"{recommender.name} 只能推荐本单位登记的企业；企业 {firm.id} 不是由本单位"
                    "登记的，不予推荐。",
                    f"{recommender.name} recommends only the firms it registered itself; firm"
                    f" {firm.id} was not registered by it, so it cannot recommend it.",
                    recommender=recommender.code,
                    firm_id=firm.id,
                )
            ],
        ),
        status=403,
    )


def _credit_record(record: dict[str, Any], applied_on: Any) -> dict[str, Any]:
    """Y-02: the firm's and its actual controller's bad-credit entries as stored (dates as
    ISO strings); an entry dated after the application is a 422 naming it."""
    for index, entry in enumerate(record["entries"]):
        if entry["dated"] > applied_on:
            raise invalid(
                f"A bad-credit entry is dated {entry['dated']}, after the recommendation"
                f" ({applied_on}).",
                f"/credit_record/entries/{index}/dated",
                "after the recommendation",
            )
    return jsonable(record)


def prescreen(ctx: Context, rec_id: int, data: dict[str, Any]) -> Recommendation:
    """Y-06: the DRC's pre-screen with the banks sends the firm to joint review, or not."""
    ctx, rec, pview = _step_on(ctx, rec_id, data)
    passed = data["decision"] == "pass"
    outcome = explain(
        "Y-06",
        "prescreened" if passed else "screened out",
        f"区发展改革委会同银行风险初筛：{data['opinion']}",
        f"Pre-screen by the DRC with the banks: {data['opinion']}",
        passed=passed,
        guarantor_seat=data["guarantor_seat"],
    )
    _move(
        ctx,
        rec,
        "prescreen" if passed else "screen_out",
        pview,
        {"guarantor_seat": data["guarantor_seat"], "outcome": explanations_as_json([outcome])},
    )
    return rec


def seats(config: Any, rec: Recommendation) -> list[str]:
    required = list(config["panel_seats"])
    if rec.guarantor_seat and "guarantor" not in required:
        required.append("guarantor")
    return required


def joint_outcome(config: Any, votes: dict[str, str]) -> Explanation:
    """Y-06: the veto seat's rejection rejects; otherwise a grade (or rejection) that more
    than half of the votes cast choose wins (少数服从多数); otherwise — a tie, or a split such as
    high, high, low, medium — the deciding seat's vote decides. The result is a grade or
    ``reject``; ``decided_by`` (an input) is ``majority`` or the seat that decided.
    """
    veto, deciding = config["veto_seat"], config["tie_breaker_seat"]
    counts = Counter(votes.values())
    cast = len(votes)
    leader, most = counts.most_common(1)[0]
    if votes.get(veto) == "reject":
        result, decided_by = "reject", veto
        how_zh = f"{seat_zh(veto)}一票否决"
        how_en = f"vetoed by the {veto} delegate"
    elif 2 * most > cast:
        result, decided_by = leader, "majority"
        how_zh = f"少数服从多数：{cast} 票中 {most} 票，过半数"
        how_en = f"by majority: {most} of the {cast} votes cast, more than half"
    else:
        result, decided_by = votes[deciding], deciding
        how_zh = f"{cast} 票中没有任何意见过半数，以{seat_zh(deciding)}的意见为准"
        how_en = (
            f"no choice has more than half of the {cast} votes cast (at most {most}),"
            f" so the {deciding} delegate's vote decides"
        )
    ballots_zh = "，".join(f"{seat_zh(seat)}{grade_zh(g)}" for seat, g in sorted(votes.items()))
    return explain(
        "Y-06",
        result,
        f"联审结果：{grade_zh(result)}（{how_zh}；各方意见：{ballots_zh}）。",
        f"Joint review result: {result} ({how_en}).",
        passed=result != "reject",
        threshold=cast // 2 + 1,
        votes=dict(sorted(votes.items())),
        counts=dict(sorted(counts.items())),
        decided_by=decided_by,
    )


def vote(ctx: Context, rec_id: int, data: dict[str, Any]) -> Recommendation:
    """Y-06: one delegate per seat votes; the last vote decides the round.

    Under the recommendation's lock: one vote per seat and per delegate in a round (a repeat
    is a 409 naming the first vote), and of simultaneous last votes one decides the round.
    """
    ctx, rec, pview = _step_on(ctx, rec_id, data)
    required = seats(pview.config, rec)
    if data["seat"] not in required:
        raise invalid(
            f"The joint review of this firm seats {required}.", "/seat", "not a seat of this review"
        )
    _check_delegate(ctx, rec.program_id, data["seat"])
    ballots = list(
        ctx.session.scalars(
            select(Vote).where(
                Vote.recommendation_id == rec.id, Vote.review_round == rec.review_round
            )
        )
    )
    round_votes = {v.seat: v.grade for v in ballots}
    for first in ballots:
        if first.seat == data["seat"] or first.voter == ctx.actor:
            whose = (
                f"The {first.seat} delegate has voted already in round {first.review_round}"
                if first.seat == data["seat"]
                else "Each seat has its own delegate; you have voted in this round"
                f" ({first.review_round}), for the {first.seat} seat"
            )
            raise already_done(
                f"{whose}: vote {first.id} ({first.grade}), on {first.voted_on}.",
                vote_id=first.id,
            )
    _move(ctx, rec, "vote", pview)
    ballot = Vote(
        recommendation_id=rec.id,
        review_round=rec.review_round,
        seat=data["seat"],
        grade=data["grade"],
        opinion=data["opinion"],
        voter=ctx.actor,
        voted_on=ctx.today,
    )
    save(ctx, "yanqing.vote", ballot)
    round_votes[data["seat"]] = data["grade"]
    if set(required) <= set(round_votes):
        _decide(ctx, rec, pview, joint_outcome(pview.config, round_votes))
    return rec


def _check_delegate(ctx: Context, program_id: int, seat: str) -> None:
    """Y-06: the bank's and the guarantee company's seats are theirs; the DRC's and the
    finance bureau's are government staff's (no institution); the industry seat is the
    recommending department's or town's, or a government delegate's."""
    # A delegate's token names the institution it comes from; the panelist role is not
    # scoped to it (a delegate reads every firm under review), so it is read from the token.
    code = ctx.principal.institution
    kind = None
    if code:
        kind = next((i.kind for i in facts(ctx, program_id).institutions() if i.code == code), "")
    if kind not in SEAT_HOLDERS[seat]:
        raise Problem(
            403,
            f"The {seat} seat is not held by "
            + (f"a delegate of a {kind}." if kind else f"a delegate of {code or 'government'}."),
            kind="forbidden-institution",
        )


def _decide(ctx: Context, rec: Recommendation, pview: Any, outcome: Explanation) -> None:
    grade = outcome.result
    outcomes = [*rec.outcome, *explanations_as_json([outcome])]
    if grade == "reject":
        _move(ctx, rec, "reject", pview, {"outcome": outcomes})
    elif grade == "high":
        # Y-07: a high grade waits for the district government's approval.
        _move(
            ctx,
            rec,
            "await_approval",
            pview,
            {"grade": grade, "outcome": outcomes},
        )
    else:
        _move(
            ctx,
            rec,
            "grade",
            pview,
            {"grade": grade, "grade_effective_on": ctx.today, "outcome": outcomes},
        )


def high_grades_in_year(ctx: Context, program_id: int, year: int) -> int:
    return ctx.session.execute(
        select(func.count()).where(
            Recommendation.program_id == program_id,
            Recommendation.grade == "high",
            Recommendation.grade_effective_on.between(*year_bounds(year)),
        )
    ).scalar_one()


def approve_high(ctx: Context, rec_id: int, data: dict[str, Any]) -> Recommendation:
    """Y-07: the district government approves a high grade, at most ``quota`` a year.

    Under the recommendation's lock, so the quota counts every approval committed before it
    and a second approval (or refusal) of the same grade is a 409 naming the first.
    """
    ctx, rec, pview = _step_on(ctx, rec_id, data)
    if rec.state != "awaiting_approval":
        decided = (
            f"; its high grade took effect on {rec.grade_effective_on}"
            if rec.grade == "high" and rec.grade_effective_on
            else ""
        )
        raise already_done(
            f"Recommendation {rec.id} is not awaiting the district's approval: it is"
            f" {rec.state} since {rec.last_step_on}{decided}.",
            recommendation_id=rec.id,
        )
    if data["decision"] == "refuse":
        outcome = explain(
            "Y-07",
            "refused",
            f"区政府不同意高等级：{data['opinion']}；退回风险联审。",
            f"The district government refused the high grade: {data['opinion']}; back to"
            " joint review.",
            passed=False,
        )
        _back_to_review(ctx, rec, pview, "refuse", outcome)
        return rec
    quota = pview.config["high_grade_quota"]
    used = high_grades_in_year(ctx, rec.program_id, ctx.today.year)
    within = check(
        "Y-07",
        used < quota,
        f"{ctx.today.year} 年已有 {used} 家高等级企业，每年不超过 {quota} 家。",
        f"{used} firms took effect as high grade in {ctx.today.year}; at most {quota} a year.",
        threshold=quota,
        high_grades=used,
    )
    enforce(Decision(within.passed, [within]))
    _move(
        ctx,
        rec,
        "approve",
        pview,
        {
            "grade_effective_on": ctx.today,
            "outcome": [*rec.outcome, *explanations_as_json([within])],
        },
    )
    return rec


def _back_to_review(
    ctx: Context, rec: Recommendation, pview: Any, step: str, outcome: Explanation
) -> None:
    _move(
        ctx,
        rec,
        step,
        pview,
        {
            "review_round": rec.review_round + 1,
            "grade": None,
            "grade_effective_on": None,
            "pushed_to": [],
            "outcome": [*rec.outcome, *explanations_as_json([outcome])],
        },
    )


def push(ctx: Context, rec_id: int, data: dict[str, Any]) -> Recommendation:
    """Y-08: the DRC pushes a graded firm to partner banks and guarantee companies."""
    ctx, rec, pview = _step_on(ctx, rec_id, data)
    f = facts(ctx, rec.program_id)
    for index, inst_id in enumerate(data["institution_ids"]):
        inst = f.institution_or_none(inst_id)
        if inst is None or inst.kind not in ("bank", "guarantor"):
            raise invalid(
                "Firms are pushed to partner banks and guarantee companies.",
                f"/institution_ids/{index}",
                "not a bank/guarantor",
            )
    targets = sorted({*rec.pushed_to, *data["institution_ids"]})
    _move(ctx, rec, "push", pview, {"pushed_to": targets})
    return rec


def fail_financing(ctx: Context, rec_id: int, data: dict[str, Any]) -> Recommendation:
    """Y-08: a failed attempt returns the firm to joint review; after the last, no more pushes."""
    ctx, rec, pview = _step_on(ctx, rec_id, data)
    financed = [loan for loan in facts(ctx, rec.program_id).firm_loans(rec.firm_id) if loan.covered]
    if financed:
        loan = financed[0]
        assert loan.id is not None  # a loan the facts list is registered, so it has an id
        raise already_done(
            f"The firm obtained its loan {loan.reference} (loan {loan.id}, issued"
            f" {loan.issue_date}); financing did not fail.",
            loan_id=loan.id,
        )
    failures = rec.failed_attempts + 1
    limit = pview.config["max_failed_financing"]
    exhausted = failures >= limit
    outcome = explain(
        "Y-08",
        "no longer pushed" if exhausted else "back to joint review",
        f"第 {failures} 次融资失败（{data['reason']}），"
        + ("不再推送融资需求。" if exhausted else "返回风险联审。"),
        f"Financing failed for the {failures}. time ({data['reason']}); "
        + ("the firm is no longer pushed." if exhausted else "back to joint review."),
        passed=not exhausted,
        threshold=limit,
        failed_attempts=failures,
    )
    if exhausted:
        _move(
            ctx,
            rec,
            "exhaust",
            pview,
            {
                "failed_attempts": failures,
                "outcome": [*rec.outcome, *explanations_as_json([outcome])],
            },
        )
    else:
        rec.failed_attempts = failures
        _back_to_review(ctx, rec, pview, "fail", outcome)
    return rec


def quarterly_counts(ctx: Context, program_id: int, quarter: str) -> list[dict[str, Any]]:
    """Y-03: each recommender's count in ``quarter`` against the target (a report, no block).

    Every department and town of the tenant is listed, so one that recommended nobody this
    quarter shows 0.
    """
    pview = yanqing_program(ctx, program_id)
    target = pview.config["quarterly_recommendation_target"]
    f = facts(ctx, program_id)
    counts = dict(
        ctx.session.execute(
            select(Recommendation.recommender_id, func.count())
            .where(Recommendation.program_id == program_id, Recommendation.quarter == quarter)
            .group_by(Recommendation.recommender_id)
        ).all()
    )
    recommenders = sorted(
        (i for kind in RECOMMENDER_KINDS for i in f.institutions(kind)), key=lambda i: i.id
    )
    year, number = quarter.split("-Q")  # "2025-Q1": 2025 年第 1 季度
    rows = []
    for inst in recommenders:
        inst_id, count = inst.id, counts.get(inst.id, 0)
        met = count >= target
        rows.append(
            {
                "institution_id": inst_id,
                "institution": inst.code,
                "quarter": quarter,
                "recommended": count,
                "target": target,
                "met": met,
                "explanation": check(
                    "Y-03",
                    met,
                    f"{inst.name} {year} 年第 {number} 季度推荐 {count} 家，"
                    f"目标不少于 {target} 家。",
                    f"{inst.name} recommended {count} firms in {quarter}; the target is {target}.",
                    threshold=target,
                    recommended=count,
                ).as_dict(),
            }
        )
    return rows
