"""Every cross-account trust and chain permission is accepted by moto's IAM (the same API calls Pulumi makes)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pulumi
import pulumi_aws as aws
import pytest
from moto import mock_aws

from irsa_components.components.cross_account import CrossAccountPodIdentity, CrossAccountRole
from irsa_components.core.cross_account import (
    chain_permission_statement,
    irsa_target_statements,
    pod_identity_external_id,
    pod_identity_target_statements,
    target_trust_policy,
)
from irsa_components.core.documents import document, to_json
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.offline import Simulation

Simulate = Callable[..., Simulation]
ACCOUNT = "111122223333"
CONFIG = {"aws:region": "eu-west-1", "aws:allowedAccountIds": f'["{ACCOUNT}"]'}
SOURCE = f"arn:aws:iam::{ACCOUNT}:role/orders-pod-identity"
PROD = f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/prod"


@pytest.fixture
def iam() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def _accept_trust(iam: Any, name: str, trust: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    # create_role stores the trust unchecked; UpdateAssumeRolePolicy runs moto's trust-policy validator.
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=trust)
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == json.loads(trust)


TRUSTS = {
    "pod-identity-tags-account": pod_identity_target_statements(
        SOURCE, ServiceAccountRef("orders", "api"), cluster_arns=[PROD]
    ),
    "pod-identity-tags-role": pod_identity_target_statements(
        SOURCE, ServiceAccountRef("orders", "api"), cluster_arns=[PROD, PROD.replace("prod", "dr")], principal="role"
    ),
    "pod-identity-external-id": pod_identity_target_statements(
        SOURCE,
        ServiceAccountRef("orders", "api"),
        session_tags=False,
        external_ids=[pod_identity_external_id("eu-west-1", ACCOUNT, "prod", "orders", "api")],
    ),
    "irsa-plain": irsa_target_statements(f"arn:aws:iam::{ACCOUNT}:role/orders-irsa"),
    "irsa-external-id-tags": irsa_target_statements(
        f"arn:aws:iam::{ACCOUNT}:role/orders-irsa", external_id="orders-7f3a", tag_session=True, principal="role"
    ),
}


@pytest.mark.parametrize("case", sorted(TRUSTS))
def test_target_trusts_are_accepted(iam: Any, case: str) -> None:
    _accept_trust(iam, case, to_json(target_trust_policy(TRUSTS[case])))


@pytest.mark.parametrize("tag_session", [False, True])
def test_chain_permissions_are_accepted_inline_and_managed(iam: Any, tag_session: bool) -> None:
    policy = to_json(
        document([chain_permission_statement(["arn:aws:iam::222233334444:role/reports"], tag_session=tag_session)])
    )
    iam.create_role(RoleName="source", AssumeRolePolicyDocument="{}")
    iam.put_role_policy(RoleName="source", PolicyName="assume-reports", PolicyDocument=policy)
    iam.create_policy(PolicyName=f"chain-{tag_session}", PolicyDocument=policy)


def _everything() -> None:
    cluster = aws.Provider("cluster-account", region="eu-west-1")
    target = aws.Provider("target-account", region="eu-west-1")
    CrossAccountPodIdentity(
        "orders",
        {
            "target_provider": target,
            "cluster_names": ["prod", "dr"],
            "namespace": "orders",
            "service_account": "api",
            "policy_statements": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}],
        },
        opts=pulumi.ResourceOptions(provider=cluster),
    )
    CrossAccountPodIdentity(
        "billing",
        {
            "target_provider": target,
            "cluster_names": ["prod"],
            "namespace": "billing",
            "service_account": "api",
            "disable_session_tags": True,
            "trust_principal": "role",
        },
        opts=pulumi.ResourceOptions(provider=cluster),
    )
    CrossAccountRole(
        "reports",
        {
            "source_type": "irsa",
            "source_role_arn": f"arn:aws:iam::{ACCOUNT}:role/orders-irsa",
            "external_id": "orders-7f3a",
            "source_provider": cluster,
        },
        opts=pulumi.ResourceOptions(provider=target),
    )


def test_every_registered_role_and_policy_is_accepted(simulate: Simulate, iam: Any) -> None:
    sim = simulate(_everything, config=CONFIG)
    roles = sim.of_type("aws:iam/role:Role")
    assert len(roles) == 5
    for role in roles:
        _accept_trust(iam, role.inputs["name"], role.inputs["assumeRolePolicy"])
    policies = sim.of_type("aws:iam/rolePolicy:RolePolicy")
    assert len(policies) == 4  # two chain grants, one target inline policy, one IRSA source grant
    for policy in policies:
        role_name = policy.inputs["role"]
        if role_name not in {r.inputs["name"] for r in roles}:
            iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")  # the pre-existing IRSA role
        iam.put_role_policy(
            RoleName=role_name, PolicyName=policy.inputs["name"], PolicyDocument=policy.inputs["policy"]
        )
