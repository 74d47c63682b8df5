from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from riskshare.audit.events import record_event, snapshot
from riskshare.context import Context
from riskshare.errors import Invalid, Problem
from riskshare.firms import sme, uscc
from riskshare.firms.models import Firm
from riskshare.loans.models import Loan
from riskshare.loans.service import merge_patch, redecide_coverage
from riskshare.plugins.attributes import check_attributes
from riskshare.plugins.manager import policy_registry
from riskshare.programs.models import Program
from riskshare.services import lock_program, not_found


def register_firm(ctx: Context, data: dict[str, Any]) -> Firm:
    try:
        code = uscc.validate(data["uscc"])
    except uscc.InvalidUSCC as exc:
        raise Invalid(
            f"The USCC is not valid: {exc.reason}.",
            errors=[{"pointer": "/uscc", "detail": exc.reason, "detail_zh": exc.reason_zh}],
        ) from exc
    sized = _classify(
        data["industry"], data.get("employees"), data.get("revenue"), data.get("assets")
    )
    attributes = check_attributes(ctx.pm, tenant_policies(ctx), "firm", data.get("attributes"))
    if ctx.session.scalar(select(Firm.id).where(Firm.uscc == code)):
        raise Problem(
            409,
            f"A firm with USCC {code} is already registered.",
            kind="conflict",
            errors=[{"pointer": "/uscc", "detail": "already registered"}],
        )
    firm = Firm(
        uscc=code,
        name=data["name"],
        industry=sized.industry.value,
        employees=data.get("employees"),
        revenue=data.get("revenue"),
        assets=data.get("assets"),
        size_class=sized.size.value,
        size_explanation=sized.explanation.as_dict(),
        region=data.get("region"),
        registered_address=data.get("registered_address"),
        registration_status=data.get("registration_status", "active"),
        business_scope=data.get("business_scope"),
        legal_representative_id=data.get("legal_representative_id"),
        attributes=attributes,
        registered_by_institution_id=ctx.institution_id,
    )
    ctx.session.add(firm)
    ctx.session.flush()
    record_event(ctx, "firm.register", firm)
    return firm


def _classify(industry: str, employees: Any, revenue: Any, assets: Any) -> Any:
    """The firm's SME size (N-1), or a 422 naming the measure to fix."""
    try:
        return sme.classify(industry, employees=employees, revenue=revenue, assets=assets)
    except sme.MissingMeasure as exc:
        raise Invalid(
            exc.reason,
            errors=[
                {"pointer": f"/{f}", "detail": "required for this industry"} for f in exc.fields
            ],
        ) from exc
    except sme.InvalidMeasure as exc:
        raise Invalid(
            exc.reason,
            errors=[{"pointer": f"/{exc.field}", "detail": exc.reason}],
        ) from exc
    except ValueError as exc:
        raise Problem(
            422, str(exc), kind="validation", errors=[{"pointer": "/industry", "detail": str(exc)}]
        ) from exc


def tenant_policies(ctx: Context) -> list[str]:
    """The policies of the tenant's programs: a firm is the tenant's, not one program's, so
    its attributes are those any of them reads. A tenant being set up, with no program yet,
    registers its firms for whichever installed policy it will run: every installed one."""
    policies = list(ctx.session.scalars(select(Program.policy).distinct()))
    return policies or list(policy_registry(ctx.pm))


# What an office may correct on a firm: the facts it was registered with, not its USCC (its
# identity: register the other firm instead).
FIRM_CORRECTABLE = (
    "name",
    "industry",
    "employees",
    "revenue",
    "assets",
    "region",
    "registered_address",
    "registration_status",
    "business_scope",
    "legal_representative_id",
    "attributes",
)
SIZE_FIELDS = ("industry", "employees", "revenue", "assets")


def correct_firm(ctx: Context, firm_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Correct a firm's facts; the coverage of its loans still active and unclaimed is
    decided again by their programs' policies, and the answer says which changed.

    Every program of those loans is locked first (their coverage is committed money, and a
    claim on one of them must not slip in between the decision and the write), then the firm.
    """
    changes = {k: v for k, v in data.items() if k in FIRM_CORRECTABLE}
    if not changes:
        raise Problem(
            422,
            f"Name at least one field to correct: {', '.join(FIRM_CORRECTABLE)}.",
            kind="validation",
            errors=[{"pointer": "", "detail": "nothing to correct"}],
        )
    query = visible_firms(ctx).where(Firm.id == firm_id)
    if ctx.session.scalar(query) is None:
        raise not_found("firm", firm_id)
    program_ids = ctx.session.scalars(
        select(Loan.program_id).where(Loan.firm_id == firm_id).distinct().order_by(Loan.program_id)
    )
    programs = {pid: lock_program(ctx, pid) for pid in list(program_ids)}
    firm = ctx.session.scalar(query.with_for_update().execution_options(populate_existing=True))
    if firm is None:
        raise not_found("firm", firm_id)
    before = snapshot(firm)
    if "attributes" in changes:
        changes["attributes"] = check_attributes(
            ctx.pm,
            tenant_policies(ctx),
            "firm",
            merge_patch(firm.attributes, changes["attributes"]),
        )
    if any(k in changes for k in SIZE_FIELDS):
        facts_ = {k: changes.get(k, getattr(firm, k)) for k in SIZE_FIELDS}
        sized = _classify(**facts_)
        changes.update(
            industry=sized.industry.value,
            size_class=sized.size.value,
            size_explanation=sized.explanation.as_dict(),
        )
    for key, value in changes.items():
        setattr(firm, key, value)
    ctx.session.flush()
    record_event(ctx, "firm.correct", firm, before=before)
    loans = ctx.session.scalars(select(Loan).where(Loan.firm_id == firm.id).order_by(Loan.id))
    decided = [redecide_coverage(ctx, programs[loan.program_id], loan) for loan in loans]
    return {
        "firm": firm,
        "corrected": sorted(k for k in data if k in FIRM_CORRECTABLE),
        "loans": decided,
    }


def visible_firms(ctx: Context) -> Any:
    query = select(Firm).order_by(Firm.id)
    if ctx.institution_id is not None:
        inst = ctx.institution_id
        with_loans = select(Loan.firm_id).where(
            or_(Loan.lender_id == inst, Loan.guarantor_id == inst, Loan.insurer_id == inst)
        )
        query = query.where(or_(Firm.registered_by_institution_id == inst, Firm.id.in_(with_loans)))
    return query


def get_firm(ctx: Context, firm_id: int) -> Firm:
    firm = ctx.session.scalar(visible_firms(ctx).where(Firm.id == firm_id))
    if firm is None:
        raise not_found("firm", firm_id)
    return firm
