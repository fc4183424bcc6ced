"""The built documents as IAM sees them: accepted by moto's IAM, within size, partition- and location-aware."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from irsa_components.addons import CATALOGUE, MANAGED_POLICY_CHARS, kinds, resolve
from irsa_components.core.arns import parse_arn
from irsa_components.core.documents import as_list, document, size, statement_problems, to_json

from .built import Built, built
from .samples import ACCOUNT, PLACES, full_scope, kubernetes_identity, sample_values

BUILT = built()
IDS = [b.id for b in BUILT]
_names = itertools.count()


def arns_in(value: Any) -> Iterator[str]:
    """Every ARN in a statement: resources and condition values."""
    if isinstance(value, str):
        if value.startswith("arn:"):
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from arns_in(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from arns_in(v)


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_documents_fit_a_managed_policy_and_keep_every_statement(b: Built) -> None:
    docs = b.resolved.documents
    assert docs, "a custom policy has at least one document"
    for doc in docs:
        assert size(doc) <= MANAGED_POLICY_CHARS
        assert doc["Version"] == "2012-10-17"
    assert [s for doc in docs for s in doc["Statement"]] == list(b.resolved.statements)
    assert b.resolved.policy_json() == tuple(to_json(d) for d in docs)


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_statements_are_valid_allow_statements_with_unique_sids(b: Built) -> None:
    sids = [s["Sid"] for s in b.resolved.statements]
    assert len(sids) == len(set(sids))
    for statement in b.resolved.statements:
        assert statement_problems(statement) == []
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement
        assert "*" not in as_list(statement["Action"]) and "*:*" not in as_list(statement["Action"])


@pytest.mark.parametrize("b", BUILT, ids=IDS)
def test_every_arn_is_in_the_role_partition(b: Built) -> None:
    for statement in b.resolved.statements:
        for arn in arns_in(statement):
            assert parse_arn(arn).partition == b.place.partition, f"{statement['Sid']}: {arn}"


@pytest.mark.parametrize("b", [b for b in BUILT if b.located], ids=[b.id for b in BUILT if b.located])
def test_arns_name_the_role_region_and_account_when_known(b: Built) -> None:
    for statement in b.resolved.statements:
        for arn in arns_in(statement):
            parsed = parse_arn(arn)
            assert parsed.region in (b.place.region, ""), f"{statement['Sid']}: {arn}"
            assert parsed.account in (ACCOUNT, "", *given_accounts(b)), f"{statement['Sid']}: {arn}"


def given_accounts(b: Built) -> list[str]:
    """Accounts the scope names itself (a shared VPC's owner, ...): ARNs may name them besides the role's."""
    return [a for i in b.addon.inputs if i.kind is kinds.ACCOUNT_ID for a in sample_values(i.kind, b.place)]


@pytest.mark.parametrize("b", [b for b in BUILT if not b.located], ids=[b.id for b in BUILT if not b.located])
def test_unknown_region_and_account_become_wildcards_not_guesses(b: Built) -> None:
    for statement in b.resolved.statements:
        for arn in arns_in(statement):
            parsed = parse_arn(arn)
            from_input = parsed.region == b.place.region  # scope inputs carry their own region
            assert from_input or parsed.region in ("*", ""), f"{statement['Sid']}: {arn}"


def test_service_hosts_follow_the_partition_dns_suffix() -> None:
    key = "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    resolved = resolve("ebs-csi", {"kms_key_arns": [key]}, partition="aws-cn", region="cn-north-1")
    text = json.dumps(resolved.statements)
    assert '"kms:ViaService": "ec2.cn-north-1.amazonaws.com.cn"' in text
    karpenter = resolve(
        "karpenter",
        {"cluster_name": "c", "node_role_arns": "arn:aws-cn:iam::111122223333:role/node"},
        partition="aws-cn",
        region="cn-north-1",
    )
    assert '"iam:PassedToService": "ec2.amazonaws.com.cn"' in json.dumps(karpenter.statements)


@pytest.mark.parametrize("place", PLACES, ids=[p.partition for p in PLACES])
def test_moto_iam_accepts_every_document(place: Any) -> None:
    with mock_aws():
        iam = boto3.client(
            "iam", region_name=place.region, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        for b in (b for b in BUILT if b.place == place):
            for text in b.resolved.policy_json():
                created = iam.create_policy(PolicyName=f"addon-{next(_names)}", PolicyDocument=text)
                assert created["Policy"]["DefaultVersionId"] == "v1"


def test_moto_rejects_what_iam_rejects() -> None:
    """The moto check has teeth: a malformed document fails it."""
    with mock_aws():
        iam = boto3.client("iam", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
        bad = document([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "my-bucket/*"}])
        with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
            iam.create_policy(PolicyName="bad", PolicyDocument=to_json(bad))


@pytest.mark.parametrize("max_chars", [1500, 3000, MANAGED_POLICY_CHARS])
def test_documents_split_to_any_limit_without_losing_statements(max_chars: int) -> None:
    place = PLACES[0]
    for addon in (a for a in CATALOGUE.values() if a.build is not None):
        resolved = resolve(
            addon.name,
            full_scope(addon, place),
            partition=place.partition,
            region=place.region,
            account_id=ACCOUNT,
            max_policy_chars=max_chars,
            **kubernetes_identity(addon),
        )
        assert all(size(d) <= max_chars for d in resolved.documents)
        assert [s for d in resolved.documents for s in d["Statement"]] == list(resolved.statements)


def test_a_statement_larger_than_the_limit_is_an_input_error() -> None:
    from irsa_components.core.errors import InputError

    with pytest.raises(InputError, match="alone exceeds 300 characters"):
        resolve("aws-load-balancer-controller", {"cluster_name": "c"}, partition="aws", max_policy_chars=300)


def test_the_largest_policy_needs_more_than_one_document() -> None:
    resolved = resolve("aws-load-balancer-controller", {"cluster_name": "c"}, partition="aws", region="eu-west-1")
    assert len(resolved.documents) == 2
    assert sum(size(d) for d in resolved.documents) > MANAGED_POLICY_CHARS


def test_no_document_repeats_the_role_account_as_a_guess() -> None:
    """Without account_id nothing is pinned to an account the caller did not name."""
    for b in (b for b in BUILT if not b.located):
        text = json.dumps(b.resolved.statements)
        accounts = set(re.findall(r"arn:[^:]+:[^:]+:[^:]*:(\d{12}):", text))
        assert accounts <= {ACCOUNT}  # only accounts that came from the scope inputs
