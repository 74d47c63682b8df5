from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import Attributes, Money, SQLCursorPage, page
from riskshare.auth.roles import EVERYONE, INSTITUTIONS
from riskshare.firms import service
from riskshare.firms.sme import Industry
from riskshare.loans.routes import CoverageChangeOut

blp = Blueprint(
    "firms",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/firms",
    description="Borrowing firms: USCC (N-2) and SME size (N-1).",
)

FIRM_READERS = (EVERYONE,)
# The office and reviewers, and whoever acts for an institution (a lender, a recommending
# department), register the firms they deal with.
FIRM_WRITERS = ("office", "reviewer", INSTITUTIONS)


class FirmIn(ma.Schema):
    uscc = ma.fields.String(required=True, metadata={"example": "91110108551385082Q"})
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    industry = ma.fields.String(required=True, validate=validate.OneOf([i.value for i in Industry]))
    employees = ma.fields.Integer(load_default=None, validate=validate.Range(min=0))
    revenue = Money(load_default=None)
    assets = Money(load_default=None)
    region = ma.fields.String(load_default=None)
    attributes = Attributes("firm", load_default=dict)


class FirmOut(ma.Schema):
    id = ma.fields.Integer()
    uscc = ma.fields.String()
    name = ma.fields.String()
    industry = ma.fields.String()
    employees = ma.fields.Integer(allow_none=True)
    revenue = Money(allow_none=True)
    assets = Money(allow_none=True)
    size_class = ma.fields.String()
    size_explanation = ma.fields.Dict()
    region = ma.fields.String(allow_none=True)
    attributes = ma.fields.Dict()


class FirmPatch(ma.Schema):
    """What the office may correct on a firm (not its USCC); ``attributes`` is a JSON merge
    patch (a key set to null is removed). New size figures classify the firm again (N-1)."""

    name = ma.fields.String(validate=validate.Length(1, 200))
    industry = ma.fields.String(validate=validate.OneOf([i.value for i in Industry]))
    employees = ma.fields.Integer(allow_none=True, validate=validate.Range(min=0))
    revenue = Money(allow_none=True)
    assets = Money(allow_none=True)
    region = ma.fields.String(allow_none=True)
    attributes = Attributes("firm")


class FirmCorrectionOut(ma.Schema):
    firm = ma.fields.Nested(FirmOut)
    corrected = ma.fields.List(ma.fields.String())
    loans = ma.fields.List(
        ma.fields.Nested(CoverageChangeOut),
        metadata={
            "description": "each of the firm's loans, decided again if still active and"
            " unclaimed, and whether its coverage changed"
        },
    )


@blp.route("")
class FirmViews(MethodView):
    @blp.roles(*FIRM_READERS)
    @blp.response(200, FirmOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List firms (institutions see the firms they lend to or registered)"""
        ctx = current_context()
        return page(ctx.session, service.visible_firms(ctx))

    @blp.roles(*FIRM_WRITERS)
    @blp.arguments(FirmIn)
    @blp.response(201, FirmOut)
    def post(self, data):
        """Register a firm; its SME size is classified and explained"""
        return service.register_firm(current_context(), data)


@blp.route("/<int:firm_id>")
class FirmByIdViews(MethodView):
    @blp.roles(*FIRM_READERS)
    @blp.response(200, FirmOut)
    def get(self, firm_id):
        """Get a firm (the read is audited)"""
        return service.get_firm(current_context(), firm_id)

    @blp.roles("office")
    @blp.arguments(FirmPatch)
    @blp.response(200, FirmCorrectionOut)
    def patch(self, data, firm_id):
        """Correct a firm; the coverage of its active, unclaimed loans is decided again"""
        return service.correct_firm(current_context(), firm_id, data)
