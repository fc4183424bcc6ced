"""Storage add-ons: the EBS, EFS, FSx and Mountpoint for S3 CSI drivers, and Velero."""

from __future__ import annotations

from . import kinds
from ._build import ANY, allow, objects_of
from .model import Addon, Scope, ScopeInput, Source, Statement

_KMS_KEYS = ScopeInput(
    "kms_key_arns",
    kinds.KMS_KEY,
    "Customer managed KMS keys the data is encrypted with (omit for AWS managed keys)",
)

# --------------------------------------------------------------------------------------------------
# Amazon EBS CSI driver
# --------------------------------------------------------------------------------------------------


def _ebs_csi(scope: Scope) -> list[Statement]:
    volumes = scope.arn("ec2", "volume/*")
    snapshots = scope.arn("ec2", "snapshot/*", in_account=False)
    instances = scope.arn("ec2", "instance/*")
    cluster_id = scope["cluster_tag_id"]
    # With k8sTagClusterId set the driver tags everything kubernetes.io/cluster/<id>=owned: require it.
    owned_request = {f"aws:RequestTag/kubernetes.io/cluster/{cluster_id[0]}": "owned"} if cluster_id else {}
    owned_resource = {f"aws:ResourceTag/kubernetes.io/cluster/{cluster_id[0]}": "owned"} if cluster_id else {}

    def created_with(tag: str, value: str) -> dict[str, dict[str, str]]:
        condition = {"StringLike": {f"aws:RequestTag/{tag}": value}}
        return {**condition, "StringEquals": owned_request} if owned_request else condition

    def tagged_with(tag: str, value: str) -> dict[str, dict[str, str]]:
        condition = {"StringLike": {f"aws:ResourceTag/{tag}": value}}
        return {**condition, "StringEquals": owned_resource} if owned_resource else condition

    statements = [
        # EC2 Describe calls have no resource-level permissions.
        allow(
            "Describe",
            [
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInstances",
                "ec2:DescribeSnapshots",
                "ec2:DescribeTags",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
                "ec2:DescribeVolumeStatus",
            ],
            ANY,
        ),
        allow("SnapshotAndModifyVolumes", ["ec2:CreateSnapshot", "ec2:ModifyVolume"], volumes),
        allow("CopyVolumes", ["ec2:CopyVolumes"], scope.arn("ec2", "volume/vol-*")),
        allow("AttachVolumes", ["ec2:AttachVolume", "ec2:DetachVolume"], [volumes, instances]),
        allow("VolumesFromSnapshots", ["ec2:CreateVolume", "ec2:EnableFastSnapshotRestores"], snapshots),
        allow(
            "TagOnCreate",
            ["ec2:CreateTags"],
            [volumes, snapshots],
            {"StringEquals": {"ec2:CreateAction": ["CreateVolume", "CreateSnapshot", "CopyVolumes"]}},
        ),
        allow(
            "UntagOwnVolumes", ["ec2:DeleteTags"], [volumes, snapshots], tagged_with("ebs.csi.aws.com/cluster", "true")
        ),
        allow(
            "CreateVolumesTagged",
            ["ec2:CreateVolume", "ec2:CopyVolumes"],
            volumes,
            created_with("ebs.csi.aws.com/cluster", "true"),
        ),
        allow(
            "CreateVolumesNamed", ["ec2:CreateVolume", "ec2:CopyVolumes"], volumes, created_with("CSIVolumeName", "*")
        ),
        allow("DeleteVolumesTagged", ["ec2:DeleteVolume"], volumes, tagged_with("ebs.csi.aws.com/cluster", "true")),
        allow("DeleteVolumesNamed", ["ec2:DeleteVolume"], volumes, tagged_with("CSIVolumeName", "*")),
        allow(
            "DeleteVolumesOfClaims",
            ["ec2:DeleteVolume"],
            volumes,
            tagged_with("kubernetes.io/created-for/pvc/name", "*"),
        ),
        allow("CreateSnapshotsNamed", ["ec2:CreateSnapshot"], snapshots, created_with("CSIVolumeSnapshotName", "*")),
        allow(
            "CreateSnapshotsTagged", ["ec2:CreateSnapshot"], snapshots, created_with("ebs.csi.aws.com/cluster", "true")
        ),
        allow("DeleteSnapshotsNamed", ["ec2:DeleteSnapshot"], snapshots, tagged_with("CSIVolumeSnapshotName", "*")),
        allow(
            "DeleteSnapshotsTagged", ["ec2:DeleteSnapshot"], snapshots, tagged_with("ebs.csi.aws.com/cluster", "true")
        ),
    ]
    if keys := scope["kms_key_arns"]:
        statements += [
            allow(
                "KmsGrantsForEbs",
                ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                keys,
                {"Bool": {"kms:GrantIsForAWSResource": "true"}, **scope.via("ec2")},
            ),
            allow(
                "KmsForEbs",
                ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                keys,
                scope.via("ec2"),
            ),
        ]
    return statements


