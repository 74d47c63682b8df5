"""The plugin's own HTTP resources, under /api/v1/tenants/<tenant>/yanqing/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate
from sqlalchemy import select

from riskshare.toolkit import (
    Blueprint,
    Context,
    DateField,
    DocumentContentOut,
    DocumentIn,
    DocumentOut,
    EffectiveOn,
    Explanations,
    IntegerField,
    MoneyField,
    RatioField,
    SQLCursorPage,
    current_context,
    document_of,
    documents_of,
    page,
)
from riskshare_yanqing import custodian, eligibility, grading, notices, pool, supervision
from riskshare_yanqing.config import SEATS
from riskshare_yanqing.grading import CHOICES
from riskshare_yanqing.models import Subsidy, Vote
from riskshare_yanqing.store import yanqing_program

blp = Blueprint(
    "yanqing",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/yanqing",
    description="Yanqing: recommendations, joint review, the custodian's pool, subsidies.",
)

STAFF = ("office", "reviewer", "approver", "finance", "custodian", "auditor")
REVIEW_READERS = (*STAFF, "panelist", "recommender")
SUPERVISORS = ("office", "approver", "reviewer", "finance", "auditor")


class CreditEntry(ma.Schema):
    """Y-02: one illegal, irregular or bad-credit record (违法、违规、失信), with its date."""

    subject = ma.fields.String(
        required=True,
        validate=validate.OneOf(list(eligibility.CREDIT_SUBJECTS)),
        metadata={"description": "firm, or its actual controller (实际控制人)"},
    )
    kind = ma.fields.String(
        required=True, validate=validate.OneOf(list(eligibility.CREDIT_ENTRY_KINDS))
    )
    dated = DateField(required=True, metadata={"description": "the record's date"})
    description = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class CreditRecord(ma.Schema):
    controller = ma.fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "the firm's actual controller (实际控制人)"},
    )
    entries = ma.fields.List(
        ma.fields.Nested(CreditEntry),
        required=True,
        metadata={
            "description": "Y-02: every bad-credit record of the firm and its actual controller"
            " known to the recommender ([] when none); one dated within clean_record_years"
            " before the recommendation refuses it"
        },
    )


class RecommendationIn(ma.Schema):
    effective_on = EffectiveOn()
    firm_id = IntegerField(required=True)
    financing_need = MoneyField(required=True)
    focus_sector = ma.fields.String(load_default=None)
    documents = ma.fields.List(
        ma.fields.Nested(DocumentIn),
        required=True,
        metadata={"description": "Y-03: licence, premises, statements, social insurance, tax"},
    )
    affiliates = ma.fields.List(ma.fields.String(), load_default=list)
    shareholders = ma.fields.List(ma.fields.String(), load_default=list)
    credit_record = ma.fields.Nested(CreditRecord, required=True)


class RecommendationOut(ma.Schema):
    id = IntegerField()
    program_id = IntegerField()
    firm_id = IntegerField()
    recommender_id = IntegerField()
    recommended_on = DateField()
    quarter = ma.fields.String()
    financing_need = MoneyField()
    focus_sector = ma.fields.String(allow_none=True)
    affiliates = ma.fields.List(ma.fields.String())
    shareholders = ma.fields.List(ma.fields.String())
    credit_record = ma.fields.Dict()
    checks = Explanations()
    state = ma.fields.String()
    guarantor_seat = ma.fields.Boolean()
    review_round = IntegerField()
    grade = ma.fields.String(allow_none=True)
    grade_effective_on = DateField(allow_none=True)
    outcome = Explanations()
    pushed_to = ma.fields.List(IntegerField())
    failed_attempts = IntegerField()


class PrescreenIn(ma.Schema):
    effective_on = EffectiveOn()
    decision = ma.fields.String(required=True, validate=validate.OneOf(["pass", "reject"]))
    opinion = ma.fields.String(required=True, validate=validate.Length(1, 2000))
    guarantor_seat = ma.fields.Boolean(
        load_default=False, metadata={"description": "the guarantee company joins the review"}
    )


class VoteIn(ma.Schema):
    effective_on = EffectiveOn()
    seat = ma.fields.String(required=True, validate=validate.OneOf(SEATS))
    grade = ma.fields.String(required=True, validate=validate.OneOf(CHOICES))
    opinion = ma.fields.String(required=True, validate=validate.Length(1, 2000))


class VoteOut(ma.Schema):
    id = IntegerField()
    review_round = IntegerField()
    seat = ma.fields.String()
    grade = ma.fields.String()
    opinion = ma.fields.String()
    voter = ma.fields.String()
    voted_on = DateField()


class ApprovalIn(ma.Schema):
    effective_on = EffectiveOn()
    decision = ma.fields.String(required=True, validate=validate.OneOf(["approve", "refuse"]))
    opinion = ma.fields.String(required=True, validate=validate.Length(1, 2000))


class PushIn(ma.Schema):
    effective_on = EffectiveOn()
    institution_ids = ma.fields.List(IntegerField(), required=True, validate=validate.Length(min=1))


class FailureIn(ma.Schema):
    effective_on = EffectiveOn()
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))


class QuarterQuery(ma.Schema):
    quarter = ma.fields.String(required=True, validate=validate.Regexp(r"^\d{4}-Q[1-4]$"))


class QuarterCountOut(ma.Schema):
    institution_id = IntegerField()
    institution = ma.fields.String()
    quarter = ma.fields.String()
    recommended = IntegerField()
    target = IntegerField()
    met = ma.fields.Boolean()
    explanation = ma.fields.Dict()


class GainIn(ma.Schema):
    effective_on = EffectiveOn()
    amount = MoneyField(required=True)
    reference = ma.fields.String(
        required=True,
        validate=validate.Length(1, 100),
        metadata={"description": "the gain's period or statement, once per program (Y-01)"},
    )
    booked_on = DateField(
        load_default=None,
        metadata={
            "description": "the gain's own date (default: the action's); neither after it nor"
            " before the program's start, and not in a year whose fee is settled"
        },
    )


class FeeIn(ma.Schema):
    year = IntegerField(required=True, validate=validate.Range(min=2000, max=2100))
    effective_on = EffectiveOn()
    rate = RatioField(
        load_default=None,
        metadata={
            "description": "the year's rate, set on the custodian's performance within"
            " custodian_fee_rate_min..custodian_fee_rate_max (default: custodian_fee_rate)"
        },
    )
    performance = ma.fields.String(
        required=True,
        validate=validate.Length(1, 2000),
        metadata={"description": "the custodian's performance the rate was set on (履职情况)"},
    )


class CustodianReportIn(ma.Schema):
    effective_on = EffectiveOn()
    kind = ma.fields.String(required=True, validate=validate.OneOf(custodian.KINDS))
    period = ma.fields.String(
        required=True,
        validate=validate.Length(4, 7),
        metadata={"description": "2025-H1 or 2025-H2 (half_yearly); 2025 (annual)"},
    )
    document_reference = ma.fields.String(
        required=True,
        validate=validate.Length(1, 200),
        metadata={"description": "the report's number or file reference"},
    )
    summary = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class CustodianReportQuery(ma.Schema):
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(custodian.KINDS))


class CustodianReportOut(ma.Schema):
    id = IntegerField()
    program_id = IntegerField()
    custodian_id = IntegerField()
    kind = ma.fields.String()
    period = ma.fields.String()
    due_on = DateField()
    filed_on = DateField()
    filed_by = ma.fields.String()
    document_reference = ma.fields.String()
    summary = ma.fields.String()
    late = ma.fields.Boolean()
    explanation = Explanations()


class FundEventOut(ma.Schema):
    id = IntegerField()
    kind = ma.fields.String()
    reference = ma.fields.String()
    year = IntegerField()
    booked_on = DateField()
    amount = MoneyField(allow_none=True)
    rate = RatioField(allow_none=True)
    note = ma.fields.String()
    explanation = Explanations()


class FundStateOut(ma.Schema):
    program_id = IntegerField()
    suspended = ma.fields.Boolean()
    changed_on = DateField(allow_none=True)
    net_compensation = MoneyField()
    pool_balance = MoneyField()
    suspend_at = MoneyField()
    resume_at = MoneyField()
    explanation = Explanations()


class SubsidyIn(ma.Schema):
    loan_id = IntegerField(required=True)
    premium = MoneyField(required=True, validate=validate.Range(min=0, min_inclusive=False))
    documents = ma.fields.List(
        ma.fields.Nested(DocumentIn),
        required=True,
        metadata={"description": "Y-11: loan documents, the valid policy, proof of payment"},
    )
    effective_on = EffectiveOn()


class SubsidyOut(ma.Schema):
    id = IntegerField()
    loan_id = IntegerField()
    firm_id = IntegerField()
    premium = MoneyField()
    rate = RatioField()
    amount = MoneyField()
    disbursement_id = IntegerField()
    noticed_on = DateField()
    explanation = Explanations()


class PenaltyIn(ma.Schema):
    effective_on = EffectiveOn()
    institution_id = IntegerField(required=True)
    measure = ma.fields.String(required=True, validate=validate.OneOf(supervision.MEASURES))
    max_ratio = RatioField(load_default=None, validate=validate.Range(min=0, max=1))
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))


class PenaltyOut(ma.Schema):
    id = IntegerField()
    institution_id = IntegerField()
    measure = ma.fields.String()
    max_ratio = RatioField(allow_none=True)
    reason = ma.fields.String()
    decided_on = DateField()
    decided_by = ma.fields.String()


# ------------------------------------------------------------------------------ grading


@blp.route("/programs/<int:program_id>/recommendations")
class RecommendationViews(MethodView):
    @blp.lists("yanqing_recommendations")
    @blp.roles(*REVIEW_READERS)
    @blp.response(200, RecommendationOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """List the firms recommended to a program (a recommender sees its own)"""
        ctx = current_context()
        return page(ctx.session, grading.visible_recommendations(ctx, program_id))

    @blp.roles("recommender")
    @blp.arguments(RecommendationIn)
    @blp.response(201, RecommendationOut)
    def post(self, data, program_id):
        """Recommend a firm, with its documents and record checks (Y-02, Y-03)"""
        return grading.recommend(current_context(), program_id, data)


@blp.route("/programs/<int:program_id>/recommendation-counts")
class RecommendationCountViews(MethodView):
    @blp.not_confidential(
        "how many firms each recommender put forward in a quarter, against its target"
    )
    @blp.roles(*SUPERVISORS)
    @blp.arguments(QuarterQuery, location="query")
    @blp.response(200, QuarterCountOut(many=True))
    def get(self, query, program_id):
        """Each recommender's count in a quarter against its target (Y-03)"""
        return grading.quarterly_counts(current_context(), program_id, query["quarter"])


