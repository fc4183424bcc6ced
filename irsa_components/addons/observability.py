"""Observability add-ons: Amazon Managed Service for Prometheus, CloudWatch, ADOT, Fluent Bit, Loki."""

from __future__ import annotations

from . import kinds
from ._build import ANY, allow, objects_of
from .model import Addon, Scope, ScopeInput, Source, Statement

_WORKSPACES = ScopeInput(
    "workspace_arns",
    kinds.APS_WORKSPACE,
    "Amazon Managed Service for Prometheus workspaces it writes to",
)
_LOG_GROUPS = ScopeInput(
    "log_group_arns",
    kinds.LOG_GROUP,
    "Log groups it writes to ('*' allowed in names, e.g. .../log-group:/aws/containerinsights/my-cluster/*)",
)


def _log_statements(scope: Scope, groups: tuple[str, ...], *, retention: bool) -> list[Statement]:
    group_actions = ["logs:CreateLogGroup", "logs:DescribeLogStreams"]
    if retention:
        group_actions.append("logs:PutRetentionPolicy")
    return [
        allow("LogGroups", group_actions, groups),
        allow("LogStreams", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{g}:log-stream:*" for g in groups]),
    ]


# --------------------------------------------------------------------------------------------------
# Amazon Managed Service for Prometheus (Prometheus server remote write, Grafana queries)
# --------------------------------------------------------------------------------------------------


def _amp(scope: Scope) -> list[Statement]:
    actions = ["aps:RemoteWrite"]
    if scope.flag("query"):
        actions += ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
    return [allow("Workspaces", actions, scope["workspace_arns"])]


def _amp_managed(scope: Scope) -> tuple[str, ...]:
    if scope.flag("query"):
        return ("AmazonPrometheusRemoteWriteAccess", "AmazonPrometheusQueryAccess")
    return ("AmazonPrometheusRemoteWriteAccess",)


AMAZON_MANAGED_PROMETHEUS = Addon(
    name="amazon-managed-prometheus",
    description="Prometheus server (or agent) remote-writing to Amazon Managed Service for Prometheus.",
    namespace="prometheus",
    service_account="amp-iamproxy-ingest-service-account",
    chart="prometheus-community/prometheus (as in the AMP user guide)",
    source=Source(
        "https://docs.aws.amazon.com/prometheus/latest/userguide/set-up-irsa.html",
        "AMP user guide, set-up-irsa (2025)",
    ),
    build=_amp,
    inputs=(
        ScopeInput(
            _WORKSPACES.name,
            _WORKSPACES.kind,
            _WORKSPACES.description,
            required=True,
        ),
        ScopeInput("query", kinds.FLAG, "Also query the workspaces (for the query service account of the guide)"),
    ),
    managed_policies=("AmazonPrometheusRemoteWriteAccess", "AmazonPrometheusQueryAccess"),
    select_managed=_amp_managed,
    tighter=("Limited to the given workspaces (the managed policies allow every workspace).",),
)

# --------------------------------------------------------------------------------------------------
# Amazon CloudWatch Observability (CloudWatch agent, Container Insights, Application Signals)
# --------------------------------------------------------------------------------------------------

CLOUDWATCH_OBSERVABILITY = Addon(
    name="cloudwatch-observability",
    description="CloudWatch Observability EKS add-on: CloudWatch agent, Container Insights, Application Signals.",
    namespace="amazon-cloudwatch",
    service_account="cloudwatch-agent",
    chart="EKS add-on amazon-cloudwatch-observability",
    source=Source(
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/install-CloudWatch-Observability-EKS-addon.html",
        "CloudWatch user guide (2025)",
    ),
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
        statements += _log_statements(scope, groups, retention=True)
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
    return statements


ADOT_COLLECTOR = Addon(
    name="adot-collector",
    description="AWS Distro for OpenTelemetry collector (EKS add-on adot): metrics to AMP, EMF logs, traces to X-Ray.",
    namespace="opentelemetry-operator-system",
    service_account="adot-col-prom-metrics",
    extra_service_accounts=("adot-col-otlp-ingest", "adot-col-container-logs"),
    chart="EKS add-on adot (preconfigured collectors)",
    source=Source(
        "https://aws-otel.github.io/docs/getting-started/adot-eks-add-on/config-prometheus-metrics",
        "ADOT EKS add-on docs (v0.88+ advanced configuration)",
    ),
    build=_adot,
    inputs=(
        _WORKSPACES,
        _LOG_GROUPS,
        ScopeInput("xray", kinds.FLAG, "Export traces to AWS X-Ray"),
    ),
    require_any=(("workspace_arns", "log_group_arns", "xray"),),
    managed_policies=("AmazonPrometheusRemoteWriteAccess", "AWSXrayWriteOnlyAccess", "CloudWatchAgentServerPolicy"),
    tighter=(
        "Remote write only to the given workspaces, logs only to the given log groups, X-Ray only when asked "
        "(the managed policies allow every workspace and log group).",
    ),
)

# --------------------------------------------------------------------------------------------------
# AWS for Fluent Bit
# --------------------------------------------------------------------------------------------------


def _fluent_bit(scope: Scope) -> list[Statement]:
    return _log_statements(scope, scope["log_group_arns"], retention=scope.flag("set_retention"))


AWS_FOR_FLUENT_BIT = Addon(
    name="aws-for-fluent-bit",
    description="AWS for Fluent Bit shipping container logs to CloudWatch Logs (cloudwatch_logs output).",
    namespace="kube-system",
    service_account="aws-for-fluent-bit",
    chart="eks/aws-for-fluent-bit (eks-charts)",
    source=Source(
        "https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch",
        "Fluent Bit 3.x docs (cloudwatch_logs output, Permissions); aws-for-fluent-bit 2.x",
    ),
    build=_fluent_bit,
    inputs=(
        ScopeInput(_LOG_GROUPS.name, _LOG_GROUPS.kind, _LOG_GROUPS.description, required=True),
        ScopeInput("set_retention", kinds.FLAG, "The output sets log_retention_days (logs:PutRetentionPolicy)"),
    ),
    tighter=("Limited to the given log groups and their streams (commonly documented with `*`).",),
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
    if keys := scope["kms_key_arns"]:
        statements.append(allow("KmsForS3", ["kms:Decrypt", "kms:GenerateDataKey"], keys, scope.via("s3")))
    return statements


LOKI = Addon(
    name="loki",
    description="Grafana Loki storing chunks, indexes and rules in S3.",
    namespace="loki",
    service_account="loki",
    chart="grafana/loki",
    source=Source(
        "https://grafana.com/docs/loki/latest/configure/storage/#aws-deployment-s3-single-store",
        "Loki 3.x docs",
    ),
    build=_loki,
    inputs=(
        ScopeInput("bucket_arns", kinds.BUCKET, "The chunks, ruler and admin buckets", required=True),
        ScopeInput("kms_key_arns", kinds.KMS_KEY, "Customer managed KMS keys of the buckets"),
    ),
    tighter=("Limited to the given buckets; KMS only through S3.",),
)