EBS_CSI = Addon(
    name="ebs-csi",
    description="Amazon EBS CSI driver: dynamic EBS volumes and snapshots.",
    namespace="kube-system",
    service_account="ebs-csi-controller-sa",
    chart="EKS add-on aws-ebs-csi-driver / aws-ebs-csi-driver/aws-ebs-csi-driver",
    source=Source(
        "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/050d130f5814d2e366158058c557a7c25f536441/docs/"
        "example-iam-policy.json",
        "example-iam-policy.json at commit 050d130 (v1.5x, with CopyVolumes); KMS per docs/install.md",
    ),
    build=_ebs_csi,
    inputs=(
        _KMS_KEYS,
        ScopeInput(
            "cluster_tag_id",
            kinds.TAG_VALUE,
            "The driver's controller.k8sTagClusterId: then creation and deletion also require the "
            "kubernetes.io/cluster/<id>=owned tag (upstream's strict policy)",
            multiple=False,
        ),
    ),
    managed_policies=("service-role/AmazonEBSCSIDriverPolicy",),
    tighter=(
        "`ec2:DeleteTags` is limited to volumes and snapshots the driver created (`ebs.csi.aws.com/cluster=true`); "
        "upstream allows untagging any volume or snapshot.",
        "KMS permissions are limited to the given keys and to requests EC2 makes on the role's behalf "
        "(`kms:ViaService` = `ec2.<region>.<partition DNS suffix>`).",
        "With `cluster_tag_id`, creating and deleting volumes and snapshots also requires this cluster's "
        "`kubernetes.io/cluster/<id>` tag, so one cluster's driver cannot delete another cluster's volumes.",
        "All ARNs are limited to the role's region and account when given.",
    ),
)

# --------------------------------------------------------------------------------------------------
# Amazon EFS CSI driver
# --------------------------------------------------------------------------------------------------


def _efs_csi(scope: Scope) -> list[Statement]:
    file_systems = scope["file_system_arns"]
    # Access point ARNs do not name their file system: scope them to the file systems' regions and accounts.
    access_points = sorted({arn.rsplit(":", 1)[0] + ":access-point/*" for arn in file_systems})
    cluster_tag = "efs.csi.aws.com/cluster"
    return [
        # DescribeAvailabilityZones has no resource-level permissions.
        allow("DescribeZones", ["ec2:DescribeAvailabilityZones"], ANY),
        allow(
            "DescribeFileSystems",
            [
                "elasticfilesystem:DescribeFileSystems",
                "elasticfilesystem:DescribeMountTargets",
                "elasticfilesystem:DescribeAccessPoints",
            ],
            [*file_systems, *access_points],
        ),
        allow(
            "CreateAccessPoints",
            ["elasticfilesystem:CreateAccessPoint"],
            file_systems,
            {"StringEquals": {f"aws:RequestTag/{cluster_tag}": "true"}},
        ),
        allow(
            "TagAccessPointsOnCreate",
            ["elasticfilesystem:TagResource"],
            access_points,
            {
                "StringEquals": {
                    "elasticfilesystem:CreateAction": "CreateAccessPoint",
                    f"aws:RequestTag/{cluster_tag}": "true",
                }
            },
        ),
        allow(
            "DeleteOwnAccessPoints",
            ["elasticfilesystem:DeleteAccessPoint"],
            access_points,
            {"StringEquals": {f"aws:ResourceTag/{cluster_tag}": "true"}},
        ),
    ]


