"""Kubernetes names, service-account references and ServiceAccount manifests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# What EKS's pod identity webhook reads from a ServiceAccount.
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience"
STS_REGIONAL_ENDPOINTS_ANNOTATION = "eks.amazonaws.com/sts-regional-endpoints"
TOKEN_EXPIRATION_ANNOTATION = "eks.amazonaws.com/token-expiration"
MIN_TOKEN_EXPIRATION = 600  # the webhook raises anything lower to 600 seconds
WEBHOOK_ANNOTATIONS = (
    ROLE_ARN_ANNOTATION,
    AUDIENCE_ANNOTATION,
    STS_REGIONAL_ENDPOINTS_ANNOTATION,
    TOKEN_EXPIRATION_ANNOTATION,
)

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")

WILDCARD = "*"


def namespace_problem(namespace: object) -> str | None:
    """Namespaces are DNS-1123 labels: 1-63 lowercase alphanumerics or '-', alphanumeric at both ends."""
    if not isinstance(namespace, str) or not namespace:
        return "must be a non-empty string"
    if len(namespace) > 63:
        return f"is {len(namespace)} characters; a namespace is at most 63 (DNS-1123 label)"
    if not DNS1123_LABEL.match(namespace):
        return "is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending alphanumeric)"
    return None


def service_account_name_problem(name: object) -> str | None:
    """ServiceAccount names are DNS-1123 subdomains: at most 253 characters of dot-separated labels."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > 253:
        return f"is {len(name)} characters; a service account name is at most 253 (DNS-1123 subdomain)"
    if not _DNS1123_SUBDOMAIN.match(name):
        return "is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending alphanumeric)"
    return None


@dataclass(frozen=True, order=True)
class ServiceAccountRef:
    """A Kubernetes service account, ``namespace/name``; name ``*`` means every one in the namespace."""

    namespace: str
    name: str

    @property
    def subject(self) -> str:
        """The ``sub`` claim of this service account's projected token."""
        return f"system:serviceaccount:{self.namespace}:{self.name}"

    @property
    def is_wildcard(self) -> bool:
        return self.name == WILDCARD

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


def parse_service_account(value: object, *, allow_wildcard: bool = False) -> ServiceAccountRef:
    """Parse ``namespace/name``; raise ValueError saying what is wrong."""
    if not isinstance(value, str) or value.count("/") != 1:
        raise ValueError("must be 'namespace/name'")
    namespace, name = value.split("/")
    problem = namespace_problem(namespace)
    if problem:
        raise ValueError(f"namespace {namespace!r} {problem}")
    if name == WILDCARD:
        if not allow_wildcard:
            raise ValueError(
                "is a wildcard; every service account of the namespace could assume the role. "
                "Set allow_wildcard_service_accounts to opt in"
            )
        return ServiceAccountRef(namespace, name)
    if "*" in name or "?" in name:
        raise ValueError("may use a wildcard only as the whole name ('namespace/*'), never a prefix or pattern")
    problem = service_account_name_problem(name)
    if problem:
        raise ValueError(f"name {name!r} {problem}")
    return ServiceAccountRef(namespace, name)


def service_account_from_subject(subject: str) -> ServiceAccountRef | None:
    """Inverse of ``ServiceAccountRef.subject``; None when the string is not a service-account subject."""
    parts = subject.split(":")
    if len(parts) != 4 or parts[0] != "system" or parts[1] != "serviceaccount":
        return None
    return ServiceAccountRef(parts[2], parts[3])


def token_expiration_problem(seconds: object) -> str | None:
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return "must be a whole number of seconds"
    if seconds < MIN_TOKEN_EXPIRATION:
        return f"is below {MIN_TOKEN_EXPIRATION}; the webhook would silently raise it to {MIN_TOKEN_EXPIRATION}"
    return None


def service_account_annotations(
    *,
    role_arn: str | None = None,
    audience: str | None = None,
    sts_regional_endpoints: bool | None = None,
    token_expiration: int | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The annotations of an IRSA ServiceAccount; the webhook's own keys win over ``extra``."""
    annotations = dict(extra or {})
    if role_arn is not None:
        annotations[ROLE_ARN_ANNOTATION] = role_arn
    if audience is not None:
        annotations[AUDIENCE_ANNOTATION] = audience
    if sts_regional_endpoints is not None:
        annotations[STS_REGIONAL_ENDPOINTS_ANNOTATION] = "true" if sts_regional_endpoints else "false"
    if token_expiration is not None:
        annotations[TOKEN_EXPIRATION_ANNOTATION] = str(token_expiration)
    return annotations


def service_account_manifest(
    name: str,
    namespace: str,
    *,
    annotations: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    automount_service_account_token: bool | None = None,
) -> dict[str, Any]:
    """A ``v1/ServiceAccount`` manifest, as the API server and kubectl take it."""
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if annotations:
        metadata["annotations"] = dict(annotations)
    if labels:
        metadata["labels"] = dict(labels)
    manifest: dict[str, Any] = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata}
    if automount_service_account_token is not None:
        manifest["automountServiceAccountToken"] = automount_service_account_token
    return manifest


def label_problems(labels: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(key, value, message) for each label key or value Kubernetes would reject."""
    problems = []
    value_re = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")
    name_re = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
    for key, value in labels.items():
        prefix, slash, name = key.rpartition("/")
        if slash and (not prefix or service_account_name_problem(prefix)):
            problems.append((key, value, "label key prefix is not a DNS-1123 subdomain"))
        elif not name or len(name) > 63 or not name_re.match(name):
            problems.append((key, value, "label key name must be 1-63 alphanumerics, '-', '_' or '.'"))
        elif not isinstance(value, str) or len(value) > 63 or not value_re.match(value):
            problems.append((key, value, "label value must be at most 63 alphanumerics, '-', '_' or '.'"))
    return problems


def eks_kubeconfig(cluster_name: str, endpoint: str, certificate_authority: str, region: str) -> dict[str, Any]:
    """A kubeconfig that authenticates with ``aws eks get-token`` (the AWS CLI must be on PATH)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority}}
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [
            {
                "name": cluster_name,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": [
                            "eks",
                            "get-token",
                            "--cluster-name",
                            cluster_name,
                            "--region",
                            region,
                            "--output",
                            "json",
                        ],
                    }
                },
            }
        ],
    }
