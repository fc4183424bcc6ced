"""Permission documents and administrator detection."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core import permissions
from irsa_components.core.evaluate import evaluate


def test_inline_policy_is_a_versioned_document() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    assert permissions.inline_policy([statement]) == {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize(
    ("statements", "codes"),
    [
        ([{"Effect": "Allow", "Action": "*", "Resource": "*"}], {"all-actions", "iam-wildcard"}),
        ([{"Effect": "Allow", "Action": ["s3:GetObject", "*:*"], "Resource": "*"}], {"all-actions", "iam-wildcard"}),
        ([{"Effect": "Allow", "Action": "s*:*", "Resource": "*"}], {"all-actions"}),
        ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], {"all-actions"}),
        ([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}], {"iam-wildcard"}),
        ([{"Effect": "Allow", "Action": "iam:Put*", "Resource": "arn:aws:iam::111122223333:role/x"}], {"iam-wildcard"}),
        ([{"Effect": "Deny", "Action": "*", "Resource": "*"}], set()),
        ([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], set()),
        ([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}], set()),
        ([{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}], set()),
        # A Deny that takes back everything the Allow gives beyond S3 leaves nothing admin-like.
        (
            [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"},
            ],
            set(),
        ),
        # An Allow * that can never match (its condition needs a key to be both present and absent).
        (
            [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"Null": {"aws:SourceIp": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                }
            ],
            set(),
        ),
    ],
)
def test_admin_grants_are_decided_semantically(statements: list[Any], codes: set[str]) -> None:
    document = permissions.inline_policy(statements)
    grants = permissions.admin_grants(document)
    assert {g.code for g in grants} == codes
    for grant in grants:
        assert grant.witness is not None
        assert evaluate(document, grant.witness.request).allowed
        assert grant.statement == 0


def test_forbidden_actions_are_found_semantically() -> None:
    document = permissions.inline_policy([{"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}])
    (grant,) = [
        g for g in permissions.admin_grants(document, extra_actions=["iam:PassRole"]) if g.code == "forbidden-action"
    ]
    assert grant.witness is not None and grant.witness.request.action.lower() == "iam:passrole"


@pytest.mark.parametrize(
    ("arn", "admin"),
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws-cn:iam::aws:policy/IAMFullAccess", True),
        ("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", False),
        ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify", False),
        # A customer managed policy named like an AWS one is not AWS's policy.
        ("arn:aws:iam::111122223333:policy/AdministratorAccess", False),
    ],
)
def test_admin_managed_policies(arn: str, admin: bool) -> None:
    assert (permissions.admin_managed_policies([arn]) == [arn]) is admin


def test_policy_name() -> None:
    assert permissions.policy_name("arn:aws:iam::aws:policy/service-role/AmazonEKSClusterPolicy") == (
        "AmazonEKSClusterPolicy"
    )
    assert permissions.policy_name("arn:aws:iam::111122223333:policy/mine") == "mine"
