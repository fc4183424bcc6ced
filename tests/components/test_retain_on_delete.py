"""retain_on_delete: the IAM resources a component creates are registered with retainOnDelete, the rest not.

The Pulumi Python SDK (3.x) does not pass a component's own retainOnDelete option to its children
(the first test shows it, as the engine receives it), so the components take an input and set the
option on each IAM resource themselves.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from irsa_components.components import (
    AddonArgs,
    CrossAccountPodIdentity,
    CrossAccountRole,
    IrsaRole,
    PodIdentityAssociation,
)
from irsa_components.offline import Registration, Simulation

from .support import (
    ACCOUNT,
    ASSOCIATION,
    CONFIG,
    IRSA_ROLE,
    PROVIDER_ARN,
    Simulate,
    input_error,
    problem_fields,
)

IAM = ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
IAM_TYPES = (*IAM, "aws:iam/policy:Policy")
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
DNS: AddonArgs = {
    "name": "external-dns",
    "scope": {"hostedZoneArns": ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"]},
}


def _descendants(sim: Simulation, urn: str) -> list[Registration]:
    out: list[Registration] = []
    frontier = [urn]
    while frontier:
        children = [r for parent in frontier for r in sim.children(parent)]
        out += children
        frontier = [c.urn for c in children]
    return out


def _custom(sim: Simulation, type_: str, name: str) -> list[Registration]:
    return [r for r in _descendants(sim, sim.named(type_, name).urn) if r.custom]


def _irsa(**extra: Any) -> Any:
    return {
        "service_accounts": ["external-dns/external-dns"],
        "oidc_provider_arns": [PROVIDER_ARN],
        "policy_statements": [READ],
        "managed_policy_arns": [S3_READ],
        "addons": [DNS],
        **extra,
    }


def test_a_components_own_option_does_not_reach_its_children_in_this_sdk(simulate: Simulate) -> None:
    """Why the input exists: ResourceOptions(retain_on_delete=True) on a component retains nothing."""
    sim = simulate(
        lambda: IrsaRole("dns", _irsa(), opts=pulumi.ResourceOptions(retain_on_delete=True, protect=True)),
        config=CONFIG,
    )
    assert sim.named(IRSA_ROLE, "dns").retain_on_delete
    children = _custom(sim, IRSA_ROLE, "dns")
    assert children and not any(c.retain_on_delete for c in children)
    assert all(c.protect for c in children)  # protect, by contrast, is inherited


def test_irsa_role_retains_its_role_inline_policy_attachments_and_addon_policies(simulate: Simulate) -> None:
    sim = simulate(lambda: IrsaRole("dns", _irsa(retain_on_delete=True)), config=CONFIG)
    children = _custom(sim, IRSA_ROLE, "dns")
    assert {c.type for c in children} == set(IAM_TYPES)
    assert all(c.retain_on_delete for c in children), [c.name for c in children if not c.retain_on_delete]
    assert not sim.named(IRSA_ROLE, "dns").retain_on_delete  # the component itself has nothing to delete


@pytest.mark.parametrize("extra", [{}, {"retain_on_delete": False}])
def test_by_default_nothing_is_retained(simulate: Simulate, extra: dict[str, Any]) -> None:
    sim = simulate(lambda: IrsaRole("dns", _irsa(**extra)), config=CONFIG)
    assert not any(r.retain_on_delete for r in sim.resources)


def test_pod_identity_retains_the_created_role_but_not_the_associations(simulate: Simulate) -> None:
    def program() -> None:
        PodIdentityAssociation(
            "orders",
            {
                "cluster_names": ["blue", "green"],
                "namespace": "orders",
                "service_account": "worker",
                "policy_statements": [READ],
                "managed_policy_arns": [S3_READ],
                "retain_on_delete": True,
            },
        )

    sim = simulate(program, config=CONFIG)
    children = _custom(sim, "irsa-components:index:PodIdentityAssociation", "orders")
    iam = [c for c in children if c.type in IAM]
    associations = [c for c in children if c.type == ASSOCIATION]
    assert {c.type for c in iam} == set(IAM) and len(associations) == 2
    assert all(c.retain_on_delete for c in iam)
    assert not any(a.retain_on_delete for a in associations)


def test_pod_identity_with_an_existing_role_has_nothing_to_retain(simulate: Simulate) -> None:
    error = input_error(
        simulate,
        lambda: PodIdentityAssociation(
            "orders",
            {
                "cluster_names": ["blue"],
                "namespace": "orders",
                "service_account": "worker",
                "role_arn": f"arn:aws:iam::{ACCOUNT}:role/orders",
                "retain_on_delete": True,
            },
        ),
        config=CONFIG,
    )
    assert problem_fields(error) == ["retain_on_delete"]


def test_a_value_that_is_not_a_boolean_is_refused(simulate: Simulate) -> None:
    error = input_error(simulate, lambda: IrsaRole("dns", _irsa(retain_on_delete="yes")), config=CONFIG)
    assert problem_fields(error) == ["retain_on_delete"]


def test_cross_account_role_retains_the_target_role_and_the_chain_permission(simulate: Simulate) -> None:
    def program() -> None:
        cluster = aws.Provider("cluster-account", region="eu-west-1")
        target = aws.Provider("target-account", region="eu-west-1")
        CrossAccountRole(
            "reports",
            {
                "source_type": "irsa",
                "source_role_arn": f"arn:aws:iam::{ACCOUNT}:role/reports-irsa",
                "source_provider": cluster,
                "policy_statements": [READ],
                "managed_policy_arns": [S3_READ],
                "retain_on_delete": True,
            },
            opts=pulumi.ResourceOptions(provider=target),
        )

    sim = simulate(program, config=CONFIG)
    children = _custom(sim, "irsa-components:index:CrossAccountRole", "reports")
    assert {c.name for c in children} == {
        "reports",
        "reports-inline",
        "reports-AmazonS3ReadOnlyAccess",
        "reports-source-permission",
    }
    assert all(c.retain_on_delete for c in children)


def test_cross_account_pod_identity_retains_both_roles_and_policies_but_not_the_associations(
    simulate: Simulate,
) -> None:
    def program() -> None:
        target = aws.Provider("target-account", region="eu-west-1")
        CrossAccountPodIdentity(
            "reports",
            {
                "target_provider": target,
                "cluster_names": ["prod-blue", "prod-green"],
                "namespace": "analytics",
                "service_account": "reports",
                "policy_statements": [READ],
                "retain_on_delete": True,
            },
        )

    sim = simulate(program, config=CONFIG)
    children = _custom(sim, "irsa-components:index:CrossAccountPodIdentity", "reports")
    retained = sorted(c.name for c in children if c.retain_on_delete)
    deleted = sorted(c.name for c in children if not c.retain_on_delete)
    assert retained == ["reports-pod-identity", "reports-pod-identity-chain", "reports-target", "reports-target-inline"]
    assert deleted == ["reports-association-prod-blue", "reports-association-prod-green"]
