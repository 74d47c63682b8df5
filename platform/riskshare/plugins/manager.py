"""Build the plugin manager: the core's defaults plus the policies named in configuration."""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any, cast

import jsonschema
import pluggy

from riskshare.auth.roles import RoleCatalogue
from riskshare.plugins import defaults, hookspec
from riskshare.plugins.dispatch import DEFAULTS_NAME, HookRelay, PolicyHooks
from riskshare.plugins.types import ATTRIBUTE_RECORDS, REPORT_PERIOD_KINDS, PolicyDescriptor

ENTRY_POINT_GROUP = "riskshare.policies"


class PluginLoadError(RuntimeError):
    """A configured policy plugin could not be loaded; the platform must not start."""


def meta_schema(name: str = "policy-config") -> dict[str, Any]:
    text = resources.files("riskshare").joinpath(f"schemas/{name}.meta.json").read_text()
    return json.loads(text)


def available_plugins() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def get_plugin_manager(
    enabled: Sequence[str] | None, extra_plugins: Iterable[tuple[str, object]] = ()
) -> pluggy.PluginManager:
    """A fresh manager with the core defaults and the enabled policy plugins.

    :param enabled: entry-point names to load; ``None`` loads every installed one.
    :param extra_plugins: ``(name, module_or_object)`` registered directly (tests, embedding).
    """
    pm = pluggy.PluginManager(hookspec.PROJECT)
    pm.add_hookspecs(hookspec)
    pm.register(defaults, name=DEFAULTS_NAME)
    installed = available_plugins()
    names = list(installed) if enabled is None else list(enabled)
    for name in names:
        if name not in installed:
            known = ", ".join(sorted(installed)) or "none"
            raise PluginLoadError(
                f"policy plugin '{name}' is enabled but not installed "
                f"(entry point group {ENTRY_POINT_GROUP}; installed: {known})"
            )
        try:
            plugin = installed[name].load()
        except Exception as exc:  # any import-time failure must stop start-up, clearly
            raise PluginLoadError(f"policy plugin '{name}' failed to load: {exc!r}") from exc
        pm.register(plugin, name=name)
    for name, plugin in extra_plugins:
        pm.register(plugin, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(f"a policy plugin implements an unknown hook: {exc}") from exc
    policy_registry(pm)  # validates every policy's schema now, not at the first request
    return pm


def policy_registry(pm: pluggy.PluginManager) -> dict[str, PolicyDescriptor]:
    """Every policy offered by the registered plugins, by name; schemas checked."""
    return _policies(pm)[0]


def installed_policies(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """Every policy offered, with the plugin and the installed distribution offering it:
    what an operator checks after a rolling restart (``GET /platform/policies``)."""
    policy_registry(pm)  # the schemas checked
    entry_points = available_plugins()
    found = []
    for impl in pm.hook.riskshare_policies.get_hookimpls():
        ep = entry_points.get(impl.plugin_name)
        dist = ep.dist if ep is not None else None
        answer = cast("list[PolicyDescriptor] | None", impl.function())
        for descriptor in answer or []:
            found.append(
                {
                    "name": descriptor.name,
                    "version": descriptor.version,
                    "title": descriptor.title,
                    "description": descriptor.description,
                    "config_schema": dict(descriptor.config_schema),
                    "plugin": impl.plugin_name,
                    "distribution": (
                        {"name": dist.metadata["Name"], "version": dist.version}
                        if dist is not None
                        else None
                    ),
                }
            )
    return sorted(found, key=lambda p: p["name"])


def policy_hooks(pm: pluggy.PluginManager) -> HookRelay:
    """The hooks as a program's own policy answers them (see ``riskshare.plugins.dispatch``),
    typed as :class:`~riskshare.plugins.dispatch.HookRelay` says."""
    return _policies(pm)[1]


def role_catalogue(pm: pluggy.PluginManager) -> RoleCatalogue:
    """The core's roles and institution kinds with those every installed policy adds."""
    return _policies(pm)[2]


def _policies(
    pm: pluggy.PluginManager,
) -> tuple[dict[str, PolicyDescriptor], PolicyHooks, RoleCatalogue]:
    count = len(pm.get_plugins())
    cached = getattr(pm, "_riskshare_policies", None)
    if cached is not None and cached[0] == count:
        return cached[1], cached[2], cached[3]
    registry: dict[str, PolicyDescriptor] = {}
    owners: dict[str, object] = {}
    validator = jsonschema.Draft202012Validator(meta_schema())
    attributes_validator = jsonschema.Draft202012Validator(meta_schema("policy-attributes"))
    for impl in pm.hook.riskshare_policies.get_hookimpls():
        # pluggy types an implementation's answer as object; the hookspec promises this.
        answer = cast("list[PolicyDescriptor] | None", impl.function())
        for descriptor in answer or []:
            if descriptor.name in registry:
                raise PluginLoadError(f"two plugins both offer the policy '{descriptor.name}'")
            problems = sorted(validator.iter_errors(dict(descriptor.config_schema)), key=str)
            if problems:
                detail = "; ".join(f"{p.json_path}: {p.message}" for p in problems[:5])
                raise PluginLoadError(
                    f"policy '{descriptor.name}' has a config schema that breaks the"
                    f" meta-schema: {detail}"
                )
            jsonschema.Draft202012Validator.check_schema(dict(descriptor.config_schema))
            _check_attribute_schemas(descriptor, attributes_validator)
            stray = sorted(set(descriptor.stored_reports) - set(REPORT_PERIOD_KINDS))
            if stray:
                raise PluginLoadError(
                    f"policy '{descriptor.name}' stores reports of periods {stray}; report"
                    f" periods are {list(REPORT_PERIOD_KINDS)}"
                )
            registry[descriptor.name] = descriptor
            owners[descriptor.name] = impl.plugin
    hooks = PolicyHooks(pm, owners, {name: d.cites for name, d in registry.items()})
    catalogue = RoleCatalogue.build(
        [(r.name, r.acts_for_institution) for d in registry.values() for r in d.roles],
        [kind for d in registry.values() for kind in d.institution_kinds],
        {d.name: d.payers for d in registry.values()},
        [r.name for d in registry.values() for r in d.roles if r.sees_whole_tenant],
        {d.name: d.payer_institution for d in registry.values() if d.payer_institution},
    )
    for d in registry.values():
        unknown = sorted(set(d.payers) - catalogue.names)
        if unknown:
            raise PluginLoadError(
                f"policy '{d.name}' names payers {unknown} that no policy declares as roles"
            )
        _check_payer_institution(d, catalogue)
    pm._riskshare_policies = (count, registry, hooks, catalogue)  # type: ignore[attr-defined]
    return registry, hooks, catalogue


def _check_payer_institution(d: PolicyDescriptor, catalogue: RoleCatalogue) -> None:
    """A payer acting for an institution pays for the programs whose config names its
    institution: the policy must say under which required config key."""
    bound = sorted(set(d.payers) & catalogue.institution_roles)
    key = d.payer_institution
    if not bound:
        if key is not None:
            raise PluginLoadError(
                f"policy '{d.name}' names payer_institution {key!r}, but none of its payers"
                f" {sorted(d.payers)} acts for an institution"
            )
        return
    schema = d.config_schema
    if (
        key is None
        or key not in schema.get("properties", {})
        or key not in schema.get("required", ())
    ):
        raise PluginLoadError(
            f"policy '{d.name}' has payers acting for an institution {bound}: its"
            " PolicyDescriptor.payer_institution must name a required key of its config"
            " schema holding the paying institution's code"
        )


def _check_attribute_schemas(
    descriptor: PolicyDescriptor, validator: jsonschema.Draft202012Validator
) -> None:
    """Stop start-up on an attribute schema the API could not validate or document."""
    unknown = sorted(set(descriptor.attribute_schemas) - set(ATTRIBUTE_RECORDS))
    if unknown:
        raise PluginLoadError(
            f"policy '{descriptor.name}' declares attributes of {unknown}; records that take"
            f" attributes are {list(ATTRIBUTE_RECORDS)}"
        )
    for record, schema in descriptor.attribute_schemas.items():
        problems = sorted(validator.iter_errors(dict(schema)), key=str)
        if problems:
            detail = "; ".join(f"{p.json_path}: {p.message}" for p in problems[:5])
            raise PluginLoadError(
                f"policy '{descriptor.name}' has {record!r} attributes whose schema breaks the"
                f" meta-schema policy-attributes.meta.json: {detail}"
            )
        try:
            jsonschema.Draft202012Validator.check_schema(dict(schema))
        except jsonschema.SchemaError as exc:
            raise PluginLoadError(
                f"policy '{descriptor.name}' has {record!r} attributes whose schema is not valid"
                f" JSON Schema: {exc.message} at {exc.json_path}"
            ) from exc
