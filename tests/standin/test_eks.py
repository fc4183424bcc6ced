"""EKS through the real engine: getCluster of a cluster made in moto, Pod Identity associations round trip."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import automation as auto

from .support import ACCOUNT, REGION, Aws, Engine, changes, outputs, trust

CLUSTER = "standin-cluster"


@pytest.fixture(scope="module")
def cluster(cloud: Aws) -> dict[str, Any]:
    iam = cloud.client("iam")
    role = iam.create_role(RoleName="eks-cluster", AssumeRolePolicyDocument=trust("eks.amazonaws.com"))["Role"]
    eks = cloud.client("eks")
    eks.create_cluster(name=CLUSTER, roleArn=role["Arn"], resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    return dict(eks.describe_cluster(name=CLUSTER)["cluster"])


def test_get_cluster_partition_and_region_come_from_moto(stand_in: Engine, cluster: dict[str, Any]) -> None:
    def program() -> None:
        found = aws.eks.get_cluster_output(name=CLUSTER)
        pulumi.export("issuer", found.identities[0].oidcs[0].issuer)
        pulumi.export("arn", found.arn)
        pulumi.export("endpoint", found.endpoint)
        pulumi.export("ca", found.certificate_authorities[0].data)
        pulumi.export("roleArn", found.role_arn)
        pulumi.export("subnets", found.vpc_config.subnet_ids)
        partition = aws.get_partition_output()
        pulumi.export("partition", partition.partition)
        pulumi.export("dnsSuffix", partition.dns_suffix)
        pulumi.export("region", aws.get_region_output().region)

    out = outputs(stand_in.stack("get-cluster", program).up())
    assert out["issuer"] == cluster["identity"]["oidc"]["issuer"]
    assert out["issuer"].startswith(f"https://oidc.eks.{REGION}.amazonaws.com/id/")
    assert out["arn"] == cluster["arn"] == f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"
    assert out["endpoint"] == cluster["endpoint"]
    assert out["ca"] == cluster["certificateAuthority"]["data"]
    assert out["roleArn"] == cluster["roleArn"]
    assert out["subnets"] == ["subnet-1"]
    assert (out["partition"], out["dnsSuffix"], out["region"]) == ("aws", "amazonaws.com", REGION)


def test_get_cluster_of_a_missing_cluster_fails(stand_in: Engine, cluster: dict[str, Any]) -> None:
    def program() -> None:
        pulumi.export("issuer", aws.eks.get_cluster_output(name="no-such-cluster").identities[0].oidcs[0].issuer)

    with pytest.raises(auto.errors.CommandError) as failed:
        stand_in.stack("missing-cluster", program).preview()
    assert "no-such-cluster" in str(failed.value) and "ResourceNotFoundException" in str(failed.value)


def association_program(spec: dict[str, Any], seen: list[str]) -> Any:
    def program() -> None:
        pods = trust("pods.eks.amazonaws.com")
        first = aws.iam.Role("pod-first", name="pod-first", assume_role_policy=pods)
        second = aws.iam.Role("pod-second", name="pod-second", assume_role_policy=pods)
        chosen = first if spec["role"] == "first" else second
        association = aws.eks.PodIdentityAssociation(
            "reports",
            cluster_name=CLUSTER,
            namespace="analytics",
            service_account=spec["service_account"],
            role_arn=chosen.arn,
            tags={"service": "reports"},
        )
        if spec.get("duplicate"):
            aws.eks.PodIdentityAssociation(
                "reports-again",
                cluster_name=CLUSTER,
                namespace="analytics",
                service_account=spec["service_account"],
                role_arn=first.arn,
                opts=pulumi.ResourceOptions(depends_on=[association]),
            )
        association.association_arn.apply(seen.append)
        pulumi.export("arn", association.association_arn)
        pulumi.export("id", association.association_id)
        pulumi.export("tagsAll", association.tags_all)

    return program


def test_pod_identity_association_round_trip(stand_in: Engine, cloud: Aws, cluster: dict[str, Any]) -> None:
    eks = cloud.client("eks")
    spec: dict[str, Any] = {"role": "first", "service_account": "report-generator"}
    seen: list[str] = []
    stack = stand_in.stack("pod-identity", association_program(spec, seen))

    assert changes(stack.preview().change_summary) == {"create": 4}
    assert seen == []  # the association's ARN is unknown until it exists
    assert eks.list_pod_identity_associations(clusterName=CLUSTER)["associations"] == []

    out = outputs(stack.up())
    first_id = out["id"]
    arn = rf"arn:aws:eks:{REGION}:{ACCOUNT}:podidentityassociation/{CLUSTER}/a-[0-9a-z]{{17}}"
    assert re.fullmatch(arn, out["arn"])
    assert out["arn"].endswith("/" + first_id) and out["tagsAll"] == {"service": "reports"}
    found = eks.describe_pod_identity_association(clusterName=CLUSTER, associationId=first_id)["association"]
    assert (found["namespace"], found["serviceAccount"]) == ("analytics", "report-generator")
    assert found["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/pod-first"
    assert found["tags"] == {"service": "reports"}
    assert changes(stack.preview().change_summary) == {"same": 4}

    # Another role: updated in place, the association keeps its id.
    spec["role"] = "second"
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 3, "update": 1}
    assert outputs(up)["id"] == first_id
    found = eks.describe_pod_identity_association(clusterName=CLUSTER, associationId=first_id)["association"]
    assert found["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/pod-second"

    # Another service account: a new association (service_account forces replacement).
    spec["service_account"] = "report-writer"
    up = stack.up()
    assert changes(up.summary.resource_changes) == {"same": 3, "replace": 1}
    listed = eks.list_pod_identity_associations(clusterName=CLUSTER)["associations"]
    assert [(a["serviceAccount"], a["associationId"]) for a in listed] == [("report-writer", outputs(up)["id"])]
    assert outputs(up)["id"] != first_id

    # A second association for the same service account is refused by EKS (one per service account).
    spec["duplicate"] = True
    with pytest.raises(auto.errors.CommandError) as failed:
        stack.up()
    assert "ResourceInUseException" in str(failed.value)
    spec["duplicate"] = False

    stack.destroy()
    assert eks.list_pod_identity_associations(clusterName=CLUSTER)["associations"] == []


def test_an_association_on_a_missing_cluster_fails_at_create(stand_in: Engine, cluster: dict[str, Any]) -> None:
    def program() -> None:
        role = aws.iam.Role("orphan", assume_role_policy=trust("pods.eks.amazonaws.com"))
        aws.eks.PodIdentityAssociation(
            "orphan", cluster_name="no-such-cluster", namespace="a", service_account="b", role_arn=role.arn
        )

    stack = stand_in.stack("orphan", program)
    with pytest.raises(auto.errors.CommandError) as failed:
        stack.up()
    assert "No cluster found for name: no-such-cluster" in str(failed.value)
