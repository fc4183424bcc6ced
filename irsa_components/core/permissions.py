"""Permission documents: inline policies built locally, and what makes a role an administrator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .documents import Document, as_list, document

# AWS managed policies no workload role should hold.
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "IAMFullAccess")
_ADMIN_ACTIONS = ("*", "*:*")


def inline_policy(statements: Sequence[Mapping[str, Any]]) -> Document:
    """The inline permission document for ``statements`` (validated by the caller)."""
    return document(statements)


def admin_actions(statements: Sequence[Mapping[str, Any]]) -> list[str]:
    """Allow statements granting every action (``"*"`` or ``"*:*"``), as readable descriptions."""
    found = []
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        for action in as_list(statement.get("Action")):
            if action in _ADMIN_ACTIONS:
                found.append(f"Action {action!r} on {statement.get('Resource')!r}")
        if "NotAction" in statement:
            found.append(f"NotAction {statement['NotAction']!r} (allows everything else)")
    return found


def admin_managed_policies(arns: Sequence[str]) -> list[str]:
    """The ARNs among ``arns`` that are AWS's administrator-level managed policies."""
    found = []
    for arn in arns:
        if not isinstance(arn, str):
            continue
        _, _, tail = arn.partition(":iam::aws:policy/")
        if tail and tail.rsplit("/", 1)[-1] in ADMIN_MANAGED_POLICIES:
            found.append(arn)
    return found


def policy_name(arn: str) -> str:
    """``arn:aws:iam::aws:policy/service-role/Foo`` -> ``Foo``."""
    return arn.rsplit("/", 1)[-1]
