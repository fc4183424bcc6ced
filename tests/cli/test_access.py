"""Reading trust documents into principals: patterns, missing conditions, foreign principals."""

from __future__ import annotations

from typing import Any

from irsa_components.plan.access import ClusterIndex, principals_from_trust, subject_covers
from irsa_components.plan.model import Cluster

from .helpers import ACCOUNT, CLUSTER_BLUE_ARN, HOST_BLUE, PROVIDER_BLUE, base_irsa, plan_of

CLUSTERS = {
    "blue": Cluster(
        name="prod-blue",
        arn=CLUSTER_BLUE_ARN,
        issuer_url=f"https://{HOST_BLUE}",
        issuer_host=HOST_BLUE,
        oidc_provider_arn=PROVIDER_BLUE,
        oidc_provider="created",
    )
}
INDEX = ClusterIndex.of(CLUSTERS)


def web(condition: dict[str, Any] | None, principal: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal or {"Federated": PROVIDER_BLUE},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_namespace_wildcard_is_a_pattern_principal() -> None:
    doc = web(
        {
            "StringLike": {f"{HOST_BLUE}:sub": "system:serviceaccount:team-a:*"},
            "StringEquals": {f"{HOST_BLUE}:aud": "sts.amazonaws.com"},
        }
    )
    [p], weaknesses = principals_from_trust(doc, INDEX)
    assert (p.cluster, p.namespace, p.service_account, p.pattern) == ("blue", "team-a", "*", True)
    assert [w.code for w in weaknesses] == ["sub-namespace-wildcard"]


def test_no_sub_admits_every_service_account_of_the_cluster() -> None:
    [p], weaknesses = principals_from_trust(web({"StringEquals": {f"{HOST_BLUE}:aud": "sts.amazonaws.com"}}), INDEX)
    assert p.subject == "system:serviceaccount:*:*" and p.pattern
    assert "sub-unpinned" in {w.code for w in weaknesses}


def test_no_condition_at_all() -> None:
    [p], weaknesses = principals_from_trust(web(None), INDEX)
    assert p.audiences is None and p.subject == "system:serviceaccount:*:*"
    assert {"sub-unpinned", "aud-unexpected"} <= {w.code for w in weaknesses}


def test_principal_star_and_foreign_principals() -> None:
    star = web({"StringEquals": {f"{HOST_BLUE}:sub": "system:serviceaccount:a:b"}}, principal="*")
    [p], weaknesses = principals_from_trust(star, INDEX)
    assert p.cluster == "*" and not p.cluster_known
    assert "provider-unpinned" in {w.code for w in weaknesses}
    other = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ]
    }
    [p], weaknesses = principals_from_trust(other, INDEX)
    assert p.mechanism == "other" and ACCOUNT in p.subject
    assert [w.code for w in weaknesses] == ["other-principal"]


def test_pod_identity_unpinned_without_associations_is_a_wildcard() -> None:
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ]
    }
    [p], weaknesses = principals_from_trust(doc, INDEX)
    assert (p.mechanism, p.cluster, p.subject) == ("pod-identity", "*", "system:serviceaccount:*:*")
    assert {"cluster-unpinned", "namespace-unpinned"} <= {w.code for w in weaknesses}


def test_pattern_coverage() -> None:
    wide = web({"StringLike": {f"{HOST_BLUE}:sub": "system:serviceaccount:payments:*"}})
    exact = web(
        {
            "StringEquals": {
                f"{HOST_BLUE}:sub": "system:serviceaccount:payments:api",
                f"{HOST_BLUE}:aud": "sts.amazonaws.com",
            }
        }
    )
    [w], _ = principals_from_trust(wide, INDEX)
    [e], _ = principals_from_trust(exact, INDEX)
    assert subject_covers(w, e) and not subject_covers(e, w)


def test_many_services_all_mapped() -> None:
    services = {f"svc-{i}": {"namespace": f"ns-{i % 7}", "identity": ["irsa", "both"][i % 2]} for i in range(40)}
    plan = plan_of(base_irsa(**services))
    assert sorted(plan.services) == sorted(services)
    for key, service in plan.services.items():
        expected = 2 if service.identity == "irsa" else 4
        assert len(service.principals) == expected, key
        assert all(p.cluster_known and p.service_account == key for p in service.principals)
        assert len(service.kubernetes.service_accounts) == 2
