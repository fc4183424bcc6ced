"""Hypothesis strategies for IAM policy documents and requests over a small shared alphabet.

Small alphabets make collisions (a request value equal to a policy value, a pattern that matches) common,
so generated examples exercise matching rather than missing it. Every construct the translation covers is
drawn: Allow/Deny, Principal/NotPrincipal in each form, Action/NotAction and Resource/NotResource with
wildcards and policy variables, every condition operator family with IfExists and the set prefixes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from irsa_components.core.evaluate import Request
from irsa_components.core.translate import single_valued

ACCOUNT, OTHER_ACCOUNT = "111122223333", "444455556666"
PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/A"
HOST = "oidc.example.com/id/A"
ROLES = (
    f"arn:aws:iam::{ACCOUNT}:role/app",
    f"arn:aws:iam::{OTHER_ACCOUNT}:role/app",
    f"arn:aws-cn:iam::{ACCOUNT}:role/x",
)
SERVICES = ("pods.eks.amazonaws.com", "ec2.amazonaws.com")
ACTIONS = ("sts:AssumeRole", "sts:TagSession", "sts:AssumeRoleWithWebIdentity", "s3:GetObject", "s3:PutObject")
ACTION_PATTERNS = (*ACTIONS, "*", "sts:*", "s3:Get*", "sts:Assume?ole", "S3:getobject", "sts:*Role*")
RESOURCES = ("arn:aws:s3:::b/x", "arn:aws:s3:::b/y/z", "arn:aws:s3:::c/x", "arn:aws:s3:::b/red/x")
RESOURCE_PATTERNS = (
    *RESOURCES,
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::?/x",
    "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
)
STRING_KEYS = (f"{HOST}:sub", f"{HOST}:aud", "aws:PrincipalTag/team", "aws:SourceAccount", "k")
VALUES = ("a", "b", "ab", "A", "red", "system:serviceaccount:ns:a", "arn:aws:iam::111122223333:role/app", "")
STRING_PATTERNS = (
    *VALUES,
    "a*",
    "*b",
    "a?",
    "*",
    "system:serviceaccount:ns:*",
    "${aws:PrincipalTag/team}",
    "${k, 'a'}",
    "a${*}",
    "${?}",
)
ARN_PATTERNS = (
    "arn:aws:iam::*:role/app",
    "arn:aws:iam::111122223333:role/*",
    "arn:*:iam::111122223333:*",
    "arn:aws:*",
    "a",
)
MULTI_KEYS = ("aws:TagKeys", "x:Y")
NUMBERS = ("1", "2.5", "-3", "10", "x")
DATES = ("2020-01-01T00:00:00Z", "1577836800", "2021-06-01T12:00:00+02:00", "bad")
ADDRESSES = ("10.0.0.1", "10.1.2.3", "11.0.0.1", "::1", "2001:db8::5", "bad")
NETWORKS = ("10.0.0.0/8", "10.0.0.1", "2001:db8::/32", "0.0.0.0/0", "bad")


def _one_or_many(values: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return values | st.lists(values, min_size=1, max_size=3)


principals = st.one_of(
    st.just("*"),
    st.just({"AWS": "*"}),
    st.builds(lambda v: {"AWS": v}, _one_or_many(st.sampled_from((*ROLES, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root")))),
    st.builds(lambda v: {"Federated": v}, _one_or_many(st.sampled_from((PROVIDER, "*", "accounts.google.com")))),
    st.builds(lambda v: {"Service": v}, _one_or_many(st.sampled_from((*SERVICES, "*")))),
    st.builds(lambda a, s: {"AWS": a, "Service": s}, st.sampled_from(ROLES), st.sampled_from(SERVICES)),
)

_string_operators = st.sampled_from(
    (
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
    )
)
_set = st.sampled_from(("", "ForAnyValue:", "ForAllValues:"))
_if_exists = st.sampled_from(("", "IfExists"))


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    block: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 3))):
        family = draw(st.sampled_from(("string", "arn", "numeric", "date", "bool", "null", "ip", "binary")))
        prefix, suffix = draw(_set), draw(_if_exists)
        if family == "string":
            op, key = draw(_string_operators), draw(st.sampled_from((*STRING_KEYS, *MULTI_KEYS)))
            values = _one_or_many(st.sampled_from(STRING_PATTERNS))
        elif family == "arn":
            op = draw(st.sampled_from(("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")))
            key, values = (
                draw(st.sampled_from(("aws:PrincipalArn", "aws:SourceArn"))),
                _one_or_many(st.sampled_from(ARN_PATTERNS)),
            )
        elif family == "numeric":
            op = draw(
                st.sampled_from(("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericGreaterThanEquals"))
            )
            key, values = "aws:MultiFactorAuthAge", _one_or_many(st.sampled_from(NUMBERS))
        elif family == "date":
            op = draw(st.sampled_from(("DateEquals", "DateNotEquals", "DateLessThan", "DateGreaterThan")))
            key, values = "aws:CurrentTime", _one_or_many(st.sampled_from(DATES))
        elif family == "bool":
            op, key, values = "Bool", "aws:SecureTransport", st.sampled_from(("true", "false", "TRUE", True))
        elif family == "null":
            op, key, values = "Null", draw(st.sampled_from(STRING_KEYS)), st.sampled_from(("true", "false"))
            prefix = suffix = ""
        elif family == "ip":
            op = draw(st.sampled_from(("IpAddress", "NotIpAddress")))
            key, values = "aws:SourceIp", _one_or_many(st.sampled_from(NETWORKS))
        else:
            op = draw(st.sampled_from(("BinaryEquals", "BinaryNotEquals")))
            key, values = "k", _one_or_many(st.sampled_from(("QUJD", "a")))
        if draw(st.booleans()):
            key = key.upper() if draw(st.booleans()) else key.lower()  # key names ignore case
        block.setdefault(f"{prefix}{op}{suffix}", {})[key] = draw(values)
    if draw(st.integers(0, 9)) == 0:
        block["StringEqualz"] = {"k": "a"}  # an operator nobody understands
    return block


@st.composite
def statements(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(("Allow", "Allow", "Deny")))}
    if kind == "trust":
        statement["NotPrincipal" if draw(st.integers(0, 5)) == 0 else "Principal"] = draw(principals)
    name = "NotAction" if draw(st.integers(0, 4)) == 0 else "Action"
    statement[name] = draw(_one_or_many(st.sampled_from(ACTION_PATTERNS)))
    if kind == "permissions":
        name = "NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"
        statement[name] = draw(_one_or_many(st.sampled_from(RESOURCE_PATTERNS)))
    if draw(st.booleans()):
        statement["Condition"] = draw(conditions())
    return statement


def documents(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda s: {"Version": "2012-10-17", "Statement": s}, st.lists(statements(kind), min_size=1, max_size=3)
    )


def _literals(document: dict[str, Any] | None) -> list[str]:
    """Wildcard-free strings of a document: drawing requests from them makes matches likely."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str) and "*" not in value and "?" not in value and "${" not in value:
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(document or {})
    return out


@st.composite
def requests(draw: st.DrawFn, kind: str, document: dict[str, Any] | None = None) -> Request:
    seen = _literals(document)

    def pick(pool: tuple[str, ...]) -> str:
        if seen and draw(st.booleans()):
            return draw(st.sampled_from(seen))
        return draw(st.sampled_from(pool))

    principal_type = draw(st.sampled_from(("AWS", "Federated", "Service")))
    principal = pick(
        {"AWS": ROLES, "Federated": (PROVIDER, "accounts.google.com"), "Service": SERVICES}[principal_type]
    )
    context: dict[str, Any] = {}
    typed = {"aws:MultiFactorAuthAge": NUMBERS, "aws:CurrentTime": DATES, "aws:SourceIp": ADDRESSES}
    for key in (*STRING_KEYS, *MULTI_KEYS, "aws:PrincipalArn", "aws:SourceArn", "aws:SecureTransport", *typed):
        if not draw(st.booleans()):
            continue
        pool = typed.get(key) or (("true", "false", "True") if key == "aws:SecureTransport" else (*VALUES, *ROLES))
        if single_valued(key.lower()):
            context[key] = pick(pool)
        else:
            context[key] = list(dict.fromkeys(pick(pool) for _ in range(draw(st.integers(0, 3)))))
    resource = pick(RESOURCES) if kind == "permissions" else None
    return Request(pick(ACTIONS), principal_type, principal, context, resource)


def cases(kind: str) -> st.SearchStrategy[tuple[str, dict[str, Any], Request]]:
    """(kind, document, a request drawn partly from the document's own values)."""
    return documents(kind).flatmap(lambda d: st.tuples(st.just(kind), st.just(d), requests(kind, d)))
