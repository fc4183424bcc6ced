"""PodIdentityAssociation under the SDK mocks: its role, trust and associations."""

from __future__ import annotations

import json
from typing import Any

import pulumi

from irsa_components.components import IrsaRole, PodIdentityAssociation, PodIdentityAssociationArgs
from irsa_components.core.evaluate import allows_all, pod_identity_requests

from .support import (
    ACCOUNT,
    ASSOCIATION,
    CONFIG,
    POD_IDENTITY,
    ROLE,
    ROLE_POLICY,
    Simulate,
    children,
    only,
    trust_of,
)

BASE: PodIdentityAssociationArgs = {
    "cluster_names": ["blue", "green"],
    "namespace": "payments",
    "service_account": "api",
}
TARGET = "arn:aws:iam::444455556666:role/data-reader"


def admits(doc: dict[str, Any], cluster: str, namespace: str = "payments", sa: str = "api") -> bool:
    requests = pod_identity_requests(
        account_id=ACCOUNT,
        cluster_arn=f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/{cluster}",
        cluster_name=cluster,
        namespace=namespace,
        service_account=sa,
    )
    return allows_all(doc, requests)


def test_creates_a_pinned_role_and_one_association_per_cluster(simulate: Simulate) -> None:
    def program() -> None:
        pia = PodIdentityAssociation("payments", BASE)
        pulumi.export("role_arn", pia.role_arn)
        pulumi.export("association_arns", pia.association_arns)

    sim = simulate(program, config=CONFIG)
    kids = children(sim, POD_IDENTITY, "payments")
    assert sorted(kids) == sorted([ROLE, ASSOCIATION])
    (role,) = kids[ROLE]
    doc = trust_of(role)
    assert admits(doc, "blue") and admits(doc, "green")
    assert not admits(doc, "red") and not admits(doc, "blue", sa="worker") and not admits(doc, "blue", "other")
    associations = {a.name: a.inputs for a in kids[ASSOCIATION]}
    assert sorted(associations) == ["payments-blue", "payments-green"]
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/payments"
    assert associations["payments-blue"] == {
        "clusterName": "blue",
        "namespace": "payments",
        "serviceAccount": "api",
        "roleArn": role_arn,
    }
    assert sim.outputs["role_arn"] == role_arn
    assert sorted(sim.outputs["association_arns"]) == sorted(a.state["associationArn"] for a in kids[ASSOCIATION])
    assert ROLE_POLICY not in kids


def test_existing_role_creates_no_role(simulate: Simulate) -> None:
    def program() -> None:
        role = IrsaRole("payments", {"service_accounts": ["payments/api"], "pod_identity_cluster_names": ["blue"]})
        PodIdentityAssociation(
            "payments-pods",
            {"cluster_names": ["blue"], "namespace": "payments", "service_account": "api", "role_arn": role.arn},
        )

    sim = simulate(program, config=CONFIG)
    kids = children(sim, POD_IDENTITY, "payments-pods")
    assert list(kids) == [ASSOCIATION]
    assert kids[ASSOCIATION][0].inputs["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/payments"
    # The IrsaRole's trust admits what the association will ask for.
    assert admits(trust_of(only(sim, "irsa-components:index:IrsaRole", "payments", ROLE)), "blue")


def test_target_role_adds_the_permission_to_assume_it(simulate: Simulate) -> None:
    statement = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
    sim = simulate(
        lambda: PodIdentityAssociation(
            "payments", {**BASE, "target_role_arn": TARGET, "policy_statements": [statement]}
        ),
        config=CONFIG,
    )
    kids = children(sim, POD_IDENTITY, "payments")
    (inline,) = kids[ROLE_POLICY]
    assert json.loads(inline.inputs["policy"])["Statement"] == [
        statement,
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": TARGET},
    ]
    assert all(a.inputs["targetRoleArn"] == TARGET for a in kids[ASSOCIATION])


def test_disabled_session_tags_with_a_session_policy(simulate: Simulate) -> None:
    policy = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]
    sim = simulate(
        lambda: PodIdentityAssociation(
            "payments", {**BASE, "disable_session_tags": True, "session_policy_statements": policy}
        ),
        config=CONFIG,
    )
    kids = children(sim, POD_IDENTITY, "payments")
    (role,) = kids[ROLE]
    assert trust_of(role)["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    for association in kids[ASSOCIATION]:
        assert association.inputs["disableSessionTags"] is True
        assert json.loads(association.inputs["policy"]) == {"Version": "2012-10-17", "Statement": policy}


def test_association_and_role_tags(simulate: Simulate) -> None:
    sim = simulate(
        lambda: PodIdentityAssociation(
            "payments", {**BASE, "association_tags": {"team": "payments"}, "tags": {"owner": "me"}}
        ),
        config=CONFIG,
    )
    kids = children(sim, POD_IDENTITY, "payments")
    assert kids[ROLE][0].inputs["tags"] == {"owner": "me"}
    assert all(a.inputs["tags"] == {"team": "payments"} for a in kids[ASSOCIATION])