EFS_CSI = Addon(
    name="efs-csi",
    description="Amazon EFS CSI driver: EFS volumes, dynamic provisioning with access points.",
    namespace="kube-system",
    service_account="efs-csi-controller-sa",
    extra_service_accounts=("efs-csi-node-sa",),
    chart="EKS add-on aws-efs-csi-driver / aws-efs-csi-driver/aws-efs-csi-driver",
    source=Source(
        "https://github.com/kubernetes-sigs/aws-efs-csi-driver/blob/8ea8b9d3cd595acb89d134f90f631647131d0bda/docs/"
        "iam-policy-example.json",
        "iam-policy-example.json at commit 8ea8b9d (v2.x); TagResource per AmazonEFSCSIDriverPolicy",
    ),
    build=_efs_csi,
    inputs=(
        ScopeInput(
            "file_system_arns",
            kinds.EFS_FILE_SYSTEM,
            "The file systems StorageClasses and PersistentVolumes name",
            required=True,
        ),
    ),
    managed_policies=("service-role/AmazonEFSCSIDriverPolicy",),
    tighter=(
        "Describe calls and access point creation are limited to the given file systems (upstream: `*`).",
        "Access points are limited to the file systems' regions and accounts; tagging is allowed only while "
        "creating an access point.",
    ),
    notes=("The node service account (efs-csi-node-sa) is trusted too: it describes mount targets for mounts.",),
)

# --------------------------------------------------------------------------------------------------
# Amazon FSx for Lustre and for OpenZFS CSI drivers
# --------------------------------------------------------------------------------------------------


def _fsx_service_linked_role(scope: Scope) -> Statement:
    return allow(
        "CreateFsxServiceLinkedRole",
        ["iam:CreateServiceLinkedRole"],
        scope.arn("iam", "role/aws-service-role/fsx.amazonaws.com/*", regional=False),
        {"StringEquals": {"iam:AWSServiceName": "fsx.amazonaws.com"}},
    )


def _fsx_lustre_csi(scope: Scope) -> list[Statement]:
    statements = [
        _fsx_service_linked_role(scope),
        # DescribeFileSystems has no resource-level permissions.
        allow("DescribeFileSystems", ["fsx:DescribeFileSystems"], ANY),
        allow("CreateFileSystems", ["fsx:CreateFileSystem", "fsx:TagResource"], scope.arn("fsx", "file-system/*")),
        allow(
            "ManageFileSystems",
            ["fsx:UpdateFileSystem", "fsx:DeleteFileSystem"],
            scope.arn("fsx", "file-system/*"),
        ),
        allow("FinalBackups", ["fsx:DeleteFileSystem"], scope.arn("fsx", "backup/*")),
    ]
    if buckets := scope["s3_bucket_arns"]:
        statements += [
            allow(
                "S3DataRepositoryServiceLinkedRole",
                ["iam:CreateServiceLinkedRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"],
                scope.arn("iam", "role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/*", regional=False),
            ),
            allow("S3DataRepositories", ["s3:ListBucket"], buckets),
        ]
    return statements


FSX_LUSTRE_CSI = Addon(
    name="fsx-lustre-csi",
    description="Amazon FSx for Lustre CSI driver: dynamic FSx for Lustre file systems.",
    namespace="kube-system",
    service_account="fsx-csi-controller-sa",
    chart="aws-fsx-csi-driver/aws-fsx-csi-driver",
    source=Source(
        "https://github.com/kubernetes-sigs/aws-fsx-csi-driver/blob/d63f8aa7375d0057c10490dc2553a66e5414e94a/docs/"
        "install.md",
        "install.md at commit d63f8aa (release-1.1 policy); fsx:UpdateFileSystem added for volume expansion",
    ),
    build=_fsx_lustre_csi,
    managed_policies=("AmazonFSxFullAccess",),
    inputs=(
        ScopeInput(
            "s3_bucket_arns",
            kinds.BUCKET,
            "S3 buckets linked as data repositories (s3ImportPath/s3ExportPath); omit without S3 integration",
        ),
    ),
    tighter=(
        "S3 and the S3 data-repository service-linked role are granted only when data-repository buckets are "
        "given, and `s3:ListBucket` only on those buckets (upstream: every bucket).",
        "`iam:CreateServiceLinkedRole` is limited to the FSx service-linked role path.",
        "The AWS managed alternative the driver's docs recommend, AmazonFSxFullAccess, is far broader (opt in with "
        '`policy="managed"`).',
        "FSx actions are limited to file systems (and backups for deletion) in the role's region and account.",
    ),
)


