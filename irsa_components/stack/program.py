"""The stack program: one IAM role per service per environment, composed from the components.

``pulumi up`` runs ``main()`` (see ``__main__.py`` at the repository root); ``irsa plan`` and the
tests run the same function under the SDK's mocks.
"""

from dataclasses import dataclass, field
from typing import Any, Optional, Union

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pulumi.runtime.config import CONFIG, get_config_env

from ..components import (
    AddonArgs,
    AnnotatedServiceAccount,
    CrossAccountPodIdentity,
    CrossAccountPodIdentityArgs,
    IrsaRole,
    IrsaRoleArgs,
    OidcProvider,
    OidcProviderArgs,
    PodIdentityAssociation,
    PodIdentityWebhook,
    PodIdentityWebhookArgs,
    SelfHostedOidcIssuer,
    SelfHostedOidcIssuerArgs,
)
from ..components._lookups import AwsEnvironment, aws_environment
from ..core import arns, kubernetes, trust
from ..core.documents import to_json
from ..core.errors import InputError
from . import naming
from .config import NAMESPACE, StackConfig, decode_config, parse_stack_config
from .registrations import let_registrations_start
from .sdk_logs import quiet_sdk_registration_logs


def read_config(namespace: str = NAMESPACE) -> dict[str, Any]:
    """Every ``<namespace>:*`` config value of the running stack, objects decoded from JSON."""
    return decode_config({**get_config_env(), **CONFIG.get()}, namespace)


@dataclass
class ClusterResources:
    issuer_url: Optional[pulumi.Output[str]] = None
    oidc_provider_arn: Optional[pulumi.Output[str]] = None
    """The IAM OIDC provider of the issuer in the stack's own account (when something there needs it)."""
    oidc_provider: Optional[OidcProvider] = None
    kubernetes: Optional[k8s.Provider] = None
    issuer: Optional[SelfHostedOidcIssuer] = None
    """A self-hosted cluster's published issuer and its IAM OIDC provider."""
    webhook: Optional[PodIdentityWebhook] = None


@dataclass
class AccountResources:
    """Another AWS account (``irsa:accounts.<key>``), set up only when a service uses it."""

    provider: aws.Provider
    oidc_providers: dict[str, OidcProvider] = field(default_factory=dict)
    """The IAM OIDC providers created in the account, by cluster key."""
    oidc_provider_arns: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    """The provider ARN in this account of each cluster its IRSA services use (created or existing)."""


@dataclass
class ServiceResources:
    role: Optional[IrsaRole] = None
    """The workload role (absent for Pod Identity into another account: see cross_account)."""
    cross_account: Optional[CrossAccountPodIdentity] = None
    """Pod Identity into another account: association role here, target role there, the associations."""
    association: Optional[PodIdentityAssociation] = None
    service_accounts: dict[str, AnnotatedServiceAccount] = field(default_factory=dict)
    """The service's ServiceAccount per cluster key."""
    extra_associations: dict[str, PodIdentityAssociation] = field(default_factory=dict)
    """Pod Identity for the add-on's other service accounts, by service account name."""
    extra_service_accounts: dict[tuple[str, str], AnnotatedServiceAccount] = field(default_factory=dict)
    """The add-on's other ServiceAccounts (when the service creates them), by (service account, cluster key)."""

    @property
    def role_arn(self) -> pulumi.Output[str]:
        """ARN of the role pods end up with."""
        if self.cross_account is not None:
            return self.cross_account.target_role_arn
        assert self.role is not None
        return self.role.arn

    @property
    def role_name(self) -> pulumi.Output[str]:
        if self.cross_account is not None:
            return self.cross_account.target_role.name
        assert self.role is not None
        return self.role.name


@dataclass
class Deployment:
    clusters: dict[str, ClusterResources]
    services: dict[str, ServiceResources]
    accounts: dict[str, AccountResources] = field(default_factory=dict)


class StackConfigError(pulumi.RunError, InputError):
    """The stack config's problems. A RunError, so the engine prints the list of problems, not a traceback."""


