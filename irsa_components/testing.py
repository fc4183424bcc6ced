"""Unit tests of your own Pulumi programs that use irsa-components, offline (docs/testing.md).

The Pulumi SDK's mocks answer whatever a test's ``Mocks`` returns; a mock that returns its inputs
leaves every output AWS computes empty (a role without an ARN, an EKS lookup without an issuer), so
the components fail deep in the SDK or build ``arn:None:...`` documents. These mocks answer the lookups
(caller identity, partition, region, EKS clusters) and compute the outputs (ARNs, IDs) the way AWS
does, with the placeholders ``irsa plan`` shows for what only the cloud knows: the account is
``<account-id>`` unless the config's ``aws:allowedAccountIds`` names exactly one, an EKS cluster's
issuer is ``https://oidc.eks.<region>.amazonaws.com/id/<issuer-id:NAME>``. They are the offline
runner's own (``irsa_components.offline``), so a test sees exactly what ``irsa plan`` sees.

Two ways to use them::

    from irsa_components.testing import run

    sim = run(my_program, config={"aws:region": "eu-west-1", "aws:allowedAccountIds": '["111122223333"]'})
    role = sim.named("aws:iam/role:Role", "payments")

or, for tests in Pulumi's own style (``@pulumi.runtime.test``), before the program is imported::

    from irsa_components import testing

    testing.set_mocks(config={"aws:region": "eu-west-1"})
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Optional

from .core import evaluate
from .core.kubernetes import ROLE_ARN_ANNOTATION
from .offline import PLACEHOLDER_ACCOUNT, CloudMocks, Registration, Simulation, placeholder_issuer_url, run_program
from .offline.mocks import RecordingMonitor

Mocks = CloudMocks
"""The mocks themselves; subclass them to answer for resources of your own (call ``super()`` for the rest)."""

DEFAULT_CONFIG = {"aws:region": "us-east-1"}


def run(
    program: Callable[[], None],
    *,
    config: Optional[Mapping[str, str]] = None,
    project: str = "project",
    stack: str = "test",
    secret_keys: Optional[list[str]] = None,
) -> Simulation:
    """Run ``program`` as ``pulumi up`` would (every apply runs), offline; what it registered, invoked and exported.

    ``config`` is the stack's config as ``pulumi config`` holds it (``"aws:region"``, ``"<project>:key"``;
    objects as JSON text); ``aws:region`` defaults to us-east-1. An input error of a component is raised
    as :class:`irsa_components.InputError` (with ``.simulation``: what was registered before it).
    """
    return run_program(
        program, config={**DEFAULT_CONFIG, **(config or {})}, project=project, stack=stack, secret_keys=secret_keys
    )


def set_mocks(
    config: Optional[Mapping[str, str]] = None,
    *,
    project: str = "project",
    stack: str = "test",
    preview: bool = False,
    mocks: Optional[CloudMocks] = None,
) -> CloudMocks:
    """Install these mocks (and ``config``) in the Pulumi runtime, as ``pulumi.runtime.set_mocks`` does.

    Call it before your program is imported. ``preview=True`` leaves unknown outputs unknown, as a
    preview does: applies on them never run, so prefer the default. Returns the mocks, whose
    ``invokes`` list every lookup made.
    """
    import pulumi
    from pulumi.runtime import mocks as sdk_mocks

    merged = {**DEFAULT_CONFIG, **(config or {})}
    chosen = mocks if mocks is not None else CloudMocks(merged)
    pulumi.runtime.set_all_config(dict(merged), [])
    sdk_mocks.set_mocks(chosen, project=project, stack=stack, preview=preview, monitor=RecordingMonitor(chosen))
    return chosen


# Reading a simulation back ---------------------------------------------------------------------


def trust_of(role: Registration) -> dict[str, Any]:
    """An ``aws:iam/role:Role`` registration's trust policy, parsed."""
    doc: dict[str, Any] = json.loads(role.inputs["assumeRolePolicy"])
    return doc


def admits_irsa(
    role: Registration, namespace: str, service_account: str, *, audience: str = "sts.amazonaws.com"
) -> bool:
    """Whether STS would let ``namespace/service_account`` assume ``role`` with a projected token, through any
    OIDC provider its trust names (the core's IAM evaluator decides)."""
    doc = trust_of(role)
    subject = f"system:serviceaccount:{namespace}:{service_account}"
    for statement in doc.get("Statement", []):
        federated = (statement.get("Principal") or {}).get("Federated") if isinstance(statement, dict) else None
        for provider in [federated] if isinstance(federated, str) else federated or []:
            host = provider.split(":oidc-provider/", 1)[-1]
            if evaluate.evaluate(doc, evaluate.web_identity_request(provider, host, subject, audience)).allowed:
                return True
    return False


def admits_pod_identity(
    role: Registration,
    namespace: str,
    service_account: str,
    *,
    cluster_name: str,
    account_id: str = PLACEHOLDER_ACCOUNT,
    region: str = "us-east-1",
    session_tags: bool = True,
) -> bool:
    """Whether EKS Pod Identity could assume ``role`` for ``namespace/service_account`` on ``cluster_name``."""
    from .core.arns import eks_cluster_arn, partition_for_region

    requests = evaluate.pod_identity_requests(
        account_id=account_id,
        cluster_arn=eks_cluster_arn(partition_for_region(region), region, account_id, cluster_name),
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        session_tags=session_tags,
    )
    return evaluate.allows_all(trust_of(role), requests)


def role_arn_annotation(service_account: Registration) -> Optional[str]:
    """The ``eks.amazonaws.com/role-arn`` annotation of a ``kubernetes:core/v1:ServiceAccount`` registration."""
    meta = service_account.inputs.get("metadata") or {}
    value = (meta.get("annotations") or {}).get(ROLE_ARN_ANNOTATION)
    return str(value) if value is not None else None


__all__ = [
    "DEFAULT_CONFIG",
    "PLACEHOLDER_ACCOUNT",
    "Mocks",
    "Registration",
    "Simulation",
    "admits_irsa",
    "admits_pod_identity",
    "placeholder_issuer_url",
    "role_arn_annotation",
    "run",
    "set_mocks",
    "trust_of",
]