@blp.route("/recommendations/<int:rec_id>")
class RecommendationByIdViews(MethodView):
    @blp.reads("yanqing_recommendations")
    @blp.roles(*REVIEW_READERS)
    @blp.response(200, RecommendationOut)
    def get(self, rec_id):
        """Get a recommendation with its grading"""
        return grading.get_recommendation(current_context(), rec_id)


def _step(
    path: str,
    roles: tuple[str, ...],
    schema: type[ma.Schema],
    action: Callable[[Context, int, dict[str, Any]], Any],
    summary: str,
    *,
    money: bool = False,
) -> None:
    """One workflow step on a recommendation: POST a body, answer with the recommendation.

    The service locks the recommendation with its program and dates the step
    (``effective_on``, not before its latest step). ``money``: the step decides what the
    fund pays (a grade is the compensation ratio), so it takes an Idempotency-Key.
    """

    def post(self, data, rec_id):
        return action(current_context(), rec_id, data)

    post.__doc__ = summary  # the OpenAPI summary, read when the route is registered
    post = blp.arguments(schema)(blp.response(200, RecommendationOut)(post))
    if money:
        post = blp.moves_money(post)
    post = blp.roles(*roles)(post)
    name = "".join(part.title() for part in path.split("-"))
    view = type(f"Recommendation{name}Views", (MethodView,), {"post": post})
    blp.route(f"/recommendations/<int:rec_id>/{path}", endpoint=f"recommendation_{path}")(view)


