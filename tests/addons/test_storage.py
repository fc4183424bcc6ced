"""The storage add-ons do what their controllers need, in the topologies platforms run, and refuse what would fail.

Requests are evaluated with the project's policy engine (core.evaluate) against the built documents: what a
controller's API call needs is allowed, what it never does is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from irsa_components.addons import resolve
from irsa_components.core.errors import InputError
from irsa_components.core.evaluate import ContextValue, Request, evaluate

from . import upstream_compare as uc

ROLE = "arn:aws:iam::111122223333:role/storage"
WHERE: dict[str, Any] = {"partition": "aws", "region": "eu-west-1", "account_id": "111122223333"}
KEY_HERE = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ELSEWHERE = "arn:aws:kms:us-east-1:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab"
DIRECTORY = "arn:aws:s3express:eu-west-1:111122223333:bucket/cache--euw1-az1--x-s3"
VOLUME = "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0123456789abcdef0"
SNAPSHOT = "arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0"
INSTANCE = "arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0"


def policy(name: str, scope: Mapping[str, Any], **where: Any) -> dict[str, Any]:
    resolved = resolve(name, scope, **{**WHERE, **where})
    return {"Version": "2012-10-17", "Statement": list(resolved.statements)}


def allows(doc: Mapping[str, Any], action: str, resource: str, **context: ContextValue) -> bool:
    return evaluate(doc, Request(action, "AWS", ROLE, context, resource)).allowed


def problems_of(name: str, scope: Mapping[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        resolve(name, scope, **WHERE)
    return [f"{p.field}={p.value!r}: {p.message}" for p in caught.value.problems]


# Directory buckets (S3 Express One Zone) --------------------------------------------------------


@pytest.mark.parametrize(
    ("addon", "field", "value"),
    [
        ("mountpoint-s3-csi", "bucket_arns", "cache--euw1-az1--x-s3"),
        ("mountpoint-s3-csi", "bucket_arns", "arn:aws:s3:::cache--euw1-az1--x-s3"),
        ("velero", "bucket_arns", "backups--use1-az4--x-s3"),
        ("loki", "bucket_arns", "chunks--usw2-lax1-az1--x-s3"),
    ],
)
def test_a_directory_bucket_given_as_a_general_purpose_bucket_is_refused(addon: str, field: str, value: str) -> None:
    found = problems_of(addon, {field: [value]})
    assert any(
        p.startswith(f"{field}[0]={value!r}") and "directory bucket" in p and "s3express:CreateSession" in p
        for p in found
    ), found


def test_a_directory_bucket_in_object_arns_is_refused_too() -> None:
    found = problems_of(
        "mountpoint-s3-csi", {"bucket_arns": ["data"], "object_arns": ["arn:aws:s3:::c--euw1-az1--x-s3/*"]}
    )
    assert any(p.startswith("object_arns[0]=") and "directory bucket" in p for p in found), found


def test_directory_buckets_get_a_session_on_their_own_arn_and_no_s3_actions() -> None:
    doc = policy("mountpoint-s3-csi", {"directory_bucket_arns": [DIRECTORY]})
    assert allows(doc, "s3express:CreateSession", DIRECTORY)
    assert not allows(doc, "s3express:CreateSession", DIRECTORY.replace("cache--", "other--"))
    assert not any(a.startswith("s3:") for s in doc["Statement"] for a in s["Action"] if isinstance(s["Action"], list))
    assert "s3:" not in json.dumps([s["Action"] for s in doc["Statement"]])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cache--euw1-az1--x-s3", "give the directory bucket's ARN"),
        ("arn:aws:s3:::cache--euw1-az1--x-s3", "is not a s3express ARN"),
        ("arn:aws-cn:s3express:cn-north-1:111122223333:bucket/c--cnn1-az1--x-s3", "partition 'aws-cn'"),
        ("arn:aws:s3express:eu-west-1:111122223333:bucket/general-bucket", "unexpected resource part"),
        ("arn:aws:s3express:eu-west-1:*:bucket/c--euw1-az1--x-s3", "12-digit account"),
    ],
)
def test_directory_buckets_must_be_given_by_full_arn(value: str, expected: str) -> None:
    found = problems_of("mountpoint-s3-csi", {"directory_bucket_arns": [value]})
    assert any(p.startswith("directory_bucket_arns[0]=") and expected in p for p in found), found


def test_mountpoint_needs_some_bucket_and_object_arns_inside_the_buckets() -> None:
    assert any(
        "requires at least one of bucket_arns, directory_bucket_arns" in p for p in problems_of("mountpoint-s3-csi", {})
    )
    found = problems_of("mountpoint-s3-csi", {"bucket_arns": ["data"], "object_arns": ["arn:aws:s3:::other/x/*"]})
    assert found == [
        "object_arns[0]='arn:aws:s3:::other/x/*': add-on 'mountpoint-s3-csi': is not in bucket_arns (arn:aws:s3:::data)"
    ]


# KMS keys and buckets in other regions and accounts ---------------------------------------------


def test_kms_is_admitted_through_s3_in_each_keys_own_region() -> None:
    doc = policy("velero", {"bucket_arns": ["backups"], "kms_key_arns": [KEY_HERE, KEY_ELSEWHERE]})
    for key, region in ((KEY_HERE, "eu-west-1"), (KEY_ELSEWHERE, "us-east-1")):
        assert allows(doc, "kms:GenerateDataKey", key, **{"kms:ViaService": f"s3.{region}.amazonaws.com"})
        assert not allows(doc, "kms:GenerateDataKey", key)  # only through S3
        assert not allows(doc, "kms:GenerateDataKey", key, **{"kms:ViaService": "s3.ap-south-1.amazonaws.com"})


def test_ebs_keys_in_another_region_work_through_ec2_there() -> None:
    doc = policy("ebs-csi", {"kms_key_arns": [KEY_ELSEWHERE]})
    via = {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}
    assert allows(doc, "kms:CreateGrant", KEY_ELSEWHERE, **via, **{"kms:GrantIsForAWSResource": "true"})
    assert not allows(doc, "kms:CreateGrant", KEY_ELSEWHERE, **via, **{"kms:GrantIsForAWSResource": "false"})
    for action in ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom"):
        assert allows(doc, action, KEY_ELSEWHERE, **via)
        assert not allows(doc, action, KEY_ELSEWHERE, **{"kms:ViaService": "ec2.eu-west-1.amazonaws.com"})
    assert not allows(doc, "kms:Encrypt", KEY_ELSEWHERE, **via)


def test_mountpoint_keys_serve_general_purpose_and_directory_buckets() -> None:
    doc = policy(
        "mountpoint-s3-csi", {"bucket_arns": ["data"], "directory_bucket_arns": [DIRECTORY], "kms_key_arns": [KEY_HERE]}
    )
    for service in ("s3", "s3express"):
        assert allows(doc, "kms:GenerateDataKey", KEY_HERE, **{"kms:ViaService": f"{service}.eu-west-1.amazonaws.com"})
    read_only = policy("mountpoint-s3-csi", {"bucket_arns": ["data"], "kms_key_arns": [KEY_HERE], "read_only": True})
    via = {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    assert allows(read_only, "kms:Decrypt", KEY_HERE, **via)
    assert not allows(read_only, "kms:GenerateDataKey", KEY_HERE, **via)
    assert not allows(read_only, "s3:PutObject", "arn:aws:s3:::data/x")


@pytest.mark.parametrize("addon", ["ebs-csi", "velero", "fsx-lustre-csi", "fsx-openzfs-csi"])
def test_regions_extend_regional_arns_beyond_the_roles_region(addon: str) -> None:
    scope: dict[str, Any] = {"bucket_arns": ["backups"]} if addon == "velero" else {}
    here = json.dumps(policy(addon, scope))
    assert "us-east-1" not in here
    both = json.dumps(policy(addon, {**scope, "regions": ["eu-west-1", "us-east-1"]}))
    service = "fsx" if addon.startswith("fsx") else "ec2"
    assert f"arn:aws:{service}:us-east-1:" in both and f"arn:aws:{service}:eu-west-1:" in both


def test_regions_must_be_in_the_roles_partition() -> None:
    found = problems_of("ebs-csi", {"regions": ["cn-north-1", "eu-west-9x"]})
    assert any(p.startswith("regions[0]='cn-north-1'") and "partition 'aws-cn'" in p for p in found), found
    assert any(p.startswith("regions[1]='eu-west-9x'") for p in found), found


# EBS: AmazonEBSCSIDriverPolicyV2 and the cluster-scoped policy ------------------------------------


def test_ebs_manages_only_the_drivers_volumes_by_default() -> None:
    doc = policy("ebs-csi", {})
    mine = {"ec2:ResourceTag/ebs.csi.aws.com/cluster": "true"}
    migrated = {"ec2:ResourceTag/kubernetes.io/created-for/pvc/name": "data-db-0"}
    for action in ("ec2:DeleteVolume", "ec2:ModifyVolume", "ec2:AttachVolume"):
        assert allows(doc, action, VOLUME, **mine)
        assert allows(doc, action, VOLUME, **migrated)
        assert not allows(doc, action, VOLUME)  # an untagged (foreign) volume
    assert allows(doc, "ec2:AttachVolume", INSTANCE)
    assert allows(doc, "ec2:CreateVolume", VOLUME, **{"aws:RequestTag/ebs.csi.aws.com/cluster": "true"})
    assert not allows(doc, "ec2:CreateVolume", VOLUME)
    assert allows(doc, "ec2:LockSnapshot", SNAPSHOT, **mine)
    assert allows(doc, "ec2:DescribeInstanceTypes", "*")


def test_ebs_tag_changes_never_touch_the_drivers_own_tags() -> None:
    doc = policy("ebs-csi", {})
    mine = {"ec2:ResourceTag/ebs.csi.aws.com/cluster": "true"}
    assert allows(doc, "ec2:CreateTags", VOLUME, **mine, **{"aws:TagKeys": ["team"]})
    assert not allows(doc, "ec2:CreateTags", VOLUME, **mine, **{"aws:TagKeys": ["team", "ebs.csi.aws.com/cluster"]})
    assert not allows(doc, "ec2:CreateTags", VOLUME, **{"aws:TagKeys": ["team"]})  # not the driver's volume
    assert allows(doc, "ec2:CreateTags", VOLUME, **{"ec2:CreateAction": "CreateVolume"})


def test_cluster_tag_id_confines_the_driver_to_its_cluster() -> None:
    doc = policy("ebs-csi", {"cluster_tag_id": "prod-1"})
    ours = {"ec2:ResourceTag/ebs.csi.aws.com/cluster-name": "prod-1"}
    theirs = {
        "ec2:ResourceTag/ebs.csi.aws.com/cluster-name": "prod-2",
        "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true",
    }
    assert allows(doc, "ec2:DeleteVolume", VOLUME, **ours)
    assert not allows(doc, "ec2:DeleteVolume", VOLUME, **theirs)
    assert not allows(doc, "ec2:DeleteVolume", VOLUME, **{"ec2:ResourceTag/kubernetes.io/created-for/pvc/name": "x"})
    assert allows(doc, "ec2:CreateSnapshot", SNAPSHOT, **{"aws:RequestTag/ebs.csi.aws.com/cluster-name": "prod-1"})
    for tag in ("eks:cluster-name", "eks:eks-cluster-name", "ebs.csi.aws.com/cluster-name"):
        assert allows(doc, "ec2:AttachVolume", INSTANCE, **{f"ec2:ResourceTag/{tag}": "prod-1"})
        assert not allows(doc, "ec2:AttachVolume", INSTANCE, **{f"ec2:ResourceTag/{tag}": "prod-2"})


def test_unmanaged_volumes_restores_the_reach_of_the_v1_policy() -> None:
    doc = policy("ebs-csi", {"unmanaged_volumes": True})
    assert allows(doc, "ec2:AttachVolume", VOLUME) and allows(doc, "ec2:CreateVolume", SNAPSHOT)
    assert not allows(doc, "ec2:DeleteVolume", VOLUME)  # deletion still needs one of the driver's tags
    assert allows(doc, "ec2:DeleteVolume", VOLUME, **{"ec2:ResourceTag/CSIVolumeName": "pvc-1"})


# EFS, FSx, Velero --------------------------------------------------------------------------------

FS = "arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0"


def test_efs_iam_mounts_grant_client_access_only_when_asked() -> None:
    plain = policy("efs-csi", {"file_system_arns": [FS]})
    assert not allows(plain, "elasticfilesystem:ClientMount", FS)
    mounts = policy("efs-csi", {"file_system_arns": [FS], "iam_mounts": True})
    assert allows(mounts, "elasticfilesystem:ClientMount", FS) and allows(mounts, "elasticfilesystem:ClientWrite", FS)
    assert not allows(mounts, "elasticfilesystem:ClientRootAccess", FS)
    root = policy("efs-csi", {"file_system_arns": [FS], "iam_mounts": True, "iam_mounts_root_access": True})
    assert allows(root, "elasticfilesystem:ClientRootAccess", FS)
    assert not allows(root, "elasticfilesystem:ClientMount", FS.replace("0123", "9999"))


def test_fsx_vpc_lookups_are_allowed_only_when_fsx_makes_them() -> None:
    doc = policy("fsx-lustre-csi", {})
    vpc = "arn:aws:ec2:eu-west-1:444455556666:vpc/vpc-0123456789abcdef0"  # a shared VPC
    assert allows(doc, "ec2:GetSecurityGroupsForVpc", vpc, **{"aws:CalledVia": ["fsx.amazonaws.com"]})
    assert not allows(doc, "ec2:GetSecurityGroupsForVpc", vpc)
    assert not allows(doc, "ec2:DescribeSubnets", "*")


def test_openzfs_final_backups_only_with_the_flag() -> None:
    backup = "arn:aws:fsx:eu-west-1:111122223333:backup/backup-0123456789abcdef0"
    assert not allows(policy("fsx-openzfs-csi", {}), "fsx:CreateBackup", backup)
    assert allows(policy("fsx-openzfs-csi", {"final_backups": True}), "fsx:CreateBackup", backup)


def test_velero_without_volume_snapshots_has_no_ec2_permission() -> None:
    doc = policy("velero", {"bucket_arns": ["backups"], "volume_snapshots": False, "kms_key_arns": [KEY_HERE]})
    assert not any(a.startswith("ec2:") for s in doc["Statement"] for a in _actions(s))
    assert not any(a.startswith("kms:CreateGrant") for s in doc["Statement"] for a in _actions(s))


def _actions(statement: Mapping[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


# The comparison with upstream ---------------------------------------------------------------------


def test_a_wildcard_account_names_resources_whose_arns_have_no_account() -> None:
    """Upstream writes snapshots as arn:aws:ec2:*:*:snapshot/*; IAM's '*' matches the empty account there."""
    assert uc.names_type("arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}", "arn:aws:ec2:*:*:snapshot/*")
    assert not uc.names_type("arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}", "arn:aws:ec2:*:*:volume/*")


# Chart values irsa plan shows -------------------------------------------------------------------


def _values(name: str, scope: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value, _ in resolve(name, scope, **WHERE).chart_values}


def test_chart_values_follow_the_scope() -> None:
    assert _values("ebs-csi", {}) == {}
    assert _values("ebs-csi", {"cluster_tag_id": "prod-1"}) == {"controller.k8sTagClusterId": "prod-1"}
    velero = _values("velero", {"bucket_arns": ["backups"]})
    assert velero == {
        "credentials.useSecret": False,
        "configuration.backupStorageLocation[].bucket": "backups",
        "configuration.volumeSnapshotLocation[].config.region": "eu-west-1",
    }
    lean = _values("velero", {"bucket_arns": ["backups", "arn:aws:s3:::archive"], "volume_snapshots": False})
    assert lean["snapshotsEnabled"] is False and "configuration.volumeSnapshotLocation[].config.region" not in lean
    assert lean["configuration.backupStorageLocation[].bucket"] == ["backups", "archive"]
