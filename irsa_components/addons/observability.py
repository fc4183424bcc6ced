"""Observability add-ons: Amazon Managed Service for Prometheus, CloudWatch, ADOT, Fluent Bit, Loki.

Each definition's upstream release and published policy are recorded in ``upstream/<add-on>.json``, with
every difference from the statements built here and the controller code that justifies it.
"""

from __future__ import annotations

from ..core.arns import parse_arn
from . import kinds
from ._build import ANY, allow, objects_of
from ._kms import kms_via
from .model import Addon, ChartSetting, ChartValue, Scope, ScopeInput, Statement
from .records import source

_WORKSPACES = ScopeInput(
    "workspace_arns",
    kinds.APS_WORKSPACE,
    "Amazon Managed Service for Prometheus workspaces it writes to (any region: match the sigv4 region)",
)
_LOG_GROUPS = ScopeInput(
    "log_group_arns",
    kinds.LOG_GROUP,
    "Log groups it writes to, and may create ('*' allowed in names, e.g. .../log-group:/aws/containerinsights/"
    "my-cluster/*)",
)


def _assume_roles(what: str) -> ScopeInput:
    return ScopeInput("assume_role_arns", kinds.ROLE, f"Roles it may assume: {what}")


def _assume(roles: tuple[str, ...]) -> list[Statement]:
    return [allow("AssumeRoles", ["sts:AssumeRole"], roles)] if roles else []


def _only(values: tuple[str, ...]) -> str | None:
    """The one value, when there is exactly one (a chart value can be computed only then)."""
    return values[0] if len(values) == 1 else None


def _region_of(arns: tuple[str, ...]) -> str | None:
    regions = {parse_arn(a).region for a in arns}
    return regions.pop() if len(regions) == 1 else None


def _remote_write_url(scope: Scope) -> ChartSetting | None:
    workspace = _only(scope["workspace_arns"])
    if workspace is None:
        return None
    arn = parse_arn(workspace)
    workspace_id = arn.resource.removeprefix("workspace/")
    return f"https://aps-workspaces.{arn.region}.{scope.dns_suffix}/workspaces/{workspace_id}/api/v1/remote_write"


def _exact_log_group_name(scope: Scope) -> ChartSetting | None:
    group = _only(scope["log_group_arns"])
    if group is None or "*" in group or "?" in group:
        return None
    return parse_arn(group).resource.removeprefix("log-group:")


def _bucket_name(arn: str | None) -> str | None:
    return parse_arn(arn).resource if arn else None


