"""The shape of trust documents built by core.trust (what they admit is in the *_properties tests)."""

from __future__ import annotations

import pytest

from irsa_components.core import trust
from irsa_components.core.kubernetes import ServiceAccountRef

HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"
GREEN_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/DEF"
GREEN = f"arn:aws:iam::111122223333:oidc-provider/{GREEN_HOST}"
API = ServiceAccountRef("payments", "api")
WORKER = ServiceAccountRef("payments", "worker")
CLUSTER = "arn:aws:eks:eu-west-1:111122223333:cluster/blue"


def test_web_identity_statement_pins_sub_and_aud() -> None:
    assert trust.web_identity_statement(PROVIDER, [API]) == {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{HOST}:sub": "system:serviceaccount:payments:api",
                f"{HOST}:aud": "sts.amazonaws.com",
            }
        },
    }


def test_several_subjects_and_audiences_are_sorted_lists() -> None:
    statement = trust.web_identity_statement(PROVIDER, [WORKER, API, API], ["b", "a"])
    equals = statement["Condition"]["StringEquals"]
    assert equals[f"{HOST}:sub"] == ["system:serviceaccount:payments:api", "system:serviceaccount:payments:worker"]
    assert equals[f"{HOST}:aud"] == ["a", "b"]


def test_namespace_wildcard_uses_string_like_for_sub_only() -> None:
    statement = trust.web_identity_statement(PROVIDER, [ServiceAccountRef("payments", "*"), WORKER])
    assert statement["Condition"] == {
        "StringLike": {f"{HOST}:sub": ["system:serviceaccount:payments:*", "system:serviceaccount:payments:worker"]},
        "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
    }


def test_web_identity_statement_refuses_empty_inputs_and_non_provider_arns() -> None:
    with pytest.raises(ValueError, match="service account"):
        trust.web_identity_statement(PROVIDER, [])
    with pytest.raises(ValueError, match="audience"):
        trust.web_identity_statement(PROVIDER, [API], [])
    with pytest.raises(ValueError, match="not an IAM OIDC provider ARN"):
        trust.web_identity_statement("arn:aws:iam::111122223333:role/x", [API])


def test_irsa_statements_one_per_provider_sorted_and_deduplicated() -> None:
    statements = trust.irsa_statements([GREEN, PROVIDER, GREEN], [API])
    assert [s["Principal"]["Federated"] for s in statements] == [PROVIDER, GREEN]
    assert all(
        f"{h}:sub" in s["Condition"]["StringEquals"] for s, h in zip(statements, [HOST, GREEN_HOST], strict=True)
    )


def test_pod_identity_statement_pins_account_clusters_namespace_and_name() -> None:
    other = CLUSTER.replace("blue", "green")
    assert trust.pod_identity_statement("111122223333", [other, CLUSTER], API) == {
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {
            "StringEquals": {
                "aws:SourceAccount": "111122223333",
                "aws:RequestTag/eks-cluster-arn": [CLUSTER, other],
                "aws:RequestTag/kubernetes-namespace": "payments",
                "aws:RequestTag/kubernetes-service-account": "api",
            }
        },
    }


def test_pod_identity_statement_variants() -> None:
    wildcard = trust.pod_identity_statement("111122223333", [CLUSTER], ServiceAccountRef("payments", "*"))
    assert "aws:RequestTag/kubernetes-service-account" not in wildcard["Condition"]["StringEquals"]
    untagged = trust.pod_identity_statement("111122223333", [], API, session_tags=False)
    assert untagged["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    with pytest.raises(ValueError, match="at least one cluster"):
        trust.pod_identity_statement("111122223333", [], API)


def test_pod_identity_statements_one_per_service_account_or_one_without_tags() -> None:
    tagged = trust.pod_identity_statements("111122223333", [CLUSTER], [WORKER, API, API])
    names = [s["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] for s in tagged]
    assert names == ["api", "worker"]
    assert len(trust.pod_identity_statements("111122223333", [CLUSTER], [WORKER, API], session_tags=False)) == 1


def test_workload_trust_policy_combines_mechanisms() -> None:
    irsa_only = trust.workload_trust_policy([API], [PROVIDER])
    assert irsa_only["Version"] == "2012-10-17" and len(irsa_only["Statement"]) == 1
    both = trust.workload_trust_policy(
        [API], [PROVIDER], pod_identity_cluster_arns=[CLUSTER], account_id="111122223333"
    )
    principals = [s["Principal"] for s in both["Statement"]]
    assert principals == [{"Federated": PROVIDER}, {"Service": "pods.eks.amazonaws.com"}]
    pods_only = trust.workload_trust_policy([API], [], pod_identity_cluster_arns=[CLUSTER], account_id="111122223333")
    assert [s["Principal"] for s in pods_only["Statement"]] == [{"Service": "pods.eks.amazonaws.com"}]
    untagged = trust.workload_trust_policy([API], [PROVIDER], account_id="111122223333", session_tags=False)
    assert len(untagged["Statement"]) == 2
    with pytest.raises(ValueError, match="at least one statement"):
        trust.workload_trust_policy([API], [])


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", "oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
        ("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/", "oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
        ("https://issuer.example.com", "issuer.example.com"),
    ],
)
def test_issuer_host(url: str, host: str) -> None:
    assert trust.issuer_host(url) == host
    assert trust.issuer_url_problem(url) is None


def test_issuer_host_from_provider_arn() -> None:
    assert trust.issuer_host_from_provider_arn(PROVIDER) == HOST
    for bad in ("arn:aws:iam::111122223333:role/x", "oidc-provider/x", "arn:aws:iam::1:oidc-provider/"):
        with pytest.raises(ValueError, match="not an IAM OIDC provider ARN"):
            trust.issuer_host_from_provider_arn(bad)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "non-empty"),
        (None, "non-empty"),
        ("http://oidc.example.com", "https://"),
        ("oidc.example.com", "https://"),
        ("https://", "no host"),
        ("https://oidc.example.com:443/id/x", "port"),
        ("https://oidc.example.com/id?x=1", "query"),
        ("https://oidc.example.com/id#frag", "fragment"),
        ("https://user:pw@oidc.example.com", "port"),
        ("https://user@oidc.example.com", "credentials"),
        ("https://oidc.example.com/ id", "whitespace"),
        ("https://oidc.example.com/" + "x" * 240, "at most 255"),
    ],
)
def test_issuer_url_problems(url: object, fragment: str) -> None:
    problem = trust.issuer_url_problem(url)
    assert problem is not None and fragment in problem


def test_trust_policy_needs_a_statement() -> None:
    with pytest.raises(ValueError):
        trust.trust_policy([])