def _fsx_openzfs_csi(scope: Scope) -> list[Statement]:
    return [
        _fsx_service_linked_role(scope),
        # FSx Describe calls have no resource-level permissions.
        allow("Describe", ["fsx:DescribeFileSystems", "fsx:DescribeVolumes", "fsx:DescribeSnapshots"], ANY),
        allow(
            "FileSystems",
            ["fsx:CreateFileSystem", "fsx:UpdateFileSystem", "fsx:DeleteFileSystem"],
            scope.arn("fsx", "file-system/*"),
        ),
        allow(
            "VolumesAndSnapshots",
            ["fsx:CreateVolume", "fsx:DeleteVolume", "fsx:CreateSnapshot", "fsx:DeleteSnapshot"],
            [scope.arn("fsx", "volume/*/*"), scope.arn("fsx", "snapshot/*/*")],
        ),
        allow("FinalBackups", ["fsx:DeleteFileSystem", "fsx:DeleteVolume"], scope.arn("fsx", "backup/*")),
        allow(
            "Tags",
            ["fsx:TagResource", "fsx:ListTagsForResource"],
            [scope.arn("fsx", "file-system/*"), scope.arn("fsx", "volume/*/*"), scope.arn("fsx", "snapshot/*/*")],
        ),
    ]


FSX_OPENZFS_CSI = Addon(
    name="fsx-openzfs-csi",
    description="Amazon FSx for OpenZFS CSI driver: file systems, volumes and snapshots.",
    namespace="kube-system",
    service_account="fsx-openzfs-csi-controller-sa",
    chart="aws-fsx-openzfs-csi-driver/aws-fsx-openzfs-csi-driver",
    source=Source(
        "https://github.com/kubernetes-sigs/aws-fsx-openzfs-csi-driver/blob/8e0837a5c1cfd0a7794ad28ec1851946d1cfa6eb/"
        "docs/example-iam-policy.json",
        "example-iam-policy.json at commit 8e0837a (v1.x)",
    ),
    build=_fsx_openzfs_csi,
    tighter=(
        "FSx actions are limited to file systems, volumes, snapshots and backups in the role's region and account "
        "(upstream: `*`).",
        "`iam:CreateServiceLinkedRole` is limited to the FSx service-linked role; `iam:AttachRolePolicy` and "
        "`iam:PutRolePolicy` on it are dropped (IAM refuses them on service-linked roles).",
    ),
)

# --------------------------------------------------------------------------------------------------
# Mountpoint for Amazon S3 CSI driver
# --------------------------------------------------------------------------------------------------


