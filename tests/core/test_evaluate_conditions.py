"""Condition operators of core.evaluate, one IAM rule per row (IAM's documented semantics)."""

from __future__ import annotations

from typing import Any

import pytest

from irsa_components.core.evaluate import ContextValue, Request, evaluate, glob_match

ABSENT: dict[str, ContextValue] = {}


def allowed(condition: dict[str, Any], context: dict[str, ContextValue], effect: str = "Allow") -> bool:
    statement = {"Effect": effect, "Principal": "*", "Action": "s3:GetObject", "Condition": condition}
    return evaluate(
        {"Version": "2012-10-17", "Statement": [statement]},
        Request("s3:GetObject", "AWS", "arn:aws:iam::1:user/u", context),
    ).allowed


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        # StringEquals: exact and case-sensitive; several values are ORed.
        ({"StringEquals": {"k": "a"}}, {"k": "a"}, True),
        ({"StringEquals": {"k": "a"}}, {"k": "A"}, False),
        ({"StringEquals": {"k": "a"}}, {"k": "a "}, False),
        ({"StringEquals": {"k": "a"}}, {"k": "a\n"}, False),
        ({"StringEquals": {"k": "a*"}}, {"k": "ab"}, False),
        ({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"}, True),
        ({"StringEquals": {"k": ["a", "b"]}}, {"k": "c"}, False),
        ({"StringEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abc"}, True),
        # Condition key names are case-insensitive, values are not.
        ({"StringEquals": {"AWS:SourceAccount": "1"}}, {"aws:sourceaccount": "1"}, True),
        # StringLike: '*' spans any run, ':' and '/' included; '?' is exactly one character; case-sensitive.
        ({"StringLike": {"k": "system:serviceaccount:team-*"}}, {"k": "system:serviceaccount:team-a:api"}, True),
        ({"StringLike": {"k": "a*"}}, {"k": "a"}, True),
        ({"StringLike": {"k": "a*c"}}, {"k": "a/b:c"}, True),
        ({"StringLike": {"k": "a*"}}, {"k": "a\nb"}, True),
        ({"StringLike": {"k": "a?c"}}, {"k": "abc"}, True),
        ({"StringLike": {"k": "a?c"}}, {"k": "ac"}, False),
        ({"StringLike": {"k": "a?c"}}, {"k": "abbc"}, False),
        ({"StringLike": {"k": "api"}}, {"k": "api2"}, False),
        ({"StringLike": {"k": "api"}}, {"k": "API"}, False),
        ({"StringLike": {"k": "api"}}, {"k": "api\n"}, False),
        ({"StringLike": {"k": "a.c"}}, {"k": "abc"}, False),
        ({"StringLike": {"k": ["x*", "y*"]}}, {"k": "yes"}, True),
        # ${*} and ${?} are a literal '*' and '?'.
        ({"StringLike": {"k": "a${*}"}}, {"k": "a*"}, True),
        ({"StringLike": {"k": "a${*}"}}, {"k": "ab"}, False),
        ({"StringLike": {"k": "a${?}"}}, {"k": "ab"}, False),
        ({"StringEquals": {"k": "a${*}"}}, {"k": "a*"}, True),
        # Policy variables resolve from the request.
        ({"StringEquals": {"k": "${aws:username}"}}, {"k": "bob", "aws:username": "bob"}, True),
        ({"StringEquals": {"k": "${aws:username}"}}, {"k": "bob", "aws:username": "eve"}, False),
        ({"StringEquals": {"k": "${aws:username, 'bob'}"}}, {"k": "bob"}, True),
        # Several keys under one operator are ANDed; several operators are ANDed.
        ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "2"}, True),
        ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "3"}, False),
        ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1"}, False),
        ({"StringEquals": {"a": "1"}, "StringLike": {"b": "x*"}}, {"a": "1", "b": "xy"}, True),
        ({"StringEquals": {"a": "1"}, "StringLike": {"b": "x*"}}, {"a": "1", "b": "y"}, False),
        # A key missing from the request fails every positive operator.
        ({"StringEquals": {"k": "a"}}, ABSENT, False),
        ({"StringLike": {"k": "*"}}, ABSENT, False),
        ({"ArnLike": {"k": "*"}}, ABSENT, False),
        ({"Bool": {"k": "false"}}, ABSENT, False),
        ({"NumericLessThan": {"k": "10"}}, ABSENT, False),
        # Negated operators: NOR over the values; true when the key is missing.
        ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"}, True),
        ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"}, False),
        ({"StringNotEquals": {"k": "a"}}, ABSENT, True),
        ({"StringNotLike": {"k": "team-*"}}, {"k": "team-a"}, False),
        ({"StringNotLike": {"k": "team-*"}}, {"k": "other"}, True),
        ({"StringNotEqualsIgnoreCase": {"k": "A"}}, {"k": "a"}, False),
        ({"ArnNotLike": {"k": "arn:aws:iam::*:role/x"}}, {"k": "arn:aws:iam::111122223333:role/x"}, False),
        ({"NumericNotEquals": {"k": "5"}}, {"k": "6"}, True),
        # ...IfExists: the operator when the key is present, true when absent.
        ({"StringEqualsIfExists": {"k": "a"}}, ABSENT, True),
        ({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}, False),
        ({"StringEqualsIfExists": {"k": "a"}}, {"k": "a"}, True),
        ({"StringNotEqualsIfExists": {"k": "a"}}, {"k": "a"}, False),
        # Null: "true" wants the key absent, "false" present.
        ({"Null": {"k": "true"}}, ABSENT, True),
        ({"Null": {"k": "true"}}, {"k": "x"}, False),
        ({"Null": {"k": "false"}}, {"k": "x"}, True),
        ({"Null": {"k": "false"}}, ABSENT, False),
        ({"Null": {"k": True}}, ABSENT, True),
        # Set operators over multi-valued keys.
        ({"ForAnyValue:StringEquals": {"k": ["a", "b"]}}, {"k": ["x", "b"]}, True),
        ({"ForAnyValue:StringEquals": {"k": ["a", "b"]}}, {"k": ["x", "y"]}, False),
        ({"ForAnyValue:StringEquals": {"k": "a"}}, ABSENT, False),
        ({"ForAnyValue:StringEquals": {"k": "a"}}, {"k": []}, False),
        ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {"k": ["a", "b"]}, True),
        ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {"k": ["a", "c"]}, False),
        ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, ABSENT, True),
        ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {"k": []}, True),
        ({"ForAllValues:StringLike": {"k": ["team-*"]}}, {"k": ["team-a", "team-b"]}, True),
        ({"ForAllValues:StringNotEquals": {"k": ["a"]}}, {"k": ["b", "c"]}, True),
        ({"ForAllValues:StringNotEquals": {"k": ["a"]}}, {"k": ["a", "c"]}, False),
        ({"ForAnyValue:StringNotEquals": {"k": ["a"]}}, {"k": ["a", "c"]}, True),
        ({"ForAnyValue:StringNotEquals": {"k": ["a"]}}, {"k": ["a"]}, False),
        # ArnLike / ArnEquals: field by field, wildcards do not cross the first five colons.
        ({"ArnLike": {"k": "arn:aws:iam::*:role/app-*"}}, {"k": "arn:aws:iam::111122223333:role/app-x"}, True),
        ({"ArnLike": {"k": "arn:aws:iam::*:role/app-*"}}, {"k": "arn:aws:iam::111122223333:role/db"}, False),
        ({"ArnLike": {"k": "arn:aws:iam::*:role/app"}}, {"k": "arn:aws-cn:iam::111122223333:role/app"}, False),
        ({"ArnLike": {"k": "arn:aws:*"}}, {"k": "arn:aws:iam::111122223333:role/app"}, False),
        ({"ArnLike": {"k": "arn:*:iam::*:role/*"}}, {"k": "arn:aws-us-gov:iam::111122223333:role/a:b"}, True),
        ({"ArnLike": {"k": "arn:aws:iam::*:role/*"}}, {"k": "not-an-arn"}, False),
        (
            {"ArnEquals": {"k": "arn:aws:iam::111122223333:role/App"}},
            {"k": "arn:aws:iam::111122223333:role/app"},
            False,
        ),
        ({"ArnEquals": {"k": "arn:aws:iam::111122223333:role/app"}}, {"k": "arn:aws:iam::111122223333:role/app"}, True),
        # Bool, Numeric, IpAddress.
        ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": False}, False),
        ({"NumericLessThanEquals": {"k": "10"}}, {"k": 10}, True),
        ({"NumericLessThan": {"k": "10"}}, {"k": 10}, False),
        ({"NumericGreaterThan": {"k": "10"}}, {"k": "11"}, True),
        ({"NumericEquals": {"k": "10"}}, {"k": "ten"}, False),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, True),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "11.1.2.3"}, False),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "11.1.2.3"}, True),
    ],
)
def test_condition_operator(condition: dict[str, Any], context: dict[str, ContextValue], expected: bool) -> None:
    assert allowed(condition, context) is expected


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        # Date operators: ISO 8601 or epoch seconds, compared as instants.
        (
            {"DateLessThan": {"aws:CurrentTime": "2100-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2050-01-01T00:00:00Z"},
            True,
        ),
        (
            {"DateGreaterThan": {"aws:CurrentTime": "2100-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2050-01-01T00:00:00Z"},
            False,
        ),
        ({"DateEquals": {"aws:EpochTime": "2000-01-01T00:00:00Z"}}, {"aws:EpochTime": "946684800"}, True),
        (
            {"DateNotEquals": {"aws:CurrentTime": "2000-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2000-01-01T00:00:01Z"},
            True,
        ),
        ({"DateLessThanEquals": {"k": "2000-01-01T00:00:00+01:00"}}, {"k": "1999-12-31T23:00:00Z"}, True),
        ({"DateLessThan": {"k": "2000-01-01"}}, {"k": "not a date"}, False),
        ({"DateLessThan": {"k": "2000-01-01"}}, ABSENT, False),
        # Numbers are decimals, read exactly; anything else is not a number.
        ({"NumericLessThan": {"k": "0.3"}}, {"k": "0.29999999999999999"}, True),
        ({"NumericEquals": {"k": "10"}}, {"k": "1e1"}, False),
        ({"NumericEquals": {"k": "-2"}}, {"k": "-2.0"}, True),
        # IPv6 and IPv4 never match each other.
        ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}, True),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "::1"}, False),
    ],
)
def test_date_numeric_and_address_operators(
    condition: dict[str, Any], context: dict[str, ContextValue], expected: bool
) -> None:
    assert allowed(condition, context) is expected


