"""Trust policies for IRSA (web identity) and EKS Pod Identity, built as plain data.

IAM evaluates a statement's condition keys as AND and a key's values as OR, so one statement per
OIDC provider pins both ``sub`` (the listed service accounts) and ``aud``; a missing ``sub`` would
admit every service account of the cluster.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from .documents import Document, Statement, document, one_or_many
from .kubernetes import ServiceAccountRef
from .limits import OIDC_URL_MAX

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
DEFAULT_AUDIENCE = "sts.amazonaws.com"
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")

# Session tags EKS Pod Identity sets when it assumes a role (unless disabled on the association).
TAG_CLUSTER_ARN = "eks-cluster-arn"
TAG_CLUSTER_NAME = "eks-cluster-name"
TAG_NAMESPACE = "kubernetes-namespace"
TAG_SERVICE_ACCOUNT = "kubernetes-service-account"
TAG_POD_NAME = "kubernetes-pod-name"
TAG_POD_UID = "kubernetes-pod-uid"
SOURCE_ACCOUNT_KEY = "aws:SourceAccount"


def request_tag(tag: str) -> str:
    return f"aws:RequestTag/{tag}"


def issuer_url_problem(url: object) -> str | None:
    """Problems IAM's CreateOpenIDConnectProvider would report for this issuer URL, or None."""
    if not isinstance(url, str) or not url:
        return "must be a non-empty string"
    if not url.startswith("https://"):
        return "must start with https:// (IAM accepts only HTTPS issuers)"
    if len(url) > OIDC_URL_MAX:
        return f"is {len(url)} characters; IAM allows at most {OIDC_URL_MAX}"
    parts = urlsplit(url)
    if not parts.hostname:
        return "has no host"
    if parts.port is not None or ":" in parts.netloc:
        return "must not contain a port"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "must not contain a query string or fragment"
    if parts.username or parts.password:
        return "must not contain credentials"
    if any(c.isspace() for c in url):
        return "must not contain whitespace"
    return None


def issuer_host(issuer_url: str) -> str:
    """The issuer without ``https://`` or a trailing slash: the prefix of the trust condition keys."""
    host = issuer_url.removeprefix("https://")
    return host.rstrip("/")


def issuer_host_from_provider_arn(provider_arn: str) -> str:
    """``arn:aws:iam::111122223333:oidc-provider/oidc.eks...`` -> ``oidc.eks...``.

    Only the shape is checked here (values resolved from the cloud, or the offline plan's
    placeholders, pass); plain inputs are validated strictly with ``oidc_provider_arn_problem``.
    """
    head, sep, host = provider_arn.partition(":oidc-provider/")
    if not sep or not head.startswith("arn:") or not host:
        raise ValueError(
            f"{provider_arn!r} is not an IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<issuer>)"
        )
    return host