def main() -> None:
    """Entry point of the Pulumi program."""
    quiet_sdk_registration_logs()  # or the SDK sends the engine 4 debug messages per registration (sdk_logs.py)
    aws_config = pulumi.Config("aws")
    region = aws_config.get("region")  # the partition add-on scopes are checked in
    allowed = aws_config.get_object("allowedAccountIds")
    own = str(allowed[0]) if isinstance(allowed, list) and len(allowed) == 1 else None
    try:
        config = parse_stack_config(read_config(), region=region, account_id=own)
    except InputError as e:
        raise StackConfigError(e.problems) from None
    deployment = deploy(config, region=region, profile=aws_config.get("profile"))
    roles: dict[str, Any] = {}
    for k, s in deployment.services.items():
        # The name as configured: the role's own output is the same string, one Output less per service.
        roles[k] = {"arn": s.role_arn, "name": config.role_name_of(k)}
        if config.account_of(k):
            roles[k]["account"] = config.account_of(k)
    pulumi.export("roles", roles)
    pulumi.export(
        "oidcProviders",
        {k: c.oidc_provider_arn for k, c in deployment.clusters.items() if c.oidc_provider_arn is not None},
    )
    # Flat "<account>/<cluster>" keys: a split offline run (offline/sharded.py) merges outputs one level deep.
    account_providers = {
        f"{k}/{c}": arn for k, a in deployment.accounts.items() for c, arn in a.oidc_provider_arns.items()
    }
    if account_providers:
        pulumi.export("accountOidcProviders", account_providers)
    issuers = {k: c.issuer for k, c in deployment.clusters.items() if c.issuer is not None}
    if issuers:
        pulumi.export(
            "selfHostedClusters",
            {
                k: {
                    "issuerUrl": i.issuer_url,
                    "jwksUri": i.jwks_uri,
                    "oidcProviderArn": i.provider_arn,
                    "kubeApiserverFlags": i.kube_apiserver_flags,
                    "publicKeyBundle": i.public_key_bundle,
                }
                for k, i in issuers.items()
            },
        )
    let_registrations_start()  # or the SDK's wait for them is quadratic under the engine (registrations.py)


def deploy(config: StackConfig, *, region: Optional[str] = None, profile: Optional[str] = None) -> Deployment:
    """Register every resource of the stack; ``config`` is already validated.

    ``region`` and ``profile`` (the stack's ``aws:region`` and ``aws:profile``) are given to the AWS
    providers of ``irsa:accounts``: an explicit provider does not read the stack's ``aws:*`` config.
    """
    env = aws_environment(None)  # account, partition, region: once per stack
    clusters = {key: _cluster(config, key, env, region) for key in config.clusters}
    accounts = {key: _account(config, key, clusters, region, profile) for key in config.accounts_in_use()}
    services: dict[str, ServiceResources] = {}
    for key in config.services:  # a loop: the SDK records every registration's stack (see components/_role.py)
        services[key] = _service(config, key, clusters, accounts)
    return Deployment(clusters, services, accounts)


def _irsa_services_of(config: StackConfig, cluster: str, *, account: Optional[str]) -> list[str]:
    """Services whose IRSA trust goes through this cluster's issuer in ``account`` (None: the stack's own)."""
    return [
        s
        for s in config.services
        if cluster in config.clusters_of(s) and config.uses_irsa(s) and config.account_of(s) == account
    ]