def _mountpoint_s3_csi(scope: Scope) -> list[Statement]:
    buckets = scope["bucket_arns"]
    objects = scope["object_arns"] or tuple(objects_of(buckets))
    read_only = scope.flag("read_only")
    object_actions = ["s3:GetObject"]
    if not read_only:
        object_actions += ["s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]
    statements = [
        allow("ListBuckets", ["s3:ListBucket"], buckets),
        allow("Objects", object_actions, objects),
    ]
    if keys := scope["kms_key_arns"]:
        kms_actions = ["kms:Decrypt"] if read_only else ["kms:Decrypt", "kms:GenerateDataKey"]
        statements.append(allow("KmsForS3", kms_actions, keys, scope.via("s3")))
    return statements


MOUNTPOINT_S3_CSI = Addon(
    name="mountpoint-s3-csi",
    description="Mountpoint for Amazon S3 CSI driver: S3 buckets as volumes.",
    namespace="kube-system",
    service_account="s3-csi-driver-sa",
    chart="EKS add-on aws-mountpoint-s3-csi-driver / aws-mountpoint-s3-csi-driver",
    source=Source(
        "https://github.com/awslabs/mountpoint-s3/blob/main/doc/CONFIGURATION.md#iam-permissions",
        "mountpoint-s3 CONFIGURATION.md (main, 2025); CSI driver v1.x/v2.x install docs",
    ),
    build=_mountpoint_s3_csi,
    inputs=(
        ScopeInput("bucket_arns", kinds.BUCKET, "The buckets PersistentVolumes mount", required=True),
        ScopeInput(
            "object_arns",
            kinds.S3_OBJECTS,
            "Object ARN patterns to allow (e.g. a prefix the mount uses); default every object of the buckets",
        ),
        _KMS_KEYS,
        ScopeInput("read_only", kinds.FLAG, "Mounts are read-only: grant only reads", default=False),
    ),
    tighter=(
        "Bucket access requires the buckets (upstream Terraform falls back to every bucket, `arn:aws:s3:::*`).",
        "A read-only flag drops the write and delete actions; KMS use is limited to requests S3 makes "
        "(`kms:ViaService`).",
    ),
)

# --------------------------------------------------------------------------------------------------
# Velero
# --------------------------------------------------------------------------------------------------


def _velero(scope: Scope) -> list[Statement]:
    buckets = scope["bucket_arns"]
    statements = [
        allow(
            "S3ReadWrite",
            [
                "s3:GetObject",
                "s3:DeleteObject",
                "s3:PutObject",
                "s3:PutObjectTagging",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
            scope["object_arns"] or objects_of(buckets),
        ),
        allow("S3List", ["s3:ListBucket"], buckets),
    ]
    if scope.flag("volume_snapshots"):
        volumes = scope.arn("ec2", "volume/*")
        snapshots = scope.arn("ec2", "snapshot/*", in_account=False)
        statements += [
            # EC2 Describe calls have no resource-level permissions.
            allow("Ec2Describe", ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], ANY),
            allow("Snapshots", ["ec2:CreateSnapshot"], [volumes, snapshots]),
            allow("Restores", ["ec2:CreateVolume"], [volumes, snapshots]),
            allow(
                "TagOnCreate",
                ["ec2:CreateTags"],
                [volumes, snapshots],
                {"StringEquals": {"ec2:CreateAction": ["CreateSnapshot", "CreateVolume"]}},
            ),
            allow("DeleteSnapshots", ["ec2:DeleteSnapshot"], snapshots),
        ]
    if keys := scope["kms_key_arns"]:
        statements.append(allow("KmsForS3", ["kms:Decrypt", "kms:GenerateDataKey"], keys, scope.via("s3")))
        if scope.flag("volume_snapshots"):
            statements += [
                allow(
                    "KmsGrantsForEbs",
                    ["kms:CreateGrant"],
                    keys,
                    {"Bool": {"kms:GrantIsForAWSResource": "true"}, **scope.via("ec2")},
                ),
                allow(
                    "KmsForEbs",
                    ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
                    keys,
                    scope.via("ec2"),
                ),
            ]
    return statements


VELERO = Addon(
    name="velero",
    description="Velero with velero-plugin-for-aws: backups to S3, EBS snapshots.",
    namespace="velero",
    service_account="velero-server",
    chart="vmware-tanzu/velero",
    source=Source(
        "https://github.com/vmware-tanzu/velero-plugin-for-aws/blob/main/README.md#set-permissions-for-velero",
        "velero-plugin-for-aws README (v1.1x)",
    ),
    build=_velero,
    inputs=(
        ScopeInput("bucket_arns", kinds.BUCKET, "The backup storage location buckets", required=True),
        ScopeInput(
            "object_arns",
            kinds.S3_OBJECTS,
            "Object ARN patterns (the BackupStorageLocation prefix); default every object of the buckets",
        ),
        ScopeInput("volume_snapshots", kinds.FLAG, "Take EBS snapshots (VolumeSnapshotLocation)", default=True),
        _KMS_KEYS,
    ),
    tighter=(
        "EC2 actions are limited to volumes and snapshots of the role's region and account (upstream: `*`); "
        "`ec2:CreateTags` only while creating a snapshot or volume (upstream: any resource, any time).",
        "Without volume snapshots (`volume_snapshots: false`), no EC2 permission at all.",
        "KMS only through S3 and EC2 (`kms:ViaService`), grants only for AWS resources.",
    ),
)
