"""Permission documents and administrator detection."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core import permissions


def test_inline_policy_is_a_versioned_document() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    assert permissions.inline_policy([statement]) == {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize(
    ("statement", "admin"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
        ({"Effect": "Allow", "Action": ["s3:GetObject", "*:*"], "Resource": "*"}, True),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, True),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}, False),
        ("not-a-statement", False),
    ],
)
def test_admin_actions(statement: Any, admin: bool) -> None:
    assert bool(permissions.admin_actions([statement])) is admin


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