_step("prescreen", ("office",), PrescreenIn, grading.prescreen, "DRC pre-screen (Y-06)")
_step(
    "votes",
    ("panelist",),
    VoteIn,
    grading.vote,
    "A delegate's vote in the joint review (Y-06)",
    money=True,
)
_step(
    "approval",
    ("approver",),
    ApprovalIn,
    grading.approve_high,
    "District approval (Y-07)",
    money=True,
)
_step("pushes", ("office",), PushIn, grading.push, "Push to banks/guarantors (Y-08)")
_step(
    "financing-failures",
    ("office",),
    FailureIn,
    grading.fail_financing,
    "A failed financing attempt (Y-08)",
)


@blp.route("/recommendations/<int:rec_id>/ballots")
class BallotViews(MethodView):
    @blp.reads("yanqing_recommendations", id_from="rec_id")
    @blp.roles(*STAFF, "panelist")
    @blp.response(200, VoteOut(many=True))
    def get(self, rec_id):
        """The joint review's votes, every round"""
        ctx = current_context()
        rec = grading.get_recommendation(ctx, rec_id)
        return list(
            ctx.session.scalars(
                select(Vote).where(Vote.recommendation_id == rec.id).order_by(Vote.id)
            )
        )


def _documents(
    path: str,
    owner_type: str,
    roles: tuple[str, ...],
    owner: Callable[[Context, int], Any],
    what: str,
) -> None:
    """GET routes listing a record's documents and downloading one; ``owner(ctx, id)``
    finds the record (404 when the caller may not see it)."""

    class Listing(MethodView):
        @blp.lists("documents")
        @blp.roles(*roles)
        @blp.response(200, DocumentOut(many=True))
        def get(self, record_id):
            ctx = current_context()
            return documents_of(ctx, owner_type, owner(ctx, record_id).id)

    class Download(MethodView):
        @blp.downloads("documents")
        @blp.roles(*roles)
        @blp.response(200, DocumentContentOut)
        def get(self, record_id, document_id):
            ctx = current_context()
            return document_of(ctx, owner_type, owner(ctx, record_id).id, document_id)

    Listing.get.__doc__ = f"List the documents of {what}"
    Download.get.__doc__ = f"Download one document of {what} (base64), with its SHA-256"
    name = owner_type.replace("yanqing_", "")
    blp.route(f"{path}/<int:record_id>/documents", endpoint=f"{name}_documents")(Listing)
    blp.route(f"{path}/<int:record_id>/documents/<int:document_id>", endpoint=f"{name}_document")(
        Download
    )


