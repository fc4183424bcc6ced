"""The SDK floor: register exactly what the stack program registered, with no library logic.

The same resource types, names, parents, inputs and invokes, created the way a hand-written Pulumi
program creates them (the provider SDKs' resource classes, a ComponentResource subclass per component
type) but with every value precomputed: what remains of a run's time is the cost of Pulumi itself.

With ``dependencies``, the replay also sends what the program's registrations told the engine about
each other: every input that depended on other resources is an Output of those resources (an ``apply``
on their URNs, as a hand-written program passes ``role.name`` on) and the remaining dependencies are
``depends_on``. Without them the floor is cheaper than any program the engine would take for the same
stack: it sends no dependency graph and waits for nothing.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pulumi
from pulumi.runtime import invoke

from irsa_components.offline import Simulation


class _Component(pulumi.ComponentResource):
    """A component with no logic: only its type token and name."""

    def __init__(self, t: str, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(t, name, None, opts)
        self.register_outputs({})


@cache
def resource_class(token: str) -> type[pulumi.CustomResource]:
    """``aws:iam/role:Role`` -> ``pulumi_aws.iam.Role``; ``kubernetes:core/v1:ServiceAccount`` -> ...core.v1."""
    package, module, name = token.split(":")
    if package == "pulumi" and module == "providers":
        return importlib.import_module(f"pulumi_{name}").Provider  # type: ignore[no-any-return]
    root = f"pulumi_{package}"
    parts = [] if module == "index" else module.split("/")
    for depth in (len(parts), 1, 0):  # kubernetes: core/v1 is a module path; aws: iam/role is iam + a file
        try:
            cls = getattr(importlib.import_module(".".join([root, *parts[:depth]])), name)
            return cls  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    raise LookupError(token)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def replay_program(recorded: Simulation, dependencies: bool = False) -> Callable[[], None]:
    known = {r.urn for r in recorded.resources}

    def program() -> None:
        created: dict[str, pulumi.Resource] = {}
        for call in recorded.invokes:
            invoke(call.token, dict(call.args))
        for r in recorded.resources:  # registration order: parents come first
            parent = created.get(r.parent) if r.parent in known else None
            inputs = {k: v for k, v in r.inputs.items() if k != "version"}
            depends_on: list[pulumi.Resource] = []
            if dependencies:
                carried = set()
                for key, on in r.property_dependencies.items():
                    sources = [created[u] for u in on if u in created]
                    if key in inputs and sources:
                        inputs[key] = _depending(inputs[key], sources)
                        carried.update(on)
                depends_on = [created[u] for u in r.dependencies if u in created and u not in carried]
            opts = pulumi.ResourceOptions(parent=parent, depends_on=depends_on or None)
            resource: pulumi.Resource
            if r.custom or r.type.startswith("pulumi:providers:"):
                resource = resource_class(r.type)(r.name, opts=opts, **{_snake(k): v for k, v in inputs.items()})
            else:
                resource = _Component(r.type, r.name, opts)
            created[r.urn] = resource

    return program


def _depending(value: Any, sources: list[pulumi.Resource]) -> pulumi.Output[Any]:
    """``value`` as an Output that depends on ``sources``, known once they are registered."""
    urns = [s.urn for s in sources]
    first = urns[0] if len(urns) == 1 else pulumi.Output.all(*urns)
    return first.apply(lambda _: value)