def _cluster(config: StackConfig, key: str, env: AwsEnvironment, region: Optional[str]) -> ClusterResources:
    cluster = config.clusters[key]
    services = [s for s in config.services if key in config.clusters_of(s)]
    needs_k8s = any(config.services[s].create_service_account for s in services)
    if cluster.self_hosted is not None:
        return _self_hosted_cluster(config, key, needs_k8s, region)
    needs_irsa = bool(_irsa_services_of(config, key, account=None))
    # Another account's OIDC provider for this issuer needs the issuer URL (or it is in the given provider ARN).
    needs_elsewhere = any(config.uses_irsa(s) and config.account_of(s) for s in services)
    needs_issuer = cluster.create_oidc_provider or ((needs_irsa or needs_elsewhere) and not cluster.oidc_provider_arn)
    lookup = None
    needs_kubeconfig = needs_k8s and not cluster.kubeconfig and not cluster.render_yaml_to_directory
    if (needs_issuer and not cluster.oidc_issuer_url) or needs_kubeconfig:
        lookup = aws.eks.get_cluster_output(name=cluster.name)  # the one lookup of this cluster
    out = ClusterResources()
    if cluster.oidc_issuer_url:
        out.issuer_url = pulumi.Output.from_input(cluster.oidc_issuer_url)
    elif lookup is not None and needs_issuer:
        out.issuer_url = lookup.apply(lambda c: c.identities[0].oidcs[0].issuer)
    elif cluster.oidc_provider_arn and needs_elsewhere:
        out.issuer_url = pulumi.Output.from_input(
            "https://" + trust.issuer_host_from_provider_arn(cluster.oidc_provider_arn)
        )
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
    if needs_k8s and cluster.render_yaml_to_directory:
        out.kubernetes = k8s.Provider(key, render_yaml_to_directory=cluster.render_yaml_to_directory)
    elif needs_k8s:
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


def _self_hosted_cluster(config: StackConfig, key: str, needs_k8s: bool, region: Optional[str]) -> ClusterResources:
    """The published issuer (and its IAM OIDC provider) of a self-hosted cluster, its kubeconfig and webhook."""
    cluster = config.clusters[key]
    sh = cluster.self_hosted
    assert sh is not None
    issuer_args: SelfHostedOidcIssuerArgs = {
        "bucket_name": config.bucket_name_of(key),
        "public_keys": sh.public_keys,
        "tags": {**config.tags, "environment": config.environment},
    }
    if sh.issuer_url:
        issuer_args["issuer_url"] = sh.issuer_url
    if sh.api_audiences:
        issuer_args["api_audiences"] = list(sh.api_audiences)
    if sh.service_account_key_file:
        issuer_args["service_account_key_file"] = sh.service_account_key_file
    if sh.service_account_signing_key_file:
        issuer_args["service_account_signing_key_file"] = sh.service_account_signing_key_file
    issuer = SelfHostedOidcIssuer(key, issuer_args)
    out = ClusterResources(issuer_url=issuer.issuer_url, oidc_provider_arn=issuer.provider_arn, issuer=issuer)
    if (needs_k8s or sh.install_webhook) and cluster.render_yaml_to_directory:
        out.kubernetes = k8s.Provider(key, render_yaml_to_directory=cluster.render_yaml_to_directory)
    elif needs_k8s or sh.install_webhook:
        assert cluster.kubeconfig is not None  # the config requires it
        out.kubernetes = k8s.Provider(key, kubeconfig=pulumi.Output.secret(cluster.kubeconfig))
    if sh.install_webhook:
        assert out.kubernetes is not None
        out.webhook = PodIdentityWebhook(
            key,
            _webhook_args(config, key, region),
            opts=pulumi.ResourceOptions(providers={"kubernetes": out.kubernetes}),
        )
    return out


def _webhook_args(config: StackConfig, key: str, region: Optional[str]) -> PodIdentityWebhookArgs:
    sh = config.clusters[key].self_hosted
    assert sh is not None
    hook = sh.webhook
    args: PodIdentityWebhookArgs = {}
    default_region = (hook.aws_default_region if hook else None) or region
    if default_region:
        args["aws_default_region"] = default_region
    if hook is None:
        return args
    if hook.namespace:
        args["namespace"] = hook.namespace
    if not hook.create_namespace:
        args["create_namespace"] = False
    if hook.chart_version:
        args["chart_version"] = hook.chart_version
    if hook.chart_repository:
        args["chart_repository"] = hook.chart_repository
    if hook.token_expiration is not None:
        args["token_expiration"] = hook.token_expiration
    if hook.replicas is not None:
        args["replicas"] = hook.replicas
    if hook.failure_policy:
        args["failure_policy"] = hook.failure_policy
    if not hook.cert_manager:
        args["cert_manager"] = False
        assert hook.tls_secret_name and hook.ca_bundle  # the config requires both
        args["tls_secret_name"] = hook.tls_secret_name
        args["ca_bundle"] = hook.ca_bundle
    elif hook.cert_manager_issuer:
        args["cert_manager_issuer"] = hook.cert_manager_issuer
    if hook.values:
        args["values"] = dict(hook.values)
    return args


