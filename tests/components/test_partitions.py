"""Every ARN input of a component is in the partition of its AWS provider's region."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from irsa_components.components import (
    CrossAccountRole,
    IrsaRole,
    OidcProvider,
    PodIdentityAssociation,
)
from irsa_components.core.errors import InputError

from .support import ACCOUNT, CONFIG, HOST, PROVIDER_ARN, Simulate, input_error

CN_PROVIDER = f"arn:aws-cn:iam::{ACCOUNT}:oidc-provider/{HOST}"
IRSA: dict[str, Any] = {"service_accounts": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN]}
PODS: dict[str, Any] = {"cluster_names": ["blue"], "namespace": "payments", "service_account": "api"}
LOOKUPS = {
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getPartition:getPartition",
    "aws:index/getRegion:getRegion",
}


def fields(error: InputError) -> dict[str, str]:
    return {p.field: p.message for p in error.problems}


def test_arns_of_another_partition_than_the_stack_region_are_refused_before_registration(simulate: Simulate) -> None:
    error = input_error(
        simulate,
        lambda: IrsaRole(
            "payments",
            {
                "service_accounts": ["payments/api"],
                "oidc_provider_arns": [CN_PROVIDER],
                "managed_policy_arns": ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"],
                "permissions_boundary": f"arn:aws-us-gov:iam::{ACCOUNT}:policy/boundary",
                "assume_role_arns": [f"arn:aws:iam::{ACCOUNT}:role/fine"],
                "policy_statements": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws-cn:s3:::b/*", "*"]},
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:*:s3:::any-partition/*"},
                ],
            },
        ),
        config=CONFIG,  # eu-west-1: partition aws
    )
    messages = fields(error)
    assert sorted(messages) == [
        "managed_policy_arns[0]",
        "oidc_provider_arns[0]",
        "permissions_boundary",
        "policy_statements[0].Resource[0]",
    ]
    assert messages["permissions_boundary"] == (
        "is in partition 'aws-us-gov', but the stack's region eu-west-1 (aws:region) is in partition 'aws': IAM, "
        "STS and EKS never reach across partitions"
    )


def test_one_component_never_mixes_partitions_even_before_the_partition_is_known(simulate: Simulate) -> None:
    def program() -> None:
        provider = aws.Provider("elsewhere", region="us-gov-west-1")
        IrsaRole(
            "payments",
            {**IRSA, "permissions_boundary": f"arn:aws-us-gov:iam::{ACCOUNT}:policy/boundary"},
            opts=pulumi.ResourceOptions(provider=provider),
        )

    with pytest.raises(InputError) as raised:
        simulate(program, config=CONFIG)
    assert fields(raised.value) == {
        "permissions_boundary": "is in partition 'aws-us-gov', but oidc_provider_arns[0] is in 'aws': all of its "
        "ARNs must be in one partition (IAM never reaches across partitions)"
    }
    assert [r.type for r in raised.value.simulation.resources] == ["pulumi:providers:aws"]  # type: ignore[attr-defined]


def test_an_explicit_providers_partition_is_checked_once_its_lookup_answers(simulate: Simulate) -> None:
    def program() -> None:
        provider = aws.Provider("gov", region="us-gov-west-1")
        IrsaRole("payments", IRSA, opts=pulumi.ResourceOptions(provider=provider))  # type: ignore[arg-type]

    with pytest.raises(InputError) as raised:
        simulate(program, config=CONFIG)
    assert fields(raised.value) == {
        "oidc_provider_arns[0]": "is in partition 'aws', but the AWS provider's region us-gov-west-1 is in partition "
        "'aws-us-gov': IAM, STS and EKS never reach across partitions"
    }
    # Nothing of the role reached the engine: the check gates its registration.
    registered = raised.value.simulation.resources  # type: ignore[attr-defined]
    assert "aws:iam/role:Role" not in {r.type for r in registered}


def test_the_lookup_is_once_per_provider_however_many_components(simulate: Simulate) -> None:
    gov_provider = PROVIDER_ARN.replace("arn:aws:", "arn:aws-us-gov:")

    def program() -> None:
        provider = aws.Provider("gov", region="us-gov-west-1")
        for i in range(5):
            IrsaRole(
                f"svc-{i}",
                {"service_accounts": [f"ns/sa-{i}"], "oidc_provider_arns": [gov_provider]},
                opts=pulumi.ResourceOptions(provider=provider),
            )

    sim = simulate(program, config=CONFIG)
    assert len(sim.of_type("aws:iam/role:Role")) == 5
    assert Counter(i.token for i in sim.invokes) == dict.fromkeys(LOOKUPS, 1)


def test_without_aws_region_the_default_providers_partition_is_looked_up(simulate: Simulate) -> None:
    def program() -> None:
        IrsaRole("payments", {**IRSA, "oidc_provider_arns": [CN_PROVIDER]})

    with pytest.raises(InputError) as raised:
        simulate(program, config={**CONFIG, "aws:region": ""})
    assert "the AWS provider's region us-east-1 is in partition 'aws'" in fields(raised.value)["oidc_provider_arns[0]"]


def test_arns_that_are_outputs_are_checked_once_known(simulate: Simulate) -> None:
    def program() -> None:
        IrsaRole(
            "payments",
            {**IRSA, "managed_policy_arns": [pulumi.Output.from_input("arn:aws-cn:iam::aws:policy/ReadOnlyAccess")]},
        )

    with pytest.raises(InputError) as raised:
        simulate(program, config=CONFIG)
    assert list(fields(raised.value)) == ["managed_policy_arns[0]"]


def test_a_matching_partition_passes_in_every_partition(simulate: Simulate) -> None:
    china = {"service_accounts": ["payments/api"], "oidc_provider_arns": [CN_PROVIDER]}
    sim = simulate(
        lambda: IrsaRole(
            "payments",
            {**china, "managed_policy_arns": [pulumi.Output.from_input("arn:aws-cn:iam::aws:policy/ReadOnlyAccess")]},
        ),
        config={**CONFIG, "aws:region": "cn-north-1"},
    )
    assert sim.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda: PodIdentityAssociation("pods", {**PODS, "target_role_arn": f"arn:aws-cn:iam::{ACCOUNT}:role/t"}),
            "target_role_arn",
        ),
        (
            lambda: PodIdentityAssociation("pods", {**PODS, "role_arn": f"arn:aws-us-gov:iam::{ACCOUNT}:role/r"}),
            "role_arn",
        ),
        (
            lambda: PodIdentityAssociation(
                "pods",
                {
                    **PODS,
                    "disable_session_tags": True,
                    "session_policy_statements": [
                        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws-cn:s3:::b/*"}
                    ],
                },
            ),
            "session_policy_statements[0].Resource",
        ),
        (
            lambda: CrossAccountRole(
                "target", {"source_type": "irsa", "source_role_arn": f"arn:aws-cn:iam::{ACCOUNT}:role/source"}
            ),
            "source_role_arn",
        ),
        (
            lambda: OidcProvider("adopted", {"existing_provider_arn": CN_PROVIDER}),
            "existing_provider_arn",
        ),
    ],
)
def test_every_components_arn_inputs_are_checked(simulate: Simulate, build: Any, field: str) -> None:
    error = input_error(simulate, build, config=CONFIG)
    assert list(fields(error)) == [field]


def test_add_on_scope_arns_are_in_the_roles_partition(simulate: Simulate) -> None:
    karpenter = {
        "name": "karpenter",
        "scope": {"cluster_name": "blue", "node_role_arns": [f"arn:aws-us-gov:iam::{ACCOUNT}:role/KarpenterNode"]},
    }
    error = input_error(simulate, lambda: IrsaRole("kp", {**IRSA, "addons": [karpenter]}), config=CONFIG)
    assert [p.field for p in error.problems] == ["addons[0].scope.node_role_arns[0]"]
