"""Networking add-ons: load balancing, DNS, the VPC CNI and the Gateway API controller for VPC Lattice."""

from __future__ import annotations

from . import kinds, records
from ._build import ANY, allow, one
from .model import Addon, ChartValue, Scope, ScopeInput, Statement

# --------------------------------------------------------------------------------------------------
# AWS Load Balancer Controller
# --------------------------------------------------------------------------------------------------

_ELB_CLUSTER_TAG = "elbv2.k8s.aws/cluster"


def _elb(scope: Scope, *resources: str) -> list[str]:
    return [scope.arn("elasticloadbalancing", r) for r in resources]


def _load_balancers(scope: Scope) -> list[str]:
    return _elb(scope, "loadbalancer/app/*/*", "loadbalancer/net/*/*")


def _listeners(scope: Scope) -> list[str]:
    return _elb(scope, "listener/app/*/*/*", "listener/net/*/*/*")


def _rules(scope: Scope) -> list[str]:
    return _elb(scope, "listener-rule/app/*/*/*/*", "listener-rule/net/*/*/*/*")


def _target_groups(scope: Scope) -> list[str]:
    return _elb(scope, "targetgroup/*/*")


def _security_groups(scope: Scope) -> str:
    return scope.arn("ec2", "security-group/*")


def _in_vpc(scope: Scope) -> dict[str, dict[str, str | list[str]]] | None:
    """Restrict security-group changes to the cluster's VPC(s) when given."""
    vpcs = scope["vpc_ids"]
    if not vpcs:
        return None
    return {"StringEquals": {"ec2:Vpc": one(scope.arn("ec2", f"vpc/{v}") for v in vpcs)}}


