"""Permission documents: inline policies built locally, and what makes a role an administrator.

Administrator-like grants are decided by the solver (``core.queries``) from the set of actions a
document allows, not by spotting ``"*"``: it is admin-like when it allows, on some resource, an action
of a service it never names (what ``*``, ``*:*``, ``s*:*`` and ``NotAction`` allows grant), or an IAM
action beyond reading that it never names (``iam:*``, ``iam:Put*``). A policy can single out only the
services and actions it spells out; granting any other is granting them all. Each finding carries a
witness: an action and resource the document allows, confirmed by the evaluator. AWS managed policies
are opaque here, so those no workload role should hold are known by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import logic as L
from .documents import Document, as_list, document
from .logic import Formula
from .policy_values import fold
from .queries import DEFAULT_SYMBOLS, Search, Witness, search
from .queries import Clause as _Clause
from .translate import action_matches

# AWS managed policies no workload role should hold.
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "IAMFullAccess")


@dataclass(frozen=True)
class AdminGrant:
    code: str
    """``all-actions`` (actions of services it does not name), ``iam-wildcard``, ``forbidden-action``,
    or ``undecided``."""
    message: str
    witness: Witness | None = None
    statement: int | None = None


def inline_policy(statements: Sequence[Mapping[str, Any]]) -> Document:
    """The inline permission document for ``statements`` (validated by the caller)."""
    return document(statements)


def _mentioned(doc: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(services, IAM actions) the document's Action and NotAction entries spell out literally."""
    services: dict[str, None] = {}
    iam: dict[str, None] = {}
    for statement in as_list(doc.get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        for action in (fold(str(a)) for a in as_list(statement.get("Action")) + as_list(statement.get("NotAction"))):
            service, sep, name = action.partition(":")
            if sep and "*" not in service and "?" not in service:
                services.setdefault(service, None)
                if service == "iam" and "*" not in name and "?" not in name:
                    iam.setdefault(action, None)
    return list(services), list(iam)


def _statement_of(doc: Mapping[str, Any], witness: Witness) -> int | None:
    from .evaluate import evaluate

    decision = evaluate(doc, witness.request)
    return next((s.index for s in decision.statements if s.matched and s.effect == "Allow"), None)


def _grant(doc: Mapping[str, Any], code: str, message: str, found: Search) -> AdminGrant | None:
    if found.witness is not None:
        witness = found.witness
        return AdminGrant(code, f"{message}, e.g. {witness.describe()}", witness, _statement_of(doc, witness))
    if not found.decided:
        return AdminGrant("undecided", f"cannot decide whether it {message.removeprefix('allows ')} ({found.reason})")
    return None


def admin_grants(
    doc: Mapping[str, Any],
    *,
    extra_actions: Sequence[str] = (),
    symbols: re.Pattern[str] | None = DEFAULT_SYMBOLS,
) -> list[AdminGrant]:
    """Administrator-like grants of a permission document (see the module docstring), with witnesses.

    ``extra_actions`` are further patterns (``iam:PassRole``, ``ec2:*``) the document must not allow.
    """
    out: list[AdminGrant] = []
    if not as_list(doc.get("Statement")):
        return out

    def ask(where: Formula) -> Search:
        return search([_Clause(doc)], kind="permissions", where=where, symbols=symbols)

    services, iam_actions = _mentioned(doc)
    prefix = ("pre", L.fixed("iam:"), L.ACTION)
    read_only = L.or_(("pre", L.fixed("iam:get"), L.ACTION), ("pre", L.fixed("iam:list"), L.ACTION))
    checks = (
        (
            "all-actions",
            "allows actions of services it never names",
            L.not_(L.or_(*(("pre", L.fixed(f"{svc}:"), L.ACTION) for svc in services))),
        ),
        (
            "iam-wildcard",
            "allows IAM actions (beyond reading) it never names",
            L.and_(prefix, L.not_(read_only), L.not_(L.one_of(L.ACTION, (L.fixed(a) for a in iam_actions)))),
        ),
    )
    for code, message, where in checks:
        grant = _grant(doc, code, message, ask(where))
        if grant is not None:
            out.append(grant)
    for pattern in extra_actions:
        grant = _grant(doc, "forbidden-action", f"allows {pattern!r}", ask(action_matches([pattern])))
        if grant is not None:
            out.append(grant)
    return out


def admin_managed_policies(arns: Sequence[str], extra_names: Sequence[str] = ()) -> list[str]:
    """The ARNs among ``arns`` that are AWS managed policies no workload role should hold."""
    names = {*ADMIN_MANAGED_POLICIES, *extra_names}
    found = []
    for arn in arns:
        if not isinstance(arn, str):
            continue
        _, _, tail = arn.partition(":iam::aws:policy/")
        if tail and tail.rsplit("/", 1)[-1] in names:
            found.append(arn)
    return found


def policy_name(arn: str) -> str:
    """``arn:aws:iam::aws:policy/service-role/Foo`` -> ``Foo``."""
    return arn.rsplit("/", 1)[-1]
