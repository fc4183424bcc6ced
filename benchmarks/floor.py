"""The SDK floor: register exactly what the stack program registered, with no library logic.

Same resource types, names, parents, inputs and invokes, replayed straight into the Pulumi SDK:
what remains of a run's time is the cost of Pulumi itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import invoke

from irsa_components.offline import Simulation


def replay_program(recorded: Simulation) -> Callable[[], None]:
    by_urn = {r.urn: r for r in recorded.resources}

    def program() -> None:
        created: dict[str, pulumi.Resource] = {}
        for call in recorded.invokes:
            invoke(call.token, dict(call.args))
        for r in recorded.resources:  # registration order: parents come first
            parent = created.get(r.parent) if r.parent in by_urn else None
            opts = pulumi.ResourceOptions(parent=parent)
            resource: pulumi.Resource
            if r.type.startswith("pulumi:providers:"):
                resource = pulumi.ProviderResource(r.type.split(":")[-1], r.name, dict(r.inputs), opts)
            elif r.custom:
                resource = pulumi.CustomResource(r.type, r.name, _with_outputs(r.inputs), opts)
            else:
                resource = pulumi.ComponentResource(r.type, r.name, None, opts)
                resource.register_outputs({})
            created[r.urn] = resource

    return program


def _with_outputs(inputs: dict[str, Any]) -> dict[str, Any]:
    return dict(inputs)
