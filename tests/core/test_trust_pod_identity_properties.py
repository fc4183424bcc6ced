"""Properties: a Pod Identity trust admits exactly its clusters, namespace and service accounts."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from irsa_components.core.arns import eks_cluster_arn
from irsa_components.core.evaluate import allows_all, evaluate, pod_identity_requests, web_identity_request
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import pod_identity_statements, trust_policy, workload_trust_policy

from .strategies import accounts, cluster_names, labels, providers, service_account_sets, service_accounts

REGION = "eu-west-1"


def admits(
    doc: dict[str, Any],
    account: str,
    cluster: str,
    sa: ServiceAccountRef,
    *,
    cluster_account: str | None = None,
    session_tags: bool = True,
) -> bool:
    requests = pod_identity_requests(
        account_id=account,
        cluster_arn=eks_cluster_arn("aws", REGION, cluster_account or account, cluster),
        cluster_name=cluster,
        namespace=sa.namespace,
        service_account=sa.name,
        session_tags=session_tags,
    )
    return allows_all(doc, requests)


def build(account: str, clusters: list[str], sas: list[ServiceAccountRef], session_tags: bool = True) -> dict[str, Any]:
    arns = [eks_cluster_arn("aws", REGION, account, c) for c in clusters]
    return trust_policy(pod_identity_statements(account, arns, sas, session_tags=session_tags))


cluster_sets = st.lists(cluster_names, min_size=1, max_size=3, unique=True)


@given(accounts, cluster_sets, service_account_sets)
def test_admits_every_declared_cluster_and_service_account(
    account: str, clusters: list[str], sas: list[ServiceAccountRef]
) -> None:
    doc = build(account, clusters, sas)
    assert all(admits(doc, account, c, sa) for c in clusters for sa in sas)


@given(accounts, cluster_sets, service_account_sets, cluster_names)
def test_refuses_other_clusters(account: str, clusters: list[str], sas: list[ServiceAccountRef], other: str) -> None:
    assume(other not in clusters)
    assert not admits(build(account, clusters, sas), account, other, sas[0])


@given(accounts, cluster_sets, service_account_sets, service_accounts)
def test_refuses_other_service_accounts(
    account: str, clusters: list[str], sas: list[ServiceAccountRef], other: ServiceAccountRef
) -> None:
    assume(other not in sas)
    assert not admits(build(account, clusters, sas), account, clusters[0], other)


@given(accounts, cluster_sets, service_account_sets)
def test_does_not_mix_namespace_of_one_account_with_name_of_another(
    account: str, clusters: list[str], sas: list[ServiceAccountRef]
) -> None:
    doc = build(account, clusters, sas)
    for a in sas:
        for b in sas:
            crossed = ServiceAccountRef(a.namespace, b.name)
            assert admits(doc, account, clusters[0], crossed) == (crossed in sas)


@given(accounts, accounts, cluster_sets, service_account_sets)
def test_refuses_other_accounts(account: str, other: str, clusters: list[str], sas: list[ServiceAccountRef]) -> None:
    assume(other != account)
    doc = build(account, clusters, sas)
    # The same cluster name in another account, and the right cluster ARN with another source account.
    assert not admits(doc, other, clusters[0], sas[0])
    assert not admits(doc, other, clusters[0], sas[0], cluster_account=account)
    assert not admits(doc, account, clusters[0], sas[0], cluster_account=other)


@given(accounts, cluster_sets, labels, st.lists(labels, min_size=1, max_size=3))
def test_namespace_wildcard_admits_any_name_in_that_namespace_only(
    account: str, clusters: list[str], namespace: str, names: list[str]
) -> None:
    doc = build(account, clusters, [ServiceAccountRef(namespace, "*")])
    for name in names:
        assert admits(doc, account, clusters[0], ServiceAccountRef(namespace, name))
        assert not admits(doc, account, clusters[0], ServiceAccountRef(f"{namespace}-other", name))


@given(accounts, cluster_sets, service_account_sets)
def test_requires_both_assume_role_and_tag_session(
    account: str, clusters: list[str], sas: list[ServiceAccountRef]
) -> None:
    doc = build(account, clusters, sas)
    assert all(s["Action"] == ["sts:AssumeRole", "sts:TagSession"] for s in doc["Statement"])
    for kept in ("sts:AssumeRole", "sts:TagSession"):
        partial = {**doc, "Statement": [{**s, "Action": kept} for s in doc["Statement"]]}
        assert not admits(partial, account, clusters[0], sas[0])


@given(accounts, cluster_sets, service_account_sets)
def test_a_tag_pinned_trust_refuses_associations_without_session_tags(
    account: str, clusters: list[str], sas: list[ServiceAccountRef]
) -> None:
    assert not admits(build(account, clusters, sas), account, clusters[0], sas[0], session_tags=False)


@given(accounts, accounts, cluster_sets, service_account_sets, cluster_names, service_accounts)
def test_without_session_tags_only_the_account_is_pinned(
    account: str,
    other_account: str,
    clusters: list[str],
    sas: list[ServiceAccountRef],
    any_cluster: str,
    any_sa: ServiceAccountRef,
) -> None:
    assume(other_account != account)
    doc = build(account, clusters, sas, session_tags=False)
    assert len(doc["Statement"]) == 1
    assert doc["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
    # Any cluster, namespace and service account of the account, with or without tags...
    assert admits(doc, account, any_cluster, any_sa, session_tags=False)
    assert admits(doc, account, any_cluster, any_sa)
    # ...but nothing from another account.
    assert not admits(doc, other_account, any_cluster, any_sa, session_tags=False)
    assert not admits(doc, other_account, clusters[0], sas[0])


@given(accounts, cluster_sets, service_account_sets, providers())
def test_combined_trust_keeps_each_mechanism_to_itself(
    account: str, clusters: list[str], sas: list[ServiceAccountRef], provider: tuple[str, str]
) -> None:
    cluster_arns = [eks_cluster_arn("aws", REGION, account, c) for c in clusters]
    doc = workload_trust_policy(sas, [provider[0]], pod_identity_cluster_arns=cluster_arns, account_id=account)
    sa = sas[0]
    assert admits(doc, account, clusters[0], sa)
    assert evaluate(doc, web_identity_request(provider[0], provider[1], sa.subject)).allowed
    # The web-identity statement does not let Pod Identity in for an undeclared account, nor the reverse.
    stranger = ServiceAccountRef(sa.namespace, sa.name + "x")
    assert not admits(doc, account, clusters[0], stranger)
    assert not evaluate(doc, web_identity_request(provider[0], provider[1], stranger.subject)).allowed