def _log_statements(groups: tuple[str, ...], *, retention: bool) -> list[Statement]:
    """What a CloudWatch Logs shipper calls: create the group (and set its retention), create streams, put events."""
    group_actions = ["logs:CreateLogGroup", "logs:PutRetentionPolicy"] if retention else ["logs:CreateLogGroup"]
    # IAM names a log group ...:log-group:<name>:* for these actions (the LogGroup.arn CloudWatch Logs
    # returns), so an exact group needs the ':*' form; the bare form is kept for the tagging-style ARN.
    return [
        allow("LogGroups", group_actions, [form for g in groups for form in (g, f"{g}:*")]),
        allow("LogStreams", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{g}:log-stream:*" for g in groups]),
    ]


# --------------------------------------------------------------------------------------------------
# Amazon Managed Service for Prometheus (Prometheus server remote write, Grafana queries)
# --------------------------------------------------------------------------------------------------


def _amp(scope: Scope) -> list[Statement]:
    statements: list[Statement] = []
    if workspaces := scope["workspace_arns"]:
        actions = ["aps:RemoteWrite"]
        if scope.flag("query"):
            actions += ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
        statements.append(allow("Workspaces", actions, workspaces))
    return statements + _assume(scope["assume_role_arns"])


def _amp_managed(scope: Scope) -> tuple[str, ...]:
    if scope.flag("query"):
        return ("AmazonPrometheusRemoteWriteAccess", "AmazonPrometheusQueryAccess")
    return ("AmazonPrometheusRemoteWriteAccess",)


AMAZON_MANAGED_PROMETHEUS = Addon(
    name="amazon-managed-prometheus",
    description="Prometheus server (or agent) remote-writing to Amazon Managed Service for Prometheus.",
    namespace="prometheus",
    service_account="amp-iamproxy-ingest-service-account",
    chart="prometheus-community/prometheus (with the AMP user guide's serviceAccounts.server.name)",
    service_account_value="serviceAccounts.server.name",
    source=source("amazon-managed-prometheus"),
    build=_amp,
    inputs=(
        _WORKSPACES,
        ScopeInput("query", kinds.FLAG, "Also query the workspaces (for the query service account of the guide)"),
        _assume_roles("remoteWrite sigv4.role_arn, for workspaces in another account"),
    ),
    require_any=(("workspace_arns", "assume_role_arns"),),
    managed_policies=("AmazonPrometheusRemoteWriteAccess", "AmazonPrometheusQueryAccess"),
    select_managed=_amp_managed,
    tighter=("Limited to the given workspaces (the managed policies allow every workspace).",),
    chart_values=(
        ChartValue(
            "server.remoteWrite[0].url",
            "the workspace's remote write endpoint (one remoteWrite entry per workspace in `workspace_arns`)",
            "remote write is allowed only to the given workspaces",
            _remote_write_url,
        ),
        ChartValue(
            "server.remoteWrite[0].sigv4.region",
            "the workspace's region (each entry: its own workspace's region)",
            "SigV4 is signed for that region; another region's endpoint refuses the request",
            lambda scope: _region_of(scope["workspace_arns"]),
        ),
        ChartValue(
            "server.remoteWrite[0].sigv4.role_arn",
            "the role of `assume_role_arns` that writes to the other account's workspace",
            "cross-account workspaces are reached only through that role",
            lambda scope: _only(scope["assume_role_arns"]),
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# Amazon CloudWatch Observability (CloudWatch agent, Container Insights, Application Signals)
# --------------------------------------------------------------------------------------------------

CLOUDWATCH_OBSERVABILITY = Addon(
    name="cloudwatch-observability",
    description="CloudWatch Observability EKS add-on: CloudWatch agent, Container Insights, Application Signals.",
    namespace="amazon-cloudwatch",
    service_account="cloudwatch-agent",
    chart="EKS add-on amazon-cloudwatch-observability, or aws-observability/amazon-cloudwatch-observability",
    service_account_value="agent.serviceAccount.name",
    source=source("cloudwatch-observability"),
    managed_policies=("CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"),
    default_policy="managed",
    notes=(
        "AWS managed policies only: the agent's log groups, metric namespaces and X-Ray use vary with its "
        "configuration, and AWS maintains these policies with the add-on.",
    ),
)

# --------------------------------------------------------------------------------------------------
# AWS Distro for OpenTelemetry collector
# --------------------------------------------------------------------------------------------------


def _adot(scope: Scope) -> list[Statement]:
    statements: list[Statement] = []
    if workspaces := scope["workspace_arns"]:
        statements.append(allow("PrometheusRemoteWrite", ["aps:RemoteWrite"], workspaces))
    if groups := scope["log_group_arns"]:
        statements += _log_statements(groups, retention=True)
    if scope.flag("xray"):
        # X-Ray ingestion and sampling have no resource-level permissions.
        statements.append(
            allow(
                "XRay",
                [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                ANY,
            )
        )
    return statements + _assume(scope["assume_role_arns"])


ADOT_COLLECTOR = Addon(
    name="adot-collector",
    description="AWS Distro for OpenTelemetry collector (EKS add-on adot): metrics to AMP, EMF logs, traces to X-Ray.",
    namespace="opentelemetry-operator-system",
    service_account="adot-col-prom-metrics",
    extra_service_accounts=("adot-col-otlp-ingest", "adot-col-container-logs"),
    chart="EKS add-on adot (preconfigured collectors)",
    source=source("adot-collector"),
    build=_adot,
    inputs=(
        _WORKSPACES,
        _LOG_GROUPS,
        ScopeInput("xray", kinds.FLAG, "Export traces to AWS X-Ray"),
        _assume_roles("the exporters' role_arn and sigv4auth's assume_role, e.g. into another account"),
    ),
    require_any=(("workspace_arns", "log_group_arns", "xray", "assume_role_arns"),),
    managed_policies=("AmazonPrometheusRemoteWriteAccess", "AWSXrayWriteOnlyAccess", "CloudWatchAgentServerPolicy"),
    tighter=(
        "Remote write only to the given workspaces, logs only to the given log groups, X-Ray only when asked "
        "(the managed policies allow every workspace and log group).",
        "Of CloudWatchAgentServerPolicy only what the collectors' exporters call (no `cloudwatch:PutMetricData`, "
        "EC2 or SSM reads, log group or stream listing).",
    ),
    chart_values=(
        ChartValue(
            "collector.prometheusMetrics.pipelines.metrics.amp.enabled",
            "true with `workspace_arns`",
            "the prometheus-metrics collector exports to AMP only with this pipeline on",
            lambda scope: True if scope["workspace_arns"] else None,
        ),
        ChartValue(
            "collector.prometheusMetrics.exporters.prometheusremotewrite.endpoint",
            "the remote write endpoint of the workspace in `workspace_arns`",
            "remote write is allowed only to the given workspaces",
            _remote_write_url,
        ),
        ChartValue(
            "collector.containerLogs.exporters.awscloudwatchlogs.log_group_name",
            "a log group of `log_group_arns` (the add-on's default is $CLUSTER_NAME/container/logs)",
            "logs may be written only to the given log groups",
            _exact_log_group_name,
        ),
        ChartValue(
            "collector.otlpIngest.pipelines.traces.xray.enabled",
            "true with `xray`",
            "the otlp-ingest collector exports to X-Ray only with this pipeline on",
            lambda scope: True if scope.flag("xray") else None,
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# AWS for Fluent Bit
# --------------------------------------------------------------------------------------------------


def _fluent_bit(scope: Scope) -> list[Statement]:
    statements = []
    if groups := scope["log_group_arns"]:
        statements += _log_statements(groups, retention=scope.flag("set_retention"))
    return statements + _assume(scope["assume_role_arns"])


AWS_FOR_FLUENT_BIT = Addon(
    name="aws-for-fluent-bit",
    description="AWS for Fluent Bit shipping container logs to CloudWatch Logs (cloudwatch_logs output).",
    namespace="kube-system",
    service_account="aws-for-fluent-bit",
    chart="eks/aws-for-fluent-bit (eks-charts)",
    service_account_value="serviceAccount.name",
    source=source("aws-for-fluent-bit"),
    build=_fluent_bit,
    inputs=(
        ScopeInput(
            _LOG_GROUPS.name,
            _LOG_GROUPS.kind,
            "Log groups of cloudWatchLogs.logGroupName / logGroupTemplate ('*' allowed in names)",
        ),
        ScopeInput("set_retention", kinds.FLAG, "The output sets log_retention_days (logs:PutRetentionPolicy)"),
        _assume_roles("cloudWatchLogs.roleArn, for log groups in another account"),
    ),
    require_any=(("log_group_arns", "assume_role_arns"),),
    tighter=(
        "Limited to the given log groups and their streams (upstream: `*`).",
        "`logs:PutRetentionPolicy` only with `set_retention`: Fluent Bit calls it only when log_retention_days is set.",
    ),
    chart_values=(
        ChartValue(
            "cloudWatchLogs.region",
            "the region of `log_group_arns` (the chart's default is us-east-1)",
            "the output writes to that region's log groups only",
            lambda scope: _region_of(scope["log_group_arns"]),
        ),
        ChartValue(
            "cloudWatchLogs.logGroupName",
            "a log group of `log_group_arns`, and logGroupTemplate within them (the chart's default is "
            "/aws/eks/fluentbit-cloudwatch/logs)",
            "logs may be written only to the given log groups",
            _exact_log_group_name,
        ),
        ChartValue(
            "cloudWatchLogs.roleArn",
            "the role of `assume_role_arns` that owns the log groups in the other account",
            "cross-account log groups are reached only through that role",
            lambda scope: _only(scope["assume_role_arns"]),
        ),
        ChartValue(
            "cloudWatchLogs.logRetentionDays",
            "unset unless `set_retention` is true",
            "Fluent Bit sets retention on every log group it creates; without set_retention that call is refused",
            lambda scope: None,
        ),
    ),
)

# --------------------------------------------------------------------------------------------------
# Grafana Loki (S3 storage)
# --------------------------------------------------------------------------------------------------


def _loki(scope: Scope) -> list[Statement]:
    buckets = scope["bucket_arns"]
    statements = [
        allow("ListBuckets", ["s3:ListBucket"], buckets),
        allow("Objects", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], objects_of(buckets)),
    ]
    return statements + kms_via(
        scope, "KmsThroughS3", ["kms:Decrypt", "kms:GenerateDataKey"], scope["kms_key_arns"], ["s3"]
    )


LOKI = Addon(
    name="loki",
    description="Grafana Loki storing chunks, indexes and rules in S3.",
    namespace="loki",
    service_account="loki",
    chart="grafana/loki",
    service_account_value="serviceAccount.name",
    source=source("loki"),
    build=_loki,
    inputs=(
        ScopeInput("bucket_arns", kinds.BUCKET, "The chunks, ruler and admin buckets", required=True),
        ScopeInput(
            "kms_key_arns",
            kinds.KMS_KEY,
            "Customer managed KMS keys of the buckets (SSE-KMS; each key is in its bucket's region)",
        ),
    ),
    tighter=("Limited to the given buckets; KMS only through S3, in each key's own region.",),
    chart_values=(
        ChartValue(
            "loki.storage.bucketNames.chunks",
            "a bucket of `bucket_arns`",
            "Loki may use only the given buckets",
            lambda scope: _bucket_name(_only(scope["bucket_arns"])),
        ),
        ChartValue(
            "loki.storage.bucketNames.ruler",
            "a bucket of `bucket_arns`",
            "Loki may use only the given buckets",
            lambda scope: _bucket_name(_only(scope["bucket_arns"])),
        ),
    ),
)
