"""Cross-account role chaining for EKS Pod Identity and IRSA, built as plain data.

Two chains end in a *target role* (usually in another account):

- **EKS Pod Identity with a target role** (``targetRoleArn`` on the association): EKS assumes the
  association role, then uses that session to call ``sts:AssumeRole`` on the target role. The
  session tags EKS sets on the first session (cluster ARN, namespace, service account, ...) are
  transitive, so the second request carries them and the target's trust can pin them with
  ``aws:RequestTag/...``. With session tags disabled on the association, EKS instead passes
  ``sts:ExternalId`` set to ``<region>/<account>/<cluster>/<namespace>/<service account>`` of the
  cluster (EKS user guide, "Access AWS Resources using EKS Pod Identity Target IAM Roles").
- **IRSA then AssumeRole**: the workload's web-identity session (an IRSA role) calls
  ``sts:AssumeRole`` itself. Projected service-account tokens carry no AWS session tags, so the
  target can pin only the calling role (and, optionally, an external ID the workload passes).

Every trust here pins the calling role with ``ArnEquals aws:PrincipalArn`` (a string comparison
that survives the role being re-created) and names the caller in ``Principal`` either as its
account (``principal="account"``, AWS's documented form; no ordering constraint at creation) or
as the role itself (``principal="role"``; IAM checks the role exists when the trust is written and
rewrites the principal to the role's unique ID if that role is ever deleted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from .arns import parse_arn
from .documents import Document, Statement, document, one_or_many
from .evaluate import ContextValue, Request
from .kubernetes import ServiceAccountRef
from .trust import TAG_CLUSTER_ARN, TAG_NAMESPACE, TAG_SERVICE_ACCOUNT, request_tag

ASSUME_ROLE = "sts:AssumeRole"
TAG_SESSION = "sts:TagSession"
PRINCIPAL_ARN_KEY = "aws:PrincipalArn"
PRINCIPAL_ACCOUNT_KEY = "aws:PrincipalAccount"
EXTERNAL_ID_KEY = "sts:ExternalId"

TrustPrincipal = Literal["account", "role"]
TRUST_PRINCIPALS: tuple[str, ...] = ("account", "role")

SOURCE_IRSA = "irsa"
SOURCE_POD_IDENTITY = "pod-identity"
SOURCE_TYPES: tuple[str, ...] = (SOURCE_IRSA, SOURCE_POD_IDENTITY)

# Stand-ins for sizing a target trust before the cloud's values are known.
ESTIMATE_ROLE_ARN = "arn:aws:iam::000000000000:role/" + "r" * 64
ESTIMATE_CLUSTER_ARN = "arn:aws:eks:ap-southeast-4:000000000000:cluster/" + "c" * 40


def account_root(role_arn: str) -> str:
    """``arn:aws:iam::111122223333:role/x`` -> ``arn:aws:iam::111122223333:root``."""
    arn = parse_arn(role_arn)
    return f"arn:{arn.partition}:iam::{arn.account}:root"


def pod_identity_external_id(
    region: str, account_id: str, cluster_name: str, namespace: str, service_account: str
) -> str:
    """The ``sts:ExternalId`` EKS Pod Identity passes to a target role when session tags are disabled.

    Format documented in the EKS user guide: ``region/account/cluster-name/namespace/service-account``.
    The association's ``externalId`` attribute is the authoritative value; compare the two once known.
    """
    return f"{region}/{account_id}/{cluster_name}/{namespace}/{service_account}"


def _check_principal(principal: str) -> None:
    if principal not in TRUST_PRINCIPALS:
        raise ValueError(f"principal must be one of {', '.join(TRUST_PRINCIPALS)}, not {principal!r}")


def _principal_block(source_role_arns: Sequence[str], principal: str) -> dict[str, str | list[str]]:
    _check_principal(principal)
    if principal == "role":
        return {"AWS": one_or_many(sorted(set(source_role_arns)))}
    return {"AWS": one_or_many(sorted({account_root(a) for a in source_role_arns}))}


def _pinned_to(source_role_arns: Sequence[str]) -> dict[str, str | list[str]]:
    return {PRINCIPAL_ARN_KEY: one_or_many(sorted(set(source_role_arns)))}


def chain_permission_statement(target_role_arns: Sequence[str], *, tag_session: bool = False) -> Statement:
    """The identity-policy statement letting a source role assume exactly ``target_role_arns``.

    Pod Identity association roles need ``tag_session=True`` (EKS passes its tags on); an IRSA role
    needs it only if the workload itself passes session tags.
    """
    if not target_role_arns:
        raise ValueError("a chain permission needs at least one target role ARN")
    actions = [ASSUME_ROLE, TAG_SESSION] if tag_session else ASSUME_ROLE
    return {"Effect": "Allow", "Action": actions, "Resource": one_or_many(sorted(set(target_role_arns)))}


def pod_identity_target_statements(
    source_role_arn: str,
    service_account: ServiceAccountRef,
    *,
    cluster_arns: Sequence[str] = (),
    session_tags: bool = True,
    external_ids: Sequence[str] = (),
    principal: str = "account",
) -> list[Statement]:
    """The target role's trust for EKS Pod Identity role chaining from one association role.

    With session tags (the default) one statement allows ``sts:AssumeRole`` and ``sts:TagSession``
    for the association role, pinned to the clusters, namespace and service account through the
    transitive EKS session tags. Without them, ``sts:AssumeRole`` is pinned with ``sts:ExternalId``
    (one value per cluster) and a second statement allows ``sts:TagSession`` for the same role only.
    """
    base: Statement = {"Effect": "Allow", "Principal": _principal_block([source_role_arn], principal)}
    if session_tags:
        if not cluster_arns:
            raise ValueError("a Pod Identity target trust with session tags needs at least one cluster ARN")
        equals: dict[str, str | list[str]] = {
            request_tag(TAG_CLUSTER_ARN): one_or_many(sorted(set(cluster_arns))),
            request_tag(TAG_NAMESPACE): service_account.namespace,
        }
        if not service_account.is_wildcard:
            equals[request_tag(TAG_SERVICE_ACCOUNT)] = service_account.name
        return [
            {
                **base,
                "Action": [ASSUME_ROLE, TAG_SESSION],
                "Condition": {"StringEquals": equals, "ArnEquals": _pinned_to([source_role_arn])},
            }
        ]
    if not external_ids:
        raise ValueError("a Pod Identity target trust without session tags needs the association's external ID(s)")
    if any(not e for e in external_ids):
        raise ValueError("external IDs must be non-empty")
    return [
        {
            **base,
            "Action": ASSUME_ROLE,
            "Condition": {
                "StringEquals": {EXTERNAL_ID_KEY: one_or_many(sorted(set(external_ids)))},
                "ArnEquals": _pinned_to([source_role_arn]),
            },
        },
        {**base, "Action": TAG_SESSION, "Condition": {"ArnEquals": _pinned_to([source_role_arn])}},
    ]


def irsa_target_statements(
    source_role_arn: str,
    *,
    tag_session: bool = False,
    external_id: str | None = None,
    principal: str = "account",
) -> list[Statement]:
    """The target role's trust for role chaining from one IRSA role (the workload calls AssumeRole).

    The IRSA role's own trust pins the service accounts; this pins the IRSA role. ``external_id``
    adds an ``sts:ExternalId`` condition the workload must pass; ``tag_session`` also allows
    ``sts:TagSession`` (only needed when the workload passes session tags).
    """
    condition: dict[str, dict[str, str | list[str]]] = {"ArnEquals": _pinned_to([source_role_arn])}
    if external_id is not None:
        if not external_id:
            raise ValueError("external_id must be non-empty when given")
        condition["StringEquals"] = {EXTERNAL_ID_KEY: external_id}
    return [
        {
            "Effect": "Allow",
            "Principal": _principal_block([source_role_arn], principal),
            "Action": [ASSUME_ROLE, TAG_SESSION] if tag_session else ASSUME_ROLE,
            "Condition": condition,
        }
    ]


def target_trust_policy(statements: Sequence[Statement]) -> Document:
    if not statements:
        raise ValueError("a trust policy needs at least one statement")
    return document(statements)


# Requests the chains make, for proving with core.evaluate what a target trust admits ------------------


def chained_request(
    action: str,
    source_role_arn: str,
    *,
    request_tags: Mapping[str, str] | None = None,
    external_id: str | None = None,
) -> Request:
    """What IAM evaluates in the target's trust when a session of ``source_role_arn`` calls ``action``.

    The principal is the calling role (a trust naming the role matches its sessions); the request
    context carries ``aws:PrincipalArn`` (the role ARN) and ``aws:PrincipalAccount``, any session tags
    as ``aws:RequestTag/<key>`` plus ``aws:TagKeys``, and ``sts:ExternalId`` when passed.
    """
    arn = parse_arn(source_role_arn)
    context: dict[str, ContextValue] = {PRINCIPAL_ARN_KEY: source_role_arn, PRINCIPAL_ACCOUNT_KEY: arn.account}
    if request_tags:
        context.update({request_tag(k): v for k, v in request_tags.items()})
        context["aws:TagKeys"] = list(request_tags)
    if external_id is not None:
        context[EXTERNAL_ID_KEY] = external_id
    return Request(action=action, principal_type="AWS", principal=source_role_arn, context=context)


def pod_identity_chained_requests(
    source_role_arn: str,
    *,
    cluster_arn: str,
    namespace: str,
    service_account: str,
    session_tags: bool = True,
    external_id: str | None = None,
    pod_name: str = "pod",
    pod_uid: str = "00000000-0000-0000-0000-000000000000",
) -> list[Request]:
    """The AssumeRole (and TagSession) requests EKS makes on the target role for one pod."""
    if session_tags:
        cluster = parse_arn(cluster_arn).resource.removeprefix("cluster/")
        tags = {
            TAG_CLUSTER_ARN: cluster_arn,
            "eks-cluster-name": cluster,
            TAG_NAMESPACE: namespace,
            TAG_SERVICE_ACCOUNT: service_account,
            "kubernetes-pod-name": pod_name,
            "kubernetes-pod-uid": pod_uid,
        }
        return [chained_request(a, source_role_arn, request_tags=tags) for a in (ASSUME_ROLE, TAG_SESSION)]
    return [chained_request(ASSUME_ROLE, source_role_arn, external_id=external_id)]


def irsa_chained_requests(
    source_role_arn: str, *, external_id: str | None = None, request_tags: Mapping[str, str] | None = None
) -> list[Request]:
    """The requests an IRSA workload makes when it assumes the target role from its web-identity session."""
    requests = [chained_request(ASSUME_ROLE, source_role_arn, request_tags=request_tags, external_id=external_id)]
    if request_tags:
        requests.append(chained_request(TAG_SESSION, source_role_arn, request_tags=request_tags))
    return requests
