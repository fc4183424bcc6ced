"""resolve() and check(): inputs, every problem at once, defaults and overrides, managed or custom."""

from __future__ import annotations

import json
from typing import Any

import pytest

from irsa_components.addons import CATALOGUE, ResolvedAddon, check, get, resolve
from irsa_components.core.errors import InputError

from .samples import ACCOUNT, PLACES, full_scope, kubernetes_identity, minimal_scope

AWS = PLACES[0]
ZONE = "Z0123456789ABCDEFGHIJ"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/KarpenterNodeRole"


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[tuple[str, str, str]]:
    return [(p.subject, p.field, p.message) for p in exc.value.problems]


# Missing and wrong scope ---------------------------------------------------------------------------


@pytest.mark.parametrize("addon", [a for a in CATALOGUE.values() if a.required_inputs], ids=lambda a: a.name)
def test_missing_required_inputs_are_all_reported_naming_addon_and_input(addon: Any) -> None:
    with pytest.raises(InputError) as exc:
        resolve(addon.name, {}, partition="aws", region="eu-west-1", namespace="ns", service_account="sa")
    missing = {p.field for p in exc.value.problems}
    assert missing >= {i.name for i in addon.required_inputs}
    for problem in exc.value.problems:
        assert addon.name in problem.subject and addon.name in problem.message
    for item in addon.required_inputs:
        assert item.name in str(exc.value) and item.config_key in str(exc.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InputError) as exc:
        resolve(
            "karpenter",
            {"nodeRoleArns": ["not-an-arn"], "interruptionQueueArns": "arn:aws-cn:sqs:cn-north-1:111122223333:q"},
            partition="aws",
            account_id="123",
            namespace="Bad_Namespace",
        )
    fields = [p.field for p in exc.value.problems]
    assert fields == [
        "region",
        "account_id",
        "cluster_name",
        "node_role_arns[0]",
        "interruption_queue_arns",
        "namespace",
    ]
    assert "partition 'aws-cn', but the role is in 'aws'" in str(exc.value)


def test_require_any_names_the_group() -> None:
    with pytest.raises(InputError) as exc:
        resolve("external-secrets", {"kms_key_arns": []}, partition="aws")
    ((subject, field, message),) = problems_of(exc)
    assert subject == "add-on 'external-secrets'"
    assert field == "secret_arns|ssm_parameter_arns|assume_role_arns"
    assert "at least one of secret_arns, ssm_parameter_arns, assume_role_arns" in message


def test_unknown_inputs_get_suggestions_and_camel_case_is_accepted() -> None:
    with pytest.raises(InputError) as exc:
        resolve("external-dns", {"hostedZones": [ZONE]}, partition="aws")
    assert "did you mean 'hosted_zone_arns'?" in str(exc.value)
    resolved = resolve("external-dns", {"hostedZoneArns": [ZONE]}, partition="aws")
    assert resolved.statements[0]["Resource"] == f"arn:aws:route53:::hostedzone/{ZONE}"


def test_both_spellings_of_one_input_are_rejected() -> None:
    with pytest.raises(InputError, match="given twice"):
        resolve("external-dns", {"hostedZoneArns": [ZONE], "hosted_zone_arns": [ZONE]}, partition="aws")


def test_unknown_addon_suggests_close_names() -> None:
    with pytest.raises(InputError) as exc:
        resolve("externaldns", {}, partition="aws")
    ((_, field, message),) = problems_of(exc)
    assert field == "addon" and "did you mean 'external-dns'" in message
    with pytest.raises(KeyError, match="ebs-csi"):
        get("ebs-csi-driver")


