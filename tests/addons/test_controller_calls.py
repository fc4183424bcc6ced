"""The calls group C's controllers make at their recorded releases, evaluated against the built documents.

Each request mirrors a code path named in the add-on's upstream record (``irsa_components/addons/upstream``):
what must be allowed for the controller to work, and what the narrowings must still refuse. Decisions come
from the project's IAM evaluator (``irsa_components.core.evaluate``), not from reading the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from irsa_components.addons import ResolvedAddon, resolve
from irsa_components.core.errors import InputError
from irsa_components.core.evaluate import ContextValue, Request, evaluate

ACCOUNT = "111122223333"
REGION = "eu-west-1"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/prod/db-AbCdEf"
SECRETS = {"secret_arns": [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/prod/*"]}
KEY_HERE = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ELSEWHERE = "arn:aws:kms:us-east-1:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab"
MANAGED = {"aws:ResourceTag/managed-by": "external-secrets"}


def build(name: str, scope: Mapping[str, Any], **identity: str) -> ResolvedAddon:
    return resolve(name, scope, partition="aws", region=REGION, account_id=ACCOUNT, **identity)


def allowed(resolved: ResolvedAddon, action: str, resource: str, context: Mapping[str, ContextValue] = {}) -> bool:
    request = Request(action, "AWS", f"arn:aws:iam::{ACCOUNT}:role/r", context, resource)
    return any(evaluate(document, request).allowed for document in resolved.documents)


def all_allowed(resolved: ResolvedAddon, calls: Sequence[tuple[str, str, Mapping[str, ContextValue]]]) -> list[str]:
    return [action for action, resource, context in calls if not allowed(resolved, action, resource, context)]


# external-secrets v2.9.0 ---------------------------------------------------------------------------------


def test_updating_a_pushed_secret_without_a_resource_policy_is_allowed() -> None:
    """putSecretValueWithContext: patchTags, manageResourcePolicy (DeleteResourcePolicy), then PutSecretValue."""
    pusher = build("external-secrets", {**SECRETS, "push": True})
    calls: list[tuple[str, str, Mapping[str, ContextValue]]] = [
        ("secretsmanager:DescribeSecret", SECRET, MANAGED),
        ("secretsmanager:GetSecretValue", SECRET, MANAGED),
        ("secretsmanager:UntagResource", SECRET, {**MANAGED, "aws:TagKeys": ["team"]}),
        (
            "secretsmanager:TagResource",
            SECRET,
            {**MANAGED, "aws:RequestTag/managed-by": "external-secrets", "aws:TagKeys": ["managed-by", "team"]},
        ),
        ("secretsmanager:DeleteResourcePolicy", SECRET, MANAGED),
        ("secretsmanager:GetResourcePolicy", SECRET, MANAGED),
        ("secretsmanager:PutResourcePolicy", SECRET, MANAGED),
        ("secretsmanager:ReplicateSecretToRegions", SECRET, MANAGED),
        ("secretsmanager:RemoveRegionsFromReplication", SECRET, MANAGED),
        ("secretsmanager:PutSecretValue", SECRET, MANAGED),
        ("secretsmanager:DeleteSecret", SECRET, MANAGED),
    ]
    assert all_allowed(pusher, calls) == []


def test_creating_a_pushed_secret_with_tags_and_replicas_is_allowed() -> None:
    """createSecretWithContext: CreateSecret (tags, AddReplicaRegions), then PutResourcePolicy on the new secret."""
    pusher = build("external-secrets", {**SECRETS, "push": True})
    tags: dict[str, ContextValue] = {"aws:RequestTag/managed-by": "external-secrets", "aws:TagKeys": ["managed-by"]}
    calls: list[tuple[str, str, Mapping[str, ContextValue]]] = [
        ("secretsmanager:DescribeSecret", SECRET, {}),
        ("secretsmanager:CreateSecret", SECRET, tags),
        ("secretsmanager:TagResource", SECRET, tags),
        ("secretsmanager:ReplicateSecretToRegions", SECRET, {}),  # authorised before the secret carries tags
        ("secretsmanager:PutResourcePolicy", SECRET, MANAGED),
    ]
    assert all_allowed(pusher, calls) == []


def test_pushing_never_touches_secrets_external_secrets_does_not_own() -> None:
    pusher = build("external-secrets", {**SECRETS, "push": True})
    foreign = {"aws:ResourceTag/managed-by": "terraform"}
    for action in ("PutSecretValue", "DeleteResourcePolicy", "PutResourcePolicy", "DeleteSecret", "UntagResource"):
        assert not allowed(pusher, f"secretsmanager:{action}", SECRET, foreign), action
        assert not allowed(pusher, f"secretsmanager:{action}", SECRET, {}), action
    assert not allowed(pusher, "secretsmanager:ReplicateSecretToRegions", SECRET, foreign)
    assert not allowed(pusher, "secretsmanager:CreateSecret", SECRET, {"aws:TagKeys": ["team"]})
    # Untagging may never drop the ownership tag itself.
    assert not allowed(pusher, "secretsmanager:UntagResource", SECRET, {**MANAGED, "aws:TagKeys": ["managed-by"]})
    outside = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:other/db-AbCdEf"
    assert not allowed(pusher, "secretsmanager:PutSecretValue", outside, MANAGED)


def test_reading_grants_no_writes_and_listing_only_with_find() -> None:
    reader = build("external-secrets", SECRETS)
    assert allowed(reader, "secretsmanager:GetSecretValue", SECRET)
    assert not allowed(reader, "secretsmanager:PutSecretValue", SECRET, MANAGED)
    assert not allowed(reader, "secretsmanager:ListSecrets", "*")
    assert allowed(build("external-secrets", {**SECRETS, "find": True}), "secretsmanager:ListSecrets", "*")


def test_keys_in_other_regions_and_accounts_are_used_through_their_own_region() -> None:
    """Replicas are encrypted with the key in the replica's region: kms:ViaService names that region."""
    pusher = build("external-secrets", {**SECRETS, "push": True, "kms_key_arns": [KEY_HERE, KEY_ELSEWHERE]})
    here = {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
    there = {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    assert allowed(pusher, "kms:GenerateDataKey", KEY_HERE, here)
    assert allowed(pusher, "kms:Encrypt", KEY_ELSEWHERE, there)
    assert not allowed(pusher, "kms:Encrypt", KEY_ELSEWHERE, here)  # that key is never used from eu-west-1
    assert not allowed(pusher, "kms:Decrypt", KEY_HERE, {})  # only through the secret stores
    reader = build("external-secrets", {**SECRETS, "kms_key_arns": [KEY_ELSEWHERE]})
    assert allowed(reader, "kms:Decrypt", KEY_ELSEWHERE, there)
    assert not allowed(reader, "kms:GenerateDataKey", KEY_ELSEWHERE, there)


def test_pushing_secure_string_parameters_can_encrypt_them() -> None:
    """Parameter Store encrypts standard SecureStrings with kms:Encrypt, advanced ones with GenerateDataKey."""
    parameters = {"ssm_parameter_arns": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/prod/*"]}
    pusher = build("external-secrets", {**parameters, "push": True, "kms_key_arns": [KEY_HERE]})
    via = {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/prod/db"
    assert (
        all_allowed(
            pusher,
            [
                ("ssm:GetParameter", parameter, {}),
                ("ssm:ListTagsForResource", parameter, {}),
                ("ssm:PutParameter", parameter, {}),
                ("kms:Encrypt", KEY_HERE, via),
                ("kms:GenerateDataKey", KEY_HERE, via),
                ("ssm:RemoveTagsFromResource", parameter, {**MANAGED, "aws:TagKeys": ["team"]}),
                ("ssm:AddTagsToResource", parameter, {}),
                ("ssm:DeleteParameter", parameter, MANAGED),
            ],
        )
        == []
    )
    assert not allowed(pusher, "ssm:DeleteParameter", parameter, {})


def test_find_by_path_is_authorised_on_the_path_itself() -> None:
    """GetParametersByPath(Path=/app/prod) is checked against .../parameter/app/prod, which '/app/prod/*' misses."""
    reader = build(
        "external-secrets",
        {"ssm_parameter_arns": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/prod/*"], "find": True},
    )
    prefix = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app"
    assert allowed(reader, "ssm:GetParametersByPath", f"{prefix}/prod")
    assert allowed(reader, "ssm:GetParametersByPath", f"{prefix}/prod/db")
    assert not allowed(reader, "ssm:GetParametersByPath", prefix)  # the parent would reveal more
    assert not allowed(reader, "ssm:GetParameter", f"{prefix}/prod")
    partial = build("external-secrets", {"ssm_parameter_arns": [f"{prefix}/prod-*"]})
    assert not allowed(partial, "ssm:GetParametersByPath", prefix)
    everything = build("external-secrets", {"ssm_parameter_arns": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/*"]})
    assert all(s["Sid"] != "ReadParameterPaths" for s in everything.statements)  # no '.../parameter' ARN


def test_parameter_arns_with_the_names_leading_slash_are_refused() -> None:
    with pytest.raises(InputError, match="leading '/'"):
        build("external-secrets", {"ssm_parameter_arns": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter//app/prod/*"]})


def test_secret_stores_may_assume_their_roles_with_session_tags() -> None:
    role = "arn:aws:iam::444455556666:role/team-b"
    only_roles = build("external-secrets", {"assume_role_arns": [role]})
    assert allowed(only_roles, "sts:AssumeRole", role) and allowed(only_roles, "sts:TagSession", role)
    assert not allowed(only_roles, "sts:AssumeRole", "arn:aws:iam::444455556666:role/admin")
    assert not allowed(only_roles, "secretsmanager:GetSecretValue", SECRET)


# cert-manager v1.21.1 and the AWS Private CA issuer v1.9.1 ------------------------------------------------

ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"


def _record_change(record_type: str, action: str, name: str) -> dict[str, ContextValue]:
    return {
        "route53:ChangeResourceRecordSetsRecordTypes": [record_type],
        "route53:ChangeResourceRecordSetsActions": [action],
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": [name],
    }


def test_cert_manager_presents_and_cleans_up_challenge_records_only() -> None:
    solver = build("cert-manager", {"hosted_zone_arns": [ZONE]})
    for action in ("UPSERT", "DELETE"):
        change = _record_change("TXT", action, "_acme-challenge.www.example.com")
        assert allowed(solver, "route53:ChangeResourceRecordSets", ZONE, change)
    assert allowed(solver, "route53:GetChange", "arn:aws:route53:::change/C2682N5HXP0BZ4")
    assert allowed(solver, "route53:ListHostedZonesByName", "*")
    assert not allowed(
        solver, "route53:ChangeResourceRecordSets", ZONE, _record_change("A", "UPSERT", "www.example.com")
    )
    assert not allowed(
        solver, "route53:ChangeResourceRecordSets", ZONE, _record_change("TXT", "UPSERT", "www.example.com")
    )
    assert not allowed(solver, "route53:ListResourceRecordSets", ZONE)  # never called by route53.go


def test_cert_manager_reaches_zones_of_another_account_only_through_its_role() -> None:
    role = "arn:aws:iam::444455556666:role/dns-manager"
    solver = build("cert-manager", {"assume_role_arns": [role]})
    assert allowed(solver, "sts:AssumeRole", role)
    assert not allowed(solver, "sts:TagSession", role)
    assert not allowed(solver, "route53:ListHostedZonesByName", "*")


CA = f"arn:aws:acm-pca:{REGION}:{ACCOUNT}:certificate-authority/12345678-1234-1234-1234-123456789012"


def _template(name: str) -> dict[str, ContextValue]:
    return {"acm-pca:TemplateArn": f"arn:aws:acm-pca:::template/{name}"}


def test_private_ca_issuer_issues_what_certificates_ask_for_and_no_ca_by_default() -> None:
    issuer = build("aws-privateca-issuer", {"certificate_authority_arns": [CA]})
    assert allowed(issuer, "acm-pca:DescribeCertificateAuthority", CA)
    assert allowed(issuer, "acm-pca:IssueCertificate", CA, _template("EndEntityServerAuthCertificate/V1"))
    assert allowed(issuer, "acm-pca:IssueCertificate", CA, _template("BlankEndEntityCertificate_APICSRPassthrough/V1"))
    assert not allowed(issuer, "acm-pca:IssueCertificate", CA, _template("SubordinateCACertificate_PathLen0/V1"))
    with_ca = build(
        "aws-privateca-issuer",
        {"certificate_authority_arns": [CA], "template_names": ["SubordinateCACertificate_PathLen0/V1"]},
    )
    assert allowed(with_ca, "acm-pca:IssueCertificate", CA, _template("SubordinateCACertificate_PathLen0/V1"))
    assert not allowed(with_ca, "acm-pca:IssueCertificate", CA, _template("EndEntityServerAuthCertificate/V1"))


def test_private_ca_template_names_are_checked() -> None:
    with pytest.raises(InputError, match="template name"):
        build("aws-privateca-issuer", {"certificate_authority_arns": [CA], "template_names": ["arn:aws:acm-pca:::x"]})


# ASCP 3.1.1 ---------------------------------------------------------------------------------------------


def test_ascp_reads_failover_replicas_with_their_regions_keys() -> None:
    replica = "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/prod/db-AbCdEf"
    mounter = build(
        "secrets-store-csi-provider-aws",
        {"secret_arns": [SECRET, replica], "kms_key_arns": [KEY_HERE, KEY_ELSEWHERE]},
        namespace="payments",
        service_account="payments-api",
    )
    assert allowed(mounter, "secretsmanager:GetSecretValue", replica)
    assert allowed(mounter, "kms:Decrypt", KEY_ELSEWHERE, {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"})
    assert allowed(mounter, "kms:Decrypt", KEY_HERE, {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"})
    assert not allowed(mounter, "kms:Decrypt", KEY_HERE, {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"})


# Observability ----------------------------------------------------------------------------------------


def test_fluent_bit_creates_groups_and_streams_and_sets_retention_only_when_asked() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/eks/fluentbit-cloudwatch/logs"
    shipper = build("aws-for-fluent-bit", {"log_group_arns": [group]})
    assert (
        all_allowed(
            shipper,
            [
                ("logs:CreateLogGroup", f"{group}:*", {}),  # IAM checks the group's ':*' ARN
                ("logs:CreateLogStream", f"{group}:log-stream:fluentbit-kube.var.log", {}),
                ("logs:PutLogEvents", f"{group}:log-stream:fluentbit-kube.var.log", {}),
            ],
        )
        == []
    )
    assert not allowed(shipper, "logs:PutRetentionPolicy", f"{group}:*")
    assert not allowed(shipper, "logs:DescribeLogStreams", f"{group}:*")  # the cloudwatch_logs output never lists
    assert allowed(
        build("aws-for-fluent-bit", {"log_group_arns": [group], "set_retention": True}),
        "logs:PutRetentionPolicy",
        f"{group}:*",
    )


def test_prometheus_writes_to_workspaces_in_any_region_it_is_given() -> None:
    workspace = "arn:aws:aps:us-east-1:111122223333:workspace/ws-12345678-abcd-1234-abcd-123456789012"
    writer = build("amazon-managed-prometheus", {"workspace_arns": [workspace]})
    assert allowed(writer, "aps:RemoteWrite", workspace)
    assert not allowed(writer, "aps:QueryMetrics", workspace)
    assert not allowed(writer, "aps:RemoteWrite", workspace.replace("ws-1234", "ws-9999"))


def test_loki_uses_each_buckets_key_in_the_buckets_region() -> None:
    key = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    loki = build("loki", {"bucket_arns": ["loki-chunks"], "kms_key_arns": [key]})
    assert allowed(loki, "s3:PutObject", "arn:aws:s3:::loki-chunks/fake/chunk")
    assert allowed(loki, "kms:GenerateDataKey", key, {"kms:ViaService": "s3.eu-central-1.amazonaws.com"})
    assert not allowed(loki, "kms:GenerateDataKey", key, {"kms:ViaService": f"s3.{REGION}.amazonaws.com"})


def test_adot_collectors_write_what_their_pipelines_export_and_nothing_of_the_agent() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:prod-1/container/logs"
    collectors = build("adot-collector", {"log_group_arns": [group]})
    assert allowed(collectors, "logs:CreateLogGroup", f"{group}:*")
    assert allowed(collectors, "logs:PutLogEvents", f"{group}:log-stream:ip-10-0-0-1")
    assert not allowed(collectors, "cloudwatch:PutMetricData", "*")
    assert not allowed(collectors, "xray:PutTraceSegments", "*")
    assert allowed(build("adot-collector", {"xray": True}), "xray:PutTraceSegments", "*")


# Chart values irsa plan shows -------------------------------------------------------------------------


def _values(resolved: ResolvedAddon) -> dict[str, Any]:
    return {key: value for key, value, _ in resolved.chart_values}


def test_fluent_bit_is_told_the_log_groups_region_and_name() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/eks/prod/containers"
    assert _values(build("aws-for-fluent-bit", {"log_group_arns": [group]})) == {
        "serviceAccount.name": "aws-for-fluent-bit",  # the chart's default is <release>-aws-for-fluent-bit
        "cloudWatchLogs.region": REGION,  # the chart's default region is us-east-1
        "cloudWatchLogs.logGroupName": "/aws/eks/prod/containers",
    }
    templated = build(
        "aws-for-fluent-bit", {"log_group_arns": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/eks/*"]}
    )
    assert _values(templated) == {"serviceAccount.name": "aws-for-fluent-bit", "cloudWatchLogs.region": REGION}


def test_prometheus_is_told_the_workspace_endpoint_and_signing_region() -> None:
    workspace = "arn:aws-cn:aps:cn-north-1:111122223333:workspace/ws-1234abcd"
    resolved = resolve("amazon-managed-prometheus", {"workspace_arns": [workspace]}, partition="aws-cn")
    assert _values(resolved) == {
        "serviceAccounts.server.name": "amp-iamproxy-ingest-service-account",
        "server.remoteWrite[0].url": "https://aps-workspaces.cn-north-1.amazonaws.com.cn/workspaces/ws-1234abcd/api/v1/remote_write",
        "server.remoteWrite[0].sigv4.region": "cn-north-1",
    }
    two = [
        f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/ws-1",
        f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/ws-2",
    ]
    trusted = {"serviceAccounts.server.name": "amp-iamproxy-ingest-service-account"}
    assert _values(build("amazon-managed-prometheus", {"workspace_arns": two})) == trusted
    assert (
        _values(
            build(
                "amazon-managed-prometheus", {"workspace_arns": [workspace.replace("aws-cn", "aws")]}, policy="managed"
            )
        )
        == trusted
    )


def test_adot_pipelines_and_loki_buckets_follow_the_scope() -> None:
    assert _values(build("adot-collector", {"xray": True})) == {
        "collector.otlpIngest.pipelines.traces.xray.enabled": True
    }
    loki = build("loki", {"bucket_arns": ["loki-data"]})
    assert _values(loki) == {
        "serviceAccount.name": "loki",
        "loki.storage.bucketNames.chunks": "loki-data",
        "loki.storage.bucketNames.ruler": "loki-data",
    }
    assert _values(build("loki", {"bucket_arns": ["loki-chunks", "loki-ruler"]})) == {"serviceAccount.name": "loki"}
