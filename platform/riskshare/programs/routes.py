from __future__ import annotations

from flask.views import MethodView

from riskshare.api.blueprint import Blueprint
from riskshare.api.context import current_context
from riskshare.api.fields import SQLCursorPage, page
from riskshare.auth.principal import PLATFORM_ADMIN
from riskshare.auth.roles import EVERYONE, FUND_STAFF
from riskshare.programs import service
from riskshare.programs.models import Program
from riskshare.programs.schemas import (
    AppropriationIn,
    JournalEntryOut,
    LedgerOut,
    ProgramIn,
    ProgramOut,
)
from riskshare.services import get_or_404, on_effective_date

blp = Blueprint(
    "programs",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/programs",
    description="Programs: a tenant's run of one policy, its config and fund.",
)

STAFF = FUND_STAFF
ALL = (EVERYONE,)


@blp.route("")
class ProgramViews(MethodView):
    @blp.not_confidential("programs: names, policies and fund sizes, which the funds publish")
    @blp.roles(*ALL)
    @blp.response(200, ProgramOut(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """List programs"""
        ctx = current_context()
        return page(ctx.session, service.list_programs(ctx))

    # A platform operator creates a new tenant's first program (no one holds a role there
    # yet); the tenant's office creates the others.
    @blp.roles("office", PLATFORM_ADMIN)
    @blp.arguments(ProgramIn)
    @blp.response(201, ProgramOut)
    def post(self, data):
        """Create a program (its config is validated against the policy's schema)"""
        return service.create_program(current_context(), data)


@blp.route("/<int:program_id>")
class ProgramByIdViews(MethodView):
    @blp.not_confidential("a program: name, policy and fund size, which the fund publishes")
    @blp.roles(*ALL)
    @blp.response(200, ProgramOut)
    def get(self, program_id):
        """Get a program"""
        return get_or_404(current_context(), Program, program_id, "program")


@blp.route("/<int:program_id>/ledger")
class ProgramLedgerViews(MethodView):
    @blp.reads("ledger", id_from="program_id")
    @blp.roles(*STAFF)
    @blp.response(200, LedgerOut)
    def get(self, program_id):
        """Balances of the program's ledger, derived from its entries"""
        ctx = current_context()
        return service.ledger_report(ctx, get_or_404(ctx, Program, program_id, "program"))


@blp.route("/<int:program_id>/ledger/entries")
class ProgramJournalViews(MethodView):
    @blp.lists("journal_entries")
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
