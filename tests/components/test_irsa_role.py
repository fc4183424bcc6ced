"""IrsaRole under the SDK mocks: what it registers, the trust it writes, its outputs."""

from __future__ import annotations

import json

import pulumi
import pytest

from irsa_components.components import IrsaRole, OidcProvider
from irsa_components.core.evaluate import evaluate, pod_identity_requests, web_identity_request

from .support import (
    ACCOUNT,
    ATTACHMENT,
    CONFIG,
    GREEN_ARN,
    GREEN_HOST,
    HOST,
    IRSA_ROLE,
    ISSUER,
    PROVIDER_ARN,
    REGION_IN,
    ROLE,
    ROLE_POLICY,
    Simulate,
    children,
    only,
    trust_of,
)

SUB = "system:serviceaccount:payments:api"


def test_registers_one_role_trusting_exactly_the_service_account(simulate: Simulate) -> None:
    def program() -> None:
        role = IrsaRole("payments", {"service_accounts": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN]})
        pulumi.export("arn", role.arn)
        pulumi.export("name", role.name)
        pulumi.export("trust", role.trust_policy)

    sim = simulate(program, config=CONFIG)
    component = sim.named(IRSA_ROLE, "payments")
    assert [r.type for r in sim.resources if r.parent == component.urn] == [ROLE]
    role = only(sim, IRSA_ROLE, "payments", ROLE)
    assert role.name == "payments"
    assert role.inputs["name"] == "payments" and role.inputs["path"] == "/"
    assert role.inputs["forceDetachPolicies"] is True
    assert trust_of(role) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{HOST}:sub": SUB, f"{HOST}:aud": "sts.amazonaws.com"}},
            }
        ],
    }
    assert sim.outputs["arn"] == f"arn:aws:iam::{ACCOUNT}:role/payments"
    assert sim.outputs["name"] == "payments"
    assert json.loads(sim.outputs["trust"]) == trust_of(role)
    # Plain provider ARNs and no Pod Identity: nothing needs looking up.
    assert sim.invokes == []


def test_trust_from_an_oidc_provider_output_admits_the_service_account(simulate: Simulate) -> None:
    def program() -> None:
        provider = OidcProvider("cluster", {"issuer_url": ISSUER})
        IrsaRole("payments", {"service_accounts": ["payments/api"], "oidc_provider_arns": [provider.arn]})

    sim = simulate(program, config=CONFIG)
    doc = trust_of(only(sim, IRSA_ROLE, "payments", ROLE))
    assert evaluate(doc, web_identity_request(PROVIDER_ARN, HOST, SUB)).allowed
    assert not evaluate(doc, web_identity_request(PROVIDER_ARN, HOST, SUB + "2")).allowed


def test_blue_green_providers_get_one_statement_each(simulate: Simulate) -> None:
    sim = simulate(
        lambda: IrsaRole(
            "payments",
            {"service_accounts": ["payments/api", "payments/worker"], "oidc_provider_arns": [GREEN_ARN, PROVIDER_ARN]},
        ),
        config=CONFIG,
    )
    doc = trust_of(only(sim, IRSA_ROLE, "payments", ROLE))
    assert [s["Principal"]["Federated"] for s in doc["Statement"]] == [PROVIDER_ARN, GREEN_ARN]
    for arn, host in ((PROVIDER_ARN, HOST), (GREEN_ARN, GREEN_HOST)):
        for sa in ("api", "worker"):
            assert evaluate(doc, web_identity_request(arn, host, f"system:serviceaccount:payments:{sa}")).allowed


def test_wildcard_and_audiences(simulate: Simulate) -> None:
    sim = simulate(
        lambda: IrsaRole(
            "team",
            {
                "service_accounts": ["team-a/*"],
                "allow_wildcard_service_accounts": True,
                "oidc_provider_arns": [PROVIDER_ARN],
                "audiences": ["custom-aud"],
            },
        ),
        config=CONFIG,
    )
    (statement,) = trust_of(only(sim, IRSA_ROLE, "team", ROLE))["Statement"]
    assert statement["Condition"] == {
        "StringLike": {f"{HOST}:sub": "system:serviceaccount:team-a:*"},
        "StringEquals": {f"{HOST}:aud": "custom-aud"},
    }