_documents(
    "/recommendations",
    grading.DOCUMENT_OWNER,
    REVIEW_READERS,
    grading.get_recommendation,
    "a recommendation (Y-03)",
)
_documents(
    "/premium-subsidies",
    pool.SUBSIDY_DOCUMENTS,
    STAFF,
    pool.get_subsidy,
    "a premium subsidy application (Y-11)",
)


# ------------------------------------------------------------------------------ pool


@blp.route("/programs/<int:program_id>/gains")
class GainViews(MethodView):
    @blp.roles("custodian")
    @blp.moves_money
    @blp.arguments(GainIn)
    @blp.response(201, FundEventOut)
    def post(self, data, program_id):
        """Record the custodian's investment gains into the pool (Y-01)"""
        return pool.record_gain(current_context(), program_id, data)


@blp.route("/programs/<int:program_id>/custodian-fees")
class FeeViews(MethodView):
    @blp.roles("office", "finance")
    @blp.moves_money
    @blp.arguments(FeeIn)
    @blp.response(201, FundEventOut)
    def post(self, data, program_id):
        """Book a year's custodian fee out of the pool, at the rate set for that year (Y-01)"""
        return pool.settle_fee(current_context(), program_id, data)


@blp.route("/programs/<int:program_id>/custodian-reports")
class CustodianReportViews(MethodView):
    @blp.lists("yanqing_custodian_reports")
    @blp.roles(*custodian.READERS, "custodian")
    @blp.arguments(CustodianReportQuery, location="query")
    @blp.response(200, CustodianReportOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, query, program_id):
        """The custodian's half-yearly and annual reports, with due and filing dates (Y-01)"""
        ctx = current_context()
        return page(ctx.session, custodian.visible_reports(ctx, program_id, query["kind"]))

    @blp.roles("custodian")
    @blp.arguments(CustodianReportIn)
    @blp.response(201, CustodianReportOut)
    def post(self, data, program_id):
        """The custodian files its half-yearly report on the pool's changes or its annual
        operating report, due by 31 May (Y-01)"""
        return custodian.file_report(current_context(), program_id, data)


