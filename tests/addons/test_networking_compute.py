"""What the networking and compute add-ons must grant (or refuse) for their controllers' recorded releases."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.addons import resolve
from irsa_components.core.evaluate import Request, evaluate

ACCOUNT = "111122223333"
OWNER = "444455556666"  # a shared VPC's owner
REGION = "eu-west-1"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/KarpenterNode-prod-1"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:prod-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/controller"


def _docs(name: str, scope: dict[str, Any], **extra: Any) -> list[dict[str, Any]]:
    resolved = resolve(name, scope, partition="aws", region=REGION, account_id=ACCOUNT, **extra)
    return [dict(d) for d in resolved.documents]


def _allowed(docs: list[dict[str, Any]], action: str, resource: str, **context: Any) -> bool:
    keys = {"aws:RequestedRegion": REGION, **context}
    request = Request(action=action, principal_type="AWS", principal=ROLE, context=keys, resource=resource)
    return any(evaluate(doc, request).allowed for doc in docs)


def _karpenter(**scope: Any) -> list[dict[str, Any]]:
    return _docs("karpenter", {"cluster_name": "prod-1", "node_role_arns": [NODE_ROLE], **scope})


LAUNCH_TAGS = {
    "aws:RequestTag/kubernetes.io/cluster/prod-1": "owned",
    "aws:RequestTag/eks:eks-cluster-name": "prod-1",
    "aws:RequestTag/karpenter.sh/nodepool": "default",
}


@pytest.mark.parametrize("action", ["ec2:RunInstances", "ec2:CreateFleet"])
def test_karpenter_may_launch_spot_capacity_with_its_tags_only(action: str) -> None:
    spot = f"arn:aws:ec2:{REGION}:{ACCOUNT}:spot-instances-request/sir-0123"
    docs = _karpenter()
    assert _allowed(docs, action, spot, **LAUNCH_TAGS)
    assert not _allowed(docs, action, spot, **{**LAUNCH_TAGS, "aws:RequestTag/eks:eks-cluster-name": "other"})
    tagging = {**LAUNCH_TAGS, "ec2:CreateAction": action.split(":")[1]}
    assert _allowed(docs, "ec2:CreateTags", spot, **tagging)


def test_karpenter_has_the_permissions_of_current_releases() -> None:
    docs = _karpenter()
    assert _allowed(docs, "iam:ListInstanceProfiles", "*")
    for action in ("ec2:DescribeCapacityReservations", "ec2:DescribePlacementGroups", "ec2:DescribeInstanceStatus"):
        assert _allowed(docs, action, "*"), action
        assert not _allowed(docs, action, "*", **{"aws:RequestedRegion": "us-east-1"}), action
    for resource in ("capacity-reservation/cr-0123", "placement-group/pg-0123"):
        assert _allowed(docs, "ec2:RunInstances", f"arn:aws:ec2:{REGION}:{ACCOUNT}:{resource}")
    cluster = f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/prod-1"
    zonal = "arc-zonal-shift:GetManagedResource"
    assert _allowed(docs, zonal, "*", **{"arc-zonal-shift:ResourceIdentifier": cluster})
    assert not _allowed(docs, zonal, "*", **{"arc-zonal-shift:ResourceIdentifier": cluster.replace("prod-1", "x")})


def test_karpenter_launches_into_a_shared_vpc_only_when_its_owner_is_given() -> None:
    subnet = f"arn:aws:ec2:{REGION}:{OWNER}:subnet/subnet-0123"
    group = f"arn:aws:ec2:{REGION}:{OWNER}:security-group/sg-0123"
    reservation = f"arn:aws:ec2:{REGION}:{OWNER}:capacity-reservation/cr-0123"
    plain = _karpenter()
    shared = _karpenter(network_account_ids=[OWNER], capacity_account_ids=[OWNER])
    for resource in (subnet, group, reservation):
        assert not _allowed(plain, "ec2:RunInstances", resource), resource
        assert _allowed(shared, "ec2:CreateFleet", resource), resource
    # Only what Karpenter references in the owner's account: it still creates instances in its own.
    assert not _allowed(shared, "ec2:RunInstances", f"arn:aws:ec2:{REGION}:{OWNER}:instance/i-0123", **LAUNCH_TAGS)


def test_karpenter_chart_values_name_the_cluster_and_the_queue() -> None:
    resolved = resolve(
        "karpenter",
        {"cluster_name": "prod-1", "node_role_arns": [NODE_ROLE], "interruption_queue_arns": [QUEUE]},
        partition="aws",
        region=REGION,
    )
    values = {k: v for k, v, _ in resolved.chart_values}
    assert values == {
        "serviceAccount.name": "karpenter",
        "settings.clusterName": "prod-1",
        "settings.interruptionQueue": "prod-1",
    }


def test_vpc_cni_creates_enis_in_a_shared_vpc_only_when_its_owner_is_given() -> None:
    subnet = f"arn:aws:ec2:{REGION}:{OWNER}:subnet/subnet-0123"
    for ipv6 in (False, True):
        scope = {"ipv4": not ipv6, "ipv6": ipv6}
        assert not _allowed(_docs("vpc-cni", scope), "ec2:CreateNetworkInterface", subnet)
        assert _allowed(
            _docs("vpc-cni", {**scope, "network_account_ids": [OWNER]}), "ec2:CreateNetworkInterface", subnet
        )


def test_vpc_cni_ipv6_manages_enis_and_only_ipv6_addresses() -> None:
    docs = _docs("vpc-cni", {"ipv4": False, "ipv6": True})
    eni = f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/eni-0123"
    for action in ("ec2:CreateNetworkInterface", "ec2:AttachNetworkInterface", "ec2:UnassignIpv6Addresses"):
        assert _allowed(docs, action, eni), action
    assert not _allowed(docs, "ec2:AssignPrivateIpAddresses", eni)
    values = {k: v for k, v, _ in resolve("vpc-cni", {"ipv4": False, "ipv6": True}, partition="aws").chart_values}
    assert values == {"env.ENABLE_IPv6": "true"}


def test_external_dns_chart_values_filter_exactly_the_given_zones() -> None:
    resolved = resolve(
        "external-dns",
        {"hosted_zone_arns": ["Z0123456789ABCDEFGHIJ", "arn:aws:route53:::hostedzone/Z9876"]},
        partition="aws",
    )
    values = {k: v for k, v, _ in resolved.chart_values}
    assert values["extraArgs.zone-id-filter"] == ["Z0123456789ABCDEFGHIJ", "Z9876"]
    assert values["serviceAccount.name"] == "external-dns"


def test_cluster_autoscaler_chart_values_name_the_trusted_service_account_and_the_discovery_tag() -> None:
    resolved = resolve("cluster-autoscaler", {"cluster_name": "prod-1"}, partition="aws", region=REGION)
    assert list(resolved.chart_values) == [
        ("rbac.serviceAccount.name", "cluster-autoscaler", resolved.chart_values[0][2]),
        ("autoDiscovery.clusterName", "prod-1", resolved.chart_values[1][2]),
        ("awsRegion", REGION, resolved.chart_values[2][2]),
    ]
    custom = resolve("cluster-autoscaler", {"cluster_name": "prod-1"}, partition="aws", service_account="ca")
    assert ("rbac.serviceAccount.name", "ca") == custom.chart_values[0][:2]
    assert "awsRegion" not in {k for k, _, _ in custom.chart_values}  # unknown region: nothing guessed
    docs = _docs("cluster-autoscaler", {"cluster_name": "prod-1"})
    group = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:uuid:autoScalingGroupName/ng-1"
    tagged = {"aws:ResourceTag/k8s.io/cluster-autoscaler/prod-1": "owned"}
    assert _allowed(docs, "autoscaling:SetDesiredCapacity", group, **tagged)
    assert not _allowed(docs, "autoscaling:SetDesiredCapacity", group)
    assert not _allowed(docs, "autoscaling:DescribeTags", "*")  # the controller never calls it


def test_node_termination_handler_chart_values_configure_the_tag_check_and_the_queue() -> None:
    scope = {"queue_arns": [QUEUE], "managed_asg_tag_key": "eks:cluster-name"}
    resolved = resolve("aws-node-termination-handler", scope, partition="aws")
    values = {k: v for k, v, _ in resolved.chart_values}
    assert values == {
        "serviceAccount.name": "aws-node-termination-handler",
        "enableSqsTerminationDraining": True,
        "queueURL": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/prod-1",
        "checkTagBeforeDraining": True,
        "managedTag": "eks:cluster-name",
    }
    china = resolve(
        "aws-node-termination-handler", {"queue_arns": ["arn:aws-cn:sqs:cn-north-1:111122223333:q"]}, partition="aws-cn"
    )
    assert (
        dict((k, v) for k, v, _ in china.chart_values)["queueURL"]
        == "https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q"
    )


def test_node_termination_handler_heartbeats_are_granted_only_when_asked_for() -> None:
    group = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:uuid:autoScalingGroupName/ng-1"
    managed = {"aws:ResourceTag/aws-node-termination-handler/managed": ""}
    plain = _docs("aws-node-termination-handler", {"queue_arns": [QUEUE]})
    beating = _docs("aws-node-termination-handler", {"queue_arns": [QUEUE], "heartbeats": True})
    assert not _allowed(plain, "autoscaling:RecordLifecycleActionHeartbeat", group, **managed)
    assert _allowed(beating, "autoscaling:RecordLifecycleActionHeartbeat", group, **managed)
    assert not _allowed(beating, "autoscaling:RecordLifecycleActionHeartbeat", group)
    assert _allowed(beating, "autoscaling:DescribeLifecycleHooks", "*")


def test_gateway_controller_may_discover_certificates() -> None:
    assert _allowed(_docs("aws-gateway-controller", {}), "acm:ListCertificates", "*")


def test_load_balancer_controller_chart_values_keep_optional_features_off() -> None:
    resolved = resolve(
        "aws-load-balancer-controller",
        {"cluster_name": "prod-1", "vpc_ids": ["vpc-0123456789abcdef0"]},
        partition="aws",
    )
    values = {k: v for k, v, _ in resolved.chart_values}
    assert values == {
        "serviceAccount.name": "aws-load-balancer-controller",
        "clusterName": "prod-1",
        "vpcId": "vpc-0123456789abcdef0",
        "controllerConfig.featureGates.EnableCertificateManagement": False,
        "controllerConfig.featureGates.GlobalAcceleratorController": False,
    }


def test_chart_values_follow_the_custom_policy_only() -> None:
    managed = resolve("vpc-cni", {}, partition="aws", policy="managed")
    assert managed.chart_values == ()
