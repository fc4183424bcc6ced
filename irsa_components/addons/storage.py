"""Storage add-ons: the EBS, EFS, FSx and Mountpoint for S3 CSI drivers, and Velero.

Each definition follows its controller's published policy at the release recorded in
``upstream/<addon>.json`` (the one place holding that version); every difference from it is listed there
with the controller code path that makes it safe. docs/addons/<addon>.md explains the scope inputs.
"""

from __future__ import annotations

from ..core.arns import parse_arn
from . import kinds, records
from ._build import ANY, allow, objects_of, one
from .model import Addon, ChartSetting, ChartValue, Scope, ScopeInput, Statement

Condition = dict[str, dict[str, object]]

_KMS_KEYS = ScopeInput(
    "kms_key_arns",
    kinds.KMS_KEY,
    "Customer managed KMS keys the data is encrypted with, in any region or account (omit for AWS managed keys)",
)
_REGIONS = ScopeInput(
    "regions",
    kinds.REGION,
    "Regions the controller works in when not only the role's (clusters or locations in other regions); "
    "default the role's region",
)


def _regions(scope: Scope) -> tuple[str, ...]:
    return scope["regions"] or (scope.region_or_any,)


def _regional(scope: Scope, service: str, resource: str, *, in_account: bool = True) -> list[str]:
    """``resource`` ARNs in each region the controller works in (the role's by default)."""
    account = scope.account_or_any if in_account else ""
    return [f"arn:{scope.partition}:{service}:{region}:{account}:{resource}" for region in _regions(scope)]


def _objects_in_buckets(scope: Scope) -> list[tuple[str, object, str]]:
    """Object ARN patterns must lie in the given buckets: elsewhere they grant reads no ListBucket supports."""
    buckets = set(scope["bucket_arns"])
    return [
        (f"object_arns[{i}]", arn, f"is not in bucket_arns ({', '.join(sorted(buckets)) or 'none given'})")
        for i, arn in enumerate(scope["object_arns"])
        if arn.split("/", 1)[0] not in buckets
    ]


def _kms_via(scope: Scope, keys: tuple[str, ...], *services: str) -> Condition:
    """``kms:ViaService`` for the services in each key's own region.

    EBS volumes and S3 buckets use keys of their own region only, so the key ARN's region is where the
    service calls KMS from: a key in another region than the role's works, and no guess is needed.
    """
    regions = sorted({parse_arn(key).region for key in keys})
    hosts = [f"{service}.{region}.{scope.dns_suffix}" for service in services for region in regions]
    return {"StringEquals": {"kms:ViaService": one(hosts)}}


def _kms_for_ebs(scope: Scope, keys: tuple[str, ...], prefix: str = "") -> list[Statement]:
    """What EC2 needs of a key to create, attach and snapshot encrypted volumes on the caller's behalf.

    The callers never call KMS themselves (they pass KmsKeyId or an encrypted snapshot to EC2); the EBS
    user guide's 'Permissions for users' lists these actions, and grants only for AWS resources.
    """
    via = _kms_via(scope, keys, "ec2")
    return [
        allow(
            f"{prefix}KmsGrantsForEbs",
            ["kms:CreateGrant"],
            keys,
            {"Bool": {"kms:GrantIsForAWSResource": "true"}, **via},
        ),
        allow(
            f"{prefix}KmsForEbs",
            ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
            keys,
            via,
        ),
    ]


# --------------------------------------------------------------------------------------------------
# Amazon EBS CSI driver
# --------------------------------------------------------------------------------------------------

# Tag keys the driver reserves (validateExtraTags refuses them in StorageClass tags): nobody may change them.
_EBS_PROTECTED_TAG_KEYS = [
    "ebs.csi.aws.com/cluster",
    "ebs.csi.aws.com/cluster-name",
    "kubernetes.io/created-for/pvc/name",
]
_EBS_MIGRATED = {"StringLike": {"ec2:ResourceTag/kubernetes.io/created-for/pvc/name": "*"}}


