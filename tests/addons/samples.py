"""Sample scope values for every scope kind, in every partition the tests build for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from irsa_components.addons import CATALOGUE, Addon, ScopeInput, kinds

ACCOUNT = "111122223333"


@dataclass(frozen=True)
class Place:
    partition: str
    region: str


PLACES = (
    Place("aws", "eu-west-1"),
    Place("aws-cn", "cn-north-1"),
    Place("aws-us-gov", "us-gov-west-1"),
)


def sample_values(kind: kinds.ScopeKind, place: Place) -> Any:
    """Valid values of ``kind`` in ``place`` (a list, or True for flags)."""
    p, r, a = place.partition, place.region, ACCOUNT
    samples: dict[str, Any] = {
        "hosted-zone": ["Z0123456789ABCDEFGHIJ", f"arn:{p}:route53:::hostedzone/Z9876543210ZYXWVUTSRQ"],
        "cluster-name": ["prod-1"],
        "s3-bucket": ["backups-bucket-1", f"arn:{p}:s3:::data-bucket-2"],
        "s3-object-arn": [f"arn:{p}:s3:::backups-bucket-1/cluster/*"],
        "kms-key-arn": [f"arn:{p}:kms:{r}:{a}:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
        "ssm-parameter-arn": [f"arn:{p}:ssm:{r}:{a}:parameter/app/prod/*"],
        "secret-arn": [f"arn:{p}:secretsmanager:{r}:{a}:secret:app/prod/db-??????"],
        "sqs-queue-arn": [f"arn:{p}:sqs:{r}:{a}:events-queue"],
        "iam-role-arn": [f"arn:{p}:iam::{a}:role/KarpenterNodeRole-prod-1"],
        "vpc-id": ["vpc-0123456789abcdef0"],
        "aps-workspace-arn": [f"arn:{p}:aps:{r}:{a}:workspace/ws-12345678-abcd-1234-abcd-123456789012"],
        "private-ca-arn": [f"arn:{p}:acm-pca:{r}:{a}:certificate-authority/12345678-1234-1234-1234-123456789012"],
        "private-ca-template": ["EndEntityServerAuthCertificate/V1", "SubordinateCACertificate_PathLen0/V1"],
        "efs-file-system-arn": [f"arn:{p}:elasticfilesystem:{r}:{a}:file-system/fs-0123456789abcdef0"],
        "target-group-arn": [f"arn:{p}:elasticloadbalancing:{r}:{a}:targetgroup/app-tg/0123456789abcdef"],
        "log-group-arn": [f"arn:{p}:logs:{r}:{a}:log-group:/aws/eks/prod-1/*"],
        "dns-name-pattern": ["*.apps.example.com"],
        "tag-key": ["team/managed"],
        "tag-value": ["prod-1"],
        "access-log-destination-arn": [
            f"arn:{p}:s3:::access-logs-bucket",
            f"arn:{p}:logs:{r}:{a}:log-group:lattice-access",
            f"arn:{p}:firehose:{r}:{a}:deliverystream/lattice-access",
        ],
        "s3-directory-bucket-arn": [f"arn:{p}:s3express:{r}:{a}:bucket/cache--{r.split('-')[0]}1-az1--x-s3"],
        "region": [r],
        "flag": True,
        "account-id": ["444455556666"],
    }
    return samples[kind.name]


def full_scope(addon: Addon, place: Place) -> dict[str, Any]:
    """Every input given (flags on), exercising every statement the builder can emit."""
    return {i.name: sample_values(i.kind, place) for i in addon.inputs}


def minimal_scope(addon: Addon, place: Place) -> dict[str, Any]:
    """Only what is required: required inputs, plus the first input of each require_any group."""
    scope = {i.name: sample_values(i.kind, place) for i in addon.required_inputs}
    for group in addon.require_any:
        if not any(name in scope for name in group):
            scope[group[0]] = sample_values(addon.input(group[0]).kind, place)
    return scope


class Identity(TypedDict, total=False):
    namespace: str
    service_account: str


def kubernetes_identity(addon: Addon) -> Identity:
    """Namespace and service account overrides for add-ons that run as the workload's own account."""
    if addon.namespace is None or addon.service_account is None:
        return {"namespace": "payments", "service_account": "payments-api"}
    return {}


def scope_variants(addon: Addon, place: Place) -> list[dict[str, Any]]:
    variants = [full_scope(addon, place), minimal_scope(addon, place)]
    flags: list[ScopeInput] = [i for i in addon.inputs if i.kind.flag]
    if flags:  # every flag off (where allowed), to build the leanest documents too
        lean = {**minimal_scope(addon, place), **{f.name: False for f in flags}}
        for group in addon.require_any:
            if not any(lean.get(n) for n in group):
                first = addon.input(group[0])
                lean[first.name] = sample_values(first.kind, place)
        variants.append(lean)
    return variants


ALL_ADDONS = tuple(CATALOGUE.values())
CUSTOM_ADDONS = tuple(a for a in ALL_ADDONS if a.build is not None)