@blp.route("/programs/<int:program_id>/fund-state")
class FundStateViews(MethodView):
    @blp.reads("yanqing_fund_states", id_from="program_id")
    @blp.roles(*STAFF)
    @blp.response(200, FundStateOut)
    def get(self, program_id):
        """Whether compensation is suspended, with the figures (Y-14)"""
        return pool.state_summary(current_context(), program_id)


@blp.route("/programs/<int:program_id>/premium-subsidies")
class SubsidyViews(MethodView):
    @blp.lists("yanqing_subsidies")
    @blp.roles(*STAFF)
    @blp.response(200, SubsidyOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """Premium subsidies noticed to the custodian"""
        ctx = current_context()
        yanqing_program(ctx, program_id)
        query = select(Subsidy).where(Subsidy.program_id == program_id)
        return page(ctx.session, query.order_by(Subsidy.id))

    @blp.roles("office")
    @blp.moves_money
    @blp.arguments(SubsidyIn)
    @blp.response(201, SubsidyOut)
    def post(self, data, program_id):
        """Notice the custodian to pay an insured firm half its premium (Y-11)"""
        return pool.grant_subsidy(current_context(), program_id, data)


# ------------------------------------------------------------------------------ penalties


@blp.route("/programs/<int:program_id>/penalties")
class PenaltyViews(MethodView):
    @blp.lists("yanqing_penalties")
    @blp.roles(*SUPERVISORS)
    @blp.response(200, PenaltyOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """Measures taken against institutions (Y-16)"""
        ctx = current_context()
        yanqing_program(ctx, program_id)
        return page(ctx.session, supervision.penalties(program_id))

    @blp.roles("office", "approver")
    @blp.arguments(PenaltyIn)
    @blp.response(201, PenaltyOut)
    def post(self, data, program_id):
        """Record a measure against an institution (Y-16)"""
        return supervision.record_penalty(current_context(), program_id, data)


# ------------------------------------------------------------------------------ notices


class ExtraPaymentIn(ma.Schema):
    effective_on = EffectiveOn()
    period = ma.fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}-H[12]$", error="a half year, e.g. 2025-H1"),
        metadata={"description": "Y-12: the first half year to be paid on its own"},
    )
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000))


class ExtraPaymentDecisionIn(ma.Schema):
    effective_on = EffectiveOn()
    decision = ma.fields.String(required=True, validate=validate.OneOf(["approve", "refuse"]))
    opinion = ma.fields.String(required=True, validate=validate.Length(1, 2000))


class ExtraPaymentOut(ma.Schema):
    id = IntegerField()
    program_id = IntegerField()
    period = ma.fields.String()
    reason = ma.fields.String()
    requested_by = ma.fields.String()
    requested_on = DateField()
    state = ma.fields.String()
    opinion = ma.fields.String(allow_none=True)
    decided_by = ma.fields.String(allow_none=True)
    decided_on = DateField(allow_none=True)
    explanation = Explanations()


@blp.route("/programs/<int:program_id>/extra-payments")
class ExtraPaymentViews(MethodView):
    @blp.lists("yanqing_extra_payments")
    @blp.roles(*SUPERVISORS)
    @blp.response(200, ExtraPaymentOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """Special cases in which a half year is paid on its own (Y-12)"""
        ctx = current_context()
        yanqing_program(ctx, program_id)
        return page(ctx.session, notices.extra_payments(program_id))

    @blp.roles("office")
    @blp.arguments(ExtraPaymentIn)
    @blp.response(201, ExtraPaymentOut)
    def post(self, data, program_id):
        """The DRC asks, with its reason, to pay a first half year on its own (Y-12)"""
        return notices.request_extra_payment(current_context(), program_id, data)


@blp.route("/extra-payments/<int:extra_id>/decision")
class ExtraPaymentDecisionViews(MethodView):
    @blp.roles("finance")
    @blp.arguments(ExtraPaymentDecisionIn)
    @blp.response(200, ExtraPaymentOut)
    def post(self, data, extra_id):
        """The finance bureau approves or refuses a half year's own payment (Y-12)"""
        return notices.decide_extra_payment(current_context(), extra_id, data)
