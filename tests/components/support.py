"""Helpers for the component tests: reading registrations back and expecting input errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from irsa_components.core.errors import InputError
from irsa_components.offline import Registration, Simulation

ACCOUNT = "123456789012"
CONFIG = {"aws:allowedAccountIds": json.dumps([ACCOUNT])}
HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
ISSUER = f"https://{HOST}"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
GREEN_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210"
GREEN_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GREEN_HOST}"

REGION_IN = {"aws": "eu-west-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
"""A region of each partition: a component's ARNs are in the partition of its provider's region."""

IRSA_ROLE = "irsa-components:index:IrsaRole"
OIDC_PROVIDER = "irsa-components:index:OidcProvider"
POD_IDENTITY = "irsa-components:index:PodIdentityAssociation"
SERVICE_ACCOUNT = "irsa-components:index:AnnotatedServiceAccount"
COMPONENT_TYPES = (IRSA_ROLE, OIDC_PROVIDER, POD_IDENTITY, SERVICE_ACCOUNT)

ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
K8S_SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"

Simulate = Callable[..., Simulation]


def children(sim: Simulation, component_type: str, name: str) -> dict[str, list[Registration]]:
    """The children of one component, by type."""
    parent = sim.named(component_type, name)
    out: dict[str, list[Registration]] = {}
    for child in sim.children(parent.urn):
        out.setdefault(child.type, []).append(child)
    return out


def only(sim: Simulation, component_type: str, name: str, child_type: str) -> Registration:
    found = children(sim, component_type, name).get(child_type, [])
    assert len(found) == 1, f"{component_type} {name} has {len(found)} {child_type}"
    return found[0]


def trust_of(role: Registration) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(role.inputs["assumeRolePolicy"])
    return doc


def provider_ref(sim: Simulation, provider_type: str, name: str) -> str:
    """The reference the engine receives for a provider: ``<urn>::<id>``."""
    provider = sim.named(provider_type, name)
    return f"{provider.urn}::{provider.id}"


def input_error(simulate: Simulate, build: Callable[[], object], **kwargs: Any) -> InputError:
    """Run ``build`` in a program; it must raise InputError and nothing may have been registered."""
    caught: list[InputError] = []

    def program() -> None:
        try:
            build()
        except InputError as exc:
            caught.append(exc)

    sim = simulate(program, **kwargs)
    assert caught, "no InputError was raised"
    assert sim.resources == [], [r.urn for r in sim.resources]
    assert sim.invokes == []
    return caught[0]


def problem_fields(error: InputError) -> list[str]:
    return [p.field for p in error.problems]
