"""Ask a program's own policy, and no other: the relay behind ``ctx.hook``.

Every hook that takes a ``program`` is answered by the plugin that offers
``program.policy`` and by the core's defaults, nothing else. A policy plugin therefore
never needs to check whether a program is its own, and a plugin that forgot such a check
cannot answer for another tenant's programs. Hooks without a program (registration,
routes, migrations, demo data) go to every plugin, as pluggy calls them.

An answer to a program's hook is cited through the policy's ``cites``
(``PolicyDescriptor.cites``): the core's explanations in it (a default's, or a toolkit
function's the policy built on) name the policy's rule and clause where it gives one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import pluggy

from riskshare.calendar import WorkdayCalendar
from riskshare.explain import Citation, Explanation, recite
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

DEFAULTS_NAME = "riskshare.defaults"
T = TypeVar("T")


class HookRelay(Protocol):
    """What ``ctx.hook.riskshare_x(...)`` answers, typed: the hookspecs as the core calls them.

    pluggy's own relay types every hook as ``Any``. This protocol states, for each hook in
    ``riskshare.plugins.hookspec``, the call the core makes (keyword arguments only, as
    pluggy requires) and what comes back: a ``firstresult`` hook gives its spec's answer
    (``X | None``, which ``require`` turns into ``X``), any other hook the list of the
    answers of the plugins that gave one. ``tests/plugins/test_hookspecs.py`` fails when a
    hookspec and its method here disagree, so a new hook is added to both.
    """

    def recite(self, policy: str | None, answer: T) -> T:
        """``answer`` with the core's explanations cited through ``policy``'s ``cites``."""
        ...

    def riskshare_policies(self) -> list[list[PolicyDescriptor]]: ...

    def riskshare_register_routes(self, *, api: Any) -> list[None]: ...

    def riskshare_migration_locations(self) -> list[list[str]]: ...

    def riskshare_demo_tenants(self) -> list[list[DemoTenant]]: ...

    def riskshare_loan_coverage(
        self,
        *,
        program: ProgramView,
        loan: LoanView,
        firm: FirmView,
        lender: InstitutionView,
        guarantor: InstitutionView | None,
        facts: Facts,
    ) -> Decision | None: ...

    def riskshare_loan_event(
        self,
        *,
        program: ProgramView,
        loan: LoanView,
        event: LoanEventView,
        calendar: WorkdayCalendar,
        facts: Facts,
    ) -> EventDecision | None: ...

    def riskshare_claim_eligibility(
        self, *, program: ProgramView, loan: LoanView, claim: ClaimView, facts: Facts
    ) -> Decision | None: ...

    def riskshare_compensation(
        self, *, program: ProgramView, loan: LoanView, claim: ClaimView, facts: Facts
    ) -> Compensation | None: ...

    def riskshare_required_reviews(
        self, *, program: ProgramView, claim: ClaimView, facts: Facts
    ) -> list[str] | None: ...

    def riskshare_deadline(
        self, *, program: ProgramView, kind: str, start: dt.date, calendar: WorkdayCalendar
    ) -> DeadlineDecision | None: ...

    def riskshare_plan_period(self, *, program: ProgramView, day: dt.date) -> Period | None: ...

    def riskshare_propose_allocation(
        self, *, program: ProgramView, period: Period, dues: list[ClaimDue], facts: Facts
    ) -> Allocation | None: ...

    def riskshare_check_allocation(
        self, *, program: ProgramView, period: Period, lines: list[AllocationLine], facts: Facts
    ) -> Decision | None: ...

    def riskshare_check_payment(
        self, *, program: ProgramView, payment: PaymentView, facts: Facts
    ) -> Decision | None: ...

    def riskshare_pool_credited(
        self, *, program: ProgramView, kind: str, amount: Decimal, day: dt.date, facts: Facts
    ) -> list[None]: ...

    def riskshare_transition_roles(
        self, *, program: ProgramView, record: str, transition: str
    ) -> list[str] | None: ...

    def riskshare_recovery(
        self,
        *,
        program: ProgramView,
        claim: ClaimView,
        recovery: RecoveryView,
        calendar: WorkdayCalendar,
        facts: Facts,
    ) -> RecoveryDecision | None: ...

    def riskshare_write_off(
        self, *, program: ProgramView, loan: LoanView, write_off: WriteOffView, facts: Facts
    ) -> WriteOffDecision | None: ...

    def riskshare_ban(
        self,
        *,
        program: ProgramView,
        subject_type: str,
        subject: FirmView | InstitutionView,
        rule: str,
        years: int | None,
        facts: Facts,
    ) -> BanDecision | None: ...

    def riskshare_clawback(
        self, *, program: ProgramView, institution: InstitutionView, reason: str, facts: Facts
    ) -> ClawbackDecision | None: ...

    def riskshare_cooperation_change(
        self, *, program: ProgramView, institution: InstitutionView, action: str, facts: Facts
    ) -> Decision | None: ...

    def riskshare_report_sections(
        self, *, program: ProgramView, period: Period, facts: Facts
    ) -> list[list[ReportSection]]: ...

    def riskshare_monitoring(
        self, *, program: ProgramView, day: dt.date, facts: Facts
    ) -> list[list[Alert]]: ...


class PolicyHooks:
    """``hooks.riskshare_x(program=p, ...)`` calls only ``p.policy``'s plugin and defaults."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        owners: dict[str, object],
        cites: Mapping[str, Mapping[str, Citation]] | None = None,
    ) -> None:
        self._pm = pm
        self._owners = owners
        self._cites = dict(cites or {})
        self._callers: dict[tuple[str, str | None, int], Any] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        caller = getattr(self._pm.hook, name)
        if caller.spec is None or "program" not in caller.spec.argnames:
            return caller

        def call_program_policy(**kwargs: Any) -> Any:
            program = kwargs.get("program")
            if program is None:
                raise TypeError(f"{name} is asked for a program: pass program=")
            answer = self.caller(name, program.policy)(**kwargs)
            return self.recite(program.policy, answer)

        return call_program_policy

    def recite(self, policy: str | None, answer: Any) -> Any:
        """``answer`` (an explanation, a decision, a list of them ...) with the core's
        explanations in it cited through ``policy``'s ``cites``."""
        cites = self._cites.get(policy) if policy is not None else None
        return _recite(answer, cites) if cites else answer

    def caller(self, name: str, policy: str | None) -> Any:
        """The hook ``name`` as answered by ``policy``'s plugin (None: defaults only)."""
        plugins = self._pm.get_plugins()
        # Keyed on the number of plugins too: a plugin registered later (tests, embedding)
        # is then excluded from, or included in, the subsets it belongs to.
        key = (name, policy, len(plugins))
        with self._lock:
            found = self._callers.get(key)
            if found is None:
                keep = {id(self._pm.get_plugin(DEFAULTS_NAME))}
                owner = self._owners.get(policy) if policy is not None else None
                if owner is not None:
                    keep.add(id(owner))
                others = [p for p in plugins if id(p) not in keep]
                found = self._pm.subset_hook_caller(name, remove_plugins=others)
                self._callers[key] = found
            return found


def _recite(node: Any, cites: Mapping[str, Citation]) -> Any:
    if isinstance(node, Explanation):
        return recite(node, cites)
    if isinstance(node, list | tuple):
        items = [_recite(item, cites) for item in node]
        return items if isinstance(node, list) else tuple(items)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, Explanation) or (
                isinstance(value, Sequence) and not isinstance(value, str)
            ):
                new = _recite(value, cites)
                if new is not value:
                    changes[f.name] = new
        return dataclasses.replace(node, **changes) if changes else node
    return node
