"""Explicit state machines: every transition names its states and the roles allowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from riskshare.auth.roles import PAYER


class TransitionRefused(Exception):
    """A transition was asked of a record in the wrong state, or by the wrong role."""

    def __init__(self, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


class StateMachine:
    """The states of one kind of record and the transitions between them."""

    def __init__(self, record: str, initial: str, transitions: Iterable[Transition]) -> None:
        self.record = record
        self.initial = initial
        self.transitions = {t.name: t for t in transitions}

    @classmethod
    def define(
        cls, record: str, initial: str, table: Iterable[tuple[str, str | tuple[str, ...], str, str]]
    ) -> StateMachine:
        """Build from rows ``(transition, source(s), target, "role role ...")``."""
        rows = []
        for name, sources, target, roles in table:
            srcs = (sources,) if isinstance(sources, str) else sources
            rows.append(Transition(name, frozenset(srcs), target, frozenset(roles.split())))
        return cls(record, initial, rows)

    @property
    def states(self) -> set[str]:
        found = {self.initial}
        for t in self.transitions.values():
            # "=" is a step that leaves the record where it is, not a state.
            found |= t.sources | ({t.target} - {"="})
        return found

    def check(
        self,
        transition: str,
        current: str,
        roles: Iterable[str],
        allowed: Iterable[str] | None = None,
        payers: Iterable[str] = ("finance",),
    ) -> Transition:
        """Return the transition if ``roles`` may take it from ``current``; else refuse.

        ``allowed`` replaces the default roles when a policy assigns the step to other
        people. The role ``payer`` in a transition stands for ``payers``: whoever pays and
        confirms money for the record's program (the finance bureau unless its policy
        names another).
        """
        t = self.transitions[transition]
        permitted = frozenset(allowed) if allowed is not None else t.roles
        if PAYER in permitted:
            permitted = (permitted - {PAYER}) | frozenset(payers)
        if not permitted & set(roles):
            raise TransitionRefused(
                f"{self.record} {transition} needs one of the roles {sorted(permitted)}",
                status=403,
            )
        if current not in t.sources:
            raise TransitionRefused(
                f"{self.record} cannot {transition} from state '{current}'"
                f" (only from {sorted(t.sources)})"
            )
        return t

    def as_table(self) -> list[dict]:
        return [
            {
                "transition": t.name,
                "from": sorted(t.sources),
                "to": t.target,
                "roles": sorted(t.roles),
            }
            for t in self.transitions.values()
        ]
