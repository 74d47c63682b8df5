from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate
from sqlalchemy import select

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import EffectiveOn, Money, SQLCursorPage, page
from riskshare.auth.roles import EVERYONE, FUND_STAFF
from riskshare.programs import service
from riskshare.programs.models import Program
from riskshare.services import get_or_404, on_effective_date

blp = Blueprint(
    "programs",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/programs",
    description="Programs: a tenant's run of one policy, its config and fund.",
)

STAFF = FUND_STAFF
ALL = (EVERYONE,)


class ProgramIn(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,62}$"))
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    policy = ma.fields.String(required=True)
    config = ma.fields.Dict(load_default=dict)
    fund_total = Money(required=True, validate=validate.Range(min=0, min_inclusive=False))
    effective_from = ma.fields.Date(required=True)
    effective_to = ma.fields.Date(required=True)
    effective_on = EffectiveOn()


class ProgramOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    policy = ma.fields.String()
    policy_version = ma.fields.String()
    config = ma.fields.Dict()
    fund_total = Money()
    effective_from = ma.fields.Date()
    effective_to = ma.fields.Date()
    status = ma.fields.String()


class AppropriationIn(ma.Schema):
    amount = Money(required=True)
    reference = ma.fields.String(required=True, validate=validate.Length(1, 60))
    effective_on = EffectiveOn()


class WrongSideOut(ma.Schema):
    account = ma.fields.String()
    institution_id = ma.fields.Integer(allow_none=True)
    balance = Money()


class LedgerOut(ma.Schema):
    program_id = ma.fields.Integer()
    balances = ma.fields.Dict(keys=ma.fields.String(), values=Money())
    pool_balance = Money()
    wrong_side = ma.fields.List(
        ma.fields.Nested(WrongSideOut),
        metadata={"description": "signed accounts on the wrong side of zero (always empty)"},
    )
    balanced = ma.fields.Boolean(
        metadata={"description": "entries balance and no signed account is on the wrong side"}
    )


@blp.route("")
class ProgramViews(MethodView):
    @blp.roles(*ALL)
    @blp.response(200, ProgramOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List programs"""
        return page(current_context().session, select(Program).order_by(Program.id))

    @blp.roles("office")
    @blp.arguments(ProgramIn)
    @blp.response(201, ProgramOut)
    def post(self, data):
        """Create a program (its config is validated against the policy's schema)"""
        return service.create_program(current_context(), data)


@blp.route("/<int:program_id>")
class ProgramByIdViews(MethodView):
    @blp.roles(*ALL)
    @blp.response(200, ProgramOut)
    def get(self, program_id):
        """Get a program"""
        return get_or_404(current_context(), Program, program_id, "program")


@blp.route("/<int:program_id>/ledger")
class ProgramLedgerViews(MethodView):
    @blp.roles(*STAFF)
    @blp.response(200, LedgerOut)
    def get(self, program_id):
        """Balances of the program's ledger, derived from its entries"""
        ctx = current_context()
        return service.ledger_report(ctx, get_or_404(ctx, Program, program_id, "program"))


class PostingOut(ma.Schema):
    account = ma.fields.String()
    institution_id = ma.fields.Integer(allow_none=True)
    amount = Money(metadata={"description": "positive: debit; negative: credit"})


class JournalEntryOut(ma.Schema):
    id = ma.fields.Integer()
    source_key = ma.fields.String()
    kind = ma.fields.String()
    booked_on = ma.fields.Date(metadata={"description": "the effective (value) date"})
    created_at = ma.fields.DateTime(metadata={"description": "when it was recorded"})
    memo = ma.fields.String()
    postings = ma.fields.List(ma.fields.Nested(PostingOut))


@blp.route("/<int:program_id>/ledger/entries")
class ProgramJournalViews(MethodView):
    @blp.roles(*STAFF)
    @blp.response(200, JournalEntryOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, program_id):
        """The program's journal entries with their postings, in the order they were made"""
        ctx = current_context()
        program = get_or_404(ctx, Program, program_id, "program")
        return page(ctx.session, service.journal(program))


@blp.route("/<int:program_id>/appropriations")
class AppropriationViews(MethodView):
    @blp.roles("finance")
    @blp.moves_money
    @blp.arguments(AppropriationIn)
    @blp.response(201, LedgerOut)
    def post(self, data, program_id):
        """Put budget money into the fund"""
        ctx = current_context()
        program = get_or_404(ctx, Program, program_id, "program")
        dated = on_effective_date(ctx, data["effective_on"])
        service.appropriate(dated, program, data["amount"], dated.today, data["reference"])
        return service.ledger_report(ctx, program)
