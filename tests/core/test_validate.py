"""Shared input validation: every problem collected, named by field and value."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core import validate
from irsa_components.core.errors import Problems
from irsa_components.core.kubernetes import ServiceAccountRef
from irsa_components.core.limits import Quotas
from irsa_components.core.trust import workload_trust_policy

GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def fields(problems: Problems) -> list[str]:
    return [p.field for p in problems]


def test_service_accounts_are_parsed() -> None:
    problems = Problems("t")
    refs = validate.check_service_accounts(problems, "sa", ["a/b", "c/d"])
    assert refs == [ServiceAccountRef("a", "b"), ServiceAccountRef("c", "d")] and not problems


@pytest.mark.parametrize(
    ("values", "expected_fields"),
    [
        (None, ["sa"]),
        ([], ["sa"]),
        ("a/b", ["sa"]),
        (["a/b", "Bad/x", "c", "a/b"], ["sa[1]", "sa[2]", "sa[3]"]),
        (["a/*"], ["sa[0]"]),
    ],
)
def test_service_account_problems_are_all_reported(values: object, expected_fields: list[str]) -> None:
    problems = Problems("t")
    validate.check_service_accounts(problems, "sa", values)
    assert fields(problems) == expected_fields
    assert all(p.subject == "t" for p in problems)


def test_service_accounts_optional_and_wildcard() -> None:
    problems = Problems("t")
    assert validate.check_service_accounts(problems, "sa", None, required=False) == []
    assert validate.check_service_accounts(problems, "sa", ["a/*"], allow_wildcard=True) == [
        ServiceAccountRef("a", "*")
    ]
    assert not problems


@pytest.mark.parametrize(
    ("values", "expected_fields"),
    [
        (["sts.amazonaws.com"], []),
        ([], ["aud"]),
        ("sts.amazonaws.com", ["aud"]),
        (["a", "", "s*"], ["aud[1]", "aud[2]"]),
    ],
)
def test_audiences(values: object, expected_fields: list[str]) -> None:
    problems = Problems("t")
    validate.check_audiences(problems, "aud", values)
    assert fields(problems) == expected_fields


@pytest.mark.parametrize(
    ("value", "ok"),
    [(None, True), (3600, True), (43200, True), (3599, False), (43201, False), (True, False), ("3600", False)],
)
def test_max_session_duration(value: object, ok: bool) -> None:
    problems = Problems("t")
    validate.check_max_session_duration(problems, "d", value)
    assert (not problems) is ok


def test_tags() -> None:
    problems = Problems("t")
    validate.check_tags(problems, "tags", {"team": "a", "aws:x": "b", "k": "v" * 257, "": "e"}, quota=50)
    assert fields(problems) == ["tags.aws:x", "tags.k", "tags."]
    over = Problems("t")
    validate.check_tags(over, "tags", {f"k{i}": "v" for i in range(49)}, quota=50, reserved=2)
    assert fields(over) == ["tags"] and next(iter(over)).value == 49
    bad_type = Problems("t")
    validate.check_tags(bad_type, "tags", ["a"], quota=50)
    assert fields(bad_type) == ["tags"]


def test_policy_statements() -> None:
    problems = Problems("t")
    good = validate.check_policy_statements(problems, "ps", [GET, {"Effect": "Allow"}])
    assert good == [GET]
    assert {"ps[1].Action", "ps[1].Resource"} <= set(fields(problems))
    for bad in ("s3:*", GET):
        single = Problems("t")
        assert validate.check_policy_statements(single, "ps", bad) == []
        assert fields(single) == ["ps"]


def test_check_role_reports_every_problem_at_once() -> None:
    problems = Problems("IrsaRole 'x'")
    validate.check_role(
        problems,
        role_name="bad name",
        path="no-slash",
        description="d" * 1001,
        max_session_duration=60,
        permissions_boundary="arn:aws:iam::111122223333:role/not-a-policy",
        managed_policy_arns=["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/A", "bogus"],
        policy_statements=[{"Effect": "Maybe"}],
        tags={"aws:reserved": "x"},
    )
    assert set(fields(problems)) >= {
        "role_name",
        "path",
        "description",
        "max_session_duration",
        "permissions_boundary",
        "managed_policy_arns[1]",
        "managed_policy_arns[2]",
        "policy_statements[0].Effect",
        "tags.aws:reserved",
    }


@pytest.mark.parametrize(("count", "quota", "ok"), [(10, 10, True), (11, 10, False), (11, 20, True)])
def test_managed_policy_quota(count: int, quota: int, ok: bool) -> None:
    problems = Problems("t")
    arns = [f"arn:aws:iam::aws:policy/P{i}" for i in range(count)]
    validate.check_role(problems, managed_policy_arns=arns, quotas=Quotas(managed_policies_per_role=quota))
    assert (not problems) is ok
    if not ok:
        assert fields(problems) == ["managed_policy_arns"] and next(iter(problems)).value == count


def test_inline_policy_size_quota() -> None:
    statements = [{**GET, "Resource": f"arn:aws:s3:::bucket-{i:04d}/*"} for i in range(300)]
    problems = Problems("t")
    validate.check_role(problems, policy_statements=statements)
    assert fields(problems) == ["policy_statements"]
    raised = Problems("t")
    validate.check_role(raised, policy_statements=statements, quotas=Quotas(inline_policy_chars=100_000))
    assert not raised


def trust_for(count: int) -> dict[str, Any]:
    sas = [ServiceAccountRef("namespace", f"service-account-{i:03d}") for i in range(count)]
    provider = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/" + "A" * 32
    return workload_trust_policy(sas, [provider])


def test_trust_size_quota_counts_non_whitespace_characters() -> None:
    from irsa_components.core.documents import size

    small, large = trust_for(2), trust_for(60)
    assert size(small) < 2048 < size(large) < 4096
    for doc, quota, ok in ((small, 2048, True), (large, 2048, False), (large, 4096, True)):
        problems = Problems("t")
        validate.check_trust_size(problems, "service_accounts", doc, quota)
        assert (not problems) is ok
        if not ok:
            assert f"{size(doc)} characters" == next(iter(problems)).value
            assert str(quota) in next(iter(problems)).message
