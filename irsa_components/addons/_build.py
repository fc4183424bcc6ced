"""Small helpers the add-on builders share to write statements compactly and consistently."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .model import Statement

ANY = "*"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def allow(
    sid: str,
    actions: Iterable[str],
    resources: str | Iterable[str],
    condition: Mapping[str, Mapping[str, Any]] | None = None,
) -> Statement:
    """An Allow statement with a Sid, de-duplicated actions and resources, single values as strings."""
    action_list = _unique(actions)
    resource_list = [resources] if isinstance(resources, str) else _unique(resources)
    if not action_list or not resource_list:
        raise ValueError(f"statement {sid!r} needs at least one action and one resource")
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": action_list[0] if len(action_list) == 1 else action_list,
        "Resource": resource_list[0] if len(resource_list) == 1 else resource_list,
    }
    if condition:
        statement["Condition"] = {op: dict(keys) for op, keys in condition.items()}
    return statement


def one(values: Iterable[str]) -> str | list[str]:
    """A condition value: a string for one value, a list for several."""
    items = _unique(values)
    return items[0] if len(items) == 1 else items


def merge(*conditions: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Combine condition blocks (operators ANDed; keys of one operator merged)."""
    merged: dict[str, dict[str, Any]] = {}
    for condition in conditions:
        for operator, keys in (condition or {}).items():
            merged.setdefault(operator, {}).update(keys)
    return merged


def objects_of(bucket_arns: Iterable[str]) -> list[str]:
    """Every object of each bucket: ``arn:...:s3:::bucket`` -> ``arn:...:s3:::bucket/*``."""
    return [f"{arn}/*" for arn in bucket_arns]
