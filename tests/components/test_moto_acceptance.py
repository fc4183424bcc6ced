"""Every trust and permission document the components register is accepted by moto's IAM."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from moto import mock_aws

from irsa_components.components import AnnotatedServiceAccount, IrsaRole, OidcProvider, PodIdentityAssociation
from irsa_components.offline import Simulation

from .support import ACCOUNT, ASSOCIATION, CONFIG, GREEN_ARN, ISSUER, OIDC, ROLE, ROLE_POLICY, Simulate

READ = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::bucket/*"}
ABAC = {
    "Effect": "Allow",
    "Action": "secretsmanager:GetSecretValue",
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}"}},
}


def everything() -> None:
    provider = OidcProvider(
        "blue",
        {"issuer_url": ISSUER, "thumbprints": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"], "tags": {"c": "blue"}},
    )
    role = IrsaRole(
        "payments",
        {
            "service_accounts": ["payments/api", "payments/worker"],
            "oidc_provider_arns": [provider.arn, GREEN_ARN],
            "pod_identity_cluster_names": ["blue"],
            "role_name": "prod-payments",
            "path": "/irsa/",
            "description": "payments",
            "max_session_duration": 7200,
            "permissions_boundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
            "policy_statements": [READ, ABAC],
            "tags": {"team": "payments"},
        },
    )
    IrsaRole(
        "team",
        {
            "service_accounts": ["team-a/*"],
            "allow_wildcard_service_accounts": True,
            "oidc_provider_arns": [provider.arn],
            "audiences": ["sts.amazonaws.com", "custom"],
        },
    )
    IrsaRole(
        "untagged",
        {
            "service_accounts": ["payments/api"],
            "pod_identity_cluster_names": ["blue"],
            "pod_identity_session_tags": False,
        },
    )
    PodIdentityAssociation(
        "chained",
        {
            "cluster_names": ["blue", "green"],
            "namespace": "payments",
            "service_account": "api",
            "target_role_arn": "arn:aws:iam::444455556666:role/target",
            "policy_statements": [READ],
        },
    )
    PodIdentityAssociation(
        "scoped",
        {
            "cluster_names": ["blue"],
            "namespace": "payments",
            "service_account": "batch",
            "disable_session_tags": True,
            "session_policy_statements": [READ],
        },
    )
    AnnotatedServiceAccount("api", {"namespace": "payments", "role_arn": role.arn})


@pytest.fixture
def sim(simulate: Simulate) -> Simulation:
    return simulate(everything, config=CONFIG)


@pytest.fixture
def iam() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def create_role(iam: Any, role: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {
        "RoleName": role["name"],
        "Path": role.get("path", "/"),
        "AssumeRolePolicyDocument": role["assumeRolePolicy"],
    }
    if "description" in role:
        kwargs["Description"] = role["description"]
    if "maxSessionDuration" in role:
        kwargs["MaxSessionDuration"] = int(role["maxSessionDuration"])  # numbers cross the engine as floats
    if "permissionsBoundary" in role:
        kwargs["PermissionsBoundary"] = role["permissionsBoundary"]
    if role.get("tags"):
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in role["tags"].items()]
    arn: str = iam.create_role(**kwargs)["Role"]["Arn"]
    # create_role stores the trust unchecked; UpdateAssumeRolePolicy runs moto's trust-policy validator.
    iam.update_assume_role_policy(RoleName=role["name"], PolicyDocument=role["assumeRolePolicy"])
    return arn


def test_roles_and_trust_policies_are_accepted(sim: Simulation, iam: Any) -> None:
    roles = sim.of_type(ROLE)
    assert len(roles) == 5
    for role in roles:
        arn = create_role(iam, role.inputs)
        assert arn == role.state["arn"]
        stored = iam.get_role(RoleName=role.inputs["name"])["Role"]["AssumeRolePolicyDocument"]
        assert stored == json.loads(role.inputs["assumeRolePolicy"])


def test_inline_policies_are_accepted_inline_and_as_managed_policies(sim: Simulation, iam: Any) -> None:
    roles = {r.inputs["name"]: r.inputs for r in sim.of_type(ROLE)}
    inline = sim.of_type(ROLE_POLICY)
    assert len(inline) == 2
    for policy in inline:
        create_role(iam, roles[policy.inputs["role"]])
        iam.put_role_policy(
            RoleName=policy.inputs["role"], PolicyName=policy.inputs["name"], PolicyDocument=policy.inputs["policy"]
        )
        iam.create_policy(PolicyName=f"{policy.name}-managed", PolicyDocument=policy.inputs["policy"])


def test_session_policies_are_valid_policy_documents(sim: Simulation, iam: Any) -> None:
    session_policies = [a.inputs["policy"] for a in sim.of_type(ASSOCIATION) if "policy" in a.inputs]
    assert len(session_policies) == 1
    for i, document in enumerate(session_policies):
        iam.create_policy(PolicyName=f"session-{i}", PolicyDocument=document)


def test_oidc_provider_is_accepted_with_the_arn_the_trust_uses(sim: Simulation, iam: Any) -> None:
    (provider,) = sim.of_type(OIDC)
    created = iam.create_open_id_connect_provider(
        Url=provider.inputs["url"],
        ClientIDList=provider.inputs["clientIdLists"],
        ThumbprintList=provider.inputs.get("thumbprintLists", []),
        Tags=[{"Key": k, "Value": v} for k, v in provider.inputs.get("tags", {}).items()],
    )
    assert created["OpenIDConnectProviderArn"] == provider.state["arn"]
    trusted = {
        s["Principal"].get("Federated")
        for r in sim.of_type(ROLE)
        for s in json.loads(r.inputs["assumeRolePolicy"])["Statement"]
    }
    assert created["OpenIDConnectProviderArn"] in trusted


def test_moto_would_refuse_a_broken_document(iam: Any) -> None:
    """The acceptance above means something: moto does reject malformed documents."""
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.create_policy(PolicyName="broken", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{}]}))
    iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        bad_action = {"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "s3:GetObject"}
        iam.update_assume_role_policy(
            RoleName="r", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [bad_action]})
        )