def test_policy_variables_need_the_2012_version() -> None:
    statement = {"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringEquals": {"k": "${x}"}}}
    old = {"Version": "2008-10-17", "Statement": [statement]}
    assert evaluate(old, Request("s3:GetObject", "AWS", "a", {"k": "${x}", "x": "v"})).allowed
    assert not evaluate(old, Request("s3:GetObject", "AWS", "a", {"k": "v", "x": "v"})).allowed


def test_variables_in_resources_resolve_and_their_values_are_literal() -> None:
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}
    doc = {"Version": "2012-10-17", "Statement": [statement]}

    def ok(resource: str, team: str | None) -> bool:
        context = {} if team is None else {"aws:PrincipalTag/team": team}
        return evaluate(doc, Request("s3:GetObject", "AWS", "a", context, resource)).allowed

    assert ok("arn:aws:s3:::b/red/x", "red")
    assert not ok("arn:aws:s3:::b/blue/x", "red")
    assert not ok("arn:aws:s3:::b/red/x", None)
    assert not ok("arn:aws:s3:::b/red/x", "*")  # a tag value '*' is a literal star, not a wildcard
    assert ok("arn:aws:s3:::b/*/x", "*")


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEqualz": {"k": "a"}},
        {"ForAnyValue:StringEqualsIgnorecase": {"k": "a"}},
        {"DateLike": {"k": "2000-01-01"}},
    ],
)
def test_unsupported_operators_fail_closed(condition: dict[str, Any]) -> None:
    context: dict[str, ContextValue] = {"aws:CurrentTime": "2050-01-01T00:00:00Z", "k": "a"}
    assert not allowed(condition, context)
    # In a Deny, the unsupported condition is taken to hold: the Deny applies.
    statements = [
        {"Effect": "Allow", "Principal": "*", "Action": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": condition},
    ]
    decision = evaluate({"Statement": statements}, Request("s3:GetObject", "AWS", "a", context))
    assert decision.outcome == "explicit-deny"


@pytest.mark.parametrize("condition", ["StringEquals", ["StringEquals"], {"StringEquals": "k"}])
def test_malformed_conditions_fail_closed_for_allow(condition: Any) -> None:
    assert not allowed(condition, {"k": "a"})


def test_failing_condition_is_explained() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "*",
        "Condition": {"StringEquals": {"k": "a", "j": "b"}},
    }
    decision = evaluate({"Statement": [statement]}, Request("s3:GetObject", "AWS", "a", {"k": "a", "j": "c"}))
    (result,) = decision.statements
    assert decision.outcome == "implicit-deny"
    assert result.principal_matched and result.action_matched and not result.conditions_passed
    assert [(c.key, c.actual) for c in result.failed_conditions] == [("j", ("c",))]
    assert "'c'" in result.failed_conditions[0].reason and "'b'" in result.failed_conditions[0].reason


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "", True),
        ("*", "anything:at/all", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "aXbY", False),
        ("[a]", "a", False),
        ("[a]", "[a]", True),
        ("a+", "aa", False),
        ("(x)", "(x)", True),
    ],
)
def test_glob_treats_only_star_and_question_mark_as_wildcards(pattern: str, value: str, expected: bool) -> None:
    assert glob_match(pattern, value) is expected
