"""ARN parsing, validation and construction across partitions."""

from __future__ import annotations

import pytest

from irsa_components.core import arns

PARTITIONS = ["aws", "aws-cn", "aws-us-gov"]


@pytest.mark.parametrize("partition", PARTITIONS)
def test_parse_round_trips(partition: str) -> None:
    text = f"arn:{partition}:iam::111122223333:role/path/with:colon"
    arn = arns.parse_arn(text)
    assert (arn.partition, arn.service, arn.region, arn.account) == (partition, "iam", "", "111122223333")
    assert arn.resource == "role/path/with:colon"
    assert str(arn) == text
    assert arns.partition_of(text) == partition and arns.account_of(text) == "111122223333"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("arn:aws:iam:", "not an ARN"),
        ("not-an-arn", "not an ARN"),
        ("arn:aws:iam::111122223333:", "not an ARN"),
        ("arn:aws:iam::111122223333:role/x\n", "not an ARN"),
        ("arn:azure:iam::111122223333:role/x", "unknown partition 'azure'"),
        ("arn:AWS:iam::111122223333:role/x", "unknown partition"),
    ],
)
def test_parse_rejects_malformed(value: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        arns.parse_arn(value)


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("us-east-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
    ],
)
def test_partition_for_region(region: str, partition: str) -> None:
    assert arns.partition_for_region(region) == partition
    assert arns.region_problem(region) is None


@pytest.mark.parametrize("region", ["", "eu-west", "EU-WEST-1", "euwest1", "eu-west-1\n", "eu west-1"])
def test_region_problem(region: str) -> None:
    assert arns.region_problem(region) is not None


@pytest.mark.parametrize("account", ["111122223333", "000000000000"])
def test_valid_accounts(account: str) -> None:
    assert arns.account_problem(account) is None


@pytest.mark.parametrize(
    "account", ["11112222333", "1111222233334", "11112222333a", "111122223333\n", "١١١١٢٢٢٢٣٣٣٣", ""]
)
def test_invalid_accounts(account: str) -> None:
    assert arns.account_problem(account) is not None


@pytest.mark.parametrize("partition", PARTITIONS)
def test_valid_iam_arns_in_every_partition(partition: str) -> None:
    assert arns.role_arn_problem(f"arn:{partition}:iam::111122223333:role/app") is None
    assert arns.role_arn_problem(f"arn:{partition}:iam::111122223333:role/team/app") is None
    assert arns.policy_arn_problem(f"arn:{partition}:iam::aws:policy/ReadOnlyAccess") is None
    assert arns.policy_arn_problem(f"arn:{partition}:iam::111122223333:policy/mine") is None
    assert (
        arns.oidc_provider_arn_problem(f"arn:{partition}:iam::111122223333:oidc-provider/oidc.example.com/id/X") is None
    )
    assert arns.eks_cluster_arn_problem(f"arn:{partition}:eks:eu-west-1:111122223333:cluster/c") is None


@pytest.mark.parametrize(
    ("check", "value", "fragment"),
    [
        (arns.role_arn_problem, "arn:aws:s3:::bucket", "not an IAM ARN"),
        (arns.role_arn_problem, "arn:aws:iam:eu-west-1:111122223333:role/x", "must not name a region"),
        (arns.role_arn_problem, "arn:aws:iam::1111:role/x", "invalid account"),
        (arns.role_arn_problem, "arn:aws:iam::aws:role/x", "invalid account"),
        (arns.role_arn_problem, "arn:aws:iam::111122223333:user/x", "role ARN"),
        (arns.role_arn_problem, "arn:aws:iam::111122223333:role/", "role ARN"),
        (arns.role_arn_problem, "role/x", "not an ARN"),
        (arns.policy_arn_problem, "arn:aws:iam::111122223333:role/x", "policy ARN"),
        (arns.oidc_provider_arn_problem, "arn:aws:iam::111122223333:saml-provider/x", "oidc-provider ARN"),
        (arns.eks_cluster_arn_problem, "arn:aws:eks:eu-west-1:111122223333:nodegroup/c", "EKS cluster ARN"),
        (arns.eks_cluster_arn_problem, "arn:aws:eks:eu-west-1:1:cluster/c", "invalid account"),
    ],
)
def test_invalid_arns_say_why(check: object, value: str, fragment: str) -> None:
    problem = check(value)  # type: ignore[operator]
    assert problem is not None and fragment in problem


def test_builders_produce_arns_the_checks_accept() -> None:
    assert arns.iam_role_arn("aws-cn", "111122223333", "app") == "arn:aws-cn:iam::111122223333:role/app"
    assert arns.iam_role_arn("aws", "111122223333", "app", "/team/") == "arn:aws:iam::111122223333:role/team/app"
    provider = arns.oidc_provider_arn("aws-us-gov", "111122223333", "oidc.eks.us-gov-west-1.amazonaws.com/id/X")
    assert provider == "arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/X"
    assert arns.oidc_provider_arn_problem(provider) is None
    cluster = arns.eks_cluster_arn("aws", "eu-west-1", "111122223333", "c")
    assert cluster == "arn:aws:eks:eu-west-1:111122223333:cluster/c"
    assert arns.eks_cluster_arn_problem(cluster) is None
    assert arns.aws_managed_policy_arn("aws-cn", "ReadOnlyAccess") == "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"


@pytest.mark.parametrize("name", ["c", "prod-eu_1", "0cluster", "x" * 100])
def test_valid_cluster_names(name: str) -> None:
    assert arns.eks_cluster_name_problem(name) is None


@pytest.mark.parametrize("name", ["", None, "-c", "_c", "c.d", "c d", "x" * 101, "c\n"])
def test_invalid_cluster_names(name: object) -> None:
    assert arns.eks_cluster_name_problem(name) is not None
