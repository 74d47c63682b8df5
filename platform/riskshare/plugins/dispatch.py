"""Ask a program's own policy, and no other: the relay behind ``ctx.hook``.

Every hook that takes a ``program`` is answered by the plugin that offers
``program.policy`` and by the core's defaults, nothing else. A policy plugin therefore
never needs to check whether a program is its own, and a plugin that forgot such a check
cannot answer for another tenant's programs. Hooks without a program (registration,
routes, migrations, demo data) go to every plugin, as pluggy calls them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pluggy

DEFAULTS_NAME = "riskshare.defaults"


class PolicyHooks:
    """``hooks.riskshare_x(program=p, ...)`` calls only ``p.policy``'s plugin and defaults."""

    def __init__(self, pm: pluggy.PluginManager, owners: dict[str, object]) -> None:
        self._pm = pm
        self._owners = owners
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
            return self.caller(name, program.policy)(**kwargs)

        return call_program_policy

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
