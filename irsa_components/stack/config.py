"""The stack config contract (``irsa:*`` keys), parsed and validated with pydantic.

No Pulumi imports: the offline plan, the tests and the program all validate the same way.
Every problem of every entry is collected and reported at once, naming the entry, the field
(as written in the stack file) and the value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Optional

from pydantic import ValidationError

from ..addons.layout import AddonLayout
from ..core import arns
from ..core.errors import InputError, Problem, Problems, did_you_mean
from .checks import (
    TOP_FIELDS,
    account_checks,
    addon_checks,
    camel_fields,
    cross_checks,
    environment_checks,
    mapping_of,
    parse_entries,
    partition_checks,
    problems_from,
    self_hosted_checks,
)
from .models import (
    ENVIRONMENT_MAX,
    KEY_MAX,
    AccountConfig,
    ClusterConfig,
    Identity,
    SelfHostedConfig,
    ServiceConfig,
    StackConfig,
    WebhookConfig,
    key_problem,
)

__all__ = [
    "KEY_MAX",
    "NAMESPACE",
    "AccountConfig",
    "ClusterConfig",
    "Identity",
    "SelfHostedConfig",
    "ServiceConfig",
    "StackConfig",
    "WebhookConfig",
    "decode_config",
    "parse_stack_config",
]

NAMESPACE = "irsa"


def decode_config(flat: Mapping[str, Any], namespace: str = NAMESPACE) -> dict[str, Any]:
    """The ``<namespace>:*`` entries of a flat Pulumi config map, JSON objects and lists decoded."""
    out: dict[str, Any] = {}
    for full_key, value in flat.items():
        ns, _, key = full_key.partition(":")
        if ns != namespace or not key:
            continue
        if isinstance(value, str) and value.startswith(("{", "[")):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass  # left as a string; the schema reports it
        out[key] = value
    return out


def parse_stack_config(
    raw: Mapping[str, Any], *, region: Optional[str] = None, account_id: Optional[str] = None
) -> StackConfig:
    """Validate the ``irsa:`` config of a stack; raise InputError listing every problem.

    ``region`` (the stack's ``aws:region``) gives the partition add-on scopes are checked in; without
    it they must be valid in some partition, and the program checks them again once the partition is known.
    ``account_id`` (the stack's own account, when ``aws:allowedAccountIds`` names exactly one) lets
    ``irsa:accounts`` entries pointing at it be refused.
    """
    problems: list[Problem] = []
    top = Problems("stack config")
    for key in raw:
        if key not in TOP_FIELDS:
            top.add(f"irsa:{key}", raw[key], f"is not a setting{did_you_mean(key, sorted(TOP_FIELDS))}")
    environment = raw.get("environment")
    if not environment:
        top.add("irsa:environment", environment, "is required: it is part of every role name and tag")
    elif (problem := key_problem(str(environment), ENVIRONMENT_MAX)) is not None:
        top.add("irsa:environment", environment, problem.replace("keys are", "environments are"))
    problems.extend(top)

    raw_clusters = mapping_of(raw, "clusters", problems)
    raw_services = mapping_of(raw, "services", problems)
    raw_accounts = mapping_of(raw, "accounts", problems)
    clusters = parse_entries("cluster", raw_clusters, ClusterConfig, problems)
    services = parse_entries("service", raw_services, ServiceConfig, problems)
    accounts = parse_entries("account", raw_accounts, AccountConfig, problems)

    entries = ("clusters", "services", "accounts")
    scalars = {k: v for k, v in raw.items() if k in TOP_FIELDS and k not in entries}
    try:
        config = StackConfig.model_validate(
            {
                **scalars,
                "environment": str(environment or "invalid"),
                "clusters": clusters,
                "services": services,
                "accounts": accounts,
            }
        )
    except ValidationError as exc:
        problems.extend(problems_from("stack config", exc, StackConfig))
        raise InputError(problems) from None
    problems.extend(environment_checks(config))
    problems.extend(self_hosted_checks(config, raw_clusters, raw_services))
    problems.extend(account_checks(config, raw_accounts, raw_services, account_id))
    partitions = (arns.partition_for_region(region),) if region else None
    layouts: dict[str, AddonLayout] = {}
    for key, entry in raw_services.items():
        if isinstance(entry, Mapping):
            problems.extend(addon_checks(str(key), entry, partitions, layouts))
    problems.extend(cross_checks(config, raw_services, set(raw_clusters), layouts, raw_accounts, region))
    problems.extend(partition_checks(raw, raw_clusters, raw_services, raw_accounts, region))
    if problems:
        raise InputError(camel_fields(problems))
    return config
