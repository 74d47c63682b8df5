"""Hook specifications: the contract between the core and policy plugins.

Each locality's rules are a policy plugin. The core asks the policy of a program every
question whose answer varies by locality; the policy answers with a decision that carries its
explanation (rule id, clause, inputs, threshold, result, in Chinese and English).

Conventions, as in pytest's own hookspec:

* Hooks are always called with keyword arguments.
* A hook that takes a ``program`` is asked of that program's own policy plugin and of the
  core's defaults only (``riskshare.plugins.dispatch``): an implementation never checks
  whose program it is. Hooks marked ``firstresult`` stop at the first non-None answer; the
  defaults (``riskshare.plugins.defaults``) are registered ``trylast`` and answer what the
  policy leaves open (return None to keep the default). Hooks without a program
  (registration, routes, migrations) are asked of every plugin.
* Every ``firstresult`` hook with a core default says in its docstring what the default
  does (``Default:``) and names the toolkit function that computes it, so a policy that
  answers the hook builds on the default (calls it, then adds its own explanations or
  changes what it returns) instead of copying it. Answering a hook replaces the default
  entirely: the core does not run it as well.
* Plugins import only from :mod:`riskshare.toolkit`.

Each hook's docstring ends with an example; ``tests/plugins/test_hookspecs.py`` fails when a
hook lacks a docstring, a ``:param:`` for one of its arguments, an example, or a test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pluggy

from riskshare.calendar import WorkdayCalendar
from riskshare.plugins.types import (
    Alert,
    Allocation,
    AllocationLine,
    BanDecision,
    ClaimDue,
    ClaimView,
    ClawbackDecision,
    Compensation,
    DeadlineDecision,
    Decision,
    DemoTenant,
    EventDecision,
    Facts,
    FirmView,
    InstitutionView,
    LoanEventView,
    LoanView,
    PaymentView,
    Period,
    PolicyDescriptor,
    ProgramView,
    RecoveryDecision,
    RecoveryView,
    ReportSection,
    WriteOffDecision,
    WriteOffView,
)

PROJECT = "riskshare"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -------------------------------------------------------------------------------------------
# Registration
# -------------------------------------------------------------------------------------------


@hookspec
def riskshare_policies() -> list[PolicyDescriptor]:
    """Return the policies this plugin implements.

    Called once when the plugin manager is built. The core validates each config schema
    against ``schemas/policy-config.meta.json`` and refuses to start on a bad one.

    :return: the plugin's policies (usually one).

    Example::

        @hookimpl
        def riskshare_policies():
            return [PolicyDescriptor(name="toy", version="1", title="Toy", config_schema=SCHEMA)]
    """


@hookspec
def riskshare_register_routes(api: Any) -> None:
    """Register the plugin's own HTTP routes.

    Called once by the app factory after the core's routes. Use
    :class:`riskshare.toolkit.Blueprint`; its routes get the same authentication, problem
    responses and tenant scoping as the core's.

    :param api: the ``flask_smorest.Api``; call ``api.register_blueprint(blp)``.

    Example::

        @hookimpl
        def riskshare_register_routes(api):
            api.register_blueprint(my_blueprint)
    """


@hookspec
def riskshare_migration_locations() -> list[str]:
    """Return folders of Alembic revisions for the plugin's own tables.

    Called by the migration environment; each folder's revisions form a branch labelled with
    the plugin's name and depend on the core's head they were written against.

    :return: absolute paths of revision folders.

    Example::

        @hookimpl
        def riskshare_migration_locations():
            return [str(Path(__file__).parent / "migrations")]
    """


@hookspec
def riskshare_demo_tenants() -> list[DemoTenant]:
    """Describe the tenants this plugin's policy shows in the embedded demo.

    Called by ``riskshare serve`` and ``riskshare demo`` (``riskshare.demo.load_demo``), of
    every plugin. For each tenant the core creates, if the tenant does not exist yet, the
    tenant with its institutions and firms (an existing tenant is left as it is), then
    calls its ``story`` with an API client bound to the tenant; ``print_tokens`` prints a
    development token for each of its ``users``. Two plugins may not declare the same slug,
    and a user's role and institution must be known, or the load stops before writing.

    :return: the demo tenants (an empty list, or no implementation, for none).

    Example::

        def story(api):  # idempotent: a second load adds nothing
            office = api.as_("office", user="county-demo-office")
            if not office.ok("GET", "/programs"):
                office.ok("POST", "/programs", {"code": "county-2025", ...}, status=201)

        @hookimpl
        def riskshare_demo_tenants():
            return [DemoTenant(
                "county-demo", "A county",
                institutions=[DemoInstitution("bank-a", "Bank A", "bank")],
                users=[DemoUser("office"), DemoUser("lender", "bank-a")],
                story=story,
            )]
    """


# -------------------------------------------------------------------------------------------
# Loans
# -------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def riskshare_loan_coverage(
    program: ProgramView,
    loan: LoanView,
    firm: FirmView,
    lender: InstitutionView,
    guarantor: InstitutionView | None,
    facts: Facts,
) -> Decision | None:
    """Decide whether a loan being registered is covered by the program.

    Called when a loan is registered. A loan that is not covered is still recorded, with the
    refusing explanations, so institutions see why.

    :param program: the program in force on the loan's issue date.
    :param loan: the loan as submitted (``id`` is None).
    :param firm: the borrowing firm.
    :param lender: the lending institution.
    :param guarantor: the guarantee company, if any.
    :param facts: read-only queries (e.g. the firm's other outstanding loans).
    :return: ``Decision(allowed=covered, explanations=...)``; one explanation per rule tried.

    Example::

        if loan.principal > Decimal(config["per_loan_cap"]):
            return Decision(False, [Explanation("T-1", "§1", "not covered", "...", "...",
                                                passed=False)])
    """


@hookspec(firstresult=True)
def riskshare_loan_event(
    program: ProgramView,
    loan: LoanView,
    event: LoanEventView,
    calendar: WorkdayCalendar,
    facts: Facts,
) -> EventDecision | None:
    """Judge a loan event being filed: accept it, its deadline, and whether it is late.

    Called for overdue filings, classification changes, guarantor payouts, restructurings and
    closures. A refused event is not recorded and the caller gets 422 with the rule.

    :param program: the loan's program.
    :param loan: the loan before the event.
    :param event: the event as filed.
    :param calendar: working days (holidays and adjusted weekends).
    :param facts: read-only queries.
    :return: the decision, or None to keep the default.

    Default: accept, with no deadline and never late (``toolkit.accept_event(event)``).

    Example::

        d = calendar.add_working_days(event.event_date, 5)
        late = event.filed_on > d.due
        return EventDecision(True, deadline=d, late=late, explanations=[...])
    """


# -------------------------------------------------------------------------------------------
# Claims
# -------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def riskshare_claim_eligibility(
    program: ProgramView, loan: LoanView, claim: ClaimView, facts: Facts
) -> Decision | None:
    """Decide whether an institution may claim on a loan now.

    Called when a claim is submitted, after the core's own checks (the loan is covered, the
    claimant is its lender or guarantor, no open claim exists). A refusal gives 422 with the
    refusing rule; nothing is written.

    :param program: the loan's program.
    :param loan: the loan, with its current classification.
    :param claim: the claim as submitted (``id`` None), with the kinds of evidence attached.
    :param facts: read-only queries.
    :return: the decision.

    Default: eligible, with no further rule (the core's own checks have run already).

    Example::

        if not loan.non_performing:
            return Decision(False, [Explanation("X-09", "第九条", "refused", ...)])
    """


@hookspec(firstresult=True)
def riskshare_compensation(
    program: ProgramView, loan: LoanView, claim: ClaimView, facts: Facts
) -> Compensation | None:
    """Compute what a claim is worth.

    Called when a claim is submitted and again when a reviewer approves it. Must round with
    :func:`riskshare.toolkit.to_money` (half up, to the fen).

    :param program: the loan's program.
    :param loan: the loan.
    :param claim: the claim, with ``claimed_principal``.
    :param facts: read-only queries.
    :return: base, ratio and amount, with explanations.

    Example::

        ratio = Decimal("0.3")
        return Compensation(claim.claimed_principal, ratio,
                            to_money(claim.claimed_principal * ratio), [...])
    """


@hookspec(firstresult=True)
def riskshare_required_reviews(
    program: ProgramView, claim: ClaimView, facts: Facts
) -> list[str] | None:
    """Name the roles that must each approve a claim before it counts as approved.

    Called when a review is written. Any required role rejecting rejects the claim.

    :param program: the claim's program.
    :param claim: the claim.
    :param facts: read-only queries (the claim's loan, its firm, the policy's own records:
        reviews that depend on who graded the firm, say).
    :return: role names, e.g. ``["reviewer", "finance"]``.

    Default: ``["reviewer"]``, one reviewer's approval.

    Example::

        return ["reviewer", "finance"]  # a joint review by the DRC and the finance bureau
    """


@hookspec(firstresult=True)
def riskshare_deadline(
    program: ProgramView, kind: str, start: dt.date, calendar: WorkdayCalendar
) -> DeadlineDecision | None:
    """Give the deadline a step has, counted from ``start``.

    Called for ``claim_review`` (from submission), ``recovery_return`` (from receipt),
    ``write_off_evidence`` (from the write-off approval), ``plan_summary`` (from the
    period's end) and ``overdue_filing`` (from the first day a matured loan is unpaid: the
    deadline sweep reminds the lender of a filing not made).

    :param program: the program.
    :param kind: which deadline.
    :param start: the day the clock starts.
    :param calendar: working days.
    :return: the deadline with its explanation, or None when the policy sets none.

    Default: none; a step without a deadline is never late.

    Example::

        if kind == "claim_review":
            d = calendar.add_working_days(start, 10)
            return DeadlineDecision(d, Explanation("X-11", "第九条", d.due.isoformat(), ...))
    """


# -------------------------------------------------------------------------------------------
# Plans and payments
# -------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def riskshare_plan_period(program: ProgramView, day: dt.date) -> Period | None:
    """Name the allocation period a day falls in (a year, a half year, a quarter ...).

    Called when the office proposes a plan for the period of ``day``. A plan opens only
    after its period has ended (a proposal for a period still running is a 422 at ``/day``),
    pays the claims approved by the period's end, and there is one plan per period label
    (the label is the key: ``"2024"``, ``"2024-H1"``, ``"2024-Q3"``). In-year periods are the
    policy's choice: return quarters or half years and the office can settle each as soon
    as it closes; what a plan could not pay is carried to the next period's plan.
    ``riskshare_deadline(kind="plan_summary")`` counts from the period's ``end``.

    :param program: the program.
    :param day: any day.
    :return: the period containing ``day``, with its first and last day.

    Default: the calendar year (``toolkit.calendar_year(day)``).

    Example::

        quarter = (day.month - 1) // 3 + 1
        start = dt.date(day.year, 3 * quarter - 2, 1)
        end = (start + dt.timedelta(days=92)).replace(day=1) - dt.timedelta(days=1)
        return Period(f"{day.year}-Q{quarter}", start, end)
    """


@hookspec(firstresult=True)
def riskshare_propose_allocation(
    program: ProgramView, period: Period, dues: list[ClaimDue], facts: Facts
) -> Allocation | None:
    """Propose how much of each approved claim a plan pays.

    Called when the office opens a plan for a period. ``dues`` holds every approved claim with
    money still owed, including what earlier plans carried over.

    :param program: the program.
    :param period: the plan's period.
    :param dues: claims owed, oldest approval first.
    :param facts: read-only queries (amounts paid so far, the pool).
    :return: the capacity and one line per due claim.

    Default: pay the dues oldest approval first until the pool runs out, carrying the rest
    (``toolkit.allocate_within_pool(dues, facts, capacity=None)``; pass a smaller
    ``capacity``, e.g. what an annual cap leaves, to keep the same order under your cap).

    Example::

        return Allocation(capacity, [AllocationLine(d.claim_id, d.outstanding, ZERO) ...])
    """


@hookspec(firstresult=True)
def riskshare_check_allocation(
    program: ProgramView, period: Period, lines: list[AllocationLine], facts: Facts
) -> Decision | None:
    """Check a plan as the office edited it: is it within the caps?

    Called when the office edits a plan, when it is submitted, and again when it is
    approved, under the program's lock: the last call sees every grant committed before it,
    so two plans approved at the same moment cannot both use the same room.

    :param program: the program.
    :param period: the plan's period.
    :param lines: the plan's lines after the edit.
    :param facts: read-only queries.
    :return: the decision; a refusal gives 422 with the rule.

    Default: the lines together stay within the pool
    (``toolkit.allocation_within_pool(lines, facts)``); a policy with its own caps returns
    that decision's explanations beside its own.

    Example::

        total = sum(line.allocated for line in lines)
        return Decision(total <= cap, [...])
    """


@hookspec(firstresult=True)
def riskshare_check_payment(
    program: ProgramView, payment: PaymentView, facts: Facts
) -> Decision | None:
    """Decide whether a payment may be made now (caps, pool thresholds, suspensions).

    Called under a lock on the program's row, in the transaction that records the payment,
    so concurrent payments see each other and a cap cannot be overshot.

    :param program: the program.
    :param payment: the payment being confirmed.
    :param facts: read-only queries, consistent with the lock.
    :return: the decision; a refusal gives 409 with the rule and nothing is paid. A
        ``PaymentDecision`` with ``pay_now`` pays only that part (more than zero, less than
        the payment): the rest stays owed as a new instructed payment (``remainder_of`` the
        first), confirmed when the policy allows it.

    Default: the pool holding the payment (``toolkit.default_payment_check(payment,
    facts, *more)``, built on ``pool_check``). Pass your own explanations as ``more`` to
    keep the core's check and add yours. Whatever the policy answers, the core refuses a
    payee whose cooperation is suspended or revoked, or who is banned
    (``institution_in_good_standing``), or whom the policy suspended (``suspend``).

    Example::

        cap = Explanation("T-7", "§7", ..., passed=paid_this_year + payment.amount <= cap)
        return default_payment_check(payment, facts, cap)
    """


@hookspec
def riskshare_pool_credited(
    program: ProgramView, kind: str, amount: Decimal, day: dt.date, facts: Facts
) -> None:
    """Hear that money went into the program's pool, so a state that depends on the pool's
    balance (a suspension that lifts at a level, say) changes at once, not at the next
    payment.

    Called by the core under the program's lock, in the transaction that books the credit,
    after a budget appropriation, a recovery returned to the pool and a clawback repaid, and
    by the period-close job each month the pool was credited. A policy that credits the pool
    from its own routes (investment gains, say) calls its own code the same way.

    :param program: the program whose pool was credited.
    :param kind: the ledger entry's kind: ``"appropriation"``, ``"recovery_returned"`` or
        ``"clawback_repaid"``; or ``"period_close"``: the monthly period-close job tells the
        policy once more of everything credited in the month just ended (under the lock,
        ``day`` the close's day), so a credit booked by a path that did not tell the policy
        is heard at the latest then. Hearing it twice must change nothing.
    :param amount: what went in (for ``"period_close"``, the month's credits in all).
    :param day: the day it was booked.
    :param facts: read-only queries, the pool's balance included (the credit is in it).
    :return: nothing; whatever the policy records is its own.

    Default: nothing happens (no implementation in the core's defaults).

    Example::

        @hookimpl
        def riskshare_pool_credited(program, kind, amount, day, facts):
            if facts.pool_balance() >= Decimal(program.config["resume_at"]):
                resume(program, day, facts)  # the policy's own record
    """


@hookspec(firstresult=True)
def riskshare_transition_roles(
    program: ProgramView, record: str, transition: str
) -> list[str] | None:
    """Assign a workflow step to different roles than the core's default.

    :param program: the program the record belongs to.
    :param record: the state machine (``"disbursement"``, ``"plan"``, ``"claim"`` ...), or
        ``"report"`` with the transition ``"read"``: who reads the program's fund reports.
    :param transition: the transition (``"confirm"``, ``"approve"`` ...).
    :return: the roles allowed, or None to keep the default.

    Default: the roles the core's state machine names for the step (the ``payer`` of a
    payment step is the descriptor's ``payers``); reports are read by the office, the
    approver, finance, the auditors and the program's payers (payers always read them).

    Example::

        if (record, transition) == ("plan", "approve"):
            return ["committee"]  # a role the policy declares in its descriptor
    """


# -------------------------------------------------------------------------------------------
# Recoveries and sanctions
# -------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def riskshare_recovery(
    program: ProgramView,
    claim: ClaimView,
    recovery: RecoveryView,
    calendar: WorkdayCalendar,
    facts: Facts,
) -> RecoveryDecision | None:
    """Work out what an institution must return from money recovered on a compensated loan.

    :param program: the program.
    :param claim: the compensated claim.
    :param recovery: what was recovered, at what cost, when.
    :param calendar: working days, for the return deadline.
    :param facts: read-only queries (compensation paid and already returned on the claim).
    :return: amount due, destination (``"pool"``, or one of the descriptor's
        ``recovery_destinations``) and deadline. The default returns a pro-rata share into
        the pool.

    Default: the pro-rata share of the net recovery into the pool, with no deadline
    (``toolkit.pro_rata_recovery(claim, recovery, facts, rule=, clause=, deadline=,
    destination=)``, which a policy calls with its own destination, rule, clause (a
    ``Rulebook.cite`` pair: zh, en) and deadline).

    Example::

        due = min(to_money((recovery.recovered - recovery.costs) * claim.ratio), remaining)
        return RecoveryDecision(due, "budget", calendar.add_working_days(..., 10), [...])
        # with PolicyDescriptor(..., recovery_destinations={"budget": Destination(
        #     "budget:remitted", "财政专户", "the fiscal account")})
    """


@hookspec(firstresult=True)
def riskshare_write_off(
    program: ProgramView, loan: LoanView, write_off: WriteOffView, facts: Facts
) -> WriteOffDecision | None:
    """Decide whether a loan's remaining loss may be written off, and who reviews it first.

    Called when the lender (or guarantor) records the write-off. With reviewers, the write-off
    waits in ``under_review`` until each of those roles approved it (any rejection rejects
    it), and only then is the loan written off.

    :param program: the loan's program.
    :param loan: the loan.
    :param write_off: the ground (e.g. ``"bankruptcy_liquidation"``), dates and net loss.
    :param facts: read-only queries (the loan's claims, what was paid and returned on them).
    :return: allowed or not, with explanations, and the reviewing roles.

    Default: allowed at once, with no review (``toolkit.write_off_unreviewed(loan,
    write_off)``).

    Example::

        ok = write_off.ground in ("bankruptcy_liquidation", "enforcement_terminated")
        return WriteOffDecision(ok, [Explanation("Y-13", ...)], reviewers=["reviewer", "finance"])
    """


@hookspec(firstresult=True)
def riskshare_ban(
    program: ProgramView,
    subject_type: str,
    subject: FirmView | InstitutionView,
    rule: str,
    years: int | None,
    facts: Facts,
) -> BanDecision | None:
    """Decide a ban imposed under a program's rule: may it be imposed, and for how long.

    Called when a ban names a program. Return None for rules the policy does not govern.

    :param program: the program whose rule the ban applies.
    :param subject_type: ``"firm"`` or ``"institution"``.
    :param subject: the firm or institution.
    :param rule: the rule id the office cites, e.g. ``"Y-17"``.
    :param years: the length asked for (None: none given).
    :param facts: read-only queries.
    :return: allowed or not, the length in years (None: for good), with explanations.

    Default: the ban as asked, for as long as asked (``toolkit.ban_as_asked(subject_type,
    subject, rule, years)``).

    Example::

        if rule == "Y-17":
            n = program.config["ban_years"]
            return BanDecision(years in (None, n), n, [Explanation("Y-17", ...)])
    """


@hookspec(firstresult=True)
def riskshare_clawback(
    program: ProgramView, institution: InstitutionView, reason: str, facts: Facts
) -> ClawbackDecision | None:
    """Decide what is clawed back from an institution found to have cheated, and any ban.

    :param program: the program.
    :param institution: the institution.
    :param reason: the finding, as recorded by the office.
    :param facts: read-only queries (what the institution was paid).
    :return: the amount and the ban's length in years (None: no ban).

    Default: everything paid to the institution and not clawed back before, no ban
    (``toolkit.claw_back_everything(institution, reason, facts)``; ``toolkit.clawback_due``
    gives the figures).

    Example::

        base = claw_back_everything(institution, reason, facts)
        return dataclasses.replace(base, ban_years=3)
    """


# -------------------------------------------------------------------------------------------
# Supervision
# -------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def riskshare_cooperation_change(
    program: ProgramView, institution: InstitutionView, action: str, facts: Facts
) -> Decision | None:
    """Decide whether an institution's cooperation may be suspended, resumed or revoked now.

    Called when a decision on an institution names the program it is taken under; the
    roles that may take it come from :func:`riskshare_transition_roles` with record
    ``"institution"``.

    :param program: the program under which the decision is taken.
    :param institution: the institution, with its current cooperation state.
    :param action: ``"suspend"``, ``"resume"`` or ``"revoke"``.
    :param facts: read-only queries (its loans, its filings, indicators).
    :return: the decision; a refusal gives 422 with the rule and nothing changes.

    Default: none; the change is made as decided.

    Example::

        if action == "resume" and npl_rate(institution) > Decimal("0.05"):
            return Decision(False, [Explanation("X-17", "第十五条", "refused", ...)])
    """


@hookspec
def riskshare_report_sections(
    program: ProgramView, period: Period, facts: Facts
) -> list[ReportSection]:
    """Add the policy's own tables to the program's fund report for ``period``.

    The core's report holds the fund's figures (appropriated, paid, returned, pool, claims,
    loans); every plugin's sections are appended, in JSON and in the .xlsx download.

    :param program: the program.
    :param period: the reported period (a month, a half year, a year).
    :param facts: read-only queries.
    :return: sections (an empty list when the policy adds none).

    Example::

        return [ReportSection("npl", "NPL by institution", ["institution", "npl_rate"],
                              [{"institution": "bank-a", "npl_rate": "0.031"}])]
    """


@hookspec
def riskshare_monitoring(program: ProgramView, day: dt.date, facts: Facts) -> list[Alert]:
    """Report what supervisors must look at on ``day``: NPL warnings, pool thresholds ...

    Called by the monitoring endpoint and sweep; every plugin's alerts are collected. A
    policy that pauses an institution or firm on what it finds records it here once
    (``riskshare.toolkit.suspend``, idempotent) and the core honours it in every step.

    :param program: the program.
    :param day: the day of the check.
    :param facts: read-only queries.
    :return: alerts (an empty list when all is well).

    Example::

        return [Alert("pool-low", "warning", "program", program.id, explanation)]
    """