def _sorted_unique(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def web_identity_statement(
    provider_arn: str,
    service_accounts: Sequence[ServiceAccountRef],
    audiences: Sequence[str] = (DEFAULT_AUDIENCE,),
) -> Statement:
    """Admit exactly ``service_accounts`` through one OIDC provider, for tokens with one of ``audiences``.

    ``sub`` uses StringEquals unless a service account is the namespace wildcard ``ns/*``, which needs
    StringLike; ``aud`` is always StringEquals. Values are sorted so the document is stable.
    """
    if not service_accounts:
        raise ValueError("a web-identity statement needs at least one service account")
    if not audiences:
        raise ValueError("a web-identity statement needs at least one audience")
    host = issuer_host_from_provider_arn(provider_arn)
    subjects = _sorted_unique(sa.subject for sa in service_accounts)
    condition: dict[str, dict[str, str | list[str]]] = {}
    audience_values = one_or_many(_sorted_unique(audiences))
    if any(sa.is_wildcard for sa in service_accounts):
        condition["StringLike"] = {f"{host}:sub": one_or_many(subjects)}
        condition["StringEquals"] = {f"{host}:aud": audience_values}
    else:
        condition["StringEquals"] = {f"{host}:sub": one_or_many(subjects), f"{host}:aud": audience_values}
    return {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": WEB_IDENTITY_ACTION,
        "Condition": condition,
    }


def pod_identity_statement(
    account_id: str,
    cluster_arns: Sequence[str],
    service_account: ServiceAccountRef,
    *,
    session_tags: bool = True,
) -> Statement:
    """Admit EKS Pod Identity for one service account on the given clusters of ``account_id``.

    With session tags on, the cluster, namespace and service account are pinned through the tags EKS
    passes (``aws:RequestTag/...``). With them off, only the account can be pinned here; the
    association itself (which needs ``iam:PassRole`` to create) is then the only binding to a
    namespace and service account.
    """
    equals: dict[str, str | list[str]] = {SOURCE_ACCOUNT_KEY: account_id}
    if session_tags:
        if not cluster_arns:
            raise ValueError("a Pod Identity statement with session tags needs at least one cluster")
        equals[request_tag(TAG_CLUSTER_ARN)] = one_or_many(_sorted_unique(cluster_arns))
        equals[request_tag(TAG_NAMESPACE)] = service_account.namespace
        if not service_account.is_wildcard:
            equals[request_tag(TAG_SERVICE_ACCOUNT)] = service_account.name
    return {
        "Effect": "Allow",
        "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
        "Action": list(POD_IDENTITY_ACTIONS),
        "Condition": {"StringEquals": equals},
    }


def irsa_statements(
    provider_arns: Sequence[str],
    service_accounts: Sequence[ServiceAccountRef],
    audiences: Sequence[str] = (DEFAULT_AUDIENCE,),
) -> list[Statement]:
    """One web-identity statement per OIDC provider, in a stable order."""
    return [web_identity_statement(arn, service_accounts, audiences) for arn in _sorted_unique(provider_arns)]


def pod_identity_statements(
    account_id: str,
    cluster_arns: Sequence[str],
    service_accounts: Sequence[ServiceAccountRef],
    *,
    session_tags: bool = True,
) -> list[Statement]:
    """One Pod Identity statement per service account (the tags of one statement are ANDed)."""
    if not session_tags:
        # Without tags the statements would all be identical: one is enough.
        return [pod_identity_statement(account_id, cluster_arns, service_accounts[0], session_tags=False)]
    return [
        pod_identity_statement(account_id, cluster_arns, sa, session_tags=True) for sa in sorted(set(service_accounts))
    ]


# Stand-ins for sizing a trust policy before the cloud's values are known: as long as a real
# EKS issuer (32-character ID) in a long commercial region name, and a 12-digit account.
ESTIMATE_PROVIDER_ARN = "arn:aws:iam::000000000000:oidc-provider/oidc.eks.ap-southeast-4.amazonaws.com/id/" + "0" * 32
ESTIMATE_ACCOUNT = "000000000000"
ESTIMATE_PARTITION = "aws"
ESTIMATE_REGION = "ap-southeast-4"


def estimate_provider_arn(seed: str, issuer_url: str | None = None) -> str:
    """A stand-in provider ARN as long as the real one will be, distinct per ``seed`` (e.g. the cluster)."""
    if issuer_url is not None:
        return f"arn:{ESTIMATE_PARTITION}:iam::{ESTIMATE_ACCOUNT}:oidc-provider/{issuer_host(issuer_url)}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:32]
    return ESTIMATE_PROVIDER_ARN[: -len(digest)] + digest


def workload_trust_policy(
    service_accounts: Sequence[ServiceAccountRef],
    provider_arns: Sequence[str],
    audiences: Sequence[str] = (DEFAULT_AUDIENCE,),
    pod_identity_cluster_arns: Sequence[str] = (),
    *,
    account_id: str = "",
    session_tags: bool = True,
) -> Document:
    """The trust of one workload role: IRSA through each provider and/or EKS Pod Identity on the clusters."""
    statements = irsa_statements(provider_arns, service_accounts, audiences) if provider_arns else []
    if pod_identity_cluster_arns or (not session_tags and account_id):
        statements += pod_identity_statements(
            account_id, pod_identity_cluster_arns, service_accounts, session_tags=session_tags
        )
    return trust_policy(statements)


def trust_policy(statements: Sequence[Statement]) -> Document:
    if not statements:
        raise ValueError("a trust policy needs at least one statement")
    return document(statements)