@pytest.mark.parametrize(
    ("scope", "field", "fragment"),
    [
        ({"hosted_zone_arns": ["example.com"]}, "hosted_zone_arns[0]", "is not an ARN"),
        ({"hosted_zone_arns": [ZONE, ZONE]}, "hosted_zone_arns[1]", "listed twice"),
        ({"hosted_zone_arns": [ZONE], "record_names": ["Apps.Example.com."]}, "record_names[0]", "lowercase"),
        ({"hosted_zone_arns": 42}, "hosted_zone_arns", "string or a list of strings"),
        ({"hosted_zone_arns": [""]}, "hosted_zone_arns[0]", "non-empty string"),
    ],
)
def test_bad_values_name_field_and_value(scope: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(InputError) as exc:
        resolve("external-dns", scope, partition="aws")
    assert [p.field for p in exc.value.problems] == [field]
    assert fragment in exc.value.problems[0].message


def test_arn_inputs_must_be_exact_where_the_kind_says_so() -> None:
    wildcard_key = "arn:aws:kms:eu-west-1:111122223333:key/*"
    with pytest.raises(InputError, match="must name one resource exactly"):
        resolve("ebs-csi", {"kms_key_arns": [wildcard_key]}, partition="aws")
    any_region = "arn:aws:secretsmanager:*:111122223333:secret:app-*"
    with pytest.raises(InputError, match="must name a region"):
        resolve("external-secrets", {"secret_arns": [any_region]}, partition="aws")
    # Names may be patterns where IAM resources are usually written so.
    ok = resolve(
        "external-secrets",
        {"secret_arns": ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"]},
        partition="aws",
    )
    assert ok.statements


def test_single_value_inputs_take_one_value() -> None:
    with pytest.raises(InputError) as exc:
        resolve("cluster-autoscaler", {"cluster_name": ["blue", "green"]}, partition="aws")
    assert [(p.field, p.message.split(": ", 1)[1]) for p in exc.value.problems] == [
        ("cluster_name", "takes one value (The EKS cluster's name)")
    ]


def test_empty_values_fall_back_to_the_default() -> None:
    queue = "arn:aws:sqs:eu-west-1:111122223333:nth"
    resolved = resolve(
        "aws-node-termination-handler", {"queue_arns": queue, "managed_asg_tag_key": []}, partition="aws"
    )
    condition = resolved.statements[1]["Condition"]
    assert condition == {"Null": {"aws:ResourceTag/aws-node-termination-handler/managed": "false"}}
    custom = resolve("aws-node-termination-handler", {"queue_arns": queue, "managedAsgTagKey": "nth"}, partition="aws")
    assert custom.statements[1]["Condition"] == {"Null": {"aws:ResourceTag/nth": "false"}}


def test_policy_count_is_what_the_role_quota_counts() -> None:
    alb = resolve("aws-load-balancer-controller", {"cluster_name": "c"}, partition="aws")
    assert alb.policy_count == len(alb.documents) == 2
    cw = resolve("cloudwatch-observability", partition="aws")
    assert cw.policy_count == 2 and cw.documents == ()


def test_flags_must_be_booleans() -> None:
    with pytest.raises(InputError, match="must be true or false"):
        resolve("vpc-cni", {"ipv6": "yes"}, partition="aws")


def test_region_must_belong_to_the_partition() -> None:
    with pytest.raises(InputError, match="is in partition 'aws-cn', not 'aws'"):
        resolve("external-dns", {"hosted_zone_arns": ZONE}, partition="aws", region="cn-north-1")
    with pytest.raises(InputError, match="not an AWS partition"):
        resolve("external-dns", {"hosted_zone_arns": ZONE}, partition="aws-moon")


def test_karpenter_needs_the_region() -> None:
    with pytest.raises(InputError) as exc:
        resolve("karpenter", {"cluster_name": "c", "node_role_arns": [ROLE]}, partition="aws")
    assert [p.field for p in exc.value.problems] == ["region"]


def test_check_returns_what_resolve_raises() -> None:
    scope = {"cluster_name": "Bad Name!", "vpc_ids": ["vpc-1"]}
    assert [p.field for p in check("aws-load-balancer-controller", scope, partition="aws")] == [
        "cluster_name",
        "vpc_ids[0]",
    ]
    assert check("aws-load-balancer-controller", {"cluster_name": "c"}, partition="aws") == []


def test_subject_and_field_prefix_place_problems_in_the_caller_config() -> None:
    problems = check("external-dns", {}, partition="aws", subject="service 'dns'", field_prefix="addonScope.")
    assert [(p.subject, p.field) for p in problems] == [("service 'dns'", "addonScope.hosted_zone_arns")]
    assert "add-on 'external-dns'" in problems[0].message


# Defaults and overrides ----------------------------------------------------------------------------


def test_defaults_come_from_the_definition_and_can_be_overridden() -> None:
    resolved = resolve(
        "efs-csi",
        {"file_system_arns": "arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0"},
        partition="aws",
    )
    assert (resolved.namespace, resolved.service_account) == ("kube-system", "efs-csi-controller-sa")
    assert resolved.service_accounts == ("kube-system/efs-csi-controller-sa", "kube-system/efs-csi-node-sa")
    moved = resolve(
        "efs-csi",
        {"file_system_arns": "arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0"},
        partition="aws",
        namespace="storage",
        service_account="efs-controller",
    )
    assert moved.service_accounts == ("storage/efs-controller", "storage/efs-csi-node-sa")


def test_overrides_are_validated() -> None:
    with pytest.raises(InputError) as exc:
        resolve("external-dns", {"hosted_zone_arns": ZONE}, partition="aws", namespace="-x", service_account="A B")
    assert [p.field for p in exc.value.problems] == ["namespace", "service_account"]


def test_workload_addons_need_the_workload_identity() -> None:
    scope = {"secret_arns": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-??????"}
    with pytest.raises(InputError) as exc:
        resolve("secrets-store-csi-provider-aws", scope, partition="aws")
    assert [p.field for p in exc.value.problems] == ["namespace", "service_account"]
    resolved = resolve(
        "secrets-store-csi-provider-aws", scope, partition="aws", namespace="payments", service_account="api"
    )
    assert resolved.service_accounts == ("payments/api",)


def test_optional_defaults_are_used_and_replaceable() -> None:
    default = resolve("cert-manager", {"hosted_zone_arns": ZONE}, partition="aws")
    names = statement(default, "ChallengeRecords")["Condition"]["ForAllValues:StringLike"]
    assert names == {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"]}
    delegated = resolve(
        "cert-manager", {"hosted_zone_arns": ZONE, "challenge_record_names": ["*.acme.example.net"]}, partition="aws"
    )
    assert "*.acme.example.net" in json.dumps(delegated.statements)


# Managed or custom ---------------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES, ids=[p.partition for p in PLACES])
def test_managed_policies_are_partition_aware_and_need_no_scope(place: Any) -> None:
    resolved = resolve("ebs-csi", {}, partition=place.partition, policy="managed")
    assert resolved.managed_policy_arns == (
        f"arn:{place.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
    )
    assert resolved.statements == () and resolved.documents == ()
    assert resolve("aws-privateca-issuer", None, partition=place.partition, policy="managed").managed_policy_arns


def test_managed_only_addons_default_to_managed() -> None:
    resolved = resolve("cloudwatch-observability", partition="aws-us-gov")
    assert resolved.policy_source == "managed"
    assert resolved.managed_policy_arns == (
        "arn:aws-us-gov:iam::aws:policy/CloudWatchAgentServerPolicy",
        "arn:aws-us-gov:iam::aws:policy/AWSXrayWriteOnlyAccess",
    )
    with pytest.raises(InputError, match="no built-in custom policy"):
        resolve("cloudwatch-observability", partition="aws", policy="custom")


def test_managed_policy_choice_follows_the_scope() -> None:
    with pytest.raises(InputError, match="IPv4 only"):
        resolve("vpc-cni", {"ipv6": True, "ipv4": False}, partition="aws", policy="managed")
    ipv4 = resolve("vpc-cni", partition="aws", policy="managed")
    assert ipv4.managed_policy_arns == ("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",)
    workspace = "arn:aws:aps:eu-west-1:111122223333:workspace/ws-1"
    query = resolve(
        "amazon-managed-prometheus", {"workspace_arns": workspace, "query": True}, partition="aws", policy="managed"
    )
    assert [a.rsplit("/", 1)[1] for a in query.managed_policy_arns] == [
        "AmazonPrometheusRemoteWriteAccess",
        "AmazonPrometheusQueryAccess",
    ]


def test_addons_without_managed_policies_refuse_managed() -> None:
    with pytest.raises(InputError, match="publishes no managed policy"):
        resolve("external-dns", {"hosted_zone_arns": ZONE}, partition="aws", policy="managed")


# What the policies say -------------------------------------------------------------------------------


def statement(resolved: ResolvedAddon, sid: str) -> dict[str, Any]:
    (found,) = [s for s in resolved.statements if s["Sid"] == sid]
    return dict(found)


def test_load_balancer_controller_owns_only_its_cluster_resources() -> None:
    resolved = resolve("aws-load-balancer-controller", {"cluster_name": "blue"}, partition="aws")
    manage = statement(resolved, "ManageOwnLoadBalancers")
    assert manage["Condition"] == {"StringEquals": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "blue"}}
    create = statement(resolved, "CreateOwnLoadBalancers")
    assert create["Condition"] == {"StringEquals": {"aws:RequestTag/elbv2.k8s.aws/cluster": "blue"}}
    ingress = statement(resolved, "SecurityGroupIngress")
    assert "Condition" not in ingress
    in_vpc = resolve(
        "aws-load-balancer-controller",
        {"cluster_name": "blue", "vpc_ids": ["vpc-0123456789abcdef0"]},
        partition="aws",
        region="eu-west-1",
        account_id=ACCOUNT,
    )
    assert statement(in_vpc, "SecurityGroupIngress")["Condition"] == {
        "StringEquals": {"ec2:Vpc": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:vpc/vpc-0123456789abcdef0"}
    }


def test_external_dns_record_names_condition_only_when_given() -> None:
    plain = resolve("external-dns", {"hosted_zone_arns": ZONE}, partition="aws")
    assert "Condition" not in statement(plain, "ChangeRecords")
    named = resolve("external-dns", {"hosted_zone_arns": ZONE, "record_names": "*.apps.example.com"}, partition="aws")
    assert statement(named, "ChangeRecords")["Condition"] == {
        "ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["*.apps.example.com"]}
    }


def test_private_ca_issuer_cannot_issue_ca_certificates_unless_asked() -> None:
    ca = "arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012"
    resolved = resolve("aws-privateca-issuer", {"certificate_authority_arns": ca}, partition="aws")
    templates = statement(resolved, "IssueCertificates")["Condition"]["StringEquals"]["acm-pca:TemplateArn"]
    assert "arn:aws:acm-pca:::template/EndEntityCertificate/V1" in templates
    assert not any("SubordinateCACertificate" in t or "RootCACertificate" in t for t in templates)
    subordinate = resolve(
        "aws-privateca-issuer",
        {"certificate_authority_arns": ca, "template_names": ["SubordinateCACertificate_PathLen0/V1"]},
        partition="aws",
    )
    assert statement(subordinate, "IssueCertificates")["Condition"]["StringEquals"]["acm-pca:TemplateArn"] == (
        "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"
    )


def test_efs_access_points_follow_the_file_systems_location() -> None:
    fs = "arn:aws:elasticfilesystem:us-east-2:444455556666:file-system/fs-0123456789abcdef0"
    resolved = resolve("efs-csi", {"file_system_arns": [fs]}, partition="aws")
    assert statement(resolved, "DeleteOwnAccessPoints")["Resource"] == (
        "arn:aws:elasticfilesystem:us-east-2:444455556666:access-point/*"
    )


def test_flags_add_and_remove_permissions() -> None:
    bucket = "my-bucket-1"
    read_only = resolve("mountpoint-s3-csi", {"bucket_arns": bucket, "read_only": True}, partition="aws")
    assert statement(read_only, "Objects")["Action"] == "s3:GetObject"
    no_snapshots = resolve("velero", {"bucket_arns": bucket, "volume_snapshots": False}, partition="aws")
    assert not any(
        a.startswith("ec2:") for s in no_snapshots.statements for a in json.loads(json.dumps([s["Action"]]))[0]
    )
    secrets = {"secret_arns": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"}
    reader = resolve("external-secrets", secrets, partition="aws")
    assert "secretsmanager:ListSecrets" not in json.dumps(reader.statements)
    assert "secretsmanager:PutSecretValue" not in json.dumps(reader.statements)
    pusher = resolve("external-secrets", {**secrets, "push": True, "find": True}, partition="aws")
    assert "secretsmanager:ListSecrets" in json.dumps(pusher.statements)
    assert statement(pusher, "UpdatePushedSecrets")["Condition"] == {
        "StringEquals": {"aws:ResourceTag/managed-by": "external-secrets"}
    }


def test_full_and_minimal_scopes_resolve_for_every_addon() -> None:
    for addon in CATALOGUE.values():
        identity = kubernetes_identity(addon)
        for scope in (full_scope(addon, AWS), minimal_scope(addon, AWS)):
            resolved = resolve(addon.name, scope, partition="aws", region=AWS.region, account_id=ACCOUNT, **identity)
            assert resolved.name == addon.name
            assert resolved.documents or resolved.managed_policy_arns
