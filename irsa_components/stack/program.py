"""The stack program: one IAM role per service per environment, composed from the components.

``pulumi up`` runs ``main()`` (see ``__main__.py`` at the repository root); ``irsa plan`` and the
tests run the same function under the SDK's mocks.
"""

from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pulumi.runtime.config import CONFIG, get_config_env

from ..components import (
    AddonArgs,
    AnnotatedServiceAccount,
    IrsaRole,
    IrsaRoleArgs,
    OidcProvider,
    PodIdentityAssociation,
)
from ..components._lookups import aws_environment
from ..core import arns, kubernetes, trust
from ..core.documents import to_json
from .config import NAMESPACE, StackConfig, decode_config, parse_stack_config


def read_config(namespace: str = NAMESPACE) -> dict[str, Any]:
    """Every ``<namespace>:*`` config value of the running stack, objects decoded from JSON."""
    return decode_config({**get_config_env(), **CONFIG.get()}, namespace)


@dataclass
class ClusterResources:
    issuer_url: Optional[pulumi.Output[str]] = None
    oidc_provider_arn: Optional[pulumi.Output[str]] = None
    oidc_provider: Optional[OidcProvider] = None
    kubernetes: Optional[k8s.Provider] = None


@dataclass
class ServiceResources:
    role: IrsaRole
    association: Optional[PodIdentityAssociation] = None
    service_accounts: dict[str, AnnotatedServiceAccount] = field(default_factory=dict)
    """The service's ServiceAccount per cluster key."""
    extra_associations: dict[str, PodIdentityAssociation] = field(default_factory=dict)
    """Pod Identity for the add-on's other service accounts, by service account name."""
    extra_service_accounts: dict[tuple[str, str], AnnotatedServiceAccount] = field(default_factory=dict)
    """The add-on's other ServiceAccounts (when the service creates them), by (service account, cluster key)."""


@dataclass
class Deployment:
    clusters: dict[str, ClusterResources]
    services: dict[str, ServiceResources]


def main() -> None:
    """Entry point of the Pulumi program."""
    region = pulumi.Config("aws").get("region")  # the partition add-on scopes are checked in
    deployment = deploy(parse_stack_config(read_config(), region=region))
    pulumi.export("roles", {k: {"arn": s.role.arn, "name": s.role.name} for k, s in deployment.services.items()})
    pulumi.export(
        "oidcProviders",
        {k: c.oidc_provider_arn for k, c in deployment.clusters.items() if c.oidc_provider_arn is not None},
    )


def deploy(config: StackConfig) -> Deployment:
    """Register every resource of the stack; ``config`` is already validated."""
    env = aws_environment(None)  # account, partition, region: once per stack
    clusters = {key: _cluster(config, key, env) for key in config.clusters}
    services = {key: _service(config, key, clusters) for key in config.services}
    return Deployment(clusters, services)


def _cluster(config: StackConfig, key: str, env: Any) -> ClusterResources:
    cluster = config.clusters[key]
    services = [s for s in config.services if key in config.clusters_of(s)]
    needs_irsa = any(config.uses_irsa(s) for s in services)
    needs_k8s = any(config.services[s].create_service_account for s in services)
    needs_issuer = cluster.create_oidc_provider or (needs_irsa and not cluster.oidc_provider_arn)
    lookup = None
    if (needs_issuer and not cluster.oidc_issuer_url) or (needs_k8s and not cluster.kubeconfig):
        lookup = aws.eks.get_cluster_output(name=cluster.name)  # the one lookup of this cluster
    out = ClusterResources()
    if cluster.oidc_issuer_url:
        out.issuer_url = pulumi.Output.from_input(cluster.oidc_issuer_url)
    elif lookup is not None and needs_issuer:
        out.issuer_url = lookup.apply(lambda c: c.identities[0].oidcs[0].issuer)
    if cluster.oidc_provider_arn:
        out.oidc_provider_arn = pulumi.Output.from_input(cluster.oidc_provider_arn)
    elif cluster.create_oidc_provider and out.issuer_url is not None:
        out.oidc_provider = OidcProvider(
            key, {"issuer_url": out.issuer_url, "tags": {**config.tags, "environment": config.environment}}
        )
        out.oidc_provider_arn = out.oidc_provider.arn
    elif needs_irsa and out.issuer_url is not None:
        # The account's existing provider for this issuer (created by eksctl, pulumi-eks, ...).
        out.oidc_provider_arn = pulumi.Output.all(env.partition, env.account_id, out.issuer_url).apply(
            lambda v: arns.oidc_provider_arn(v[0], v[1], trust.issuer_host(v[2]))
        )
    if needs_k8s:
        kubeconfig: pulumi.Input[str]
        if cluster.kubeconfig:
            kubeconfig = pulumi.Output.secret(cluster.kubeconfig)
        else:
            assert lookup is not None
            ca_data = lookup.apply(lambda c: c.certificate_authorities[0].data)
            kubeconfig = pulumi.Output.secret(
                pulumi.Output.all(lookup.endpoint, ca_data, env.region).apply(
                    lambda v: to_json(kubernetes.eks_kubeconfig(cluster.name, v[0], v[1], v[2]))
                )
            )
        out.kubernetes = k8s.Provider(key, kubeconfig=kubeconfig)
    return out


