"""KMS statements whose ``kms:ViaService`` follows each key's own region.

A KMS key lives in one region, and AWS services call KMS from the key's region: a bucket's SSE-KMS key
is in the bucket's region, a secret replica's key in the replica's region. Pinning ``kms:ViaService`` to
the role's region refuses every key elsewhere, so statements are grouped by the keys' regions instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..core.arns import parse_arn
from ._build import allow, one
from .model import Scope, Statement


def _sid_suffix(region: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in region.split("-"))


def kms_via(
    scope: Scope, sid: str, actions: Iterable[str], keys: Sequence[str], services: Sequence[str]
) -> list[Statement]:
    """Allow ``actions`` on ``keys`` only through ``services``, in each key's own region (one statement per region)."""
    if not keys or not services:
        return []
    by_region: dict[str, list[str]] = {}
    for key in keys:
        by_region.setdefault(parse_arn(key).region, []).append(key)
    actions = list(actions)
    statements = []
    for region, group in by_region.items():
        hosts = [f"{service}.{region}.{scope.dns_suffix}" for service in services]
        name = sid if len(by_region) == 1 else sid + _sid_suffix(region)
        statements.append(allow(name, actions, group, {"StringEquals": {"kms:ViaService": one(hosts)}}))
    return statements
