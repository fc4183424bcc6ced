"""Upgrade safety: code changes must not replace deployed resources of the committed stacks.

For every resource of every committed stack this records its URN and the properties whose change
makes the provider replace it (an IAM role's name and path, an OIDC provider's URL, an association's
cluster/namespace/service account, a ServiceAccount's name/namespace, ...). A code change that alters
them fails here, naming the resource; regenerate deliberately with ``IRSA_UPDATE_SNAPSHOTS=1`` and
write an upgrade note (docs/upgrading.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from irsa_components.offline import run_program
from irsa_components.stack.program import main
from tests.conftest import stack_config

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"

# Properties whose change replaces the resource (ForceNew in the providers).
REPLACE_ON = {
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("url",),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    "aws:iam/rolePolicy:RolePolicy": ("role", "name"),
    "aws:iam/policy:Policy": ("name", "namePrefix", "path", "description"),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("clusterName", "namespace", "serviceAccount"),
    "kubernetes:core/v1:ServiceAccount": ("metadata.name", "metadata.namespace"),
}


def _get(inputs: dict[str, Any], path: str) -> Any:
    value: Any = inputs
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def identity(stack: str) -> dict[str, dict[str, Any]]:
    config, secrets = stack_config(stack)
    sim = run_program(main, config=config, stack=stack, secret_keys=secrets)
    return {r.urn: {p: _get(r.inputs, p) for p in REPLACE_ON.get(r.type, ())} for r in sim.resources}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_no_resource_of_a_committed_stack_is_replaced_or_deleted(stack: str) -> None:
    path = SNAPSHOTS / f"resources-{stack}.json"
    now = identity(stack)
    if os.environ.get("IRSA_UPDATE_SNAPSHOTS"):
        path.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    assert path.exists(), f"no snapshot {path.name}: create it with IRSA_UPDATE_SNAPSHOTS=1"
    before = json.loads(path.read_text())
    deleted = sorted(set(before) - set(now))
    replaced = sorted(urn for urn in set(before) & set(now) if before[urn] != now[urn])
    assert not deleted, f"{stack}: these resources would be deleted (URN changed or gone): {deleted}"
    assert not replaced, f"{stack}: these resources would be replaced: " + "; ".join(
        f"{urn}: {before[urn]} -> {now[urn]}" for urn in replaced
    )
    assert sorted(now) == sorted(before), f"{stack}: new resources; regenerate the snapshot if intended"
