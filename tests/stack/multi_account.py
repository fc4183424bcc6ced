"""Crafted stacks with irsa:accounts and self-hosted clusters.

The offline mocks (``irsa_components.offline.CloudMocks``) answer an AWS provider that assumes a role
as that role's account (caller identity, role and OIDC provider ARNs), so a test can see which account
each resource lands in and prove that a trust admits a request only through the right account's OIDC
provider.
"""

from __future__ import annotations

import json
from typing import Any

from irsa_components.offline import Registration, Simulation, run_program
from irsa_components.stack.program import main
from tests.self_hosted.keys import UPSTREAM_PUBLIC_KEY

from .crafted import ACCOUNT, ISSUER_BLUE, ISSUER_GREEN, flat

SHARED = "222233334444"
DATA = "555566667777"
SHARED_DEPLOYER = f"arn:aws:iam::{SHARED}:role/irsa-deployer"
DATA_DEPLOYER = f"arn:aws:iam::{DATA}:role/irsa-deployer"
AWS_PROVIDER = "pulumi:providers:aws"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MANAGED_POLICY = "aws:iam/policy:Policy"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
LAB_KEY = UPSTREAM_PUBLIC_KEY
LAB_KUBECONFIG = json.dumps({"apiVersion": "v1", "kind": "Config", "clusters": []})


def run(irsa: dict[str, Any], **extra: str) -> Simulation:
    """Run the stack program on a crafted ``irsa:`` config (the offline mocks tell the accounts apart)."""
    return run_program(main, config=flat(irsa, **extra), stack=str(irsa.get("environment", "prod")))


def config(services: dict[str, Any], *, lab: bool = True, **top: Any) -> dict[str, Any]:
    """EKS clusters blue and green in the stack's account 111122223333, the self-hosted lab, two other accounts."""
    clusters: dict[str, Any] = {
        "blue": {"name": "prod-blue", "oidcIssuerUrl": ISSUER_BLUE},
        "green": {"name": "prod-green", "oidcIssuerUrl": ISSUER_GREEN},
    }
    if lab:
        clusters["lab"] = {
            "selfHosted": {"signingKeyPublicPem": LAB_KEY, "bucketName": "acme-lab-oidc"},
            "kubeconfig": LAB_KUBECONFIG,
        }
    return {
        "environment": "prod",
        "clusters": clusters,
        "accounts": {"shared": {"roleArn": SHARED_DEPLOYER}, "data": {"roleArn": DATA_DEPLOYER}},
        "services": services,
        **top,
    }


def provider_urn(sim: Simulation, name: str) -> str:
    return sim.named(AWS_PROVIDER, name).urn


def uses(registration: Registration, provider_urn_: str) -> bool:
    return registration.provider.startswith(provider_urn_ + "::")


def on_default_provider(registration: Registration) -> bool:
    """Registered with the default AWS provider (the stack's own account), not an account's."""
    return "pulumi:providers:aws::account-" not in registration.provider


def descendants(sim: Simulation, urn: str) -> list[Registration]:
    out: list[Registration] = []
    frontier = [urn]
    while frontier:
        children = [r for parent in frontier for r in sim.children(parent)]
        out += children
        frontier = [c.urn for c in children]
    return out


def component(sim: Simulation, type_: str, name: str) -> Registration:
    return sim.named(f"irsa-components:index:{type_}", name)


__all__ = ["ACCOUNT", "DATA", "SHARED"]
