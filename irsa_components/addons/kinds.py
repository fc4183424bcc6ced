"""Kinds of scope input an add-on takes, each with its validator and normaliser.

A kind turns one value a user wrote (an ARN, an ID, a name) into the canonical form the policy
builders use (usually an ARN in the caller's partition), or says what is wrong with it. Plain data
and functions: no Pulumi, no AWS calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..core.arns import (
    ACCOUNT_RE,
    REGION_RE,
    Arn,
    account_problem,
    eks_cluster_name_problem,
    parse_arn,
    partition_for_region,
    region_problem,
    role_arn_problem,
)

Normaliser = Callable[[str, str], "tuple[str | None, str | None]"]
"""(value, partition) -> (normalised value, None) or (None, problem)."""

_WILDCARDS = re.compile(r"[*?]")


@dataclass(frozen=True)
class ScopeKind:
    """What a scope input holds (shown in errors and docs) and how to check and normalise it."""

    name: str
    """Short identifier, e.g. ``hosted-zone``."""
    description: str
    """What the user writes, e.g. 'Route 53 hosted zone ARN or ID (Z...)'."""
    normalise: Normaliser
    flag: bool = False
    """A boolean switch rather than a list of strings."""

    def __repr__(self) -> str:  # keeps dataclass reprs of add-ons readable
        return f"ScopeKind({self.name!r})"


def _arn_normaliser(
    service: str,
    resource: str,
    *,
    regional: bool = True,
    in_account: bool = True,
    wildcard_resource: bool = False,
    example: str,
) -> Normaliser:
    """Accept ARNs of ``service`` whose resource part matches ``resource`` (a regex)."""
    resource_re = re.compile(resource)

    def normalise(value: str, partition: str) -> tuple[str | None, str | None]:
        try:
            arn = parse_arn(value)
        except ValueError as exc:
            return None, f"{exc} (e.g. {example})"
        problem = _arn_problem(arn, service, partition, regional=regional, in_account=in_account)
        if problem:
            return None, problem
        if not wildcard_resource and _WILDCARDS.search(arn.resource):
            return None, "must name one resource exactly (no '*' or '?')"
        if not resource_re.fullmatch(arn.resource):
            return None, f"has an unexpected resource part {arn.resource!r} (e.g. {example})"
        return str(arn), None

    return normalise


def _arn_problem(arn: Arn, service: str, partition: str, *, regional: bool, in_account: bool) -> str | None:
    if arn.service != service:
        return f"is not a {service} ARN (service is {arn.service!r})"
    if arn.partition != partition:
        return f"is in partition {arn.partition!r}, but the role is in {partition!r}"
    if regional and not REGION_RE.match(arn.region):
        return f"must name a region (got {arn.region!r}; no wildcards)"
    if not regional and arn.region:
        return f"must not name a region ({service} ARNs are global)"
    if in_account and not ACCOUNT_RE.match(arn.account):
        return f"must name a 12-digit account (got {arn.account!r}; no wildcards)"
    if not in_account and arn.account:
        return f"must not name an account ({service} ARNs of this kind have none)"
    return None


def _hosted_zone(value: str, partition: str) -> tuple[str | None, str | None]:
    if re.fullmatch(r"Z[A-Z0-9]{1,32}", value):
        return f"arn:{partition}:route53:::hostedzone/{value}", None
    return _arn_normaliser(
        "route53",
        r"hostedzone/Z[A-Z0-9]{1,32}",
        regional=False,
        in_account=False,
        example="Z0123456789ABCDEFGHIJ or arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
    )(value, partition)


_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")

# Directory buckets (S3 Express One Zone) are named <base>--<zone id>--x-s3; S3 reserves the suffix, so no
# general purpose bucket has it. They are authorised by s3express:CreateSession on their own regional ARN.
_DIRECTORY_SUFFIX = "--x-s3"
_DIRECTORY_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9-]*--[a-z0-9]+(-[a-z0-9]+)*--x-s3")
_NOT_GENERAL_PURPOSE = (
    "names an S3 directory bucket (…--x-s3), not a general purpose bucket: s3: permissions do nothing there, "
    "directory buckets need s3express:CreateSession on arn:<partition>:s3express:<region>:<account>:bucket/<name> "
    "(add-ons that support them take them in directory_bucket_arns)"
)


def _general_purpose(normalise: Normaliser) -> Normaliser:
    """Refuse directory bucket names where a general purpose bucket (or its objects) is expected."""

    def checked(value: str, partition: str) -> tuple[str | None, str | None]:
        normalised, problem = normalise(value, partition)
        if normalised is not None:
            bucket = normalised.split(":", 5)[-1].split("/", 1)[0]
            if bucket.endswith(_DIRECTORY_SUFFIX):
                return None, _NOT_GENERAL_PURPOSE
        return normalised, problem

    return checked


@_general_purpose
def _bucket(value: str, partition: str) -> tuple[str | None, str | None]:
    if _BUCKET_NAME.fullmatch(value):
        return f"arn:{partition}:s3:::{value}", None
    return _arn_normaliser(
        "s3",
        _BUCKET_NAME.pattern,
        regional=False,
        in_account=False,
        example="my-bucket or arn:aws:s3:::my-bucket",
    )(value, partition)


_DIRECTORY_BUCKET_ARN = _arn_normaliser(
    "s3express",
    "bucket/" + _DIRECTORY_BUCKET_NAME.pattern,
    example="arn:aws:s3express:eu-west-1:111122223333:bucket/data--euw1-az1--x-s3",
)


def _directory_bucket(value: str, partition: str) -> tuple[str | None, str | None]:
    if not value.startswith("arn:"):
        if _DIRECTORY_BUCKET_NAME.fullmatch(value):
            return None, (
                f"give the directory bucket's ARN (arn:{partition}:s3express:<region>:<account>:bucket/{value}): "
                "its name does not say its region or account"
            )
        return (
            None,
            "is not a directory bucket ARN "
            "(arn:<partition>:s3express:<region>:<account>:bucket/<name>--<zone id>--x-s3)",
        )
    normalised, problem = _DIRECTORY_BUCKET_ARN(value, partition)
    if normalised is not None and len(normalised.rsplit("/", 1)[1]) > 63:
        return None, "names a bucket longer than 63 characters"
    return normalised, problem


def _region(value: str, partition: str) -> tuple[str | None, str | None]:
    problem = region_problem(value)
    if problem:
        return None, problem
    if partition_for_region(value) != partition:
        return None, f"is in partition {partition_for_region(value)!r}, but the role is in {partition!r}"
    return value, None


def _cluster_name(value: str, partition: str) -> tuple[str | None, str | None]:
    problem = eks_cluster_name_problem(value)
    return (None, problem) if problem else (value, None)


def _role_arn(value: str, partition: str) -> tuple[str | None, str | None]:
    problem = role_arn_problem(value)
    if problem:
        return None, problem
    if parse_arn(value).partition != partition:
        return None, f"is in partition {parse_arn(value).partition!r}, but the role is in {partition!r}"
    return value, None


def _vpc_id(value: str, partition: str) -> tuple[str | None, str | None]:
    if re.fullmatch(r"vpc-[0-9a-f]{8}([0-9a-f]{9})?", value):
        return value, None
    return None, "is not a VPC ID (vpc- followed by 8 or 17 hex digits)"


_DNS_PATTERN = re.compile(r"[a-z0-9_*?-]+(\.[a-z0-9_*?-]+)*")


def _dns_pattern(value: str, partition: str) -> tuple[str | None, str | None]:
    if value != value.lower() or value.endswith(".") or not _DNS_PATTERN.fullmatch(value):
        return None, (
            "is not a Route 53 normalised record name pattern (lowercase, no trailing dot, '*' and '?' allowed; "
            "e.g. '*.example.com')"
        )
    return value, None


_TAG_KEY = re.compile(r"[\w .:/=+@-]{1,128}")


def _tag_key(value: str, partition: str) -> tuple[str | None, str | None]:
    if value.lower().startswith("aws:") or not _TAG_KEY.fullmatch(value) or _WILDCARDS.search(value):
        return None, "is not a tag key (1-128 letters, digits, spaces and _.:/=+-@; no 'aws:' prefix, no wildcards)"
    return value, None


def _tag_value(value: str, partition: str) -> tuple[str | None, str | None]:
    if not value or len(value) > 256 or _WILDCARDS.search(value):
        return None, "must be a literal tag value of 1-256 characters"
    return value, None


def _access_log_destination(value: str, partition: str) -> tuple[str | None, str | None]:
    for normalise in (_S3_BUCKET_ARN_STRICT, _LOG_GROUP_DESTINATION, _FIREHOSE_STREAM):
        normalised, _ = normalise(value, partition)
        if normalised:
            return normalised, None
    return None, (
        "is not an access log destination (an S3 bucket ARN, a CloudWatch Logs log group ARN or a Firehose "
        "delivery stream ARN)"
    )


def _account_id(value: str, partition: str) -> tuple[str | None, str | None]:
    problem = account_problem(value)
    return (None, problem) if problem else (value, None)


def _flag(value: str, partition: str) -> tuple[str | None, str | None]:  # pragma: no cover - flags bypass this
    return value, None


_S3_BUCKET_ARN_STRICT = _arn_normaliser(
    "s3", _BUCKET_NAME.pattern, regional=False, in_account=False, example="arn:aws:s3:::my-bucket"
)
_LOG_GROUP_DESTINATION = _arn_normaliser(
    "logs", r"log-group:[\w#./-]{1,512}(:\*)?", example="arn:aws:logs:eu-west-1:111122223333:log-group:my-group"
)
_FIREHOSE_STREAM = _arn_normaliser(
    "firehose", r"deliverystream/[\w.-]{1,64}", example="arn:aws:firehose:eu-west-1:111122223333:deliverystream/s"
)

HOSTED_ZONE = ScopeKind("hosted-zone", "Route 53 hosted zone ID (Z...) or ARN", _hosted_zone)
CLUSTER_NAME = ScopeKind("cluster-name", "EKS cluster name", _cluster_name)
BUCKET = ScopeKind("s3-bucket", "S3 bucket name or ARN (arn:<partition>:s3:::<bucket>)", _bucket)
S3_OBJECTS = ScopeKind(
    "s3-object-arn",
    "S3 object ARN pattern (arn:<partition>:s3:::<bucket>/<prefix>*)",
    _general_purpose(
        _arn_normaliser(
            "s3",
            _BUCKET_NAME.pattern + r"/.+",
            regional=False,
            in_account=False,
            wildcard_resource=True,
            example="arn:aws:s3:::my-bucket/backups/*",
        )
    ),
)
DIRECTORY_BUCKET = ScopeKind(
    "s3-directory-bucket-arn",
    "S3 directory bucket ARN (arn:<partition>:s3express:<region>:<account>:bucket/<name>--<zone id>--x-s3)",
    _directory_bucket,
)
REGION = ScopeKind("region", "AWS region name in the role's partition, e.g. eu-west-1", _region)
KMS_KEY = ScopeKind(
    "kms-key-arn",
    "KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>)",
    _arn_normaliser(
        "kms",
        r"key/(mrk-)?[0-9a-f-]{32,36}",
        example="arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
)
_SSM_PARAMETER_ARN = _arn_normaliser(
    "ssm",
    r"parameter/[\w.*?/-]+",
    wildcard_resource=True,
    example="arn:aws:ssm:eu-west-1:111122223333:parameter/app/prod/*",
)


def _ssm_parameter(value: str, partition: str) -> tuple[str | None, str | None]:
    """Parameter ARNs drop the name's leading '/': ``parameter//app/x`` matches no parameter at all."""
    normalised, problem = _SSM_PARAMETER_ARN(value, partition)
    if normalised and ":parameter//" in normalised:
        return None, "repeats the name's leading '/' (the ARN of parameter /app/x is ...:parameter/app/x)"
    return normalised, problem


