from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from riskshare.audit.events import record_event, record_read
from riskshare.context import Context
from riskshare.errors import Conflict, Invalid
from riskshare.firms import sme, uscc
from riskshare.firms.models import Firm
from riskshare.loans.models import Loan
from riskshare.services import not_found


def register_firm(ctx: Context, data: dict[str, Any]) -> Firm:
    try:
        code = uscc.validate(data["uscc"])
    except uscc.InvalidUSCC as exc:
        raise Invalid(
            f"The USCC is not valid: {exc.reason}.",
            errors=[{"pointer": "/uscc", "detail": exc.reason, "detail_zh": exc.reason_zh}],
        ) from exc
    try:
        sized = sme.classify(
            data["industry"],
            employees=data.get("employees"),
            revenue=data.get("revenue"),
            assets=data.get("assets"),
        )
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
        raise Invalid(str(exc), errors=[{"pointer": "/industry", "detail": str(exc)}]) from exc
    if ctx.session.scalar(select(Firm.id).where(Firm.uscc == code)):
        raise Conflict(
            f"A firm with USCC {code} is already registered.",
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
        attributes=data.get("attributes") or {},
        registered_by_institution_id=ctx.institution_id,
    )
    ctx.session.add(firm)
    ctx.session.flush()
    record_event(ctx, "firm.register", firm)
    return firm


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
    record_read(ctx, firm)  # firm financials are confidential
    return firm
