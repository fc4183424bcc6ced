"""Every ARN of a stack config is in the partition of aws:region: refused before anything is registered."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core.errors import InputError
from irsa_components.stack.config import parse_stack_config

from .crafted import ACCOUNT, base_config, run

CN_BOUNDARY = f"arn:aws-cn:iam::{ACCOUNT}:policy/boundary"


def problems(config: dict[str, Any], **extra: str) -> dict[tuple[str, str], str]:
    with pytest.raises(InputError) as info:
        run(config, **extra)
    assert info.value.simulation.resources == []  # type: ignore[attr-defined]
    return {(p.subject, p.field): p.message for p in info.value.problems}


def test_arns_of_another_partition_are_refused_naming_entry_and_field() -> None:
    config = base_config(
        **{
            "payments-api": {
                "namespace": "payments",
                "managedPolicyArns": ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"],
                "permissionsBoundary": f"arn:aws-us-gov:iam::{ACCOUNT}:policy/b",
                "policyStatements": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws-cn:s3:::b/*"}],
            }
        }
    )
    config["permissionsBoundary"] = CN_BOUNDARY
    config["clusters"]["blue"]["oidcProviderArn"] = (
        f"arn:aws-cn:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
    )
    found = problems(config)
    partition_problems = {k: v for k, v in found.items() if "partition" in v}
    assert sorted(partition_problems) == [
        ("cluster 'blue'", "oidcProviderArn"),
        ("service 'payments-api'", "managedPolicyArns[0]"),
        ("service 'payments-api'", "permissionsBoundary"),
        ("service 'payments-api'", "policyStatements[0].Resource"),
        ("stack config", "irsa:permissionsBoundary"),
    ]
    assert found[("stack config", "irsa:permissionsBoundary")] == (
        "is in partition 'aws-cn', but the stack's region eu-west-1 (aws:region) is in partition 'aws': IAM, STS "
        "and EKS never reach across partitions"
    )


def test_accounts_are_in_the_stacks_partition() -> None:
    config = base_config(**{"reports": {"namespace": "analytics", "account": "china"}})
    config["accounts"] = {"china": {"roleArn": "arn:aws-cn:iam::222233334444:role/deploy", "region": "cn-north-1"}}
    found = problems(config)
    assert "is in partition 'aws-cn'" in found[("account 'china'", "roleArn")]
    assert "a role cannot be assumed across partitions" in found[("account 'china'", "region")]


def test_without_a_region_the_config_agrees_with_itself() -> None:
    config = base_config(
        **{
            "a": {"namespace": "a", "managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
            "b": {"namespace": "b", "managedPolicyArns": ["arn:aws:iam::aws:policy/ViewOnlyAccess"]},
            "c": {"namespace": "c", "permissionsBoundary": CN_BOUNDARY},
        }
    )
    raw = {k: v for k, v in config.items()}
    with pytest.raises(InputError) as info:
        parse_stack_config(raw)
    assert [(p.subject, p.field) for p in info.value.problems] == [("service 'c'", "permissionsBoundary")]
    assert "most ARNs of this stack config (no aws:region is set)" in info.value.problems[0].message


def test_a_china_stack_takes_china_arns() -> None:
    config = base_config(
        **{"a": {"namespace": "a", "managedPolicyArns": ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]}}
    )
    for cluster in config["clusters"].values():
        cluster["oidcIssuerUrl"] = cluster["oidcIssuerUrl"].replace(
            "eu-west-1.amazonaws.com", "cn-north-1.amazonaws.com.cn"
        )
    sim = run(config, **{"aws:region": "cn-north-1"})
    assert sim.of_type("aws:iam/role:Role")