def _account(
    config: StackConfig,
    key: str,
    clusters: dict[str, ClusterResources],
    region: Optional[str],
    profile: Optional[str],
) -> AccountResources:
    """The account's AWS provider (assuming its role) and the OIDC providers its IRSA services need there."""
    account = config.accounts[key]
    provider = aws.Provider(
        naming.account_provider_name(key),
        region=account.region or region,
        profile=profile,
        assume_roles=[
            aws.ProviderAssumeRoleArgs(
                role_arn=account.role_arn, session_name=naming.session_name(config.environment, key)
            )
        ],
    )
    out = AccountResources(provider)
    used = [c for c in config.clusters if _irsa_services_of(config, c, account=key)]
    env = aws_environment(provider) if used and not account.create_oidc_providers else None
    for c in used:
        issuer_url = clusters[c].issuer_url
        assert issuer_url is not None  # _cluster resolves it for every cluster an account needs
        if env is not None:
            # The account's existing provider for this issuer (one per issuer per account).
            out.oidc_provider_arns[c] = pulumi.Output.all(env.partition, env.account_id, issuer_url).apply(
                lambda v: arns.oidc_provider_arn(v[0], v[1], trust.issuer_host(v[2]))
            )
            continue
        depends_on: list[pulumi.Resource] = []
        issuer = clusters[c].issuer
        if issuer is not None:
            depends_on.append(issuer)  # IAM fetches the JWKS when the provider is created
        provider_args: OidcProviderArgs = {
            "issuer_url": issuer_url,
            "tags": {**config.tags, "environment": config.environment},
        }
        oidc = OidcProvider(
            naming.account_oidc_provider_name(c, key),
            provider_args,
            opts=pulumi.ResourceOptions(providers={"aws": provider}, depends_on=depends_on),
        )
        out.oidc_providers[c] = oidc
        out.oidc_provider_arns[c] = oidc.arn
    return out


def _aliases(names: list[str]) -> Optional[pulumi.ResourceOptions]:
    if not names:
        return None
    return pulumi.ResourceOptions(aliases=_alias_list(names))


def _alias_list(names: list[str]) -> Optional[list[pulumi.Input[Union[str, pulumi.Alias]]]]:
    return [pulumi.Alias(name=n) for n in names] if names else None


def _options(providers: Optional[dict[str, pulumi.ProviderResource]], aliases: list[str]) -> pulumi.ResourceOptions:
    """One ResourceOptions (merging options copies them, and this runs for every component of every service)."""
    return pulumi.ResourceOptions(providers=providers, aliases=_alias_list(aliases))


def _service(
    config: StackConfig,
    key: str,
    clusters: dict[str, ClusterResources],
    accounts: Optional[dict[str, AccountResources]] = None,
) -> ServiceResources:
    service = config.services[key]
    sa_name = config.service_account_of(key)
    cluster_keys = config.clusters_of(key)
    audience = service.audience or trust.DEFAULT_AUDIENCE
    irsa = config.uses_irsa(key)
    pod = config.uses_pod_identity(key)
    account = (accounts or {})[service.account] if service.account else None
    if account is not None and pod:
        out = ServiceResources(cross_account=_cross_account_pod_identity(config, key, account))
        _service_accounts(config, key, clusters, out, None)
        return out
    if account is not None:
        # IRSA straight into the other account: the trust names that account's OIDC providers.
        provider_arns: list[Optional[pulumi.Output[str]]] = [account.oidc_provider_arns[c] for c in cluster_keys]
    else:
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
    boundary = config.permissions_boundary_of(key)
    if boundary:
        role_args["permissions_boundary"] = boundary
    if config.retain_of(key):
        role_args["retain_on_delete"] = True
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
    role = IrsaRole(
        key,
        role_args,
        opts=_options({"aws": account.provider} if account is not None else None, service.renamed_from),
    )
    out = ServiceResources(role)
    if pod:
        # One association per service account: the service's own keeps the service's name, the add-on's
        # other service accounts (efs-csi's node agent, ...) get "<key>-<service account>".
        for sa in service_accounts:
            primary = sa.name == sa_name
            association = PodIdentityAssociation(
                naming.association_name(key, sa.name, sa_name),
                {
                    "cluster_names": cluster_names,
                    "namespace": sa.namespace,
                    "service_account": sa.name,
                    "role_arn": role.arn,
                    "disable_session_tags": service.disable_session_tags,
                    "association_tags": config.tags_of(key),
                },
                opts=_aliases([naming.association_name(old, sa.name, sa_name) for old in service.renamed_from]),
            )
            if primary:
                out.association = association
            else:
                out.extra_associations[sa.name] = association
    _service_accounts(config, key, clusters, out, role.arn if irsa else None)
    return out