SSM_PARAMETER = ScopeKind(
    "ssm-parameter-arn",
    "SSM parameter ARN; '*' and '?' allowed in the name (arn:<partition>:ssm:<region>:<account>:parameter/<name>)",
    _ssm_parameter,
)
SECRET = ScopeKind(
    "secret-arn",
    "Secrets Manager secret ARN; '*' and '?' allowed in the name (…:secret:<name>-??????)",
    _arn_normaliser(
        "secretsmanager",
        r"secret:[\w/+=.@*?-]+",
        wildcard_resource=True,
        example="arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/prod/db-??????",
    ),
)
QUEUE = ScopeKind(
    "sqs-queue-arn",
    "SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<queue>)",
    _arn_normaliser("sqs", r"[\w-]{1,80}(\.fifo)?", example="arn:aws:sqs:eu-west-1:111122223333:my-queue"),
)
ROLE = ScopeKind("iam-role-arn", "IAM role ARN (arn:<partition>:iam::<account>:role/<name>)", _role_arn)
VPC = ScopeKind("vpc-id", "VPC ID (vpc-...)", _vpc_id)
APS_WORKSPACE = ScopeKind(
    "aps-workspace-arn",
    "Amazon Managed Service for Prometheus workspace ARN (…:aps:<region>:<account>:workspace/ws-…)",
    _arn_normaliser(
        "aps", r"workspace/ws-[\w-]+", example="arn:aws:aps:eu-west-1:111122223333:workspace/ws-12345678-abcd"
    ),
)
PRIVATE_CA = ScopeKind(
    "private-ca-arn",
    "AWS Private CA ARN (…:acm-pca:<region>:<account>:certificate-authority/<id>)",
    _arn_normaliser(
        "acm-pca",
        r"certificate-authority/[0-9a-f-]{36}",
        example="arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012",
    ),
)


