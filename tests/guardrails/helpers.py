"""Build policy arguments by hand exactly as the analyzer does, and run one policy over them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from irsa_components.guardrails import POLICIES

ACCOUNT = "111122223333"
HOST = "oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
HOST_B = "oidc.eks.eu-west-1.amazonaws.com/id/0F9E8D7C6B5A49382716F5E4D3C2B1A0"
PROVIDER_ARN_B = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST_B}"
CLUSTER_ARN = f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/prod-blue"
STACK = "urn:pulumi:prod::irsa::"


def policy(name: str) -> Any:
    return next(p for p in POLICIES if p.name == name)


def urn(type_: str, name: str) -> str:
    return f"{STACK}{type_}::{name}"


def engine_props(props: Mapping[str, Any]) -> Any:
    """What the analyzer does with a resource's properties: wire JSON, deserialize, unknown-checking proxy."""
    return unknown_checking_proxy(deserialize_properties(json.loads(json.dumps(dict(props)))))


def _options(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def _provider(type_: str, props: Mapping[str, Any] | None) -> PolicyProviderResource:
    package = type_.split(":", 1)[0]
    return PolicyProviderResource(
        f"pulumi:providers:{package}",
        engine_props(props or {}),
        urn(f"pulumi:providers:{package}", "default"),
        "default",
    )


def resource_args(
    type_: str,
    props: Mapping[str, Any],
    *,
    name: str = "workload",
    config: Mapping[str, Any] | None = None,
    provider_props: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        type_,
        engine_props(props),
        urn(type_, name),
        name,
        _options(),
        _provider(type_, provider_props or {"region": "eu-west-1"}),
        dict(config) if config is not None else None,
    )


@dataclass
class Res:
    """A resource of a hand-built stack."""

    type: str
    name: str
    props: dict[str, Any]
    provider_props: dict[str, Any] = field(default_factory=lambda: {"region": "eu-west-1"})
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """Property name -> names of the resources (of this stack) it depends on."""

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


def stack_args(resources: Sequence[Res], *, config: Mapping[str, Any] | None = None) -> StackValidationArgs:
    by_name = {r.name: r for r in resources}
    built = {
        r.urn: PolicyResource(
            r.type, engine_props(r.props), r.urn, r.name, _options(), _provider(r.type, r.provider_props), None, [], {}
        )
        for r in resources
    }
    for r in resources:
        resource = built[r.urn]
        for prop, names in r.property_dependencies.items():
            deps = [built[by_name[n].urn] for n in names]
            resource.property_dependencies[prop] = deps
            resource.dependencies.extend(d for d in deps if d not in resource.dependencies)
    return StackValidationArgs(list(built.values()), dict(config) if config is not None else None)


def violations(policy_: ResourceValidationPolicy | StackValidationPolicy, args: Any) -> list[tuple[str, str | None]]:
    """(message, urn) of each violation ``policy_`` reports, called as the analyzer calls it."""
    found: list[tuple[str, str | None]] = []

    def report(message: str, urn_: str | None = None) -> None:
        found.append((message, urn_))

    try:
        assert policy_.validate(args, report) is None
    except UnknownValueError as exc:  # what the engine reports as an advisory "can't run policy" diagnostic
        found.append((f"[undecided] {exc.message}", None))
    return found


def messages(policy_name: str, args: Any) -> list[str]:
    return [m for m, _ in violations(policy(policy_name), args)]


# Documents ---------------------------------------------------------------------------------------


def web_statement(
    subjects: str | list[str] = "system:serviceaccount:payments:payments-api",
    audience: str | list[str] | None = "sts.amazonaws.com",
    *,
    provider_arn: str = PROVIDER_ARN,
    host: str = HOST,
    operator: str = "StringEquals",
) -> dict[str, Any]:
    condition: dict[str, dict[str, Any]] = {operator: {f"{host}:sub": subjects}}
    if audience is not None:
        condition.setdefault("StringEquals", {})[f"{host}:aud"] = audience
    return {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


def pod_statement(
    namespace: str | None = "payments",
    service_account: str | None = "ledger-exporter",
    *,
    account: str | None = ACCOUNT,
    cluster_arn: str | None = CLUSTER_ARN,
    actions: Sequence[str] = ("sts:AssumeRole", "sts:TagSession"),
) -> dict[str, Any]:
    equals: dict[str, str] = {}
    if account:
        equals["aws:SourceAccount"] = account
    if cluster_arn:
        equals["aws:RequestTag/eks-cluster-arn"] = cluster_arn
    if namespace:
        equals["aws:RequestTag/kubernetes-namespace"] = namespace
    if service_account:
        equals["aws:RequestTag/kubernetes-service-account"] = service_account
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": list(actions),
    }
    if equals:
        statement["Condition"] = {"StringEquals": equals}
    return statement


def trust(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def role_props(trust_policy: Any, **extra: Any) -> dict[str, Any]:
    name = extra.pop("name", "prod-payments-api")
    path = extra.pop("path", "/")
    props: dict[str, Any] = {"name": name, "path": path, "assumeRolePolicy": trust_policy, "maxSessionDuration": 3600}
    props.update(extra)
    return props


def role_state(trust_policy: Any, **extra: Any) -> dict[str, Any]:
    """A role's outputs as a stack policy sees them after an update (ARN known)."""
    props = role_props(trust_policy, **extra)
    props.setdefault("arn", f"arn:aws:iam::{ACCOUNT}:role{props['path']}{props['name']}")
    return props


ROLE = "aws:iam/role:Role"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"


def service_account(
    namespace: str | None,
    name: str,
    role_arn: Any,
    *,
    audience: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    annotations = {"eks.amazonaws.com/role-arn": role_arn, **(extra or {})}
    if audience is not None:
        annotations["eks.amazonaws.com/audience"] = audience
    metadata: dict[str, Any] = {"name": name, "annotations": annotations}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata}


def codes(found: Sequence[str] | Sequence[tuple[str, str | None]]) -> list[str]:
    """The rule codes (``[code]``) of violation messages, sorted."""
    texts = [f if isinstance(f, str) else f[0] for f in found]
    return sorted(c for t in texts for c in re.findall(r"\[([a-z][a-z-]+)\]", t))
