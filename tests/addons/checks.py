"""Checks of statements against AWS's service authorization data; each returns what is wrong (empty: fine)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from irsa_components.core.documents import as_list

from . import iam_reference as ref

Statements = Sequence[Mapping[str, Any]]


def unknown_actions(statements: Statements) -> list[str]:
    return [
        f"{s.get('Sid')}: {action!r} is not an IAM action"
        for s in statements
        for action in as_list(s["Action"])
        if not ref.expand(action)
    ]


def unknown_condition_keys(statements: Statements) -> list[str]:
    found = []
    for s in statements:
        names = as_list(s["Action"])
        actions = [a for name in names for a in ref.expand(name)]
        services = {name.split(":")[0] for name in names}
        for operator, keys in dict(s.get("Condition", {})).items():
            for key in keys:
                if not ref.condition_key_known(key, services, actions):
                    found.append(f"{s.get('Sid')}: condition key {key!r} ({operator}) is not defined for {services}")
    return found


def mismatched_resources(statements: Statements) -> list[str]:
    """Resources no action of the statement takes, and actions granted on none of their resource types."""
    found = []
    for s in statements:
        resources = as_list(s["Resource"])
        if resources == ["*"]:
            continue
        names = as_list(s["Action"])
        actions = {name: ref.expand(name) for name in names}
        for resource in resources:
            if not any(ref.matching_types(a, resource) for group in actions.values() for a in group):
                found.append(f"{s.get('Sid')}: {resource!r} is no resource type of {names}")
        for name, group in actions.items():
            if group and not any(ref.matching_types(a, r) for a in group for r in resources):
                found.append(f"{s.get('Sid')}: {name} is granted on none of the resources it takes ({resources})")
    return found


def uncovered_required_types(statements: Statements) -> list[str]:
    """Actions whose Allow statements together miss a resource type the action requires."""
    granted: dict[str, list[str]] = defaultdict(list)
    for s in statements:
        if s.get("Effect") == "Allow":
            for name in as_list(s["Action"]):
                if "*" not in name:
                    granted[name].extend(as_list(s["Resource"]))
    found = []
    for name, resources in granted.items():
        if "*" in resources:
            continue
        for action in ref.expand(name):
            for group in ref.required_type_groups(action):
                if not any(ref.arn_matches(rt.arn_template, r) for rt in group for r in resources):
                    kinds = " or ".join(rt.name for rt in group)
                    found.append(f"{name} requires a {kinds} resource; granted only {resources}")
    return found


def unexplained_wildcard_resources(statements: Statements, reasons: Mapping[str, str]) -> list[str]:
    """Allow on Resource '*' for actions that support resource-level permissions, without a listed reason."""
    found = []
    for s in statements:
        if s.get("Effect") != "Allow" or as_list(s["Resource"]) != ["*"]:
            continue
        for name in as_list(s["Action"]):
            if name in reasons and reasons[name].strip():
                continue
            scoped = [
                a.full_name
                for a in ref.expand(name)
                if a.supports_resource_level_permissions and not reasons.get(a.full_name, "").strip()
            ]
            if scoped:
                found.append(f"{s.get('Sid')}: {scoped} support resource-level permissions but are granted on '*'")
    return found