def test_pod_identity_trust_for_migration(simulate: Simulate) -> None:
    sim = simulate(
        lambda: IrsaRole(
            "payments",
            {
                "service_accounts": ["payments/api"],
                "oidc_provider_arns": [PROVIDER_ARN.replace("arn:aws:", "arn:aws-cn:")],
                "pod_identity_cluster_names": ["blue", "green"],
            },
        ),
        config={**CONFIG, "aws:region": "cn-north-1"},
    )
    doc = trust_of(only(sim, IRSA_ROLE, "payments", ROLE))
    pods = doc["Statement"][1]
    assert pods["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert pods["Condition"]["StringEquals"]["aws:RequestTag/eks-cluster-arn"] == [
        f"arn:aws-cn:eks:cn-north-1:{ACCOUNT}:cluster/blue",
        f"arn:aws-cn:eks:cn-north-1:{ACCOUNT}:cluster/green",
    ]
    for cluster in ("blue", "green"):
        requests = pod_identity_requests(
            account_id=ACCOUNT,
            cluster_arn=f"arn:aws-cn:eks:cn-north-1:{ACCOUNT}:cluster/{cluster}",
            cluster_name=cluster,
            namespace="payments",
            service_account="api",
        )
        assert all(evaluate(doc, r).allowed for r in requests)
    assert sorted(i.token for i in sim.invokes) == [
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
    ]


def test_pod_identity_without_session_tags_pins_only_the_account(simulate: Simulate) -> None:
    sim = simulate(
        lambda: IrsaRole(
            "payments",
            {
                "service_accounts": ["payments/api"],
                "pod_identity_cluster_names": ["blue"],
                "pod_identity_session_tags": False,
            },
        ),
        config=CONFIG,
    )
    (statement,) = trust_of(only(sim, IRSA_ROLE, "payments", ROLE))["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_role_settings_and_permissions(simulate: Simulate) -> None:
    statements = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]
    sim = simulate(
        lambda: IrsaRole(
            "payments",
            {
                "service_accounts": ["payments/api"],
                "oidc_provider_arns": [PROVIDER_ARN],
                "role_name": "prod-payments-api",
                "path": "/irsa/",
                "description": "payments API",
                "max_session_duration": 7200,
                "permissions_boundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
                "managed_policy_arns": [
                    "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    f"arn:aws:iam::{ACCOUNT}:policy/team/Shared",
                    f"arn:aws:iam::{ACCOUNT}:policy/other/Shared",
                ],
                "policy_statements": statements,
                "tags": {"team": "payments"},
            },
        ),
        config=CONFIG,
    )
    kids = children(sim, IRSA_ROLE, "payments")
    (role,) = kids[ROLE]
    assert {
        k: role.inputs[k] for k in ("name", "path", "description", "maxSessionDuration", "permissionsBoundary")
    } == {
        "name": "prod-payments-api",
        "path": "/irsa/",
        "description": "payments API",
        "maxSessionDuration": 7200,
        "permissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
    }
    assert role.inputs["tags"] == {"team": "payments"}
    attachments = {a.name: a.inputs for a in kids[ATTACHMENT]}
    assert attachments["payments-ReadOnlyAccess"] == {
        "role": "prod-payments-api",
        "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }
    # Two policies named "Shared": distinct, stable child names.
    shared = sorted(n for n in attachments if n.startswith("payments-Shared-"))
    assert len(shared) == 2 and len(attachments) == 3
    (inline,) = kids[ROLE_POLICY]
    assert inline.name == "payments-inline" and inline.inputs["role"] == "prod-payments-api"
    assert json.loads(inline.inputs["policy"]) == {"Version": "2012-10-17", "Statement": statements}


def test_long_resource_names_give_valid_role_names(simulate: Simulate) -> None:
    name = "a-very-long-service-name-" * 4
    sim = simulate(
        lambda: IrsaRole(name, {"service_accounts": ["payments/api"], "oidc_provider_arns": [PROVIDER_ARN]}),
        config=CONFIG,
    )
    role = only(sim, IRSA_ROLE, name, ROLE)
    assert len(role.inputs["name"]) == 64 and role.inputs["name"].startswith("a-very-long-service-name")


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_provider_arns_of_every_partition_are_accepted(simulate: Simulate, partition: str) -> None:
    arn = PROVIDER_ARN.replace("arn:aws:", f"arn:{partition}:")
    sim = simulate(
        lambda: IrsaRole("payments", {"service_accounts": ["payments/api"], "oidc_provider_arns": [arn]}),
        config={**CONFIG, "aws:region": REGION_IN[partition]},
    )
    assert trust_of(only(sim, IRSA_ROLE, "payments", ROLE))["Statement"][0]["Principal"] == {"Federated": arn}
