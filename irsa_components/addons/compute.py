"""Node provisioning and lifecycle add-ons: Cluster Autoscaler, Karpenter, Node Termination Handler."""

from __future__ import annotations

from . import kinds, records
from ._build import ANY, allow
from .model import Addon, ChartValue, Scope, ScopeInput, Statement

_CLUSTER_NAME = ScopeInput("cluster_name", kinds.CLUSTER_NAME, "The EKS cluster's name", required=True, multiple=False)


def _auto_scaling_groups(scope: Scope) -> str:
    return scope.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")


# --------------------------------------------------------------------------------------------------
# Cluster Autoscaler
# --------------------------------------------------------------------------------------------------


def _cluster_autoscaler(scope: Scope) -> list[Statement]:
    cluster = scope.first("cluster_name")
    return [
        # Auto Scaling and EC2 Describe calls have no resource-level permissions.
        allow(
            "Describe",
            [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
            ],
            ANY,
        ),
        allow(
            "DescribeClusterNodegroups",
            ["eks:DescribeNodegroup"],
            scope.arn("eks", f"nodegroup/{cluster}/*/*"),
        ),
        allow(
            "ScaleClusterGroups",
            ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            _auto_scaling_groups(scope),
            {"Null": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "false"}},
        ),
    ]


CLUSTER_AUTOSCALER = Addon(
    name="cluster-autoscaler",
    description="Kubernetes Cluster Autoscaler on EC2 Auto Scaling groups (auto-discovery by tags).",
    namespace="kube-system",
    service_account="cluster-autoscaler",
    chart="autoscaler/cluster-autoscaler (set rbac.serviceAccount.name: the chart names it after the release)",
    source=records.source("cluster-autoscaler"),
    build=_cluster_autoscaler,
    inputs=(_CLUSTER_NAME,),
    tighter=(
        "Scaling and termination are limited to Auto Scaling groups carrying this cluster's auto-discovery tag "
        "`k8s.io/cluster-autoscaler/<cluster>` (upstream: every group in the account).",
        "`eks:DescribeNodegroup` is limited to this cluster's node groups (upstream: `*`).",
    ),
    notes=(
        "Requires tag-based auto-discovery: the chart's `autoDiscovery.clusterName` makes it pass "
        "`--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>`, "
        "and EKS managed node groups carry both tags. Statically listed groups (`autoscalingGroups`, `--nodes`) "
        "need the `k8s.io/cluster-autoscaler/<cluster>` tag too, or the scaling calls are refused.",
    ),
    service_account_value="rbac.serviceAccount.name",
    chart_values=(
        ChartValue(
            "autoDiscovery.clusterName",
            "`cluster_name`",
            "the policy lets it scale only groups tagged k8s.io/cluster-autoscaler/<cluster>, the tag this "
            "discovers by",
            lambda scope: scope.first("cluster_name"),
        ),
        ChartValue(
            "awsRegion",
            "the role's region (the cluster's)",
            "the chart requires it for cloudProvider aws; the groups are discovered in that region",
            lambda scope: scope.region,
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# Karpenter
# --------------------------------------------------------------------------------------------------


def _karpenter(scope: Scope) -> list[Statement]:
    cluster = scope.first("cluster_name")
    region = scope.region_or_any
    owned = f"kubernetes.io/cluster/{cluster}"

    def ec2(resource: str, *, in_account: bool = True) -> str:
        return scope.arn("ec2", resource, in_account=in_account)

    def in_accounts(resource: str, extra: str) -> list[str]:
        """The resource in the role's account and in the accounts that share it (a shared VPC, RAM shares)."""
        own = [ec2(resource)]
        if scope.account_id is None:
            return own  # already any account
        return own + [f"arn:{scope.partition}:ec2:{region}:{account}:{resource}" for account in scope[extra]]

    launched = [
        ec2("fleet/*"),
        ec2("instance/*"),
        ec2("volume/*"),
        ec2("network-interface/*"),
        ec2("launch-template/*"),
        # A spot launch creates a Spot Instance request, authorized with RunInstances/CreateFleet (and tagged).
        ec2("spot-instances-request/*"),
    ]
    profiles = scope.arn("iam", "instance-profile/*", regional=False)
    request_tags = {
        f"aws:RequestTag/{owned}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster,
    }
    statements = [
        allow(
            "AllowScopedEC2InstanceAccessActions",
            ["ec2:RunInstances", "ec2:CreateFleet"],
            [
                ec2("image/*", in_account=False),
                ec2("snapshot/*", in_account=False),
                *in_accounts("security-group/*", "network_account_ids"),
                *in_accounts("subnet/*", "network_account_ids"),
                *in_accounts("capacity-reservation/*", "capacity_account_ids"),
                *in_accounts("placement-group/*", "capacity_account_ids"),
            ],
        ),
        allow(
            "AllowScopedEC2LaunchTemplateAccessActions",
            ["ec2:RunInstances", "ec2:CreateFleet"],
            ec2("launch-template/*"),
            {
                "StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        ),
        allow(
            "AllowScopedEC2InstanceActionsWithTags",
            ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            launched,
            {"StringEquals": request_tags, "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}},
        ),
        allow(
            "AllowScopedResourceCreationTagging",
            ["ec2:CreateTags"],
            launched,
            {
                "StringEquals": {
                    **request_tags,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        ),
        allow(
            "AllowScopedResourceTagging",
            ["ec2:CreateTags"],
            ec2("instance/*"),
            {
                "StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        ),
        allow(
            "AllowScopedDeletion",
            ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            [ec2("instance/*"), ec2("launch-template/*")],
            {
                "StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        ),
        # EC2 Describe calls have no resource-level permissions; pinned to the cluster's region instead.
        allow(
            "AllowRegionalReadActions",
            [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            ANY,
            {"StringEquals": {"aws:RequestedRegion": region}},
        ),
        allow(
            "AllowSSMReadActions",
            ["ssm:GetParameter"],
            scope.arn("ssm", "parameter/aws/service/*", in_account=False),
        ),
        # Neither the Price List API nor ListInstanceProfiles has resource-level permissions.
        allow("AllowPricingReadActions", ["pricing:GetProducts"], ANY),
        allow("AllowUnscopedInstanceProfileListAction", ["iam:ListInstanceProfiles"], ANY),
    ]
    if queues := scope["interruption_queue_arns"]:
        statements.append(
            allow(
                "AllowInterruptionQueueActions",
                ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
                queues,
            )
        )
    statements += [
        allow(
            "AllowPassingInstanceRole",
            ["iam:PassRole"],
            scope["node_role_arns"],
            {"StringEquals": {"iam:PassedToService": f"ec2.{scope.dns_suffix}"}},
        ),
        allow(
            "AllowScopedInstanceProfileCreationActions",
            ["iam:CreateInstanceProfile"],
            profiles,
            {
                "StringEquals": {**request_tags, "aws:RequestTag/topology.kubernetes.io/region": region},
                "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        ),
        allow(
            "AllowScopedInstanceProfileTagActions",
            ["iam:TagInstanceProfile"],
            profiles,
            {
                "StringEquals": {
                    f"aws:ResourceTag/{owned}": "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                    **request_tags,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                "StringLike": {
                    "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                },
            },
        ),
        allow(
            "AllowScopedInstanceProfileActions",
            ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
            profiles,
            {
                "StringEquals": {
                    f"aws:ResourceTag/{owned}": "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                },
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        ),
        allow("AllowInstanceProfileReadActions", ["iam:GetInstanceProfile"], profiles),
        allow("AllowAPIServerEndpointDiscovery", ["eks:DescribeCluster"], scope.arn("eks", f"cluster/{cluster}")),
        # GetManagedResource names the EKS cluster, which is no resource type of the action: '*' limited by
        # arc-zonal-shift:ResourceIdentifier to this cluster (wildcard_resources says why).
        allow(
            "AllowZonalShiftStatusReadOnly",
            ["arc-zonal-shift:GetManagedResource"],
            ANY,
            {"StringEquals": {"arc-zonal-shift:ResourceIdentifier": scope.arn("eks", f"cluster/{cluster}")}},
        ),
    ]
    return statements


def _queue_name(scope: Scope, name: str) -> str | None:
    queues = scope[name]
    return queues[0].rsplit(":", 1)[1] if queues else None


KARPENTER = Addon(
    name="karpenter",
    description="Karpenter controller: provisions EC2 capacity for pending pods (v1 APIs).",
    namespace="kube-system",
    service_account="karpenter",
    chart="oci://public.ecr.aws/karpenter/karpenter",
    source=records.source("karpenter"),
    build=_karpenter,
    inputs=(
        _CLUSTER_NAME,
        ScopeInput(
            "node_role_arns",
            kinds.ROLE,
            "The node role(s) EC2NodeClasses name (spec.role), which Karpenter passes to EC2",
            required=True,
        ),
        ScopeInput(
            "interruption_queue_arns",
            kinds.QUEUE,
            "The interruption queue (settings.interruptionQueue); omit to run without interruption handling",
            multiple=False,
        ),
        ScopeInput(
            "network_account_ids",
            kinds.ACCOUNT_ID,
            "Accounts that own the subnets and security groups EC2NodeClasses select, besides the role's (a shared "
            "VPC)",
        ),
        ScopeInput(
            "capacity_account_ids",
            kinds.ACCOUNT_ID,
            "Accounts that share capacity reservations or placement groups with the role's (AWS RAM)",
        ),
    ),
    needs_region=True,
    wildcard_resources=(
        (
            "arc-zonal-shift:GetManagedResource",
            "the request names the EKS cluster, which the Service Authorization Reference lists as no resource type "
            "of the action (only load balancers): upstream's '*' limited by arc-zonal-shift:ResourceIdentifier to "
            "this cluster's ARN",
        ),
    ),
    tighter=(
        "Security groups, subnets, capacity reservations and placement groups are limited to the role's account "
        "and the accounts given in `network_account_ids` / `capacity_account_ids` (upstream: any account), and "
        "every Karpenter-created resource to the role's account.",
        "`iam:PassedToService` is this partition's EC2 principal only.",
        "Interruption-queue permissions are granted only when a queue is given.",
    ),
    notes=("Needs the cluster's region: tag conditions and the regional read limit name it.",),
    service_account_value="serviceAccount.name",
    chart_values=(
        ChartValue(
            "settings.clusterName",
            "`cluster_name`",
            "Karpenter tags what it launches with kubernetes.io/cluster/<name> and eks:eks-cluster-name; the "
            "policy admits only this cluster's tags",
            lambda scope: scope.first("cluster_name"),
        ),
        ChartValue(
            "settings.interruptionQueue",
            "the name of the queue in `interruption_queue_arns` (leave empty without one)",
            "the policy lets Karpenter read only that queue",
            lambda scope: _queue_name(scope, "interruption_queue_arns"),
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# AWS Node Termination Handler (queue processor mode)
# --------------------------------------------------------------------------------------------------


def _node_termination_handler(scope: Scope) -> list[Statement]:
    tag_key = scope.first("managed_asg_tag_key")
    managed = {"Null": {f"aws:ResourceTag/{tag_key}": "false"}}
    statements = [
        # Auto Scaling and EC2 Describe calls have no resource-level permissions.
        allow(
            "Describe",
            ["autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeTags", "ec2:DescribeInstances"],
            ANY,
        ),
        allow(
            "CompleteLifecycleActionsOfManagedGroups",
            ["autoscaling:CompleteLifecycleAction"],
            _auto_scaling_groups(scope),
            managed,
        ),
        allow("ConsumeEvents", ["sqs:DeleteMessage", "sqs:ReceiveMessage"], scope["queue_arns"]),
    ]
    if scope.flag("heartbeats"):
        statements += [
            allow(
                "HeartbeatsOfManagedGroups",
                ["autoscaling:RecordLifecycleActionHeartbeat"],
                _auto_scaling_groups(scope),
                managed,
            ),
            # DescribeLifecycleHooks has no resource-level permissions.
            allow("DescribeLifecycleHooks", ["autoscaling:DescribeLifecycleHooks"], ANY),
        ]
    return statements


def _queue_urls(scope: Scope) -> str | list[str]:
    """SQS queue URLs (``https://sqs.<region>.<suffix>/<account>/<name>``) of the queue ARNs."""
    urls = []
    for arn in scope["queue_arns"]:
        _, _, _, region, account, name = arn.split(":", 5)
        urls.append(f"https://sqs.{region}.{scope.dns_suffix}/{account}/{name}")
    return urls[0] if len(urls) == 1 else urls


NODE_TERMINATION_HANDLER = Addon(
    name="aws-node-termination-handler",
    description="AWS Node Termination Handler in queue-processor mode (EventBridge -> SQS).",
    namespace="kube-system",
    service_account="aws-node-termination-handler",
    chart="eks/aws-node-termination-handler (eks-charts)",
    source=records.source("aws-node-termination-handler"),
    build=_node_termination_handler,
    inputs=(
        ScopeInput("queue_arns", kinds.QUEUE, "The SQS queue(s) NTH reads (queueURL)", required=True),
        ScopeInput(
            "managed_asg_tag_key",
            kinds.TAG_KEY,
            "The tag key on the Auto Scaling groups NTH serves, propagated to their instances (its managedTag setting)",
            default=("aws-node-termination-handler/managed",),
            multiple=False,
        ),
        ScopeInput(
            "heartbeats",
            kinds.FLAG,
            "NTH sends lifecycle heartbeats (its heartbeatInterval setting)",
        ),
    ),
    tighter=(
        "`autoscaling:CompleteLifecycleAction` (and the heartbeat) are limited to Auto Scaling groups carrying "
        "NTH's managed tag instead of `*`: tag the groups themselves, with PropagateAtLaunch (NTH's README, 'Tag "
        "the Instances'), not only their instances or launch templates.",
    ),
    notes=(
        "IMDS mode needs no IAM permissions; use this add-on only for queue-processor mode.",
        "Any tag key every node group of the cluster carries will do as the managed tag, e.g. EKS managed node "
        "groups' `eks:cluster-name`: set `managed_asg_tag_key` and the chart's `managedTag` to it.",
    ),
    service_account_value="serviceAccount.name",
    chart_values=(
        ChartValue(
            "enableSqsTerminationDraining",
            "`true`",
            "queue-processor mode, the one this policy is for",
            lambda scope: True,
        ),
        ChartValue(
            "queueURL",
            "the URL of the queue in `queue_arns` (with several: one release per queue)",
            "NTH reads this queue; the policy admits only the given ones",
            _queue_urls,
        ),
        ChartValue(
            "checkTagBeforeDraining",
            "`true` (the chart's default)",
            "without the check NTH acts on every group's instances; the policy refuses groups without the tag",
            lambda scope: True,
        ),
        ChartValue(
            "managedTag",
            "`managed_asg_tag_key`",
            "NTH acts only on instances with this tag key; the policy completes lifecycle actions only of groups "
            "with it",
            lambda scope: scope.first("managed_asg_tag_key"),
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# KEDA (AWS scalers with identityOwner: operator)
# --------------------------------------------------------------------------------------------------


def _keda(scope: Scope) -> list[Statement]:
    statements: list[Statement] = []
    if queues := scope["queue_arns"]:
        statements.append(allow("SqsQueueLength", ["sqs:GetQueueAttributes"], queues))
    if scope.flag("cloudwatch"):
        # GetMetricData has no resource-level permissions.
        statements.append(allow("CloudWatchMetrics", ["cloudwatch:GetMetricData"], ANY))
    return statements


KEDA = Addon(
    name="keda",
    description="KEDA operator scaling on SQS queue length and CloudWatch metrics (identityOwner: operator).",
    namespace="keda",
    service_account="keda-operator",
    chart="kedacore/keda",
    source=records.source("keda"),
    build=_keda,
    inputs=(
        ScopeInput("queue_arns", kinds.QUEUE, "SQS queues aws-sqs-queue scalers watch"),
        ScopeInput("cloudwatch", kinds.FLAG, "aws-cloudwatch scalers (cloudwatch:GetMetricData)"),
    ),
    require_any=(("queue_arns", "cloudwatch"),),
    tighter=("Queue attributes only of the given queues.",),
    notes=(
        "For the scalers' TriggerAuthentication: `podIdentity.provider: aws` with `identityOwner: keda` (the "
        "default), so that KEDA uses the operator's role; `roleArn` or `identityOwner: workload` make it assume "
        "other roles, which this policy does not grant.",
        "With IRSA the chart annotates the operator's service account: `podIdentity.aws.irsa.enabled=true` and "
        "`podIdentity.aws.irsa.roleArn` = the role's ARN (stack output `roles.<service>.arn`); with Pod Identity "
        "nothing is needed.",
        "Other AWS scalers (DynamoDB, DynamoDB Streams, Kinesis) are not covered.",
    ),
    service_account_value="serviceAccount.operator.name",
)
