"""Pure checks behind the components: partitions, close matches, child names, Pod Identity admission."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irsa_components.core import names
from irsa_components.core.arns import eks_cluster_arn, literal_partition
from irsa_components.core.errors import Problems, close_matches
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.trust import pod_identity_statements, trust_policy
from irsa_components.core.validate import check_partitions, pod_identity_refusals, statement_arns


@pytest.mark.parametrize(
    ("value", "partition"),
    [
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", "aws"),
        ("arn:aws-cn:s3:::bucket", "aws-cn"),
        ("arn:aws-us-gov:iam::111122223333:role/x", "aws-us-gov"),
        ("arn:*:s3:::bucket", None),
        ("arn:${aws:partition}:s3:::bucket", None),
        ("arn:gcp:iam::1:role/x", None),
        ("*", None),
        (None, None),
    ],
)
def test_literal_partition(value: object, partition: str | None) -> None:
    assert literal_partition(value) == partition


def test_partitions_against_the_expected_one_and_among_themselves() -> None:
    arns = [("a", "arn:aws:iam::aws:policy/A"), ("b", "arn:aws-cn:iam::aws:policy/B"), ("c", "arn:aws:s3:::c")]
    p = Problems("x")
    check_partitions(p, arns, "aws", "the stack's region eu-west-1")
    assert [q.field for q in p] == ["b"]
    p = Problems("x")
    check_partitions(p, arns, None)
    assert [(q.field, "but a, c are in 'aws'" in q.message) for q in p] == [("b", True)]
    p = Problems("x")
    check_partitions(p, arns[:1], None)
    assert not p


def test_statement_arns_name_their_place() -> None:
    statements = [{"Resource": ["arn:aws:s3:::a", "*"]}, {"NotResource": "arn:aws-cn:s3:::b"}, "junk"]
    assert statement_arns("s", statements) == [
        ("s[0].Resource[0]", "arn:aws:s3:::a"),
        ("s[1].NotResource", "arn:aws-cn:s3:::b"),
    ]


def test_a_close_match_differing_only_in_case_comes_first() -> None:
    assert close_matches("effect", ["Effect", "NotAction"]) == ["Effect"]
    assert close_matches("cluster-names", ["cluster_names"]) == ["cluster_names"]
    assert close_matches("zzz", ["Effect"]) == []


@given(st.lists(st.sampled_from(["a/X", "b/X", "X", "c/Y", None]), max_size=6))
def test_attachment_names_are_unique_within_a_component(policies: list[str | None]) -> None:
    arns = [None if p is None else f"arn:aws:iam::aws:policy/{p}" for p in policies]
    distinct = [a for i, a in enumerate(arns) if a is None or a not in arns[:i]]
    got = names.attachment_names("svc", distinct)
    assert len(set(got)) == len(got) and all(n.startswith("svc-") for n in got)


def test_pod_identity_refusals_name_the_clusters_the_trust_refuses() -> None:
    account = "111122223333"
    arn = eks_cluster_arn("aws", "eu-west-1", account, "blue")
    trust = trust_policy(pod_identity_statements(account, [arn], [ServiceAccountRef("ns", "sa")]))
    green = eks_cluster_arn("aws", "eu-west-1", account, "green")
    clusters = [("blue", arn), ("green", green)]
    assert pod_identity_refusals(
        trust, account_id=account, clusters=clusters, namespace="ns", service_account="sa"
    ) == ["green"]
    refused = pod_identity_refusals(trust, account_id=account, clusters=clusters, namespace="ns", service_account="x")
    assert refused == ["blue", "green"]
