"""IAM policy documents as plain data: compact JSON, size as IAM counts it, statement checks."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import did_you_mean

VERSION = "2012-10-17"
_SID_RE = re.compile(r"^[A-Za-z0-9]*\Z")
_ACTION_RE = re.compile(r"^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)\Z")

STATEMENT_FIELDS = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"})
"""The elements of a permission statement (IAM's names, case-sensitive)."""

Statement = dict[str, Any]
Document = dict[str, Any]


def document(statements: Sequence[Mapping[str, Any]]) -> Document:
    return {"Version": VERSION, "Statement": [dict(s) for s in statements]}


def to_json(doc: Mapping[str, Any]) -> str:
    """Compact JSON in a stable key order: what the library sends to IAM and what reviewers diff."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def size(doc: Mapping[str, Any] | str) -> int:
    """Size as IAM's quotas count it: characters, whitespace not counted."""
    text = doc if isinstance(doc, str) else to_json(doc)
    return len("".join(text.split()))  # str.split() drops exactly the characters isspace() is true for


def one_or_many(values: Sequence[str]) -> str | list[str]:
    """A single value as a string, several as a list: both are valid IAM, the string is shorter."""
    return values[0] if len(values) == 1 else list(values)


def as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def statement_problems(statement: object) -> list[tuple[str, object, str]]:
    """(field, value, message) for each way ``statement`` is not a valid permission statement."""
    if not isinstance(statement, Mapping):
        return [("", statement, "a statement must be a mapping (Effect, Action, Resource, ...)")]
    problems: list[tuple[str, object, str]] = []
    allowed = STATEMENT_FIELDS
    for key in statement:
        if key not in allowed:
            hint = (
                " (Principal belongs in trust policies)"
                if key in ("Principal", "NotPrincipal")
                else did_you_mean(str(key), allowed)
            )
            problems.append((key, statement[key], f"is not a permission statement field{hint}"))
    if statement.get("Effect") not in ("Allow", "Deny"):
        problems.append(("Effect", statement.get("Effect"), "must be 'Allow' or 'Deny'"))
    sid = statement.get("Sid")
    if sid is not None and (not isinstance(sid, str) or not _SID_RE.match(sid)):
        problems.append(("Sid", sid, "must contain only letters and digits"))
    if ("Action" in statement) == ("NotAction" in statement):
        problems.append(("Action", statement.get("Action"), "exactly one of Action or NotAction is required"))
    for field in ("Action", "NotAction"):
        for action in as_list(statement.get(field)):
            if not isinstance(action, str) or not _ACTION_RE.match(action):
                problems.append((field, action, "is not an IAM action ('service:Action', wildcards allowed)"))
    if ("Resource" in statement) == ("NotResource" in statement):
        problems.append(("Resource", statement.get("Resource"), "exactly one of Resource or NotResource is required"))
    for field in ("Resource", "NotResource"):
        for resource in as_list(statement.get(field)):
            if not isinstance(resource, str) or not (resource == "*" or resource.startswith("arn:")):
                problems.append((field, resource, "must be '*' or an ARN (wildcards allowed)"))
    condition = statement.get("Condition")
    if condition is not None:
        if not isinstance(condition, Mapping) or not all(isinstance(v, Mapping) for v in condition.values()):
            problems.append(("Condition", condition, "must map operators to {key: value(s)}"))
    return problems


def actions_of(statements: Sequence[Mapping[str, Any]], effect: str = "Allow") -> list[str]:
    """The ``Action`` entries of the statements with ``effect``, in order, without duplicates."""
    seen: dict[str, None] = {}
    for statement in statements:
        if statement.get("Effect") == effect:
            for action in as_list(statement.get("Action")):
                seen.setdefault(str(action), None)
    return list(seen)


def split_statements(statements: Sequence[Mapping[str, Any]], max_chars: int) -> list[list[Statement]]:
    """Pack statements, in order, into as few documents as fit ``max_chars`` each.

    Raises ValueError when one statement alone does not fit.
    """
    chunks: list[list[Statement]] = []
    current: list[Statement] = []
    for statement in statements:
        candidate = [*current, dict(statement)]
        if size(document(candidate)) <= max_chars:
            current = candidate
            continue
        if not current:
            raise ValueError(f"statement {statement.get('Sid', '')!r} alone exceeds {max_chars} characters")
        chunks.append(current)
        current = [dict(statement)]
        if size(document(current)) > max_chars:
            raise ValueError(f"statement {statement.get('Sid', '')!r} alone exceeds {max_chars} characters")
    if current:
        chunks.append(current)
    return chunks
