"""Read a role's trust policy into the principals it admits, named by the stack's cluster keys.

This is the only place that turns trust documents into principals: the plan builds its access map
with it and the diff re-derives principals from the trust documents a plan carries, so a plan edited
by hand is judged by its documents. The reading itself is ``core.analysis.analyse_trust``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.analysis import PodIdentityGrant, WebIdentityGrant, analyse_trust
from ..core.documents import as_list
from ..core.evaluate import glob_match
from ..core.kubernetes import service_account_from_subject
from .model import ANY, Cluster, PermissionStatement, PodIdentityAssociation, Principal, Weakness

SUBJECT_PREFIX = "system:serviceaccount:"
_PLACEHOLDER = re.compile(r"<[^<>]+>")


@dataclass
class ClusterIndex:
    """Lookups from what trust documents name (issuer hosts, cluster ARNs and names) to cluster keys."""

    by_host: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    by_arn: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, clusters: Mapping[str, Cluster]) -> ClusterIndex:
        index = cls()
        for key, cluster in clusters.items():
            if cluster.issuer_host:
                index.by_host.setdefault(cluster.issuer_host, key)
            if cluster.oidc_provider_arn and ":oidc-provider/" in cluster.oidc_provider_arn:
                index.by_host.setdefault(cluster.oidc_provider_arn.split(":oidc-provider/", 1)[1], key)
            index.by_name.setdefault(cluster.name, key)
            index.by_arn.setdefault(cluster.arn, key)
        return index

    def of_host(self, host: str) -> tuple[str, bool]:
        key = self.by_host.get(host)
        return (key, True) if key is not None else (host or ANY, False)

    def of_cluster_arn(self, arn: str) -> tuple[str, bool]:
        key = self.by_arn.get(arn)
        if key is None and ":cluster/" in arn:
            key = self.by_name.get(arn.rsplit(":cluster/", 1)[1])
        return (key, True) if key is not None else (arn, False)

    def of_cluster_name(self, name: str) -> tuple[str, bool]:
        key = self.by_name.get(name)
        return (key, True) if key is not None else (name, False)


def subject_of(namespace: str, service_account: str) -> str:
    return f"{SUBJECT_PREFIX}{namespace}:{service_account}"


def _has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def _split_subject(subject: str) -> tuple[str, str]:
    ref = service_account_from_subject(subject)
    if ref is not None:
        return ref.namespace, ref.name
    if subject.startswith(SUBJECT_PREFIX):
        # A pattern such as system:serviceaccount:team-* (the '*' spans the rest).
        rest = subject[len(SUBJECT_PREFIX) :]
        namespace, _, name = rest.partition(":")
        return namespace, name or ANY
    return "", ""


def _web_identity_principals(grant: WebIdentityGrant, index: ClusterIndex) -> list[Principal]:
    cluster, known = index.of_host(grant.issuer_host) if grant.provider_arn != ANY else (ANY, False)
    if grant.subject_operator is None:
        subjects: Sequence[str] = (subject_of(ANY, ANY),)
        patterns = True
    else:
        subjects = grant.subjects
        patterns = grant.subject_operator == "StringLike"
    audiences = sorted(set(grant.audiences)) if grant.audiences else None
    out = []
    for subject in subjects:
        namespace, name = _split_subject(subject)
        out.append(
            Principal(
                mechanism="irsa",
                cluster=cluster,
                cluster_known=known,
                subject=subject,
                namespace=namespace,
                service_account=name,
                pattern=patterns and _has_wildcard(subject),
                audiences=audiences,
                provider_arn=grant.provider_arn,
                statement=grant.statement,
            )
        )
    return out


def _pod_identity_principals(
    grant: PodIdentityGrant, index: ClusterIndex, associations: Sequence[PodIdentityAssociation]
) -> list[Principal]:
    clusters: list[tuple[str, bool, str | None]] = []
    for arn in grant.cluster_arns:
        key, known = index.of_cluster_arn(arn)
        clusters.append((key, known, arn))
    for name in grant.cluster_names:
        key, known = index.of_cluster_name(name)
        clusters.append((key, known, None))
    namespaces = list(grant.namespaces)
    accounts = sorted(set(grant.source_accounts))

    def principal(cluster: str, known: bool, arn: str | None, ns: str, sa: str, pinned_by: str) -> Principal:
        subject = subject_of(ns, sa)
        return Principal(
            mechanism="pod-identity",
            cluster=cluster,
            cluster_known=known,
            subject=subject,
            namespace=ns,
            service_account=sa,
            pattern=_has_wildcard(subject),
            cluster_arn=arn,
            source_accounts=accounts,
            pinned_by="trust" if pinned_by == "trust" else "association",
            statement=grant.statement,
        )

    if clusters and namespaces and grant.service_accounts:
        return [
            principal(c, known, arn, ns, sa, "trust")
            for c, known, arn in clusters
            for ns in namespaces
            for sa in grant.service_accounts
        ]
    # Not fully pinned by the trust: the associations of this role are what binds it.
    out = []
    for a in associations:
        cluster_ok = not clusters or any(c == a.cluster for c, _, _ in clusters)
        if cluster_ok and (not namespaces or a.namespace in namespaces):
            if not grant.service_accounts or a.service_account in grant.service_accounts:
                key, known = index.of_cluster_name(a.cluster_name)
                out.append(principal(key, known, None, a.namespace, a.service_account, "association"))
    if out:
        return out
    cluster_list = clusters or [(ANY, False, None)]
    return [
        principal(c, known, arn, ns, sa, "trust")
        for c, known, arn in cluster_list
        for ns in (namespaces or [ANY])
        for sa in (grant.service_accounts or [ANY])
    ]


def principals_from_trust(
    trust: Mapping[str, Any],
    index: ClusterIndex,
    associations: Sequence[PodIdentityAssociation] = (),
    audiences_allowed: Iterable[str] = (),
) -> tuple[list[Principal], list[Weakness]]:
    """(principals, weaknesses) of one trust document, sorted for stable output."""
    allowed = tuple(sorted({"sts.amazonaws.com", *audiences_allowed}))
    analysis = analyse_trust(trust, audiences_allowed=allowed)
    principals: list[Principal] = []
    weaknesses: list[Weakness] = []
    for grant in analysis.web_identity:
        principals.extend(_web_identity_principals(grant, index))
        weaknesses.extend(Weakness(code=w.code, message=w.message, statement=grant.statement) for w in grant.weaknesses)
    for pod in analysis.pod_identity:
        principals.extend(_pod_identity_principals(pod, index, associations))
        weaknesses.extend(Weakness(code=w.code, message=w.message, statement=pod.statement) for w in pod.weaknesses)
    for other in analysis.other:
        shown = json.dumps(other.principal, sort_keys=True, separators=(",", ":"))
        principals.append(
            Principal(
                mechanism="other",
                cluster=ANY,
                cluster_known=False,
                subject=shown,
                namespace="",
                service_account="",
                pattern=ANY in shown,
                statement=other.statement,
            )
        )
        weaknesses.append(
            Weakness(
                code="other-principal",
                message=f"admits {shown} to {', '.join(other.actions) or 'no action'}: not an EKS workload identity",
                statement=other.statement,
            )
        )
    unique = {(p.key, p.statement): p for p in principals}
    ordered = sorted(unique.values(), key=lambda p: (p.mechanism, p.cluster, p.subject, p.statement))
    weaknesses = sorted(set(weaknesses), key=lambda w: (w.statement, w.code, w.message))
    return ordered, weaknesses


def subject_covers(pattern: Principal, other: Principal) -> bool:
    """Whether ``pattern`` admits everything ``other`` admits (same mechanism and cluster)."""
    if pattern.mechanism != other.mechanism:
        return False
    if pattern.cluster not in (other.cluster, ANY):
        return False
    if not (pattern.subject == other.subject or (pattern.pattern and glob_match(pattern.subject, other.subject))):
        return False
    if pattern.mechanism == "irsa":
        return audiences_cover(pattern.audiences, other.audiences)
    return True


def audiences_cover(outer: list[str] | None, inner: list[str] | None) -> bool:
    if outer is None:
        return True
    if inner is None:
        return False
    return all(any(a == b or glob_match(a, b) for a in outer) for b in inner)


def permission_statements(document: Mapping[str, Any]) -> list[PermissionStatement]:
    """The statements of a permission document, normalised (lists everywhere, order kept)."""
    out = []
    for statement in as_list(document.get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        condition = statement.get("Condition")
        out.append(
            PermissionStatement(
                sid=str(statement["Sid"]) if statement.get("Sid") else None,
                effect=str(statement.get("Effect", "")),
                actions=[str(a) for a in as_list(statement.get("Action"))],
                not_actions=[str(a) for a in as_list(statement.get("NotAction"))],
                resources=[str(r) for r in as_list(statement.get("Resource"))],
                not_resources=[str(r) for r in as_list(statement.get("NotResource"))],
                condition=dict(condition) if isinstance(condition, Mapping) and condition else None,
            )
        )
    return out
