"""Target-role trusts for role chaining admit exactly the intended caller (proved with core.evaluate)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irsa_components.core import evaluate
from irsa_components.core.cross_account import (
    account_root,
    chain_permission_statement,
    chained_request,
    irsa_chained_requests,
    irsa_target_statements,
    pod_identity_chained_requests,
    pod_identity_external_id,
    pod_identity_target_statements,
    target_trust_policy,
)
from irsa_components.core.documents import document
from irsa_components.core.kubernetes import ServiceAccountRef

CLUSTER_ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ASSOCIATION_ROLE = f"arn:aws:iam::{CLUSTER_ACCOUNT}:role/orders-pod-identity"
OTHER_ROLE = f"arn:aws:iam::{CLUSTER_ACCOUNT}:role/billing-pod-identity"
SAME_NAME_OTHER_ACCOUNT = f"arn:aws:iam::{OTHER_ACCOUNT}:role/orders-pod-identity"
PROD = f"arn:aws:eks:eu-west-1:{CLUSTER_ACCOUNT}:cluster/prod"
STAGING = f"arn:aws:eks:eu-west-1:{CLUSTER_ACCOUNT}:cluster/staging"
FOREIGN_PROD = f"arn:aws:eks:eu-west-1:{OTHER_ACCOUNT}:cluster/prod"
SA = ServiceAccountRef("orders", "api")
TARGET = "arn:aws:iam::222233334444:role/orders-reports"
PRINCIPALS = ["account", "role"]


def _allows_all(policy: dict[str, Any], requests: list[evaluate.Request]) -> bool:
    return all(evaluate.evaluate(policy, r).allowed for r in requests)


def _pod_trust(principal: str = "account", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("cluster_arns", [PROD])
    return target_trust_policy(pod_identity_target_statements(ASSOCIATION_ROLE, SA, principal=principal, **kwargs))


def _pod_requests(
    role: str = ASSOCIATION_ROLE, cluster: str = PROD, namespace: str = "orders", sa: str = "api"
) -> list[evaluate.Request]:
    return pod_identity_chained_requests(role, cluster_arn=cluster, namespace=namespace, service_account=sa)


# Pod Identity target role, session tags on ---------------------------------------------------------------


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_admits_the_association_role_for_its_cluster_namespace_and_service_account(principal: str) -> None:
    assert _allows_all(_pod_trust(principal), _pod_requests())


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize(
    ("case", "requests"),
    [
        ("same service account on another cluster", lambda: _pod_requests(cluster=STAGING)),
        ("same cluster name in another account", lambda: _pod_requests(cluster=FOREIGN_PROD)),
        ("another namespace", lambda: _pod_requests(namespace="billing")),
        ("another service account", lambda: _pod_requests(sa="worker")),
        ("another role of the cluster account", lambda: _pod_requests(role=OTHER_ROLE)),
        ("a same-named role in another account", lambda: _pod_requests(role=SAME_NAME_OTHER_ACCOUNT)),
        (
            "the association role without session tags",
            lambda: [
                evaluate.Request("sts:AssumeRole", "AWS", ASSOCIATION_ROLE, {"aws:PrincipalArn": ASSOCIATION_ROLE})
            ],
        ),
        (
            "the association role with an external ID instead of tags",
            lambda: pod_identity_chained_requests(
                ASSOCIATION_ROLE,
                cluster_arn=PROD,
                namespace="orders",
                service_account="api",
                session_tags=False,
                external_id=pod_identity_external_id("eu-west-1", CLUSTER_ACCOUNT, "prod", "orders", "api"),
            ),
        ),
    ],
)
def test_refuses_everyone_else(principal: str, case: str, requests: Any) -> None:
    decisions = [evaluate.evaluate(_pod_trust(principal), r) for r in requests()]
    assert not all(d.allowed for d in decisions), case


def test_every_listed_cluster_is_admitted_and_only_those() -> None:
    trust = _pod_trust(cluster_arns=[PROD, STAGING])
    assert _allows_all(trust, _pod_requests(cluster=PROD))
    assert _allows_all(trust, _pod_requests(cluster=STAGING))
    assert not _allows_all(trust, _pod_requests(cluster=f"arn:aws:eks:eu-west-1:{CLUSTER_ACCOUNT}:cluster/dev"))


def test_the_trust_has_the_shape_aws_documents() -> None:
    (statement,) = _pod_trust()["Statement"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{CLUSTER_ACCOUNT}:root"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:RequestTag/eks-cluster-arn": PROD,
            "aws:RequestTag/kubernetes-namespace": "orders",
            "aws:RequestTag/kubernetes-service-account": "api",
        },
        "ArnEquals": {"aws:PrincipalArn": ASSOCIATION_ROLE},
    }
    (by_role,) = _pod_trust("role")["Statement"]
    assert by_role["Principal"] == {"AWS": ASSOCIATION_ROLE}


def test_a_namespace_wildcard_pins_the_namespace_but_not_the_service_account() -> None:
    trust = target_trust_policy(
        pod_identity_target_statements(ASSOCIATION_ROLE, ServiceAccountRef("orders", "*"), cluster_arns=[PROD])
    )
    assert _allows_all(trust, _pod_requests(sa="worker"))
    assert not _allows_all(trust, _pod_requests(namespace="billing"))


def test_session_tags_need_clusters() -> None:
    with pytest.raises(ValueError, match="cluster ARN"):
        pod_identity_target_statements(ASSOCIATION_ROLE, SA, cluster_arns=[])


# Pod Identity target role, session tags disabled -------------------------------------------------------------

EXTERNAL_ID = pod_identity_external_id("eu-west-1", CLUSTER_ACCOUNT, "prod", "orders", "api")


def _untagged_trust(principal: str = "account", external_ids: list[str] | None = None) -> dict[str, Any]:
    return target_trust_policy(
        pod_identity_target_statements(
            ASSOCIATION_ROLE,
            SA,
            session_tags=False,
            external_ids=external_ids or [EXTERNAL_ID],
            principal=principal,
        )
    )


def _untagged_requests(role: str = ASSOCIATION_ROLE, external_id: str | None = EXTERNAL_ID) -> list[evaluate.Request]:
    return pod_identity_chained_requests(
        role, cluster_arn=PROD, namespace="orders", service_account="api", session_tags=False, external_id=external_id
    )


def test_the_documented_external_id_format() -> None:
    assert EXTERNAL_ID == f"eu-west-1/{CLUSTER_ACCOUNT}/prod/orders/api"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_without_tags_the_external_id_admits_the_association(principal: str) -> None:
    assert _allows_all(_untagged_trust(principal), _untagged_requests())


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize(
    ("case", "requests"),
    [
        ("no external ID", lambda: _untagged_requests(external_id=None)),
        (
            "the external ID of another cluster",
            lambda: _untagged_requests(
                external_id=pod_identity_external_id("eu-west-1", CLUSTER_ACCOUNT, "staging", "orders", "api")
            ),
        ),
        (
            "the external ID of another service account",
            lambda: _untagged_requests(
                external_id=pod_identity_external_id("eu-west-1", CLUSTER_ACCOUNT, "prod", "orders", "worker")
            ),
        ),
        ("another role with the right external ID", lambda: _untagged_requests(role=OTHER_ROLE)),
        ("a same-named role in another account", lambda: _untagged_requests(role=SAME_NAME_OTHER_ACCOUNT)),
    ],
)
def test_without_tags_everyone_else_is_refused(principal: str, case: str, requests: Any) -> None:
    assert not _allows_all(_untagged_trust(principal), requests()), case


def test_without_tags_tag_session_is_allowed_for_the_association_role_only() -> None:
    trust = _untagged_trust()
    assert evaluate.evaluate(trust, chained_request("sts:TagSession", ASSOCIATION_ROLE)).allowed
    assert not evaluate.evaluate(trust, chained_request("sts:TagSession", OTHER_ROLE)).allowed
    # TagSession alone never lets anyone assume the role.
    assert not evaluate.evaluate(trust, chained_request("sts:AssumeRole", ASSOCIATION_ROLE)).allowed


def test_without_tags_an_external_id_is_required() -> None:
    with pytest.raises(ValueError, match="external ID"):
        pod_identity_target_statements(ASSOCIATION_ROLE, SA, session_tags=False)


# IRSA role chaining ---------------------------------------------------------------------------------------

IRSA_ROLE = f"arn:aws:iam::{CLUSTER_ACCOUNT}:role/orders-irsa"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_irsa_target_admits_exactly_the_irsa_role(principal: str) -> None:
    trust = target_trust_policy(irsa_target_statements(IRSA_ROLE, principal=principal))
    assert _allows_all(trust, irsa_chained_requests(IRSA_ROLE))
    assert not _allows_all(trust, irsa_chained_requests(OTHER_ROLE))
    assert not _allows_all(trust, irsa_chained_requests(f"arn:aws:iam::{OTHER_ACCOUNT}:role/orders-irsa"))


def test_irsa_target_with_an_external_id_requires_it() -> None:
    trust = target_trust_policy(irsa_target_statements(IRSA_ROLE, external_id="orders-reports-7f3a"))
    assert _allows_all(trust, irsa_chained_requests(IRSA_ROLE, external_id="orders-reports-7f3a"))
    assert not _allows_all(trust, irsa_chained_requests(IRSA_ROLE))
    assert not _allows_all(trust, irsa_chained_requests(IRSA_ROLE, external_id="guess"))


def test_irsa_target_allows_session_tags_only_when_asked() -> None:
    tags = {"team": "orders"}
    plain = target_trust_policy(irsa_target_statements(IRSA_ROLE))
    tagging = target_trust_policy(irsa_target_statements(IRSA_ROLE, tag_session=True))
    assert _allows_all(plain, irsa_chained_requests(IRSA_ROLE))
    assert not _allows_all(plain, irsa_chained_requests(IRSA_ROLE, request_tags=tags))
    assert _allows_all(tagging, irsa_chained_requests(IRSA_ROLE, request_tags=tags))


def test_a_web_identity_token_cannot_use_the_target_directly() -> None:
    trust = target_trust_policy(irsa_target_statements(IRSA_ROLE))
    request = evaluate.web_identity_request(
        f"arn:aws:iam::{CLUSTER_ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        "system:serviceaccount:orders:api",
    )
    assert not evaluate.evaluate(trust, request).allowed


# The source role's permission -----------------------------------------------------------------------------


def test_the_chain_permission_allows_exactly_the_target() -> None:
    for tag_session in (False, True):
        policy = document([chain_permission_statement([TARGET], tag_session=tag_session)])
        assume = evaluate.Request("sts:AssumeRole", "AWS", IRSA_ROLE, resource=TARGET)
        other = evaluate.Request("sts:AssumeRole", "AWS", IRSA_ROLE, resource=TARGET + "-admin")
        tag = evaluate.Request("sts:TagSession", "AWS", IRSA_ROLE, resource=TARGET)
        assert evaluate.evaluate(policy, assume).allowed
        assert not evaluate.evaluate(policy, other).allowed
        assert evaluate.evaluate(policy, tag).allowed is tag_session


def test_account_root_follows_the_partition() -> None:
    assert account_root("arn:aws-cn:iam::111122223333:role/x/y") == "arn:aws-cn:iam::111122223333:root"


# Properties ------------------------------------------------------------------------------------------------

_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(ns=_label, sa=_label, other_ns=_label, other_sa=_label, by_role=st.booleans())
def test_a_target_admits_a_service_account_if_and_only_if_it_is_the_pinned_one(
    ns: str, sa: str, other_ns: str, other_sa: str, by_role: bool
) -> None:
    trust = target_trust_policy(
        pod_identity_target_statements(
            ASSOCIATION_ROLE, ServiceAccountRef(ns, sa), cluster_arns=[PROD], principal="role" if by_role else "account"
        )
    )
    admitted = _allows_all(trust, _pod_requests(namespace=other_ns, sa=other_sa))
    assert admitted == ((ns, sa) == (other_ns, other_sa))


@settings(max_examples=40, deadline=None)
@given(
    cluster=_label,
    ns=_label,
    sa=_label,
    region=st.sampled_from(["eu-west-1", "us-east-1", "ap-southeast-4"]),
    other_cluster=_label,
)
def test_an_external_id_admits_only_its_own_cluster(
    cluster: str, ns: str, sa: str, region: str, other_cluster: str
) -> None:
    pinned = pod_identity_external_id(region, CLUSTER_ACCOUNT, cluster, ns, sa)
    trust = target_trust_policy(
        pod_identity_target_statements(
            ASSOCIATION_ROLE, ServiceAccountRef(ns, sa), session_tags=False, external_ids=[pinned]
        )
    )
    presented = pod_identity_external_id(region, CLUSTER_ACCOUNT, other_cluster, ns, sa)
    assert _allows_all(trust, _untagged_requests(external_id=presented)) == (cluster == other_cluster)
