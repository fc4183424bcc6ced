"""Read a trust policy back into who it admits, and how weakly.

The plan, the diff and the guardrails all reason about trust through this module, so a document
written by hand (or by another tool) is judged exactly like the ones this library builds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .arns import OIDC_PROVIDER_ARN_SHAPE
from .documents import as_list
from .evaluate import glob_match
from .kubernetes import ServiceAccountRef, service_account_from_subject
from .trust import (
    DEFAULT_AUDIENCE,
    POD_IDENTITY_PRINCIPAL,
    SOURCE_ACCOUNT_KEY,
    TAG_CLUSTER_ARN,
    TAG_CLUSTER_NAME,
    TAG_NAMESPACE,
    TAG_SERVICE_ACCOUNT,
    WEB_IDENTITY_ACTION,
    request_tag,
)

_PINNING_OPERATORS = ("StringEquals", "StringLike")
# A pattern whose namespace is literal cannot leave that namespace: the API server never puts ':' in
# namespace or service-account names, so the sub of any other namespace differs before the wildcard.
_ONE_NAMESPACE_PATTERN = re.compile(r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:")


@dataclass(frozen=True)
class Weakness:
    code: str
    message: str


@dataclass(frozen=True)
class WebIdentityGrant:
    statement: int
    provider_arn: str
    issuer_host: str
    subjects: tuple[str, ...]
    """Values of the ``<issuer>:sub`` condition (patterns when the operator is StringLike)."""
    subject_operator: str | None
    audiences: tuple[str, ...]
    weaknesses: tuple[Weakness, ...]

    @property
    def service_accounts(self) -> tuple[ServiceAccountRef, ...]:
        refs = (service_account_from_subject(s) for s in self.subjects)
        return tuple(r for r in refs if r is not None)

    def admits_subject(self, subject: str) -> bool:
        if self.subject_operator is None:
            return True
        if self.subject_operator == "StringLike":
            return any(glob_match(p, subject) for p in self.subjects)
        return subject in self.subjects


@dataclass(frozen=True)
class PodIdentityGrant:
    statement: int
    actions: tuple[str, ...]
    source_accounts: tuple[str, ...]
    cluster_arns: tuple[str, ...]
    cluster_names: tuple[str, ...]
    namespaces: tuple[str, ...]
    service_accounts: tuple[str, ...]
    """Empty tuples mean "not pinned"."""
    weaknesses: tuple[Weakness, ...]


@dataclass(frozen=True)
class OtherGrant:
    statement: int
    principal: Any
    actions: tuple[str, ...]
    has_condition: bool


@dataclass(frozen=True)
class TrustAnalysis:
    web_identity: tuple[WebIdentityGrant, ...]
    pod_identity: tuple[PodIdentityGrant, ...]
    other: tuple[OtherGrant, ...]
    deny_statements: tuple[int, ...]

    @property
    def weaknesses(self) -> tuple[Weakness, ...]:
        grants: list[WebIdentityGrant | PodIdentityGrant] = [*self.web_identity, *self.pod_identity]
        return tuple(w for g in grants for w in g.weaknesses)


def _condition_values(condition: Mapping[str, Any], key: str) -> tuple[str | None, tuple[str, ...]]:
    """(operator, values) of the pinning operator that constrains ``key`` (case-insensitive)."""
    for operator in _PINNING_OPERATORS:
        block = condition.get(operator)
        if isinstance(block, Mapping):
            for k, v in block.items():
                if str(k).lower() == key.lower():
                    return operator, tuple(str(x) for x in as_list(v))
    return None, ()


def _actions(statement: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(a) for a in as_list(statement.get("Action")))


def _covers(actions: tuple[str, ...], action: str) -> bool:
    return any(glob_match(a, action, case_sensitive=False) for a in actions)


def _web_identity(index: int, statement: Mapping[str, Any], audiences_allowed: tuple[str, ...]) -> WebIdentityGrant:
    principal = statement.get("Principal")
    federated = principal.get("Federated") if isinstance(principal, Mapping) else None
    provider_arn = str(as_list(federated)[0]) if federated else "*"
    weaknesses: list[Weakness] = []
    if principal == "*" or federated in ("*", ["*"]):
        weaknesses.append(Weakness("principal-star", "Principal is '*': any identity provider's tokens"))
    elif not OIDC_PROVIDER_ARN_SHAPE.match(provider_arn):
        weaknesses.append(
            Weakness(
                "federated-not-oidc-provider",
                f"Federated principal {provider_arn!r} is not an IAM OIDC provider ARN",
            )
        )
    host = provider_arn.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in provider_arn else ""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping) or not condition:
        weaknesses.append(Weakness("no-condition", "no Condition: every token of the provider is admitted"))
        condition = {}
    sub_key, aud_key = f"{host}:sub", f"{host}:aud"
    sub_op, subjects = _condition_values(condition, sub_key)
    aud_op, audiences = _condition_values(condition, aud_key)
    if condition and not host:
        weaknesses.append(Weakness("missing-sub", "cannot tell which issuer the conditions pin"))
    if sub_op is None and condition:
        other_sub = [
            k for block in condition.values() if isinstance(block, Mapping) for k in block if str(k).endswith(":sub")
        ]
        if other_sub:
            weaknesses.append(
                Weakness(
                    "condition-host-mismatch",
                    f"sub is pinned on {other_sub[0]!r}, not on this provider's {sub_key!r}",
                )
            )
        weaknesses.append(
            Weakness(
                "missing-sub",
                "no StringEquals/StringLike on sub: every service account of the cluster is admitted",
            )
        )
    if aud_op is None and condition:
        weaknesses.append(Weakness("missing-aud", "no StringEquals on aud: tokens for any audience are admitted"))
    if aud_op == "StringLike" and any("*" in a or "?" in a for a in audiences):
        weaknesses.append(Weakness("aud-wildcard", f"aud is a pattern {audiences!r}"))
    for audience in audiences:
        if audience not in audiences_allowed:
            weaknesses.append(
                Weakness("aud-unexpected", f"audience {audience!r} is not one of {list(audiences_allowed)}")
            )
    if sub_op == "StringLike":
        for pattern in subjects:
            if "*" in pattern or "?" in pattern:
                if _ONE_NAMESPACE_PATTERN.match(pattern):
                    weaknesses.append(
                        Weakness(
                            "sub-namespace-wildcard",
                            f"{pattern!r} admits service accounts by pattern, within one namespace",
                        )
                    )
                else:
                    weaknesses.append(Weakness("sub-wildcard-broad", f"{pattern!r} is broader than one namespace"))
    return WebIdentityGrant(index, provider_arn, host, subjects, sub_op, audiences, tuple(weaknesses))


def _pod_identity(index: int, statement: Mapping[str, Any]) -> PodIdentityGrant:
    condition = statement.get("Condition")
    condition = condition if isinstance(condition, Mapping) else {}
    actions = _actions(statement)
    _, accounts = _condition_values(condition, SOURCE_ACCOUNT_KEY)
    _, cluster_arns = _condition_values(condition, request_tag(TAG_CLUSTER_ARN))
    _, cluster_names = _condition_values(condition, request_tag(TAG_CLUSTER_NAME))
    _, namespaces = _condition_values(condition, request_tag(TAG_NAMESPACE))
    _, service_accounts = _condition_values(condition, request_tag(TAG_SERVICE_ACCOUNT))
    weaknesses: list[Weakness] = []
    if not _covers(actions, "sts:TagSession"):
        weaknesses.append(
            Weakness(
                "missing-tag-session",
                "sts:TagSession is not allowed: EKS Pod Identity "
                "cannot pass its session tags and the role cannot be assumed",
            )
        )
    if not accounts:
        weaknesses.append(Weakness("missing-source-account", "no aws:SourceAccount: not scoped to the account"))
    if not (cluster_arns or cluster_names):
        weaknesses.append(Weakness("unpinned-cluster", "not pinned to a cluster"))
    if not namespaces:
        weaknesses.append(Weakness("unpinned-namespace", "not pinned to a namespace"))
    if not service_accounts:
        weaknesses.append(Weakness("unpinned-service-account", "not pinned to a service account"))
    return PodIdentityGrant(
        index, actions, accounts, cluster_arns, cluster_names, namespaces, service_accounts, tuple(weaknesses)
    )


def analyse_trust(policy: Mapping[str, Any], audiences_allowed: tuple[str, ...] = (DEFAULT_AUDIENCE,)) -> TrustAnalysis:
    web: list[WebIdentityGrant] = []
    pods: list[PodIdentityGrant] = []
    other: list[OtherGrant] = []
    denies: list[int] = []
    for index, statement in enumerate(as_list(policy.get("Statement"))):
        if not isinstance(statement, Mapping):
            continue
        if statement.get("Effect") == "Deny":
            denies.append(index)
            continue
        actions = _actions(statement)
        principal = statement.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, Mapping) else []
        if _covers(actions, WEB_IDENTITY_ACTION) and (
            principal == "*" or (isinstance(principal, Mapping) and "Federated" in principal)
        ):
            web.append(_web_identity(index, statement, audiences_allowed))
        elif POD_IDENTITY_PRINCIPAL in services and _covers(actions, "sts:AssumeRole"):
            pods.append(_pod_identity(index, statement))
        else:
            other.append(OtherGrant(index, principal, actions, bool(statement.get("Condition"))))
    return TrustAnalysis(tuple(web), tuple(pods), tuple(other), tuple(denies))
