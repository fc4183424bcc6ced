"""Reading a trust document back: what it admits beyond what it names, decided by the solver."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core.analysis import analyse_trust
from irsa_components.core.evaluate import evaluate
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import pod_identity_statements, workload_trust_policy

HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"
CLUSTER = "arn:aws:eks:eu-west-1:111122223333:cluster/blue"
API = ServiceAccountRef("payments", "api")
PODS = {"Service": "pods.eks.amazonaws.com"}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def web(condition: Any, principal: Any = None, action: Any = "sts:AssumeRoleWithWebIdentity") -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal or {"Federated": PROVIDER}, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return doc(statement)


def pinned() -> dict[str, Any]:
    return {"StringEquals": {f"{HOST}:sub": API.subject, f"{HOST}:aud": "sts.amazonaws.com"}}


def codes(document: dict[str, Any], **kwargs: Any) -> set[str]:
    return {w.code for w in analyse_trust(document, **kwargs).weaknesses}


def test_library_built_trust_has_no_weaknesses() -> None:
    document = workload_trust_policy([API], [PROVIDER], pod_identity_cluster_arns=[CLUSTER], account_id="111122223333")
    analysis = analyse_trust(document)
    assert analysis.weaknesses == ()
    assert analysis.web_identity and analysis.pod_identity
    assert analysis.named.providers == (PROVIDER,)
    assert analysis.named.subjects == (API.subject,)
    assert analysis.named.cluster_arns == (CLUSTER,)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (web(None), {"sub-unpinned", "aud-unexpected"}),
        (web({"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}), {"sub-unpinned"}),
        (web({"StringEquals": {f"{HOST}:sub": API.subject}}), {"aud-unexpected"}),
        (web(pinned(), "*"), {"provider-unpinned"}),
        (web(pinned(), {"AWS": "*"}), {"provider-unpinned"}),
        (web(pinned(), {"Federated": "*"}), {"provider-unpinned"}),
        # A sub pinned on another issuer's key: that key is never in this provider's tokens.
        (
            web({"StringEquals": {"other.example.com:sub": API.subject, f"{HOST}:aud": "sts.amazonaws.com"}}),
            set(),
        ),
        (
            web(
                {"StringLike": {f"{HOST}:sub": "system:serviceaccount:payments:*", f"{HOST}:aud": "sts.amazonaws.com"}}
            ),
            {"sub-namespace-wildcard"},
        ),
        (
            web({"StringLike": {f"{HOST}:sub": "system:serviceaccount:team-*", f"{HOST}:aud": "sts.*"}}),
            {"sub-unpinned", "aud-unexpected"},
        ),
        (web({"StringEquals": {f"{HOST}:sub": API.subject, f"{HOST}:aud": "other"}}), {"aud-unexpected"}),
        # The policy variable ${<issuer>:sub} compares sub with itself: every service account.
        (
            web({"StringEquals": {f"{HOST}:sub": "${" + HOST + ":sub}", f"{HOST}:aud": "sts.amazonaws.com"}}),
            {"sub-unpinned"},
        ),
        # NotAction sts:AssumeRole still allows AssumeRoleWithWebIdentity (and TagSession).
        (
            doc({"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "NotAction": "sts:AssumeRole"}),
            {"sub-unpinned", "aud-unexpected", "open-principal"},
        ),
    ],
)
def test_web_identity_findings(document: dict[str, Any], expected: set[str]) -> None:
    assert codes(document) == expected


def test_every_finding_carries_a_witness_the_evaluator_allows() -> None:
    document = doc({"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "NotAction": "sts:AssumeRole"})
    analysis = analyse_trust(document)
    assert analysis.weaknesses
    for weakness in analysis.weaknesses:
        assert weakness.witness is not None
        assert evaluate(document, weakness.witness.request).allowed
        assert weakness.statement == 0
        assert weakness.witness.describe() in weakness.message
    (sub,) = [w for w in analysis.weaknesses if w.code == "sub-unpinned"]
    assert sub.witness is not None
    assert sub.witness.request.context[f"{HOST.lower()}:sub"] != API.subject


def test_an_open_aws_principal_beside_a_pinned_web_identity_is_found() -> None:
    document = workload_trust_policy([API], [PROVIDER])
    document["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    analysis = analyse_trust(document)
    (open_principal,) = [w for w in analysis.weaknesses if w.code == "open-principal"]
    assert open_principal.level == "mandatory" and open_principal.statement == 1
    assert {"open-principal", "account-unpinned"} <= codes(document)


def test_named_other_principals_are_not_open() -> None:
    chain = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/source"}},
    }
    document = workload_trust_policy([API], [PROVIDER])
    document["Statement"].append(chain)
    analysis = analyse_trust(document)
    assert analysis.weaknesses == ()


def test_a_deny_narrows_what_is_admitted() -> None:
    document = web({"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}})
    assert "sub-unpinned" in codes(document)
    document["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "*",
            "Condition": {"StringNotEquals": {f"{HOST}:sub": API.subject}},
        }
    )
    assert codes(document) == set()


def test_pod_identity_pinned_with_wildcards_is_not_pinned() -> None:
    star = {
        "StringLike": {
            "aws:SourceAccount": "*",
            "aws:RequestTag/eks-cluster-arn": "*",
            "aws:RequestTag/kubernetes-namespace": "*",
            "aws:RequestTag/kubernetes-service-account": "*",
        }
    }
    document = doc(
        {"Effect": "Allow", "Principal": PODS, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": star}
    )
    analysis = analyse_trust(document)
    found = {w.code: w for w in analysis.weaknesses}
    assert found["account-unpinned"].level == "mandatory"
    assert {"cluster-unpinned", "namespace-unpinned"} <= set(found)
    assert all(found[c].level == "advisory" for c in ("cluster-unpinned", "namespace-unpinned"))


def test_pod_identity_weaknesses() -> None:
    untagged = doc(*pod_identity_statements("111122223333", [], [API], session_tags=False))
    assert codes(untagged) == {"cluster-unpinned", "namespace-unpinned"}
    bare = doc({"Effect": "Allow", "Principal": PODS, "Action": "sts:AssumeRole"})
    assert codes(bare) == {"missing-tag-session", "account-unpinned", "cluster-unpinned", "namespace-unpinned"}
    tagged = doc(*pod_identity_statements("111122223333", [CLUSTER], [API]))
    assert codes(tagged) == set()
    assert codes(tagged, allowed_accounts=["444455556666"]) == {"account-unpinned"}


def test_unknown_values_are_symbols_not_reasons_to_skip() -> None:
    provider = "arn:aws:iam::<account-id>:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/<issuer-id:blue>"
    host = provider.split(":oidc-provider/", 1)[1]
    clean = workload_trust_policy([API], [provider])
    assert analyse_trust(clean).weaknesses == ()
    loose = web({"StringEquals": {f"{host}:aud": "sts.amazonaws.com"}}, {"Federated": provider})
    (weakness,) = analyse_trust(loose).weaknesses
    assert weakness.code == "sub-unpinned" and weakness.witness is not None
    # The unknowns keep their own (opaque) values in the witness: it holds whatever the cloud answers.
    assert weakness.witness.request.principal == provider


def test_a_provider_of_an_unknown_account_is_judged_too() -> None:
    provider = "arn:aws:iam::<account-id>:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/<issuer-id:blue>"
    named = workload_trust_policy([API], [PROVIDER])
    # Also trusts a provider of an unknown account for whatever its tokens say: unsafe for every value.
    named["Statement"].append(
        {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity"}
    )
    assert {w.code for w in analyse_trust(named).weaknesses} == {"sub-unpinned", "aud-unexpected"}


def test_unknown_operators_are_never_taken_as_safe() -> None:
    document = web({"StringEqualz": {f"{HOST}:sub": API.subject}, "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}})
    analysis = analyse_trust(document)
    # Whether the statement grants anything depends on the unknown operator: nothing is claimed either way.
    assert analysis.web_identity is None
    assert analysis.weaknesses and all(w.level == "undecided" for w in analysis.weaknesses)
    assert any("StringEqualz" in w.message for w in analysis.weaknesses)
    assert analysis.notes == ("statement 0 StringEqualz: operator StringEqualz is not understood",)


def test_custom_audiences_can_be_allowed() -> None:
    document = web({"StringEquals": {f"{HOST}:sub": API.subject, f"{HOST}:aud": "custom"}})
    assert analyse_trust(document, audiences=("custom",)).weaknesses == ()
