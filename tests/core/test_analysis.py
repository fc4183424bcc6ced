"""Reading trust documents back: who they admit and how weakly."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core.analysis import analyse_trust
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import pod_identity_statements, workload_trust_policy

HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"
CLUSTER = "arn:aws:eks:eu-west-1:111122223333:cluster/blue"
API = ServiceAccountRef("payments", "api")


def web(condition: Any, principal: Any = None, action: Any = "sts:AssumeRoleWithWebIdentity") -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal or {"Federated": PROVIDER}, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def codes(doc: dict[str, Any]) -> set[str]:
    return {w.code for w in analyse_trust(doc).weaknesses}


def test_library_built_trust_has_no_weaknesses() -> None:
    doc = workload_trust_policy([API], [PROVIDER], pod_identity_cluster_arns=[CLUSTER], account_id="111122223333")
    analysis = analyse_trust(doc)
    assert analysis.weaknesses == ()
    (grant,) = analysis.web_identity
    assert (grant.provider_arn, grant.issuer_host, grant.subject_operator) == (PROVIDER, HOST, "StringEquals")
    assert grant.service_accounts == (API,)
    assert grant.audiences == ("sts.amazonaws.com",)
    assert grant.admits_subject(API.subject) and not grant.admits_subject("system:serviceaccount:payments:api2")
    (pods,) = analysis.pod_identity
    assert pods.source_accounts == ("111122223333",)
    assert (pods.cluster_arns, pods.namespaces, pods.service_accounts) == ((CLUSTER,), ("payments",), ("api",))


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (web(None), {"no-condition"}),
        (web({"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}), {"missing-sub"}),
        (web({"StringEquals": {f"{HOST}:sub": API.subject}}), {"missing-aud"}),
        (
            web({"StringEquals": {f"{HOST}:sub": API.subject, f"{HOST}:aud": "sts.amazonaws.com"}}, "*"),
            {"principal-star", "condition-host-mismatch", "missing-sub", "missing-aud"},
        ),
        (
            web({"StringEquals": {"other.example.com:sub": API.subject, f"{HOST}:aud": "sts.amazonaws.com"}}),
            {"condition-host-mismatch", "missing-sub"},
        ),
        (
            web(
                {"StringLike": {f"{HOST}:sub": "system:serviceaccount:payments:*", f"{HOST}:aud": "sts.amazonaws.com"}}
            ),
            {"sub-namespace-wildcard"},
        ),
        (
            web({"StringLike": {f"{HOST}:sub": "system:serviceaccount:team-*", f"{HOST}:aud": "sts.*"}}),
            {"sub-wildcard-broad", "aud-wildcard", "aud-unexpected"},
        ),
        (web({"StringEquals": {f"{HOST}:sub": API.subject, f"{HOST}:aud": "other"}}), {"aud-unexpected"}),
        (
            web(
                {"StringEquals": {f"{HOST}:sub": API.subject, f"{HOST}:aud": "a"}},
                {"Federated": "arn:aws:iam::111122223333:saml-provider/x"},
            ),
            {"federated-not-oidc-provider", "condition-host-mismatch", "missing-sub", "missing-aud"},
        ),
    ],
)
def test_web_identity_weaknesses(doc: dict[str, Any], expected: set[str]) -> None:
    assert codes(doc) == expected


def test_unpinned_sub_admits_every_subject() -> None:
    (grant,) = analyse_trust(web({"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}})).web_identity
    assert grant.subject_operator is None and grant.admits_subject("system:serviceaccount:any:thing")


def test_pod_identity_weaknesses() -> None:
    untagged = {
        "Version": "2012-10-17",
        "Statement": pod_identity_statements("111122223333", [], [API], session_tags=False),
    }
    assert codes(untagged) == {"unpinned-cluster", "unpinned-namespace", "unpinned-service-account"}
    bare = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    assert codes(bare) == {
        "missing-tag-session",
        "missing-source-account",
        "unpinned-cluster",
        "unpinned-namespace",
        "unpinned-service-account",
    }


def test_other_and_deny_statements_are_classified() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": "*", "Action": "*"},
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
        ],
    }
    analysis = analyse_trust(doc)
    assert analysis.deny_statements == (1,)
    assert [(o.statement, o.has_condition) for o in analysis.other] == [(0, False), (2, True)]
    assert analysis.web_identity == () and analysis.pod_identity == ()


def test_custom_audiences_can_be_allowed() -> None:
    doc = web({"StringEquals": {f"{HOST}:sub": API.subject, f"{HOST}:aud": "custom"}})
    assert analyse_trust(doc, audiences_allowed=("custom",)).weaknesses == ()
