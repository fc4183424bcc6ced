"""layout(): deciding an add-on's documents at preview, before the role's partition, region and account are known.

Components register one policy per document at preview, then build the documents once the real values
are known, grouped by the same statement indices. That is sound only if (1) the statements an add-on
builds do not depend, in number, on where the role lives, and (2) no real value makes a statement
longer than the stand-ins the layout sized it with. Both are checked here for every add-on.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from irsa_components.addons import MANAGED_POLICY_CHARS, Addon, resolve
from irsa_components.addons.layout import (
    CANDIDATE_PARTITIONS,
    STAND_IN_ACCOUNT,
    AddonLayout,
    layout,
    stand_in_region,
)
from irsa_components.core.arns import PARTITIONS, partition_for_region, region_problem
from irsa_components.core.documents import document, size, to_json
from irsa_components.core.errors import InputError

from .samples import ACCOUNT, CUSTOM_ADDONS, PLACES, Place, kubernetes_identity, scope_variants

# Real regions of each partition the samples build for (longest names included).
REGIONS = {
    "aws": ("eu-west-1", "us-east-1", "ap-southeast-4", "ap-northeast-3", "il-central-1", "mx-central-1"),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-west-1", "us-gov-east-1"),
}
ACCOUNTS = (ACCOUNT, "999988887777", "000000000001")


def cases() -> list[Any]:
    out = []
    for addon in CUSTOM_ADDONS:
        for place in PLACES:
            for v, scope in enumerate(scope_variants(addon, place)):
                out.append(pytest.param(addon, place, scope, id=f"{addon.name}-{place.partition}-{v}"))
    return out


def resolved(addon: Addon, scope: dict[str, Any], partition: str, region: str, account: str) -> Any:
    return resolve(
        addon.name, scope, partition=partition, region=region, account_id=account, **kubernetes_identity(addon)
    )


def test_stand_in_regions_are_valid_and_longer_than_real_ones() -> None:
    assert set(CANDIDATE_PARTITIONS) == set(PARTITIONS)
    for partition in CANDIDATE_PARTITIONS:
        region = stand_in_region(partition)
        assert region_problem(region) is None and partition_for_region(region) == partition
        assert all(len(region) > len(r) for regions in REGIONS.values() for r in regions)
        assert len(region) > len("us-isof-south-1")


@pytest.mark.parametrize(("addon", "place", "scope"), cases())
def test_statement_count_does_not_depend_on_partition_region_or_account(
    addon: Addon, place: Place, scope: dict[str, Any]
) -> None:
    counts = {
        (region, account): len(resolved(addon, scope, place.partition, region, account).statements)
        for region in (*REGIONS[place.partition], stand_in_region(place.partition))
        for account in ACCOUNTS
    }
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize("addon", CUSTOM_ADDONS, ids=lambda a: a.name)
def test_statement_count_is_the_same_in_every_partition(addon: Addon) -> None:
    for v in range(len(scope_variants(addon, PLACES[0]))):
        counts = {
            place.partition: len(
                resolved(addon, scope_variants(addon, place)[v], place.partition, place.region, ACCOUNT).statements
            )
            for place in PLACES
        }
        assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize(("addon", "place", "scope"), cases())
def test_no_real_value_makes_a_statement_longer_than_its_stand_in(
    addon: Addon, place: Place, scope: dict[str, Any]
) -> None:
    estimate = resolved(addon, scope, place.partition, stand_in_region(place.partition), STAND_IN_ACCOUNT)
    for region in REGIONS[place.partition]:
        real = resolved(addon, scope, place.partition, region, ACCOUNT)
        for i, (a, b) in enumerate(zip(real.statements, estimate.statements, strict=True)):
            assert size(document([a])) <= size(document([b])), (region, i)


@pytest.mark.parametrize(("addon", "place", "scope"), cases())
def test_the_layout_builds_what_resolve_builds_within_the_limit(
    addon: Addon, place: Place, scope: dict[str, Any]
) -> None:
    planned, problems = layout(addon.name, scope, **kubernetes_identity(addon))
    assert problems == [] and planned is not None
    assert place.partition in planned.partitions
    real = resolved(addon, scope, place.partition, place.region, ACCOUNT)
    assert planned.service_accounts == real.service_accounts
    assert planned.statement_count == len(real.statements)
    assert sorted(i for g in planned.groups for i in g) == list(range(len(real.statements)))
    docs = planned.render(partition=place.partition, region=place.region, account_id=ACCOUNT)
    assert [s for d in docs for s in json.loads(d)["Statement"]] == [dict(s) for s in real.statements]
    assert all(size(d) <= MANAGED_POLICY_CHARS for d in docs)
    # Sizing with stand-ins costs an extra document only where the real documents fill the limit so closely that
    # the longest region of the partition would not fit (the split may fall elsewhere).
    assert len(real.documents) <= len(docs) <= len(real.documents) + 1
    if len(docs) > len(real.documents):
        longest = [
            resolved(addon, scope, p, stand_in_region(p), STAND_IN_ACCOUNT).documents for p in planned.partitions
        ]
        assert max(len(d) for d in longest) > len(real.documents)


@pytest.mark.parametrize("max_chars", [1500, 2500, 4000])
def test_a_small_limit_splits_into_documents_that_fit_everywhere(max_chars: int) -> None:
    addon = next(a for a in CUSTOM_ADDONS if a.name == "aws-load-balancer-controller")
    scope = scope_variants(addon, PLACES[0])[1]  # minimal: no ARNs, valid in every partition
    planned, problems = layout(addon.name, scope, max_policy_chars=max_chars)
    assert planned is not None, problems
    assert planned.partitions == CANDIDATE_PARTITIONS
    assert planned.document_count > 1
    for place in PLACES:
        for region in REGIONS[place.partition]:
            docs = planned.render(partition=place.partition, region=region, account_id=ACCOUNT)
            assert len(docs) == planned.document_count
            assert all(size(d) <= max_chars for d in docs), [size(d) for d in docs]


def test_a_scope_written_for_one_partition_is_laid_out_for_it_only() -> None:
    planned, problems = layout("external-dns", {"hosted_zone_arns": ["arn:aws-cn:route53:::hostedzone/Z1"]})
    assert problems == [] and planned is not None
    assert planned.partitions == ("aws-cn",)
    ids_only, _ = layout("external-dns", {"hosted_zone_arns": ["Z1"]})
    assert ids_only is not None and ids_only.partitions == CANDIDATE_PARTITIONS


def test_a_scope_valid_in_no_partition_is_judged_in_the_closest_one() -> None:
    planned, problems = layout(
        "external-dns",
        {
            "hostedZoneArns": [
                "arn:aws:route53:::hostedzone/Z1",
                "arn:aws:route53:::hostedzone/Z2",
                "arn:aws-cn:route53:::hostedzone/Z3",
            ]
        },
        subject="IrsaRole 'dns'",
        field_prefix="addons[0].scope.",
    )
    assert planned is None
    assert [(p.subject, p.field) for p in problems] == [("IrsaRole 'dns'", "addons[0].scope.hosted_zone_arns[2]")]
    assert "is in partition 'aws-cn', but the role is in 'aws'" in problems[0].message


def test_only_the_given_partitions_are_considered() -> None:
    planned, problems = layout(
        "external-dns", {"hosted_zone_arns": ["arn:aws:route53:::hostedzone/Z1"]}, partitions=("aws-cn",)
    )
    assert planned is None
    assert [p.field for p in problems] == ["hosted_zone_arns[0]"]
    assert "is in partition 'aws', but the role is in 'aws-cn'" in problems[0].message


def test_render_in_a_partition_the_scope_does_not_fit_is_an_input_error() -> None:
    planned, _ = layout("external-dns", {"hosted_zone_arns": ["arn:aws:route53:::hostedzone/Z1"]})
    assert planned is not None
    with pytest.raises(InputError) as exc:
        planned.render(
            partition="aws-cn", region="cn-north-1", account_id=ACCOUNT, subject="IrsaRole 'dns'", field_prefix="x."
        )
    assert [(p.subject, p.field) for p in exc.value.problems] == [("IrsaRole 'dns'", "x.hosted_zone_arns[0]")]


def test_render_refuses_a_statement_count_other_than_the_layouts() -> None:
    planned, _ = layout("external-dns", {"hosted_zone_arns": ["Z1"]})
    assert planned is not None
    wrong: AddonLayout = dataclasses.replace(planned, statement_count=planned.statement_count + 1)
    with pytest.raises(InputError, match="at preview"):
        wrong.render(partition="aws", region="eu-west-1", account_id=ACCOUNT)


def test_managed_policies_are_named_by_path_and_rendered_per_partition() -> None:
    planned, problems = layout("efs-csi", {}, policy="managed")
    assert problems == [] and planned is not None
    assert planned.managed_policies == ("service-role/AmazonEFSCSIDriverPolicy",)
    assert planned.groups == () and planned.policy_count == 1
    assert planned.service_accounts == ("kube-system/efs-csi-controller-sa", "kube-system/efs-csi-node-sa")
    assert planned.managed_policy_arns("aws-cn") == (
        "arn:aws-cn:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy",
    )


def test_the_layout_keeps_its_own_copy_of_the_scope() -> None:
    zones = ["Z1"]
    planned, _ = layout("external-dns", {"hosted_zone_arns": zones})
    zones.append("Z2")
    assert planned is not None
    (doc,) = planned.render(partition="aws", region="eu-west-1", account_id=ACCOUNT)
    assert "Z2" not in doc and to_json(json.loads(doc)) == doc