def _load_balancer_controller(scope: Scope) -> list[Statement]:
    cluster = scope.first("cluster_name")
    tagged = {"StringEquals": {f"aws:ResourceTag/{_ELB_CLUSTER_TAG}": cluster}}
    tagging = {"StringEquals": {f"aws:RequestTag/{_ELB_CLUSTER_TAG}": cluster}}
    keeps_cluster_tag = {"Null": {f"aws:RequestTag/{_ELB_CLUSTER_TAG}": "true"}}
    vpcs = [scope.arn("ec2", f"vpc/{v}") for v in scope["vpc_ids"]] or [scope.arn("ec2", "vpc/*")]
    return [
        allow(
            "CreateElbServiceLinkedRole",
            ["iam:CreateServiceLinkedRole"],
            scope.arn(
                "iam",
                "role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
                regional=False,
            ),
            {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        ),
        # Describe/List calls: EC2 and ELB do not support resource-level permissions for these.
        allow(
            "Describe",
            [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeCoipPools",
                "ec2:DescribeIpamPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeCapacityReservation",
                "acm:ListCertificates",
                "iam:ListServerCertificates",
                "shield:GetSubscriptionState",
            ],
            ANY,
        ),
        # Neither supports resource-level permissions.
        allow("WebAclAndShieldUnscoped", ["elasticloadbalancing:SetWebAcl", "shield:CreateProtection"], ANY),
        allow("CoipPoolUsage", ["ec2:GetCoipPoolUsage"], scope.arn("ec2", "coip-pool/*")),
        allow("SecurityGroupsForVpc", ["ec2:GetSecurityGroupsForVpc"], vpcs),
        allow(
            "ReadCertificatesAndAuth",
            ["acm:DescribeCertificate", "iam:GetServerCertificate", "cognito-idp:DescribeUserPoolClient"],
            [
                scope.arn("acm", "certificate/*"),
                scope.arn("iam", "server-certificate/*", regional=False),
                scope.arn("cognito-idp", "userpool/*"),
            ],
        ),
        allow(
            "WebAcls",
            [
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
            ],
            [
                scope.arn("waf-regional", "webacl/*"),
                scope.arn("wafv2", "regional/webacl/*/*"),
                *_elb(scope, "loadbalancer/app/*/*"),
            ],
        ),
        allow(
            "ShieldProtections",
            ["shield:DescribeProtection", "shield:DeleteProtection"],
            scope.arn("shield", "protection/*", regional=False),
        ),
        # The controller opens node and pod security groups it did not create to its load balancers.
        allow(
            "SecurityGroupIngress",
            ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            _security_groups(scope),
            _in_vpc(scope),
        ),
        allow(
            "SecurityGroupRuleTags",
            ["ec2:AuthorizeSecurityGroupIngress"],
            scope.arn("ec2", "security-group-rule/*"),
        ),
        allow("CreateSecurityGroupInVpc", ["ec2:CreateSecurityGroup"], vpcs),
        allow("CreateOwnSecurityGroup", ["ec2:CreateSecurityGroup"], _security_groups(scope), tagging),
        allow(
            "TagSecurityGroupOnCreate",
            ["ec2:CreateTags"],
            _security_groups(scope),
            {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup", **tagging["StringEquals"]}},
        ),
        allow(
            "RetagOwnSecurityGroups",
            ["ec2:CreateTags", "ec2:DeleteTags"],
            _security_groups(scope),
            {**tagged, **keeps_cluster_tag},
        ),
        allow(
            "ManageOwnSecurityGroups",
            ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
            _security_groups(scope),
            tagged,
        ),
        allow(
            "CreateOwnLoadBalancers",
            ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            [*_load_balancers(scope), *_target_groups(scope)],
            tagging,
        ),
        allow(
            "ListenersAndRules",
            [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            [*_load_balancers(scope), *_listeners(scope), *_rules(scope)],
        ),
        allow(
            "RetagOwnLoadBalancers",
            ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            [*_target_groups(scope), *_load_balancers(scope)],
            {**tagged, **keeps_cluster_tag},
        ),
        allow(
            "TagListenersAndRules",
            ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            [*_listeners(scope), *_rules(scope)],
        ),
        allow(
            "ManageOwnLoadBalancers",
            [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            [*_load_balancers(scope), *_target_groups(scope), *_listeners(scope)],
            tagged,
        ),
        allow(
            "TagOwnLoadBalancersOnCreate",
            ["elasticloadbalancing:AddTags"],
            [*_target_groups(scope), *_load_balancers(scope)],
            {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                    **tagging["StringEquals"],
                }
            },
        ),
        # TargetGroupBindings may name target groups the controller did not create: upstream leaves these open.
        allow(
            "RegisterTargets",
            ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            _target_groups(scope),
        ),
        allow(
            "ModifyListenersAndRules",
            [
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            [*_listeners(scope), *_rules(scope)],
        ),
    ]


_VPC_IDS = ScopeInput(
    "vpc_ids",
    kinds.VPC,
    "The cluster's VPC: security groups are created and opened only there",
)

AWS_LOAD_BALANCER_CONTROLLER = Addon(
    name="aws-load-balancer-controller",
    description="AWS Load Balancer Controller: ALBs for Ingress, NLBs for Services, TargetGroupBindings.",
    namespace="kube-system",
    service_account="aws-load-balancer-controller",
    chart="eks/aws-load-balancer-controller (eks-charts)",
    source=records.source("aws-load-balancer-controller"),
    build=_load_balancer_controller,
    inputs=(
        ScopeInput(
            "cluster_name",
            kinds.CLUSTER_NAME,
            "The controller's --cluster-name: the value of the elbv2.k8s.aws/cluster tag it puts on what it creates",
            required=True,
            multiple=False,
        ),
        _VPC_IDS,
    ),
    tighter=(
        "Ownership conditions test this cluster's name (`aws:ResourceTag/elbv2.k8s.aws/cluster` = cluster) instead "
        "of the tag merely existing (`Null` = false), so one cluster's controller cannot modify or delete another "
        "cluster's load balancers, target groups or security groups.",
        "Every action that supports resource-level permissions is limited to its resource type (and to the "
        "role's region and account when given) instead of `*`: WAF, Shield, ACM, Cognito, listeners, rules.",
        "`iam:CreateServiceLinkedRole` is limited to the ELB service-linked role's ARN.",
        "With `vpc_ids`, security groups can be created and opened only in the cluster's VPC.",
        "`ec2:CreateSecurityGroup` requires the cluster tag in the request (upstream: unconditioned).",
    ),
    service_account_value="serviceAccount.name",
    chart_values=(
        ChartValue(
            "clusterName",
            "`cluster_name`",
            "the controller tags what it creates with elbv2.k8s.aws/cluster=<clusterName>; the policy lets it "
            "change only resources with this cluster's tag",
            lambda scope: scope.first("cluster_name"),
        ),
        ChartValue(
            "vpcId",
            "the VPC in `vpc_ids` (when one is given)",
            "the policy creates and opens security groups only in that VPC",
            lambda scope: scope["vpc_ids"][0] if len(scope["vpc_ids"]) == 1 else None,
        ),
        ChartValue(
            "controllerConfig.featureGates.EnableCertificateManagement",
            "`false` (the default)",
            "ACM certificate management needs docs/install/iam_policy_acm_certs.json, which this policy does not grant",
            lambda scope: False,
        ),
        ChartValue(
            "controllerConfig.featureGates.GlobalAcceleratorController",
            "`false` (the default)",
            "the Global Accelerator controller needs docs/install/aga_controller_iam_policy.json, which this "
            "policy does not grant",
            lambda scope: False,
        ),
    ),
)


def _target_group_binding_only(scope: Scope) -> list[Statement]:
    return [
        # Describe calls: no resource-level permissions.
        allow(
            "Describe",
            [
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeVpcs",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            ANY,
        ),
        allow(
            "SecurityGroupIngress",
            ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            _security_groups(scope),
            _in_vpc(scope),
        ),
        allow(
            "BoundTargetGroups",
            [
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
            scope["target_group_arns"],
        ),
    ]


AWS_LOAD_BALANCER_CONTROLLER_TGB = Addon(
    name="aws-load-balancer-controller-tgb",
    description="AWS Load Balancer Controller limited to TargetGroupBindings on existing target groups.",
    namespace="kube-system",
    service_account="aws-load-balancer-controller",
    chart="eks/aws-load-balancer-controller (eks-charts)",
    source=records.source("aws-load-balancer-controller-tgb"),
    build=_target_group_binding_only,
    inputs=(
        ScopeInput(
            "target_group_arns",
            kinds.TARGET_GROUP,
            "The target groups the TargetGroupBindings name",
            required=True,
        ),
        _VPC_IDS,
    ),
    tighter=(
        "Target group changes are limited to the given target groups (upstream: `*`).",
        "Security group ingress changes are limited to security groups (and to `vpc_ids` when given).",
    ),
    notes=(
        "Unlike upstream's subset, the policy lets the controller open the nodes' and pods' security groups to "
        "the load balancer, which TargetGroupBindings with `spec.networking` need.",
        "Target groups in other accounts (a TargetGroupBinding's `iamRoleArnToAssume`) need sts:AssumeRole on "
        "those roles, which this policy does not grant.",
    ),
    service_account_value="serviceAccount.name",
    chart_values=(
        ChartValue(
            "vpcId",
            "the VPC in `vpc_ids` (when one is given)",
            "the controller then needs no EC2 metadata lookup, and the policy opens security groups only there",
            lambda scope: scope["vpc_ids"][0] if len(scope["vpc_ids"]) == 1 else None,
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# external-dns
# --------------------------------------------------------------------------------------------------


def _external_dns(scope: Scope) -> list[Statement]:
    zones = scope["hosted_zone_arns"]
    statements = [
        allow("ReadZones", ["route53:ListResourceRecordSets", "route53:ListTagsForResources"], zones),
        allow(
            "ChangeRecords",
            ["route53:ChangeResourceRecordSets"],
            zones,
            (
                {"ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": list(names)}}
                if (names := scope["record_names"])
                else None
            ),
        ),
        # ListHostedZones has no resource-level permissions.
        allow("ListZones", ["route53:ListHostedZones"], ANY),
    ]
    return statements


def _zone_ids(scope: Scope) -> list[str]:
    return [arn.rsplit("/", 1)[1] for arn in scope["hosted_zone_arns"]]


EXTERNAL_DNS = Addon(
    name="external-dns",
    description="ExternalDNS: Route 53 records for Services and Ingresses.",
    namespace="external-dns",
    service_account="external-dns",
    chart="external-dns/external-dns (kubernetes-sigs)",
    source=records.source("external-dns"),
    build=_external_dns,
    inputs=(
        ScopeInput(
            "hosted_zone_arns",
            kinds.HOSTED_ZONE,
            "The hosted zones ExternalDNS may read and change; its zone-id filter must name exactly these (chart "
            "value extraArgs.zone-id-filter)",
            required=True,
        ),
        ScopeInput(
            "record_names",
            kinds.DNS_NAME_PATTERN,
            "Record names it may change, e.g. '*.apps.example.com' (include its TXT registry records)",
        ),
    ),
    tighter=(
        "Record changes and reads are limited to the given hosted zones (upstream: `hostedzone/*`).",
        "Optionally, record names are limited with `route53:ChangeResourceRecordSetsNormalizedRecordNames`.",
    ),
    notes=(
        "Without a zone-ID filter (the chart's default) ExternalDNS reads every hosted zone ListHostedZones "
        "returns whose name passes `domainFilters`; one such zone outside `hosted_zone_arns` fails every sync "
        "with AccessDenied on ListResourceRecordSets. `domainFilters` alone is not enough: zones of the same name "
        "(a public and a private one) or of another account pass it too.",
        "With `record_names`, a change outside them is refused: ExternalDNS then retries that record's changes "
        "alone on every sync (the others go through). Keep its sources (Ingresses, Services) within those names.",
    ),
    service_account_value="serviceAccount.name",
    chart_values=(
        ChartValue(
            "extraArgs.zone-id-filter",
            "the IDs of `hosted_zone_arns` (a list: the chart passes one `--zone-id-filter` per ID)",
            "without it ExternalDNS reads every zone of the account and fails each sync on those outside the policy",
            lambda scope: _zone_ids(scope),
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# Amazon VPC CNI
# --------------------------------------------------------------------------------------------------

_CNI_DESCRIBE = [
    "ec2:DescribeInstances",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
]


def _network_resources(scope: Scope, resource: str) -> list[str]:
    """``resource`` in the role's account and in the accounts that share their VPC with it (``network_account_ids``)."""
    own = [scope.arn("ec2", resource)]
    if scope.account_id is None:
        return own  # already any account
    region = scope.region_or_any
    return own + [f"arn:{scope.partition}:ec2:{region}:{a}:{resource}" for a in scope["network_account_ids"]]


def _vpc_cni(scope: Scope) -> list[Statement]:
    enis = scope.arn("ec2", "network-interface/*")
    instances = scope.arn("ec2", "instance/*")
    subnets = _network_resources(scope, "subnet/*")
    security_groups = _network_resources(scope, "security-group/*")
    statements = [
        # Describe calls: no resource-level permissions.
        allow("Describe", _CNI_DESCRIBE, ANY),
        allow("TagNetworkInterfaces", ["ec2:CreateTags"], enis),
        # ENIs: IPv4 clusters add them for more addresses; IPv6 clusters (v1.23) for other network cards and
        # with subnet discovery when the primary ENI's subnet is excluded.
        allow("DeleteNetworkInterfaces", ["ec2:DeleteNetworkInterface"], enis),
        allow("CreateNetworkInterfaces", ["ec2:CreateNetworkInterface"], [enis, *subnets, *security_groups]),
        allow(
            "AttachNetworkInterfaces",
            ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"],
            [enis, instances],
        ),
        allow(
            "ModifyNetworkInterfaces",
            ["ec2:ModifyNetworkInterfaceAttribute"],
            [enis, instances, *security_groups, *subnets],
        ),
    ]
    if scope.flag("ipv4"):
        statements.append(
            allow(
                "Ipv4Addresses",
                ["ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
                enis,
            )
        )
    if scope.flag("ipv6"):
        statements.append(allow("Ipv6Addresses", ["ec2:AssignIpv6Addresses", "ec2:UnassignIpv6Addresses"], enis))
    return statements


def _cni_managed(scope: Scope) -> tuple[str, ...]:
    if scope.flag("ipv6"):
        raise ValueError(
            "AWS publishes no managed policy for IPv6 clusters (AmazonEKS_CNI_Policy covers IPv4 only); "
            "use the custom policy"
        )
    return ("AmazonEKS_CNI_Policy",)


def _enable_ipv6(scope: Scope) -> str | None:
    if scope.flag("ipv4") == scope.flag("ipv6"):
        return None  # the policy serves either
    return "true" if scope.flag("ipv6") else "false"


VPC_CNI = Addon(
    name="vpc-cni",
    description="Amazon VPC CNI (aws-node): pod networking with VPC IP addresses, IPv4 or IPv6.",
    namespace="kube-system",
    service_account="aws-node",
    chart="EKS add-on vpc-cni / eks/aws-vpc-cni",
    source=records.source("vpc-cni"),
    build=_vpc_cni,
    inputs=(
        ScopeInput("ipv4", kinds.FLAG, "IPv4 cluster (secondary IPv4 addresses and prefixes)", default=True),
        ScopeInput("ipv6", kinds.FLAG, "IPv6 cluster (IPv6 prefixes with AssignIpv6Addresses)", default=False),
        ScopeInput(
            "network_account_ids",
            kinds.ACCOUNT_ID,
            "Accounts that own the nodes' subnets and security groups, besides the role's (a shared VPC)",
        ),
    ),
    require_any=(("ipv4", "ipv6"),),
    managed_policies=("AmazonEKS_CNI_Policy",),
    select_managed=_cni_managed,
    tighter=(
        "ENI, instance, subnet and security-group actions are limited to those resource types, in the role's region "
        "and account (and the accounts in `network_account_ids`) when given, instead of `*`.",
        "An IPv6 cluster gets no IPv4 address actions, an IPv4 cluster no IPv6 ones.",
    ),
    notes=(
        "In a shared VPC the subnets (and security groups the nodes use) belong to the VPC owner: give its account "
        "in `network_account_ids`, or creating ENIs in those subnets is refused.",
    ),
    chart_values=(
        ChartValue(
            "env.ENABLE_IPv6",
            '`"true"` for an IPv6-only policy, `"false"` for an IPv4-only one (EKS add-on: the same key in its '
            "configuration values)",
            "the policy grants the address actions of the chosen IP family only",
            _enable_ipv6,
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# AWS Gateway API Controller (Amazon VPC Lattice)
# --------------------------------------------------------------------------------------------------

_LATTICE_RESOURCES = (
    "servicenetwork/*",
    "service/*",
    "service/*/listener/*",
    "service/*/listener/*/rule/*",
    "targetgroup/*",
    "servicenetworkserviceassociation/*",
    "servicenetworkvpcassociation/*",
    "servicenetworkresourceassociation/*",
    "accesslogsubscription/*",
    "resourceconfiguration/*",
    "resourcegateway/*",
    "resourceendpointassociation/*",
    "domainverification/*",
)


# The List actions without resource-level permissions (ListTargets has them: it is in the scoped statement).
_LATTICE_LISTS = (
    "ListAccessLogSubscriptions",
    "ListDomainVerifications",
    "ListListeners",
    "ListResourceConfigurations",
    "ListResourceEndpointAssociations",
    "ListResourceGateways",
    "ListRules",
    "ListServiceNetworkResourceAssociations",
    "ListServiceNetworkServiceAssociations",
    "ListServiceNetworkVpcAssociations",
    "ListServiceNetworkVpcEndpointAssociations",
    "ListServiceNetworks",
    "ListServices",
    "ListTagsForResource",
    "ListTargetGroups",
)


def _gateway_controller(scope: Scope) -> list[Statement]:
    destinations = scope["access_log_destination_arns"]
    statements = [
        # These VPC Lattice List calls, the EC2 reads and the Resource Groups Tagging API have no resource-level
        # permissions (tag:TagResources still needs the tagged service's own, scoped, TagResource permission).
        allow(
            "Unscoped",
            [
                *(f"vpc-lattice:{action}" for action in _LATTICE_LISTS),
                "ec2:DescribeVpcs",
                "ec2:DescribeSubnets",
                "ec2:DescribeTags",
                "ec2:DescribeSecurityGroups",
                "tag:GetResources",
                "tag:TagResources",
                "tag:UntagResources",
                # Certificate discovery for route hostnames (v2.1).
                "acm:ListCertificates",
            ],
            ANY,
        ),
        allow("Lattice", ["vpc-lattice:*"], [scope.arn("vpc-lattice", r) for r in _LATTICE_RESOURCES]),
        allow(
            "CreateLatticeServiceLinkedRole",
            ["iam:CreateServiceLinkedRole"],
            scope.arn(
                "iam", "role/aws-service-role/vpc-lattice.amazonaws.com/AWSServiceRoleForVpcLattice", regional=False
            ),
            {"StringEquals": {"iam:AWSServiceName": "vpc-lattice.amazonaws.com"}},
        ),
    ]
    if not destinations:
        return statements
    statements += [
        # Vended log delivery (logs:*LogDelivery*) has no resource-level permissions.
        allow(
            "AccessLogDelivery",
            [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:DescribeLogGroups",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
            ],
            ANY,
        ),
        allow(
            "CreateLogDeliveryServiceLinkedRole",
            ["iam:CreateServiceLinkedRole"],
            scope.arn(
                "iam",
                "role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery",
                regional=False,
            ),
            {"StringEquals": {"iam:AWSServiceName": "delivery.logs.amazonaws.com"}},
        ),
    ]
    buckets = [d for d in destinations if d.split(":")[2] == "s3"]
    streams = [d for d in destinations if d.split(":")[2] == "firehose"]
    if buckets:
        statements.append(
            allow("AccessLogBuckets", ["s3:GetBucketPolicy", "s3:PutBucketPolicy"], buckets),
        )
    if streams:
        statements.append(allow("AccessLogStreams", ["firehose:TagDeliveryStream"], streams))
    return statements


AWS_GATEWAY_CONTROLLER = Addon(
    name="aws-gateway-controller",
    description="AWS Gateway API Controller: Kubernetes Gateway API on Amazon VPC Lattice.",
    namespace="aws-application-networking-system",
    service_account="gateway-api-controller",
    chart="oci://public.ecr.aws/aws-application-networking-k8s/aws-gateway-controller-chart",
    source=records.source("aws-gateway-controller"),
    build=_gateway_controller,
    service_account_value="serviceAccount.name",
    inputs=(
        ScopeInput(
            "access_log_destination_arns",
            kinds.ACCESS_LOG_DESTINATION,
            "Destinations AccessLogPolicies name (S3 buckets, log groups, Firehose streams); omit without access logs",
        ),
    ),
    tighter=(
        "`vpc-lattice:*` is limited to VPC Lattice resources of the role's region and account (when given) instead "
        "of `*`; only the List calls, which have no resource-level permissions, stay on `*`.",
        "Access-log permissions (log delivery, S3 bucket policies, Firehose tagging) are granted only when access "
        "log destinations are given, and bucket policy changes only on those buckets (upstream: `s3:PutBucketPolicy` "
        "on every bucket).",
        "Service-linked role creation is pinned to the exact role and service name.",
    ),
)
