"""Partition-aware ARN parsing, validation and construction."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Partitions whose IAM/EKS ARNs this library builds and accepts.
PARTITIONS: tuple[str, ...] = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
)

# Region name prefixes that select a partition other than "aws" (longest prefix wins).
_REGION_PARTITIONS: tuple[tuple[str, str], ...] = (
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
    ("eusc-", "aws-eusc"),
)

ACCOUNT_RE = re.compile(r"^[0-9]{12}\Z")
REGION_RE = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-[0-9]\Z")
_ARN_RE = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)\Z"
)


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(value: str) -> Arn:
    """Parse an ARN; raise ValueError saying what is wrong."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    match = _ARN_RE.match(value)
    if not match:
        raise ValueError("is not an ARN (expected arn:<partition>:<service>:<region>:<account>:<resource>)")
    arn = Arn(**match.groupdict())
    if arn.partition not in PARTITIONS:
        raise ValueError(f"has unknown partition {arn.partition!r} (expected one of {', '.join(PARTITIONS)})")
    return arn


def literal_partition(value: object) -> str | None:
    """The partition of an ARN written out literally; None for anything else (``*``, ``arn:*:...``, variables)."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 2)
    partition = parts[1] if len(parts) == 3 else ""
    return partition if partition in PARTITIONS else None  # others: not an ARN (parse_arn says so)


def partition_for_region(region: str) -> str:
    for prefix, partition in _REGION_PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


def region_problem(region: str) -> str | None:
    if not isinstance(region, str) or not REGION_RE.match(region):
        return "is not an AWS region name (e.g. eu-west-1)"
    return None


def account_problem(account: str) -> str | None:
    if not isinstance(account, str) or not ACCOUNT_RE.match(account):
        return "is not a 12-digit AWS account ID"
    return None


# The shape of an IAM OIDC provider ARN, whatever the account field holds (a resolved value, or the
# offline plan's placeholder): what trust analysis needs to tell a provider from any other principal.
OIDC_PROVIDER_ARN_SHAPE = re.compile(r"^arn:[a-z-]+:iam::[^:\s]+:oidc-provider/\S+\Z")


def _iam_arn_problem(value: str, resource_prefix: str, *, allow_aws_account: bool = False) -> str | None:
    try:
        arn = parse_arn(value)
    except ValueError as exc:
        return str(exc)
    if arn.service != "iam":
        return f"is not an IAM ARN (service is {arn.service!r})"
    if arn.region:
        return "must not name a region (IAM ARNs are global)"
    if not (ACCOUNT_RE.match(arn.account) or (allow_aws_account and arn.account == "aws")):
        return f"has an invalid account {arn.account!r} (expected 12 digits)"
    if not arn.resource.startswith(resource_prefix) or len(arn.resource) == len(resource_prefix):
        return f"is not an IAM {resource_prefix.rstrip('/')} ARN (resource must start with {resource_prefix!r})"
    return None


def policy_arn_problem(value: str) -> str | None:
    """Problem with a managed policy ARN (AWS managed or customer managed), or None."""
    return _iam_arn_problem(value, "policy/", allow_aws_account=True)


def role_arn_problem(value: str) -> str | None:
    return _iam_arn_problem(value, "role/")


def oidc_provider_arn_problem(value: str) -> str | None:
    return _iam_arn_problem(value, "oidc-provider/")


def eks_cluster_arn_problem(value: str) -> str | None:
    try:
        arn = parse_arn(value)
    except ValueError as exc:
        return str(exc)
    if arn.service != "eks" or not arn.resource.startswith("cluster/"):
        return "is not an EKS cluster ARN (arn:<partition>:eks:<region>:<account>:cluster/<name>)"
    if not ACCOUNT_RE.match(arn.account):
        return f"has an invalid account {arn.account!r} (expected 12 digits)"
    return None


def iam_role_arn(partition: str, account: str, name: str, path: str = "/") -> str:
    return f"arn:{partition}:iam::{account}:role{path}{name}"


def oidc_provider_arn(partition: str, account: str, issuer_host: str) -> str:
    return f"arn:{partition}:iam::{account}:oidc-provider/{issuer_host}"


def eks_cluster_arn(partition: str, region: str, account: str, cluster_name: str) -> str:
    return f"arn:{partition}:eks:{region}:{account}:cluster/{cluster_name}"


def aws_managed_policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


def partition_of(arn: str) -> str:
    return parse_arn(arn).partition


def account_of(arn: str) -> str:
    return parse_arn(arn).account


_EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]*\Z")


def eks_cluster_name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > 100 or not _EKS_CLUSTER_NAME.match(name):
        return "is not an EKS cluster name (1-100 letters, digits, '-' and '_', starting alphanumeric)"
    return None
