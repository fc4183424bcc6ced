"""Statements of core.evaluate: principals, actions, resources, and how statements combine."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core.evaluate import Request, allows_all, evaluate, pod_identity_requests, web_identity_request

ROLE = "arn:aws:iam::111122223333:role/app"
OTHER_ACCOUNT_ROLE = "arn:aws:iam::444455556666:role/app"


def decide(statements: list[dict[str, Any]], request: Request) -> str:
    return evaluate({"Version": "2012-10-17", "Statement": statements}, request).outcome


def allow(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", **fields}


AWS_REQUEST = Request("sts:AssumeRole", "AWS", ROLE)


@pytest.mark.parametrize(
    ("principal", "request_", "expected"),
    [
        ("*", AWS_REQUEST, "allow"),
        ("*", Request("sts:AssumeRole", "Service", "ec2.amazonaws.com"), "allow"),
        ({"AWS": ROLE}, AWS_REQUEST, "allow"),
        ({"AWS": [OTHER_ACCOUNT_ROLE, ROLE]}, AWS_REQUEST, "allow"),
        ({"AWS": OTHER_ACCOUNT_ROLE}, AWS_REQUEST, "implicit-deny"),
        ({"AWS": "111122223333"}, AWS_REQUEST, "allow"),
        ({"AWS": "arn:aws:iam::111122223333:root"}, AWS_REQUEST, "allow"),
        ({"AWS": "arn:aws:iam::444455556666:root"}, AWS_REQUEST, "implicit-deny"),
        ({"AWS": "arn:aws-cn:iam::111122223333:root"}, AWS_REQUEST, "implicit-deny"),
        ({"AWS": "*"}, AWS_REQUEST, "allow"),
        # {"AWS": "*"} is documented as the same as "*": everyone, federated and services included.
        (
            {"AWS": "*"},
            Request("sts:AssumeRole", "Federated", "arn:aws:iam::1:oidc-provider/x"),
            "allow",
        ),
        ({"AWS": "*"}, Request("sts:AssumeRole", "Service", "pods.eks.amazonaws.com"), "allow"),
        ({"Federated": "*"}, AWS_REQUEST, "implicit-deny"),
        # The principal type must match: a service is not an AWS principal of the same name, nor federated.
        ({"Service": ROLE}, AWS_REQUEST, "implicit-deny"),
        ({"Federated": ROLE}, AWS_REQUEST, "implicit-deny"),
        (
            {"Service": "pods.eks.amazonaws.com"},
            Request("sts:AssumeRole", "Service", "pods.eks.amazonaws.com"),
            "allow",
        ),
        (
            {"Service": "pods.eks.amazonaws.com"},
            Request("sts:AssumeRole", "Service", "ec2.amazonaws.com"),
            "implicit-deny",
        ),
        ("not-a-principal-block", AWS_REQUEST, "implicit-deny"),
    ],
)
def test_principal(principal: Any, request_: Request, expected: str) -> None:
    assert decide([allow(Principal=principal, Action="sts:AssumeRole")], request_) == expected


def test_not_principal_applies_to_everyone_else() -> None:
    statements = [allow(Principal="*", Action="*"), {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "*"}]
    assert decide(statements, AWS_REQUEST) == "allow"
    assert decide(statements, Request("sts:AssumeRole", "AWS", OTHER_ACCOUNT_ROLE)) == "explicit-deny"
    assert decide([allow(NotPrincipal={"AWS": ROLE}, Action="*")], AWS_REQUEST) == "implicit-deny"


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("sts:AssumeRole", "allow"),
        ("STS:assumerole", "allow"),
        ("sts:Assume*", "allow"),
        ("sts:*", "allow"),
        ("*", "allow"),
        ("sts:AssumeRole?", "implicit-deny"),
        ("sts:AssumeRoleWithWebIdentity", "implicit-deny"),
        (["sts:TagSession", "sts:AssumeRole"], "allow"),
        ("iam:AssumeRole", "implicit-deny"),
    ],
)
def test_action_matching_is_case_insensitive_with_wildcards(action: Any, expected: str) -> None:
    assert decide([allow(Principal="*", Action=action)], AWS_REQUEST) == expected


def test_not_action_matches_every_other_action() -> None:
    statements = [allow(Principal="*", NotAction="sts:TagSession")]
    assert decide(statements, AWS_REQUEST) == "allow"
    assert decide(statements, Request("sts:TagSession", "AWS", ROLE)) == "implicit-deny"


def test_statement_without_action_matches_nothing() -> None:
    assert decide([allow(Principal="*")], AWS_REQUEST) == "implicit-deny"


def test_resources_match_when_the_request_names_one() -> None:
    statements = [allow(Action="s3:GetObject", Resource="arn:aws:s3:::bucket/team-a/*")]
    assert decide(statements, Request("s3:GetObject", "AWS", ROLE, resource="arn:aws:s3:::bucket/team-a/x")) == "allow"
    assert decide(statements, Request("s3:GetObject", "AWS", ROLE, resource="arn:aws:s3:::bucket/team-b/x")) != "allow"
    not_resource = [allow(Action="s3:GetObject", NotResource="arn:aws:s3:::secret/*")]
    assert decide(not_resource, Request("s3:GetObject", "AWS", ROLE, resource="arn:aws:s3:::secret/x")) != "allow"
    assert decide(not_resource, Request("s3:GetObject", "AWS", ROLE, resource="arn:aws:s3:::open/x")) == "allow"


def test_statements_are_ored_and_explicit_deny_wins() -> None:
    allow_a = allow(Principal="*", Action="sts:AssumeRole", Condition={"StringEquals": {"k": "a"}})
    allow_b = allow(Principal="*", Action="sts:AssumeRole", Condition={"StringEquals": {"k": "b"}})
    deny_b = {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": {"StringEquals": {"k": "b"}}}
    request_a = Request("sts:AssumeRole", "AWS", ROLE, {"k": "a"})
    request_b = Request("sts:AssumeRole", "AWS", ROLE, {"k": "b"})
    assert decide([allow_a, allow_b], request_b) == "allow"
    assert decide([allow_a, allow_b, deny_b], request_b) == "explicit-deny"
    assert decide([deny_b, allow_a, allow_b], request_a) == "allow"
    assert decide([], request_a) == "implicit-deny"


def test_a_single_statement_object_is_accepted() -> None:
    policy = {"Version": "2012-10-17", "Statement": allow(Principal="*", Action="*")}
    assert evaluate(policy, AWS_REQUEST).allowed


def test_web_identity_request_carries_sub_and_aud_of_the_issuer() -> None:
    request = web_identity_request("arn:aws:iam::1:oidc-provider/h/id/X", "h/id/X", "system:serviceaccount:a:b", "aud")
    assert (request.action, request.principal_type) == ("sts:AssumeRoleWithWebIdentity", "Federated")
    assert dict(request.context) == {"h/id/X:sub": "system:serviceaccount:a:b", "h/id/X:aud": "aud"}


def test_pod_identity_requests_carry_the_session_tags() -> None:
    kwargs = {
        "account_id": "111122223333",
        "cluster_arn": "arn:aws:eks:eu-west-1:111122223333:cluster/c",
        "cluster_name": "c",
        "namespace": "ns",
        "service_account": "sa",
    }
    tagged = pod_identity_requests(**kwargs)  # type: ignore[arg-type]
    assert [r.action for r in tagged] == ["sts:AssumeRole", "sts:TagSession"]
    assert all(r.principal == "pods.eks.amazonaws.com" and r.principal_type == "Service" for r in tagged)
    context = tagged[0].context
    assert context["aws:SourceAccount"] == "111122223333"
    assert context["aws:RequestTag/eks-cluster-arn"] == kwargs["cluster_arn"]
    assert context["aws:RequestTag/kubernetes-namespace"] == "ns"
    assert context["aws:RequestTag/kubernetes-service-account"] == "sa"
    untagged = pod_identity_requests(**kwargs, session_tags=False)
    assert [r.action for r in untagged] == ["sts:AssumeRole"]
    assert dict(untagged[0].context) == {
        "aws:SourceAccount": "111122223333",
        "aws:SourceArn": "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c/a-00000000000000000",
    }


def test_allows_all_needs_every_request() -> None:
    only_assume = {"Statement": [allow(Principal="*", Action="sts:AssumeRole")]}
    requests = [Request("sts:AssumeRole", "AWS", ROLE), Request("sts:TagSession", "AWS", ROLE)]
    assert not allows_all(only_assume, requests)
    assert allows_all(only_assume, requests[:1])