def _aliases(names: list[str]) -> Optional[pulumi.ResourceOptions]:
    if not names:
        return None
    return pulumi.ResourceOptions(aliases=[pulumi.Alias(name=n) for n in names])


def _merge(*opts: Optional[pulumi.ResourceOptions]) -> pulumi.ResourceOptions:
    merged = pulumi.ResourceOptions()
    for o in opts:
        if o is not None:
            merged = pulumi.ResourceOptions.merge(merged, o)
    return merged


def _service(config: StackConfig, key: str, clusters: dict[str, ClusterResources]) -> ServiceResources:
    service = config.services[key]
    sa_name = config.service_account_of(key)
    cluster_keys = config.clusters_of(key)
    audience = service.audience or trust.DEFAULT_AUDIENCE
    irsa = config.uses_irsa(key)
    pod = config.uses_pod_identity(key)
    provider_arns = [clusters[c].oidc_provider_arn for c in cluster_keys] if irsa else []
    cluster_names = [config.clusters[c].name for c in cluster_keys]
    service_accounts = config.service_accounts_of(key)
    role_args: IrsaRoleArgs = {
        "service_accounts": [str(sa) for sa in service_accounts],
        "oidc_provider_arns": [a for a in provider_arns if a is not None],
        "audiences": [audience],
        "pod_identity_cluster_names": cluster_names if pod else [],
        "pod_identity_session_tags": not service.disable_session_tags,
        "trust_policy_max_chars": config.trust_policy_max_chars,
        "max_managed_policies": config.max_managed_policies,
        "role_name": config.role_name_of(key),
        "path": config.role_path,
        "description": service.description or f"Workload role of {key} in {config.environment} (irsa-components)",
        "max_session_duration": service.max_session_duration or config.max_session_duration,
        "managed_policy_arns": list(service.managed_policy_arns),
        "policy_statements": [dict(s) for s in service.policy_statements],
        "tags": config.tags_of(key),
    }
    boundary = service.permissions_boundary or config.permissions_boundary
    if boundary:
        role_args["permissions_boundary"] = boundary
    if service.addon:
        addon: AddonArgs = {
            "name": service.addon,
            "scope": dict(service.addon_scope),
            "namespace": service.namespace,
            "service_account": sa_name,
        }
        if service.addon_policy:
            addon["policy"] = service.addon_policy
        role_args["addons"] = [addon]
    role = IrsaRole(key, role_args, opts=_aliases(service.renamed_from))
    out = ServiceResources(role)
    if pod:
        # One association per service account: the service's own keeps the service's name, the add-on's
        # other service accounts (efs-csi's node agent, ...) get "<key>-<service account>".
        for sa in service_accounts:
            primary = sa.name == sa_name
            suffix = "" if primary else f"-{sa.name}"
            association = PodIdentityAssociation(
                key + suffix,
                {
                    "cluster_names": cluster_names,
                    "namespace": sa.namespace,
                    "service_account": sa.name,
                    "role_arn": role.arn,
                    "disable_session_tags": service.disable_session_tags,
                    "association_tags": config.tags_of(key),
                },
                opts=_aliases([old + suffix for old in service.renamed_from]),
            )
            if primary:
                out.association = association
            else:
                out.extra_associations[sa.name] = association
    if service.create_service_account:
        for sa in service_accounts:
            primary = sa.name == sa_name
            suffix = "" if primary else f"-{sa.name}"
            for c in cluster_keys:
                k8s_provider = clusters[c].kubernetes
                args: dict[str, Any] = {
                    "namespace": sa.namespace,
                    "service_account_name": sa.name,
                    "labels": {"app.kubernetes.io/managed-by": "irsa-components"},
                }
                if irsa:
                    args["role_arn"] = role.arn
                    if service.audience:
                        args["audience"] = service.audience
                    if service.sts_regional_endpoints is not None:
                        args["sts_regional_endpoints"] = service.sts_regional_endpoints
                account = AnnotatedServiceAccount(
                    f"{key}{suffix}-{c}",
                    args,  # type: ignore[arg-type]
                    opts=_merge(
                        pulumi.ResourceOptions(providers={"kubernetes": k8s_provider} if k8s_provider else None),
                        _aliases([f"{old}{suffix}-{c}" for old in service.renamed_from]),
                    ),
                )
                if primary:
                    out.service_accounts[c] = account
                else:
                    out.extra_service_accounts[(sa.name, c)] = account
    return out