def _ebs_csi(scope: Scope) -> list[Statement]:
    volumes = _regional(scope, "ec2", "volume/*")
    copy_sources = _regional(scope, "ec2", "volume/vol-*")
    snapshots = _regional(scope, "ec2", "snapshot/*", in_account=False)
    instances = _regional(scope, "ec2", "instance/*")
    cluster = scope["cluster_tag_id"]
    # The driver tags what it creates ebs.csi.aws.com/cluster=true, and with --k8s-tag-cluster-id also
    # ebs.csi.aws.com/cluster-name=<id>: that tag scopes the policy to one cluster (AWS's cluster-scoped policy).
    key, value = ("ebs.csi.aws.com/cluster-name", cluster[0]) if cluster else ("ebs.csi.aws.com/cluster", "true")
    owned: Condition = {"StringEquals": {f"ec2:ResourceTag/{key}": value}}
    creating: Condition = {"StringEquals": {f"aws:RequestTag/{key}": value}}
    manage = ["ec2:ModifyVolume", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DeleteVolume"]

    statements = [
        # EC2 Describe calls have no resource-level permissions.
        allow(
            "Describe",
            [
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeSnapshots",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
                "ec2:DescribeVolumeStatus",
            ],
            ANY,
        ),
        allow("CreateOwnedVolumes", ["ec2:CreateVolume", "ec2:CopyVolumes"], volumes, creating),
        allow("CopyOwnedVolumes", ["ec2:CopyVolumes"], copy_sources, owned),
        allow("CreateOwnedSnapshots", ["ec2:CreateSnapshot"], snapshots, creating),
        allow("SnapshotOwnedVolumes", ["ec2:CreateSnapshot"], volumes, owned),
        allow("ManageOwnedVolumes", manage, volumes, owned),
        allow("VolumesFromOwnedSnapshots", ["ec2:CreateVolume", "ec2:EnableFastSnapshotRestores"], snapshots, owned),
        allow("DeleteAndLockOwnedSnapshots", ["ec2:DeleteSnapshot", "ec2:LockSnapshot"], snapshots, owned),
        allow(
            "TagOnCreate",
            ["ec2:CreateTags"],
            [*volumes, *snapshots],
            {"StringEquals": {"ec2:CreateAction": ["CreateVolume", "CreateSnapshot", "CopyVolumes"]}},
        ),
        # VolumeAttributesClass tag changes (cloud.go ModifyTags) on the driver's volumes; never its own tags.
        allow(
            "ModifyTagsOfOwnedVolumes",
            ["ec2:CreateTags", "ec2:DeleteTags"],
            volumes,
            {
                **owned,
                "Null": {"aws:TagKeys": "false"},
                "ForAllValues:StringNotEquals": {"aws:TagKeys": _EBS_PROTECTED_TAG_KEYS},
            },
        ),
    ]
    if cluster:
        # Instances of this cluster: EKS managed node groups tag eks:cluster-name, Karpenter and EKS Auto Mode
        # eks:eks-cluster-name; others can be tagged ebs.csi.aws.com/cluster-name by hand.
        for sid, tag in (
            ("AttachToNodeGroupInstances", "eks:cluster-name"),
            ("AttachToKarpenterInstances", "eks:eks-cluster-name"),
            ("AttachToTaggedInstances", "ebs.csi.aws.com/cluster-name"),
        ):
            statements.append(
                allow(
                    sid,
                    ["ec2:AttachVolume", "ec2:DetachVolume"],
                    instances,
                    {"StringEquals": {f"ec2:ResourceTag/{tag}": value}},
                )
            )
    else:
        statements += [
            # Volumes the in-tree plugin created before CSI migration carry only the PVC tag.
            allow("CopyMigratedVolumes", ["ec2:CopyVolumes"], copy_sources, _EBS_MIGRATED),
            allow("ManageMigratedVolumes", manage, volumes, _EBS_MIGRATED),
            allow("AttachToInstances", ["ec2:AttachVolume", "ec2:DetachVolume"], instances),
        ]
    if scope.flag("unmanaged_volumes"):
        # Statically provisioned volumes and snapshots the driver did not tag (AmazonEBSCSIDriverPolicy's reach).
        statements += [
            allow(
                "ManageUnmanagedVolumes",
                ["ec2:ModifyVolume", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:CreateSnapshot"],
                volumes,
            ),
            allow("CopyUnmanagedVolumes", ["ec2:CopyVolumes"], copy_sources),
            allow("VolumesFromUnmanagedSnapshots", ["ec2:CreateVolume", "ec2:EnableFastSnapshotRestores"], snapshots),
            allow(
                "DeleteNamedVolumes",
                ["ec2:DeleteVolume"],
                volumes,
                {"StringLike": {"ec2:ResourceTag/CSIVolumeName": "*"}},
            ),
            allow(
                "DeleteAndLockNamedSnapshots",
                ["ec2:DeleteSnapshot", "ec2:LockSnapshot"],
                snapshots,
                {"StringLike": {"ec2:ResourceTag/CSIVolumeSnapshotName": "*"}},
            ),
        ]
    if keys := scope["kms_key_arns"]:
        statements += _kms_for_ebs(scope, keys)
    return statements


EBS_CSI = Addon(
    name="ebs-csi",
    description="Amazon EBS CSI driver: dynamic EBS volumes and snapshots.",
    namespace="kube-system",
    service_account="ebs-csi-controller-sa",
    chart="EKS add-on aws-ebs-csi-driver / aws-ebs-csi-driver/aws-ebs-csi-driver",
    source=records.source("ebs-csi"),
    build=_ebs_csi,
    inputs=(
        _KMS_KEYS,
        ScopeInput(
            "cluster_tag_id",
            kinds.TAG_VALUE,
            "The driver's controller.k8sTagClusterId (usually the cluster name): then the driver may touch only "
            "volumes, snapshots and instances tagged for this cluster (AWS's AmazonEBSCSIDriverEKSClusterScopedPolicy)",
            multiple=False,
        ),
        ScopeInput(
            "unmanaged_volumes",
            kinds.FLAG,
            "Also manage statically provisioned volumes and snapshots without the driver's tags "
            "(the reach of AmazonEBSCSIDriverPolicy)",
            default=False,
        ),
        _REGIONS,
    ),
    managed_policies=("service-role/AmazonEBSCSIDriverPolicy",),
    chart_values=(
        ChartValue(
            "controller.k8sTagClusterId",
            "the value of `cluster_tag_id`",
            "only with it does the driver tag volumes and snapshots ebs.csi.aws.com/cluster-name, the tag the "
            "cluster-scoped policy requires",
            lambda scope: scope.first("cluster_tag_id") if scope["cluster_tag_id"] else None,
        ),
    ),
    tighter=(
        "Follows AmazonEBSCSIDriverPolicyV2: the driver manages only volumes and snapshots tagged "
        "`ebs.csi.aws.com/cluster=true` (or, with `cluster_tag_id`, this cluster's `ebs.csi.aws.com/cluster-name`) "
        "and CSI-migrated volumes; `unmanaged_volumes` widens it to untagged static volumes.",
        "KMS permissions are limited to the given keys and to requests EC2 makes on the role's behalf, in each "
        "key's own region (`kms:ViaService` = `ec2.<key region>.<partition DNS suffix>`).",
        "All ARNs are limited to the role's account and to the role's region (or `regions`) when given.",
    ),
    notes=(
        'The custom policy follows AmazonEBSCSIDriverPolicyV2; `policy="managed"` attaches the broader '
        "AmazonEBSCSIDriverPolicy (available in every partition).",
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
    statements = [
        # DescribeAvailabilityZones has no resource-level permissions (efs-utils on the node resolves AZ IDs).
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
    if scope.flag("iam_mounts"):
        client = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
        if scope.flag("iam_mounts_root_access"):
            client.append("elasticfilesystem:ClientRootAccess")
        # efs-utils on the node (efs-csi-node-sa) authenticates mounts with the 'iam' mount option.
        statements.append(allow("IamMounts", client, file_systems))
    return statements


EFS_CSI = Addon(
    name="efs-csi",
    description="Amazon EFS CSI driver: EFS volumes, dynamic provisioning with access points.",
    namespace="kube-system",
    service_account="efs-csi-controller-sa",
    extra_service_accounts=("efs-csi-node-sa",),
    chart="EKS add-on aws-efs-csi-driver / aws-efs-csi-driver/aws-efs-csi-driver",
    source=records.source("efs-csi"),
    build=_efs_csi,
    inputs=(
        ScopeInput(
            "file_system_arns",
            kinds.EFS_FILE_SYSTEM,
            "The file systems StorageClasses and PersistentVolumes name (in any region or account)",
            required=True,
        ),
        ScopeInput(
            "iam_mounts",
            kinds.FLAG,
            "Volumes mount with IAM authorization (mountOptions: [iam], or a file system policy that requires it): "
            "grant ClientMount and ClientWrite on the file systems",
            default=False,
        ),
        ScopeInput(
            "iam_mounts_root_access",
            kinds.FLAG,
            "With iam_mounts, also ClientRootAccess (root is squashed without it)",
            default=False,
        ),
    ),
    managed_policies=("service-role/AmazonEFSCSIDriverPolicy",),
    tighter=(
        "Describe calls and access point creation are limited to the given file systems (upstream: `*`).",
        "Access points are limited to the file systems' regions and accounts; tagging is allowed only while "
        "creating an access point.",
        "Amazon S3 Files volumes (`s3files:` volume handles) are not covered: AWS's authorization data used to "
        "check the documents has no `s3files` service yet.",
    ),
    notes=(
        "The node service account (efs-csi-node-sa) is trusted too: efs-utils describes mount targets and, with "
        "`iam_mounts`, authenticates mounts.",
    ),
)

# --------------------------------------------------------------------------------------------------
# Amazon FSx for Lustre and for OpenZFS CSI drivers
# --------------------------------------------------------------------------------------------------

_FSX_VPC_READS = [
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "ec2:GetSecurityGroupsForVpc",
]
_VIA_FSX: Condition = {"ForAnyValue:StringEquals": {"aws:CalledVia": ["fsx.amazonaws.com"]}}
_FSX_WILDCARDS = (
    (
        "ec2:GetSecurityGroupsForVpc",
        "FSx calls it with the role's permissions (aws:CalledVia fsx) for the VPC of the StorageClass's subnets, "
        "which another account may own (shared VPC); read-only",
    ),
)


def _fsx_service_linked_role(scope: Scope) -> Statement:
    return allow(
        "CreateFsxServiceLinkedRole",
        ["iam:CreateServiceLinkedRole"],
        scope.arn("iam", "role/aws-service-role/fsx.amazonaws.com/*", regional=False),
        {"StringEquals": {"iam:AWSServiceName": "fsx.amazonaws.com"}},
    )


def _fsx_vpc_reads(extra: tuple[str, ...] = ()) -> Statement:
    # Read-only VPC lookups FSx makes with the caller's permissions while it creates a file system (AWS's
    # AmazonFSxFullAccess grants them only via FSx); no resource-level permissions except the VPC one above.
    return allow("FsxVpcLookups", [*_FSX_VPC_READS, *extra], ANY, _VIA_FSX)


def _fsx_lustre_csi(scope: Scope) -> list[Statement]:
    file_systems = _regional(scope, "fsx", "file-system/*")
    statements = [
        _fsx_service_linked_role(scope),
        # DescribeFileSystems has no resource-level permissions.
        allow("DescribeFileSystems", ["fsx:DescribeFileSystems"], ANY),
        allow("CreateFileSystems", ["fsx:CreateFileSystem", "fsx:TagResource"], file_systems),
        allow("ManageFileSystems", ["fsx:UpdateFileSystem", "fsx:DeleteFileSystem"], file_systems),
        allow("FinalBackups", ["fsx:DeleteFileSystem"], _regional(scope, "fsx", "backup/*")),
        _fsx_vpc_reads(),
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
    source=records.source("fsx-lustre-csi"),
    build=_fsx_lustre_csi,
    managed_policies=("AmazonFSxFullAccess",),
    inputs=(
        ScopeInput(
            "s3_bucket_arns",
            kinds.BUCKET,
            "S3 buckets linked as data repositories (s3ImportPath/s3ExportPath); omit without S3 integration",
        ),
        _REGIONS,
    ),
    wildcard_resources=_FSX_WILDCARDS,
    tighter=(
        "S3 and the S3 data-repository service-linked role are granted only when data-repository buckets are "
        "given, and `s3:ListBucket` only on those buckets (upstream: every bucket).",
        "`iam:CreateServiceLinkedRole` is limited to the FSx service-linked role path.",
        "The AWS managed alternative the driver's docs recommend, AmazonFSxFullAccess, is far broader (opt in with "
        '`policy="managed"`).',
        "FSx actions are limited to file systems (and backups for deletion) in the role's account and region "
        "(or `regions`).",
    ),
)


def _fsx_openzfs_csi(scope: Scope) -> list[Statement]:
    file_systems = _regional(scope, "fsx", "file-system/*")
    volumes = _regional(scope, "fsx", "volume/*/*")
    snapshots = _regional(scope, "fsx", "snapshot/*/*")
    backups = _regional(scope, "fsx", "backup/*")
    statements = [
        _fsx_service_linked_role(scope),
        # FSx Describe calls have no resource-level permissions.
        allow("Describe", ["fsx:DescribeFileSystems", "fsx:DescribeVolumes", "fsx:DescribeSnapshots"], ANY),
        allow("FileSystems", ["fsx:CreateFileSystem", "fsx:UpdateFileSystem", "fsx:DeleteFileSystem"], file_systems),
        allow(
            "VolumesAndSnapshots",
            ["fsx:CreateVolume", "fsx:DeleteVolume", "fsx:CreateSnapshot", "fsx:DeleteSnapshot"],
            [*volumes, *snapshots],
        ),
        allow("FinalBackups", ["fsx:DeleteFileSystem", "fsx:DeleteVolume"], backups),
        # Tags the driver sets at creation (its deletion parameters live in tags), and reads back before deletion.
        allow("TagOnCreate", ["fsx:TagResource"], [*file_systems, *volumes, *snapshots, *backups]),
        allow("ReadDeletionTags", ["fsx:ListTagsForResource"], [*file_systems, *volumes]),
        _fsx_vpc_reads(("ec2:DescribeRouteTables",)),
        # Multi-AZ file systems: FSx tags the route tables it manages, with the caller's permissions.
        allow(
            "FsxTagsRouteTables",
            ["ec2:CreateTags"],
            _regional(scope, "ec2", "route-table/*", in_account=False),
            {**_VIA_FSX, "StringEquals": {"aws:RequestTag/AmazonFSx": "ManagedByAmazonFSx"}},
        ),
    ]
    if scope.flag("final_backups"):
        statements.append(allow("CreateFinalBackups", ["fsx:CreateBackup"], [*backups, *file_systems, *volumes]))
    return statements


FSX_OPENZFS_CSI = Addon(
    name="fsx-openzfs-csi",
    description="Amazon FSx for OpenZFS CSI driver: file systems, volumes and snapshots.",
    namespace="kube-system",
    service_account="fsx-openzfs-csi-controller-sa",
    chart="aws-fsx-openzfs-csi-driver/aws-fsx-openzfs-csi-driver",
    source=records.source("fsx-openzfs-csi"),
    build=_fsx_openzfs_csi,
    inputs=(
        ScopeInput(
            "final_backups",
            kinds.FLAG,
            "StorageClasses set SkipFinalBackupOnDeletion: 'false': FSx then backs the file system up when the "
            "driver deletes it, which needs fsx:CreateBackup",
            default=False,
        ),
        _REGIONS,
    ),
    wildcard_resources=_FSX_WILDCARDS,
    tighter=(
        "FSx actions are limited to file systems, volumes, snapshots and backups in the role's account and region "
        "(or `regions`) (upstream: `*`); tags only on those, and read back only from file systems and volumes.",
        "`iam:CreateServiceLinkedRole` is limited to the FSx service-linked role; `iam:AttachRolePolicy` and "
        "`iam:PutRolePolicy` on it are dropped (IAM refuses them on service-linked roles).",
    ),
)

# --------------------------------------------------------------------------------------------------
# Mountpoint for Amazon S3 CSI driver
# --------------------------------------------------------------------------------------------------

_GENERAL_PURPOSE_BUCKETS = ScopeInput(
    "bucket_arns",
    kinds.BUCKET,
    "The general purpose buckets PersistentVolumes mount (bucketName)",
)


def _mountpoint_s3_csi(scope: Scope) -> list[Statement]:
    buckets = scope["bucket_arns"]
    directory_buckets = scope["directory_bucket_arns"]
    read_only = scope.flag("read_only")
    statements = []
    if buckets:
        object_actions = ["s3:GetObject"]
        if not read_only:
            object_actions += ["s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]
        statements += [
            allow("ListBuckets", ["s3:ListBucket"], buckets),
            allow("Objects", object_actions, scope["object_arns"] or objects_of(buckets)),
        ]
    if directory_buckets:
        # A session covers every object operation Mountpoint makes on the bucket (read-only is enforced by
        # Mountpoint's --read-only: it does not ask for ReadOnly sessions).
        statements.append(allow("DirectoryBucketSessions", ["s3express:CreateSession"], directory_buckets))
    if keys := scope["kms_key_arns"]:
        services = ["s3"] if buckets else []
        services += ["s3express"] if directory_buckets else []
        kms_actions = ["kms:Decrypt"] if read_only else ["kms:Decrypt", "kms:GenerateDataKey"]
        statements.append(allow("KmsForS3", kms_actions, keys, _kms_via(scope, keys, *services)))
    return statements


MOUNTPOINT_S3_CSI = Addon(
    name="mountpoint-s3-csi",
    description="Mountpoint for Amazon S3 CSI driver: S3 buckets as volumes.",
    namespace="kube-system",
    service_account="s3-csi-driver-sa",
    chart="EKS add-on aws-mountpoint-s3-csi-driver / aws-mountpoint-s3-csi-driver",
    source=records.source("mountpoint-s3-csi"),
    build=_mountpoint_s3_csi,
    inputs=(
        _GENERAL_PURPOSE_BUCKETS,
        ScopeInput(
            "directory_bucket_arns",
            kinds.DIRECTORY_BUCKET,
            "Directory buckets (S3 Express One Zone, …--x-s3) PersistentVolumes mount or use as shared cache "
            "(cache-xz), by ARN",
        ),
        ScopeInput(
            "object_arns",
            kinds.S3_OBJECTS,
            "Object ARN patterns to allow (e.g. a prefix the mount uses); default every object of bucket_arns",
        ),
        _KMS_KEYS,
        ScopeInput("read_only", kinds.FLAG, "Mounts are read-only: grant only reads", default=False),
    ),
    require_any=(("bucket_arns", "directory_bucket_arns"),),
    cross_checks=(_objects_in_buckets,),
    tighter=(
        "Bucket access requires the buckets (upstream Terraform falls back to every bucket, `arn:aws:s3:::*`).",
        "A read-only flag drops the write and delete actions on general purpose buckets; KMS use is limited to "
        "requests S3 makes in each key's region (`kms:ViaService`).",
        "Directory bucket names are refused as general purpose buckets: they get `s3express:CreateSession` on "
        "their own ARN instead.",
    ),
)

# --------------------------------------------------------------------------------------------------
# Velero
# --------------------------------------------------------------------------------------------------


def _velero(scope: Scope) -> list[Statement]:
    buckets = scope["bucket_arns"]
    keys = scope["kms_key_arns"]
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
    if keys:
        # Backup storage locations with kmsKeyId: S3 encrypts and decrypts objects with the role's permissions.
        statements.append(allow("KmsForS3", ["kms:Decrypt", "kms:GenerateDataKey"], keys, _kms_via(scope, keys, "s3")))
    if scope.flag("volume_snapshots"):
        volumes = _regional(scope, "ec2", "volume/*")
        snapshots = _regional(scope, "ec2", "snapshot/*", in_account=False)
        statements += [
            # EC2 Describe calls have no resource-level permissions.
            allow("Ec2Describe", ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], ANY),
            allow("Snapshots", ["ec2:CreateSnapshot"], [*volumes, *snapshots]),
            allow("Restores", ["ec2:CreateVolume"], [*volumes, *snapshots]),
            allow(
                "TagOnCreate",
                ["ec2:CreateTags"],
                [*volumes, *snapshots],
                {"StringEquals": {"ec2:CreateAction": ["CreateSnapshot", "CreateVolume"]}},
            ),
            allow("DeleteSnapshots", ["ec2:DeleteSnapshot"], snapshots),
        ]
        if keys:
            statements += _kms_for_ebs(scope, keys)
    return statements


VELERO = Addon(
    name="velero",
    description="Velero with velero-plugin-for-aws: backups to S3, EBS snapshots.",
    namespace="velero",
    service_account="velero-server",
    chart="vmware-tanzu/velero",
    source=records.source("velero"),
    build=_velero,
    inputs=(
        ScopeInput("bucket_arns", kinds.BUCKET, "The backup storage location buckets (in any region)", required=True),
        ScopeInput(
            "object_arns",
            kinds.S3_OBJECTS,
            "Object ARN patterns (the BackupStorageLocation prefix); default every object of the buckets",
        ),
        ScopeInput("volume_snapshots", kinds.FLAG, "Take EBS snapshots (VolumeSnapshotLocation)", default=True),
        _KMS_KEYS,
        ScopeInput(
            "regions",
            kinds.REGION,
            "Regions of the VolumeSnapshotLocations when not only the role's (config.region); default the role's "
            "region",
        ),
    ),
    tighter=(
        "EC2 actions are limited to volumes and snapshots of the role's account and region (or `regions`) "
        "(upstream: `*`); `ec2:CreateTags` only while creating a snapshot or volume (upstream: any resource, any "
        "time).",
        "Without volume snapshots (`volume_snapshots: false`), no EC2 permission at all.",
        "KMS only through S3 and EC2 in each key's region (`kms:ViaService`), grants only for AWS resources.",
    ),
    cross_checks=(_objects_in_buckets,),
    chart_values=(
        ChartValue(
            "credentials.useSecret",
            "`false`",
            "the chart's default mounts a secret with static keys, which would be used instead of the role",
            lambda scope: False,
        ),
        ChartValue(
            "configuration.backupStorageLocation[].bucket",
            "the bucket names of `bucket_arns`",
            "the role may use no other bucket",
            lambda scope: _bucket_names(scope),
        ),
        ChartValue(
            "snapshotsEnabled",
            "`false` when `volume_snapshots` is false",
            "without EC2 permissions a VolumeSnapshotLocation makes every volume snapshot fail",
            lambda scope: None if scope.flag("volume_snapshots") else False,
        ),
        ChartValue(
            "configuration.volumeSnapshotLocation[].config.region",
            "the role's region, or one of `regions`",
            "snapshots and volumes are allowed only in these regions",
            lambda scope: _snapshot_regions(scope),
        ),
    ),
)


def _bucket_names(scope: Scope) -> ChartSetting:
    names = [arn.rsplit(":", 1)[1] for arn in scope["bucket_arns"]]
    return names[0] if len(names) == 1 else names


def _snapshot_regions(scope: Scope) -> ChartSetting | None:
    if not scope.flag("volume_snapshots"):
        return None
    regions = list(scope["regions"]) or ([scope.region] if scope.region else [])
    if not regions:
        return None
    return regions[0] if len(regions) == 1 else regions
