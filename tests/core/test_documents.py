"""Policy documents: JSON form, size as IAM counts it, statement checks, splitting."""

from __future__ import annotations

import json
from typing import Any

import pytest

from irsa_components.core import documents

GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}


def test_document_and_compact_json() -> None:
    doc = documents.document([GET])
    assert doc == {"Version": "2012-10-17", "Statement": [GET]}
    text = documents.to_json(doc)
    assert " " not in text and "\n" not in text
    assert json.loads(text) == doc
    assert text.index('"Version"') < text.index('"Statement"')


def test_size_ignores_whitespace_only() -> None:
    doc = documents.document([GET])
    compact = documents.to_json(doc)
    assert documents.size(doc) == len(compact)
    assert documents.size(json.dumps(doc, indent=4)) == len(compact)
    assert documents.size('{"a": "b c"}') == len('{"a":"bc"}')
    assert documents.size(documents.to_json({"k": "ü"})) == len('{"k":"ü"}')


@pytest.mark.parametrize(("values", "expected"), [(["a"], "a"), (["a", "b"], ["a", "b"])])
def test_one_or_many(values: list[str], expected: object) -> None:
    assert documents.one_or_many(values) == expected


@pytest.mark.parametrize(("value", "expected"), [(None, []), ("a", ["a"]), (["a"], ["a"]), (("a", "b"), ["a", "b"])])
def test_as_list(value: object, expected: list[Any]) -> None:
    assert documents.as_list(value) == expected


@pytest.mark.parametrize(
    "statement",
    [
        GET,
        {"Sid": "Read1", **GET},
        {"Effect": "Deny", "NotAction": ["s3:*", "kms:Decrypt"], "NotResource": "*"},
        {**GET, "Action": "*"},
        {**GET, "Action": "s3:Get*Object?"},
        {**GET, "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}},
    ],
)
def test_valid_permission_statements(statement: dict[str, Any]) -> None:
    assert documents.statement_problems(statement) == []


@pytest.mark.parametrize(
    ("statement", "field", "fragment"),
    [
        ("s3:GetObject", "", "mapping"),
        ({**GET, "Principal": "*"}, "Principal", "trust policies"),
        ({**GET, "Effect": "allow"}, "Effect", "'Allow' or 'Deny'"),
        ({**GET, "Sid": "has-dash"}, "Sid", "letters and digits"),
        ({"Effect": "Allow", "Resource": "*"}, "Action", "exactly one"),
        ({**GET, "NotAction": "s3:PutObject"}, "Action", "exactly one"),
        ({**GET, "Action": "GetObject"}, "Action", "not an IAM action"),
        ({**GET, "Action": "s3:Get Object"}, "Action", "not an IAM action"),
        ({**GET, "Action": "s3:GetObject\n"}, "Action", "not an IAM action"),
        ({"Effect": "Allow", "Action": "s3:GetObject"}, "Resource", "exactly one"),
        ({**GET, "Resource": "bucket"}, "Resource", "'*' or an ARN"),
        ({**GET, "Condition": {"StringEquals": "x"}}, "Condition", "operators"),
        ({**GET, "Condition": ["x"]}, "Condition", "operators"),
    ],
)
def test_invalid_permission_statements(statement: object, field: str, fragment: str) -> None:
    problems = documents.statement_problems(statement)
    assert any(f == field and fragment in message for f, _, message in problems), problems


def test_actions_of() -> None:
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"]},
        {"Effect": "Deny", "Action": "iam:*"},
        {"Effect": "Allow", "Action": "s3:GetObject"},
    ]
    assert documents.actions_of(statements) == ["s3:GetObject", "s3:PutObject"]
    assert documents.actions_of(statements, "Deny") == ["iam:*"]


def test_split_statements_packs_in_order_within_the_limit() -> None:
    statements = [{**GET, "Sid": f"S{i}"} for i in range(10)]
    one = documents.size(documents.document(statements[:1]))
    limit = one * 3
    chunks = documents.split_statements(statements, limit)
    assert [s for chunk in chunks for s in chunk] == statements
    assert all(documents.size(documents.document(chunk)) <= limit for chunk in chunks)
    assert len(chunks) < len(statements)
    assert documents.split_statements(statements, 10**6) == [statements]


def test_split_statements_refuses_a_statement_that_never_fits() -> None:
    with pytest.raises(ValueError, match="alone exceeds"):
        documents.split_statements([GET], 10)
    big = {**GET, "Sid": "Big", "Resource": "arn:aws:s3:::" + "x" * 500}
    with pytest.raises(ValueError, match="'Big' alone exceeds"):
        documents.split_statements([GET, big], documents.size(documents.document([GET])) + 20)
