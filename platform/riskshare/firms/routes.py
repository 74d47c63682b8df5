from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import Money, SQLCursorPage, page
from riskshare.auth.roles import EVERYONE, INSTITUTIONS
from riskshare.firms import service
from riskshare.firms.sme import Industry

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
    attributes = ma.fields.Dict(load_default=dict)


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