def _service_accounts(
    config: StackConfig,
    key: str,
    clusters: dict[str, ClusterResources],
    out: ServiceResources,
    role_arn: Optional[pulumi.Output[str]],
) -> None:
    """The service's ServiceAccounts on each cluster (annotated with ``role_arn`` for IRSA)."""
    service = config.services[key]
    sa_name = config.service_account_of(key)
    if not service.create_service_account:
        return
    for sa in config.service_accounts_of(key):
        primary = sa.name == sa_name
        for c in config.clusters_of(key):
            k8s_provider = clusters[c].kubernetes
            args: dict[str, Any] = {
                "namespace": sa.namespace,
                "service_account_name": sa.name,
                "labels": {"app.kubernetes.io/managed-by": "irsa-components"},
            }
            if role_arn is not None:
                args["role_arn"] = role_arn
                if service.audience:
                    args["audience"] = service.audience
                if service.sts_regional_endpoints is not None:
                    args["sts_regional_endpoints"] = service.sts_regional_endpoints
            account = AnnotatedServiceAccount(
                naming.service_account_name(key, sa.name, sa_name, c),
                args,  # type: ignore[arg-type]
                opts=_options(
                    {"kubernetes": k8s_provider} if k8s_provider else None,
                    [naming.service_account_name(old, sa.name, sa_name, c) for old in service.renamed_from],
                ),
            )
            if primary:
                out.service_accounts[c] = account
            else:
                out.extra_service_accounts[(sa.name, c)] = account


def _cross_account_pod_identity(config: StackConfig, key: str, account: AccountResources) -> CrossAccountPodIdentity:
    """EKS Pod Identity into another account: the association role here chains to the target role there."""
    service = config.services[key]
    args: CrossAccountPodIdentityArgs = {
        "target_provider": account.provider,
        "cluster_names": [config.clusters[c].name for c in config.clusters_of(key)],
        "namespace": service.namespace,
        "service_account": config.service_account_of(key),
        "association_role_name": config.association_role_name_of(key),
        "association_role_path": config.role_path,
        "association_tags": config.tags_of(key),
        "trust_policy_max_chars": config.trust_policy_max_chars,
        "max_managed_policies": config.max_managed_policies,
        "role_name": config.role_name_of(key),
        "path": config.role_path,
        "description": service.description
        or f"Workload role of {key} in {config.environment} (irsa-components, Pod Identity target role)",
        "max_session_duration": service.max_session_duration or config.max_session_duration,
        "managed_policy_arns": list(service.managed_policy_arns),
        "policy_statements": [dict(s) for s in service.policy_statements],
        "tags": config.tags_of(key),
    }
    if service.disable_session_tags:
        args["disable_session_tags"] = True
    boundary = config.permissions_boundary_of(key)
    if boundary:
        args["permissions_boundary"] = boundary
    if config.retain_of(key):
        args["retain_on_delete"] = True
    return CrossAccountPodIdentity(key, args, opts=_aliases(service.renamed_from))
