"""Run the policy pack over a program executed offline, the way the Pulumi engine would call it.

``irsa_components.offline.run_program`` records every registration (inputs, resulting state, parent,
provider, dependencies). This module turns that record into the arguments the engine hands a policy
pack (``ResourceValidationArgs`` per resource from its inputs, ``StackValidationArgs`` from the
resources' outputs), with the engine's own deserialization and unknown-checking proxies, and runs
the policies as the analyzer does, enforcement levels and per-policy config included. Values only the
cloud knows keep their placeholders (``<account-id>``), which the rules decide over as symbols: a stack
without ``aws:allowedAccountIds`` is judged, not skipped.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from inspect import isawaitable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from ..offline import SECRET_PLACEHOLDER, Registration, Simulation
from .policies import POLICIES
from .values import UNKNOWN_STRING

PolicyConfig = Mapping[str, Any]
"""The pack's config as in a policy config file: ``{policy name: level | {"enforcementLevel": ..., key: value}}``."""


@dataclass(frozen=True)
class Violation:
    policy: str
    level: EnforcementLevel
    message: str
    urn: str | None


def offline_values(value: Any) -> Any:
    """The harness's values as the pack reads them: a placeholder for what only the cloud knows (the
    account, an issuer ID) stays in its string, where the rules treat it as a symbolic value (the same
    placeholder is the same value everywhere; ``core.queries``); an undecryptable secret is unknown."""
    if isinstance(value, str):
        return UNKNOWN_STRING if value == SECRET_PLACEHOLDER else value
    if isinstance(value, Mapping):
        return {k: offline_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [offline_values(v) for v in value]
    return value


def _engine_props(props: Mapping[str, Any]) -> Any:
    """Properties as the analyzer hands them to a policy: deserialized (secrets unwrapped) and proxied."""
    # JSON round trip: what goes over gRPC (numbers become floats, tuples lists).
    wire = json.loads(json.dumps(dict(props), default=str))
    return unknown_checking_proxy(offline_values(deserialize_properties(wire)))


def _options(reg: Registration) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=reg.protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=list(reg.aliases),
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=reg.parent or None,
    )


def _default_provider_props(package: str, config: Mapping[str, str]) -> dict[str, Any]:
    """A default provider's properties: the ``<package>:*`` stack config, as the engine configures it."""
    props: dict[str, Any] = {}
    for key, value in config.items():
        pkg, _, name = key.partition(":")
        if pkg != package or not name:
            continue
        try:
            props[name] = json.loads(value)
        except (json.JSONDecodeError, TypeError):
            props[name] = value
    return props


class _Converter:
    """Turns registrations into policy arguments; each resource's properties are converted once and
    shared by every policy (they are read-only proxies), as the engine sends them once per resource."""

    def __init__(self, simulation: Simulation, config: Mapping[str, str]) -> None:
        self.simulation = simulation
        self.config = config
        self.by_urn = {r.urn: r for r in simulation.resources}
        self._props: dict[tuple[str, str], Any] = {}
        self._providers: dict[str, PolicyProviderResource | None] = {}
        self._stack: list[PolicyResource] | None = None

    def props(self, reg: Registration, outputs: bool = False) -> Any:
        key = (reg.urn, "state" if outputs else "inputs")
        if key not in self._props:
            self._props[key] = _engine_props((reg.state or reg.inputs) if outputs else reg.inputs)
        return self._props[key]

    def provider(self, reg: Registration) -> PolicyProviderResource | None:
        if reg.urn not in self._providers:
            self._providers[reg.urn] = self._provider(reg)
        return self._providers[reg.urn]

    def _provider(self, reg: Registration) -> PolicyProviderResource | None:
        if reg.provider:
            urn = reg.provider.rsplit("::", 1)[0]
            provider = self.by_urn.get(urn)
            if provider is not None:
                return PolicyProviderResource(provider.type, self.props(provider), provider.urn, provider.name)
        if not reg.custom or reg.type.startswith("pulumi:providers:"):
            return None
        package = reg.type.split(":", 1)[0]
        stack_part, project_part = reg.urn.split("::", 2)[:2]
        default_urn = f"{stack_part}::{project_part}::pulumi:providers:{package}::default"
        props = _default_provider_props(package, self.config)
        return PolicyProviderResource(f"pulumi:providers:{package}", _engine_props(props), default_urn, "default")

    def resource_args(self, reg: Registration, policy_config: Mapping[str, Any] | None) -> ResourceValidationArgs:
        return ResourceValidationArgs(
            reg.type,
            self.props(reg),
            reg.urn,
            reg.name,
            _options(reg),
            self.provider(reg),
            policy_config,
        )

    def stack_args(self, policy_config: Mapping[str, Any] | None) -> StackValidationArgs:
        if self._stack is None:
            self._stack = self._stack_resources()
        return StackValidationArgs(self._stack, policy_config)

    def _stack_resources(self) -> list[PolicyResource]:
        resources = {
            reg.urn: PolicyResource(
                reg.type,
                self.props(reg, outputs=True),
                reg.urn,
                reg.name,
                _options(reg),
                self.provider(reg),
                None,
                [],
                {},
            )
            for reg in self.simulation.resources
        }
        for reg in self.simulation.resources:
            resource = resources[reg.urn]
            resource.parent = resources.get(reg.parent)
            resource.dependencies.extend(resources[d] for d in reg.dependencies if d in resources)
        return list(resources.values())


