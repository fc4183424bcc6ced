"""Read a simulated stack back: roles, trust, annotations, associations, per service and cluster."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from irsa_components.core import arns, evaluate, trust
from irsa_components.offline import PLACEHOLDER_ACCOUNT, Simulation, placeholder_issuer_url
from irsa_components.stack.config import StackConfig

ROLE = "aws:iam/role:Role"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
IRSA_ROLE = "irsa-components:index:IrsaRole"


@dataclass(frozen=True)
class Env:
    account: str
    partition: str
    region: str


def env_of(config_map: dict[str, str]) -> Env:
    region = config_map.get("aws:region", "us-east-1")
    allowed = json.loads(config_map.get("aws:allowedAccountIds", "[]"))
    account = allowed[0] if len(allowed) == 1 else PLACEHOLDER_ACCOUNT
    return Env(account, arns.partition_for_region(region), region)


def issuer_host(config: StackConfig, env: Env, cluster_key: str) -> str:
    cluster = config.clusters[cluster_key]
    url = cluster.oidc_issuer_url or placeholder_issuer_url(env.region, cluster.name)
    return trust.issuer_host(url)


def provider_arn(config: StackConfig, env: Env, cluster_key: str) -> str:
    cluster = config.clusters[cluster_key]
    return cluster.oidc_provider_arn or arns.oidc_provider_arn(
        env.partition, env.account, issuer_host(config, env, cluster_key)
    )


def cluster_arn(config: StackConfig, env: Env, cluster_key: str) -> str:
    return arns.eks_cluster_arn(env.partition, env.region, env.account, config.clusters[cluster_key].name)


def role_of(sim: Simulation, service: str) -> Any:
    component = sim.named(IRSA_ROLE, service)
    roles = [r for r in sim.children(component.urn) if r.type == ROLE]
    assert len(roles) == 1, f"{service} has {len(roles)} roles"
    return roles[0]


def trust_of(sim: Simulation, service: str) -> dict[str, Any]:
    return json.loads(role_of(sim, service).inputs["assumeRolePolicy"])


def admits_irsa(
    doc: dict[str, Any], provider: str, host: str, namespace: str, sa: str, audience: str = "sts.amazonaws.com"
) -> bool:
    request = evaluate.web_identity_request(provider, host, f"system:serviceaccount:{namespace}:{sa}", audience)
    return evaluate.evaluate(doc, request).allowed


def admits_pod_identity(
    doc: dict[str, Any],
    env: Env,
    cluster_arn_: str,
    cluster_name: str,
    namespace: str,
    sa: str,
    account: str | None = None,
) -> bool:
    requests = evaluate.pod_identity_requests(
        account_id=account or env.account,
        cluster_arn=cluster_arn_,
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=sa,
    )
    return evaluate.allows_all(doc, requests)