def _pca_template(value: str, partition: str) -> tuple[str | None, str | None]:
    if re.fullmatch(r"[A-Za-z0-9_]{1,128}/V[0-9]{1,3}", value):
        return value, None
    return None, "is not an AWS Private CA template name (e.g. EndEntityCertificate/V1, without 'arn:...:template/')"


PCA_TEMPLATE = ScopeKind(
    "private-ca-template",
    "AWS Private CA template name, e.g. 'EndEntityServerAuthCertificate/V1'",
    _pca_template,
)
EFS_FILE_SYSTEM = ScopeKind(
    "efs-file-system-arn",
    "EFS file system ARN (…:elasticfilesystem:<region>:<account>:file-system/fs-…)",
    _arn_normaliser(
        "elasticfilesystem",
        r"file-system/fs-[0-9a-f]{8,40}",
        example="arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0",
    ),
)
TARGET_GROUP = ScopeKind(
    "target-group-arn",
    "ELBv2 target group ARN (…:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)",
    _arn_normaliser(
        "elasticloadbalancing",
        r"targetgroup/[\w-]{1,32}/[0-9a-f]{16}",
        example="arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/my-tg/0123456789abcdef",
    ),
)
_LOG_GROUP_ARN = _arn_normaliser(
    "logs",
    r"log-group:[\w#./*?-]{1,512}",
    wildcard_resource=True,
    example="arn:aws:logs:eu-west-1:111122223333:log-group:/aws/eks/my-cluster/*",
)


def _log_group(value: str, partition: str) -> tuple[str | None, str | None]:
    """Log group ARNs as DescribeLogGroups returns them end in ':*'; the policy builders add streams themselves."""
    return _LOG_GROUP_ARN(value.removesuffix(":*") if isinstance(value, str) else value, partition)


LOG_GROUP = ScopeKind(
    "log-group-arn",
    "CloudWatch Logs log group ARN; '*' allowed in the name (…:logs:<region>:<account>:log-group:<name>)",
    _log_group,
)
DNS_NAME_PATTERN = ScopeKind(
    "dns-name-pattern", "Route 53 normalised record name pattern, e.g. '*.example.com'", _dns_pattern
)
TAG_KEY = ScopeKind("tag-key", "Resource tag key", _tag_key)
TAG_VALUE = ScopeKind("tag-value", "Resource tag value", _tag_value)
ACCESS_LOG_DESTINATION = ScopeKind(
    "access-log-destination-arn",
    "S3 bucket, CloudWatch Logs log group or Firehose delivery stream ARN",
    _access_log_destination,
)
FLAG = ScopeKind("flag", "true or false", _flag, flag=True)
ACCOUNT_ID = ScopeKind("account-id", "12-digit AWS account ID", _account_id)
