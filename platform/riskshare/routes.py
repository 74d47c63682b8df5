"""The core's blueprints, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from riskshare.api.blueprint import Blueprint


def blueprints() -> list[Blueprint]:
    from riskshare.audit.routes import blp as audit
    from riskshare.calendar.routes import blp as calendar
    from riskshare.claims.routes import blp as claims
    from riskshare.disbursements.routes import blp as disbursements
    from riskshare.firms.routes import blp as firms
    from riskshare.imports.routes import blp as imports
    from riskshare.institutions.routes import blp as institutions
    from riskshare.jobs.routes import blp as jobs
    from riskshare.loans.routes import blp as loans
    from riskshare.notifications.routes import blp as notifications
    from riskshare.plans.routes import blp as plans
    from riskshare.programs.routes import blp as programs
    from riskshare.recoveries.routes import blp as recoveries
    from riskshare.reports.routes import blp as reports
    from riskshare.sanctions.routes import blp as sanctions
    from riskshare.supervision.routes import blp as supervision
    from riskshare.tenants.routes import blp as platform

    return [
        platform,
        jobs,
        calendar,
        programs,
        institutions,
        firms,
        loans,
        imports,
        claims,
        plans,
        disbursements,
        recoveries,
        sanctions,
        supervision,
        reports,
        notifications,
        audit,
    ]
