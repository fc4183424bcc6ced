"""Node provisioning and lifecycle add-ons: Cluster Autoscaler, Karpenter, Node Termination Handler."""

from __future__ import annotations

from . import kinds
from ._build import ANY, allow
from .model import Addon, Scope, ScopeInput, Source, Statement

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
                "autoscaling:DescribeTags",
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
    chart="autoscaler/cluster-autoscaler (set rbac.serviceAccount.name; the chart's generated name differs)",
    source=Source(
        "https://github.com/kubernetes/autoscaler/blob/062f28a624a2cbedcdc13b152845ac8074853219/cluster-autoscaler/"
        "cloudprovider/aws/README.md#iam-policy",
        "README at commit 062f28a (minimal policy plus the auto-discovery and launch-template actions it lists)",
    ),
    build=_cluster_autoscaler,
    inputs=(_CLUSTER_NAME,),
    tighter=(
        "Scaling and termination are limited to Auto Scaling groups carrying this cluster's auto-discovery tag "
        "`k8s.io/cluster-autoscaler/<cluster>` (upstream's minimal policy: every group in the account).",
        "`eks:DescribeNodegroup` is limited to this cluster's node groups.",
    ),
    notes=(
        "The README at that commit lists `ec2:GetInstanceTypesFromInstanceRequirementsPages`, which is no IAM "
        "action (an SDK paginator name); the policy grants `ec2:GetInstanceTypesFromInstanceRequirements`, and "
        "`autoscaling:DescribeScalingActivities`, which current releases call.",
        "Requires tag-based auto-discovery (`--node-group-auto-discovery=asg:tag=...,k8s.io/cluster-autoscaler/"
        "<cluster>`), which EKS managed node groups support out of the box.",
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

    launched = [
        ec2("fleet/*"),
        ec2("instance/*"),
        ec2("volume/*"),
        ec2("network-interface/*"),
        ec2("launch-template/*"),
    ]
    # Spot instance requests are tagged at creation, but are no resource type of RunInstances, CreateFleet or
    # CreateLaunchTemplate in the Service Authorization Reference: upstream's grant of those on them is dead.
    tagged_at_launch = [*launched, ec2("spot-instances-request/*")]
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
                ec2("security-group/*"),
                ec2("subnet/*"),
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
            tagged_at_launch,
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
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
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
        # The Price List API has no resource-level permissions.
        allow("AllowPricingReadActions", ["pricing:GetProducts"], ANY),
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
    ]
    return statements


KARPENTER = Addon(
    name="karpenter",
    description="Karpenter controller: provisions EC2 capacity for pending pods (v1 APIs).",
    namespace="kube-system",
    service_account="karpenter",
    chart="oci://public.ecr.aws/karpenter/karpenter",
    source=Source(
        "https://github.com/aws/karpenter-provider-aws/blob/86aa1e6a793f78b46a9fac0b079067fffe53f32e/website/"
        "content/en/preview/getting-started/getting-started-with-karpenter/cloudformation.yaml",
        "v1.x getting-started CloudFormation, KarpenterControllerPolicy at commit 86aa1e6",
    ),
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
        ),
    ),
    needs_region=True,
    tighter=(
        "Security groups, subnets and every Karpenter-created resource are limited to the role's account when "
        "given (upstream: any account).",
        "`iam:PassedToService` is this partition's EC2 principal only.",
        "Interruption-queue permissions are granted only when a queue is given.",
        "`spot-instances-request` is dropped from the launch statement: the Service Authorization Reference lists "
        "it for no launch action (it stays in the tag-on-create statement).",
    ),
    notes=("Needs the cluster's region: tag conditions and the regional read limit name it.",),
)

# --------------------------------------------------------------------------------------------------
# AWS Node Termination Handler (queue processor mode)
# --------------------------------------------------------------------------------------------------


def _node_termination_handler(scope: Scope) -> list[Statement]:
    tag_key = scope.first("managed_asg_tag_key")
    return [
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
            {"Null": {f"aws:ResourceTag/{tag_key}": "false"}},
        ),
        allow("ConsumeEvents", ["sqs:DeleteMessage", "sqs:ReceiveMessage"], scope["queue_arns"]),
    ]


NODE_TERMINATION_HANDLER = Addon(
    name="aws-node-termination-handler",
    description="AWS Node Termination Handler in queue-processor mode (EventBridge -> SQS).",
    namespace="kube-system",
    service_account="aws-node-termination-handler",
    chart="eks/aws-node-termination-handler (eks-charts)",
    source=Source(
        "https://github.com/aws/aws-node-termination-handler/blob/main/README.md",
        "README on main, 2025, Queue Processor IAM permissions (unchanged since queue-processor mode arrived)",
    ),
    build=_node_termination_handler,
    inputs=(
        ScopeInput("queue_arns", kinds.QUEUE, "The SQS queue(s) NTH reads (queueURL)", required=True),
        ScopeInput(
            "managed_asg_tag_key",
            kinds.TAG_KEY,
            "The tag marking Auto Scaling groups NTH manages (its managedTag setting)",
            default=("aws-node-termination-handler/managed",),
            multiple=False,
        ),
    ),
    tighter=(
        "`autoscaling:CompleteLifecycleAction` is limited to Auto Scaling groups carrying NTH's managed tag (the "
        "groups NTH acts on with its default checkTagBeforeDraining) instead of `*`.",
    ),
    notes=("IMDS mode needs no IAM permissions; use this add-on only for queue-processor mode.",),
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
    source=Source(
        "https://keda.sh/docs/2.17/scalers/aws-sqs/", "KEDA 2.17 scaler docs (aws-sqs-queue, aws-cloudwatch)"
    ),
    build=_keda,
    inputs=(
        ScopeInput("queue_arns", kinds.QUEUE, "SQS queues aws-sqs-queue scalers watch"),
        ScopeInput("cloudwatch", kinds.FLAG, "aws-cloudwatch scalers (cloudwatch:GetMetricData)"),
    ),
    require_any=(("queue_arns", "cloudwatch"),),
    tighter=("Queue attributes only of the given queues.",),
)