def resource_validation_args(
    simulation: Simulation,
    *,
    config: Mapping[str, str] | None = None,
    policy_config: Mapping[str, Any] | None = None,
) -> list[ResourceValidationArgs]:
    """One ``ResourceValidationArgs`` per registered resource, as ``Analyze`` receives them (inputs)."""
    converter = _Converter(simulation, config or {})
    return [converter.resource_args(reg, policy_config) for reg in simulation.resources]


def stack_validation_args(
    simulation: Simulation,
    *,
    config: Mapping[str, str] | None = None,
    policy_config: Mapping[str, Any] | None = None,
) -> StackValidationArgs:
    """The ``StackValidationArgs`` ``AnalyzeStack`` receives (every resource's outputs).

    Property dependencies are not recorded by the offline harness, so they are empty here; with every
    value known (the harness runs as ``pulumi up``) the rules connect resources by value instead.
    """
    return _Converter(simulation, config or {}).stack_args(policy_config)


def _level(policy: ResourceValidationPolicy | StackValidationPolicy, given: Any) -> EnforcementLevel:
    if isinstance(given, EnforcementLevel):
        return given
    if isinstance(given, str):
        return EnforcementLevel(given)
    if isinstance(given, Mapping) and "enforcementLevel" in given:
        return _level(policy, given["enforcementLevel"])
    return policy.enforcement_level or EnforcementLevel.ADVISORY


def _properties(given: Any) -> dict[str, Any] | None:
    if isinstance(given, Mapping):
        return {k: v for k, v in given.items() if k != "enforcementLevel"} or None
    return None


def _run(result: Any) -> None:
    if isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


def run_policies(
    simulation: Simulation,
    *,
    config: Mapping[str, str] | None = None,
    policy_config: PolicyConfig | None = None,
    policies: Sequence[ResourceValidationPolicy | StackValidationPolicy] = POLICIES,
) -> list[Violation]:
    """Every violation the pack reports for the simulated program, as ``pulumi preview --policy-pack`` would.

    Like the analyzer: disabled policies are skipped, a policy touching an unknown value yields an
    advisory "can't run during preview" diagnostic, and a policy marking itself not applicable is skipped.
    """
    converter = _Converter(simulation, config or {})
    violations: list[Violation] = []
    for policy in policies:
        given = (policy_config or {}).get(policy.name)
        level = _level(policy, given if given is not None else (policy_config or {}).get("all"))
        if level == EnforcementLevel.DISABLED:
            continue
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        properties = _properties(given)

        def reporter(default_urn: str | None, _policy: Any = policy, _level: Any = level) -> Any:
            def report(message: str, urn: str | None = None) -> None:
                violations.append(
                    Violation(_policy.name, _level, f"{_policy.description}\n{message}", urn or default_urn)
                )

            return report

        if isinstance(policy, ResourceValidationPolicy):
            for reg in simulation.resources:
                args = converter.resource_args(reg, properties)
                _guarded(policy, partial(policy.validate, args, reporter(reg.urn)), reg.urn, violations)
        else:
            stack_args = converter.stack_args(properties)
            _guarded(policy, partial(policy.validate, stack_args, reporter(None)), None, violations)
    return violations


def _guarded(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    call: Any,
    urn: str | None,
    violations: list[Violation],
) -> None:
    try:
        _run(call())
    except UnknownValueError as exc:
        violations.append(
            Violation(
                policy.name,
                EnforcementLevel.ADVISORY,
                f"can't run policy '{policy.name}' during preview: {exc.message}",
                urn,
            )
        )
    except _NotApplicableError:
        pass


def mandatory(violations: Sequence[Violation]) -> list[Violation]:
    return [v for v in violations if v.level == EnforcementLevel.MANDATORY]
