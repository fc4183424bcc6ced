"""The stack config schema: pydantic models of the ``irsa:*`` keys and the views the program reads.

No Pulumi imports. Parsing, the checks and the error reporting are in ``config.py`` and ``checks.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .. import addons
from ..core import arns, kubernetes, names, trust
from ..core.limits import Quotas

Identity = Literal["irsa", "pod-identity", "both"]
AddonPolicy = Literal["custom", "managed"]
KEY_MAX = 63
ENVIRONMENT_MAX = 40


def key_problem(key: str, max_length: int = KEY_MAX) -> str | None:
    """Keys (of services, clusters, accounts) are DNS-1123 labels: they name roles, resources and ServiceAccounts."""
    if len(key) > max_length:
        return f"is {len(key)} characters; keys are DNS-1123 labels of at most {max_length} characters"
    if not kubernetes.DNS1123_LABEL.match(key):
        return (
            "is not a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit "
            "(keys name roles, resources and ServiceAccounts)"
        )
    return None


def _check(message: str | None) -> None:
    if message is not None:
        raise ValueError(message)


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


FailurePolicy = Literal["Ignore", "Fail"]
_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?\Z")


class WebhookConfig(_Model):
    """Settings of the pod identity webhook on a self-hosted cluster (``selfHosted.webhook``)."""

    namespace: Optional[str] = None
    """Namespace to install into. Default pod-identity-webhook."""
    create_namespace: bool = True
    chart_version: Optional[str] = None
    """Exact chart version; default the version the library pins."""
    chart_repository: Optional[str] = None
    aws_default_region: Optional[str] = None
    """AWS_REGION injected into mutated pods. Default: the stack's aws:region."""
    token_expiration: Optional[int] = None
    replicas: Optional[int] = Field(default=None, ge=1)
    failure_policy: Optional[FailurePolicy] = None
    cert_manager: bool = True
    cert_manager_issuer: Optional[str] = None
    tls_secret_name: Optional[str] = None
    ca_bundle: Optional[str] = None
    values: dict[str, Any] = Field(default_factory=dict)

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(kubernetes.namespace_problem(v))
        return v

    @field_validator("chart_version")
    @classmethod
    def _version(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not _EXACT_VERSION.match(v):
            raise ValueError("must be an exact chart version such as 2.4.2 (no ranges or wildcards)")
        return v

    @field_validator("chart_repository")
    @classmethod
    def _repository(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not v.startswith(("https://", "oci://")):
            raise ValueError("must be an https:// or oci:// repository URL")
        return v

    @field_validator("aws_default_region")
    @classmethod
    def _region(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(arns.region_problem(v))
        return v

    @field_validator("token_expiration")
    @classmethod
    def _expiration(cls, v: Optional[int]) -> Optional[int]:
        if v is not None:
            _check(kubernetes.token_expiration_problem(v))
        return v

    @model_validator(mode="after")
    def _certificates(self) -> WebhookConfig:
        if self.cert_manager and (self.tls_secret_name or self.ca_bundle):
            raise ValueError("tlsSecretName and caBundle are used only with certManager: false")
        if not self.cert_manager and self.cert_manager_issuer:
            raise ValueError("certManagerIssuer is used only with certManager: true")
        if not self.cert_manager and not (self.tls_secret_name and self.ca_bundle):
            raise ValueError("with certManager: false, give tlsSecretName (a kubernetes.io/tls Secret) and caBundle")
        return self


class SelfHostedConfig(_Model):
    """A self-hosted cluster's public OIDC issuer (``irsa:clusters.<key>.selfHosted``)."""

    signing_key_public_pems: Optional[list[str]] = None
    """PEM public keys of the cluster's service-account signing keys (several during a rotation)."""
    signing_key_public_pem: Optional[str] = None
    """One PEM public key: the same as signingKeyPublicPems with one entry."""
    bucket_name: Optional[str] = None
    """S3 bucket publishing the issuer documents (the issuer URL derives from it).

    Default ``irsa-<environment>-<key>-oidc``.
    """
    issuer_url: Optional[str] = None
    """Publish under this URL (a CDN in front of the bucket) instead of the bucket's endpoint."""
    api_audiences: list[str] = Field(default_factory=list)
    """kube-apiserver --api-audiences in the exported flags. Default: the issuer URL."""
    service_account_key_file: Optional[str] = None
    service_account_signing_key_file: Optional[str] = None
    install_webhook: bool = False
    """Install the pod identity webhook (needs the cluster's kubeconfig)."""
    webhook: Optional[WebhookConfig] = None
    """Webhook settings (with installWebhook)."""

    @field_validator("issuer_url")
    @classmethod
    def _issuer(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(trust.issuer_url_problem(v))
            if v.endswith("/"):
                raise ValueError("must not end with '/': the tokens' iss must match the issuer exactly")
        return v

    @property
    def public_keys(self) -> list[str]:
        if self.signing_key_public_pems is not None:
            return list(self.signing_key_public_pems)
        return [self.signing_key_public_pem] if self.signing_key_public_pem else []


BUCKET_NAME_MAX = 63


def default_bucket_name(environment: str, cluster_key: str) -> str:
    """The issuer bucket of a self-hosted cluster that names none (stable: the issuer URL derives from it).

    ``irsa-<environment>-<key>-oidc``, hash-shortened past S3's 63 characters.
    """
    return names.shorten(f"irsa-{environment}-{cluster_key}-oidc", BUCKET_NAME_MAX)


class ClusterConfig(_Model):
    """One cluster of the environment (``irsa:clusters.<key>``): an EKS cluster by name, or a self-hosted one."""

    name: str = ""
    """EKS cluster name; empty for a self-hosted cluster (selfHosted)."""
    self_hosted: Optional[SelfHostedConfig] = None
    """A self-hosted (non-EKS) cluster: its issuer is published to S3 and its IAM OIDC provider created."""
    oidc_issuer_url: Optional[str] = None
    """The cluster's OIDC issuer URL; looked up from the cluster (once) when absent."""
    oidc_provider_arn: Optional[str] = None
    """An existing IAM OIDC provider for the issuer; default: the account's provider for the issuer."""
    create_oidc_provider: bool = False
    """Create (and protect) the IAM OIDC provider for the issuer."""
    kubeconfig: Optional[str] = None
    """Kubeconfig for creating ServiceAccounts (secret); default: built from the cluster lookup."""
    render_yaml_to_directory: Optional[str] = None
    """Write the cluster's Kubernetes objects as YAML manifests into this folder instead of applying them
    (GitOps: commit it for Argo CD or Flux); no kubeconfig or cluster access is needed."""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        _check(arns.eks_cluster_name_problem(v))
        return v

    @field_validator("oidc_issuer_url")
    @classmethod
    def _issuer(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(trust.issuer_url_problem(v))
        return v

    @field_validator("oidc_provider_arn")
    @classmethod
    def _provider(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(arns.oidc_provider_arn_problem(v))
        return v

    @property
    def is_self_hosted(self) -> bool:
        return self.self_hosted is not None

    def identity(self, key: str) -> str:
        """What tells this cluster apart from the others: the EKS name, or the key of a self-hosted cluster."""
        return self.name if self.self_hosted is None else f"<self-hosted {key}>"

    @model_validator(mode="after")
    def _consistent(self) -> ClusterConfig:
        if self.create_oidc_provider and self.oidc_provider_arn:
            raise ValueError("createOidcProvider and oidcProviderArn exclude each other: adopt or create, not both")
        if self.oidc_provider_arn and self.oidc_issuer_url:
            if trust.issuer_host(self.oidc_issuer_url) != trust.issuer_host_from_provider_arn(self.oidc_provider_arn):
                raise ValueError("oidcProviderArn is not the provider of oidcIssuerUrl")
        return self


class AccountConfig(_Model):
    """Another AWS account services can put their role in (``irsa:accounts.<key>``)."""

    role_arn: str
    """Role the deployment assumes in that account; the account's AWS provider assumes it."""
    region: Optional[str] = None
    """Region of the account's AWS provider. Default: the stack's aws:region."""
    permissions_boundary: Optional[str] = None
    """Boundary of the roles created in this account (its own policy or an AWS managed one).

    Default irsa:permissionsBoundary.
    """
    create_oidc_providers: bool = True
    """Create (and protect) an IAM OIDC provider here for each cluster its IRSA services use.

    False: use the account's existing provider for the issuer.
    """

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, v: str) -> str:
        _check(arns.role_arn_problem(v))
        return v

    @field_validator("region")
    @classmethod
    def _region(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(arns.region_problem(v))
        return v

    @field_validator("permissions_boundary")
    @classmethod
    def _boundary(cls, v: Optional[str]) -> Optional[str]:
        if v:
            _check(arns.policy_arn_problem(v))
        return v

    @property
    def account_id(self) -> str:
        """The AWS account: the one of the role the provider assumes."""
        return arns.account_of(self.role_arn)


class ServiceConfig(_Model):
    """One workload (``irsa:services.<key>``): exactly one IAM role in this environment."""

    namespace: str
    """Default (add-on services): the add-on's namespace."""
    service_account: Optional[str] = None
    """Default: the add-on's service account for add-on services, else the service key."""
    identity: Optional[Identity] = None
    """irsa, pod-identity or both (the migration window). Default: irsa:defaultIdentity."""
    clusters: Optional[list[str]] = None
    """Cluster keys; default every cluster of the environment."""
    managed_policy_arns: list[str] = Field(default_factory=list)
    policy_statements: list[dict[str, Any]] = Field(default_factory=list)
    create_service_account: bool = True
    """Default false for add-on services: their Helm charts create the ServiceAccount (give them the role ARN)."""
    max_session_duration: Optional[int] = None
    permissions_boundary: Optional[str] = None
    tags: dict[str, str] = Field(default_factory=dict)
    description: Optional[str] = None
    role_name: Optional[str] = None
    """Explicit role name; default ``<environment>-<key>`` (hash-shortened past 64 characters)."""
    renamed_from: list[str] = Field(default_factory=list)
    """Earlier keys of this service, oldest first: resources are aliased, and the role and the default
    service account keep their names."""
    audience: Optional[str] = None
    """Token audience (the eks.amazonaws.com/audience annotation and the trust's aud). Default sts.amazonaws.com."""
    sts_regional_endpoints: Optional[bool] = None
    disable_session_tags: bool = False
    """Pod Identity without session tags (the trust can then pin only the account)."""
    addon: Optional[str] = None
    """A built-in add-on (docs/addons.md): the role gets its least-privilege policies, trusts its service accounts."""
    addon_scope: dict[str, Any] = Field(default_factory=dict)
    """The add-on's scope inputs (hosted zones, cluster name, ...), camelCase or snake_case keys."""
    addon_policy: Optional[AddonPolicy] = None
    """custom (the built-in least-privilege documents) or managed (AWS's managed policies); default the add-on's."""
    account: Optional[str] = None
    """Key of irsa:accounts to create the role in: IRSA straight into that account, or a Pod Identity target role."""
    retain_on_delete: Optional[bool] = None
    """Keep the IAM role and its policies in AWS when the service is removed. Default irsa:retainOnDelete."""

    @model_validator(mode="before")
    @classmethod
    def _addon_defaults(cls, data: Any) -> Any:
        """An add-on service runs where the add-on's chart puts it, and the chart creates its ServiceAccount."""
        if not isinstance(data, Mapping) or not isinstance(data.get("addon"), str):
            return data
        addon = addons.CATALOGUE.get(data["addon"])
        if addon is None:
            return data
        out = dict(data)
        if addon.namespace is not None and "namespace" not in out:
            out["namespace"] = addon.namespace
        if addon.service_account is not None and not {"serviceAccount", "service_account"} & set(out):
            out["serviceAccount"] = addon.service_account
        if not {"createServiceAccount", "create_service_account"} & set(out):
            out["createServiceAccount"] = False
        return out

    @field_validator("addon")
    @classmethod
    def _addon(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            try:
                addons.get(v)
            except KeyError as exc:
                raise ValueError(str(exc.args[0])) from None
        return v

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, v: str) -> str:
        _check(kubernetes.namespace_problem(v))
        return v

    @field_validator("service_account")
    @classmethod
    def _service_account(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(kubernetes.service_account_name_problem(v))
        return v

    @field_validator("renamed_from")
    @classmethod
    def _renamed(cls, v: list[str]) -> list[str]:
        for key in v:
            _check(key_problem(key))
        return v

    @field_validator("audience")
    @classmethod
    def _audience(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and (not v or any(c in v for c in "*?")):
            raise ValueError("must be a literal audience (no wildcards)")
        return v


class StackConfig(_Model):
    """The whole ``irsa:`` namespace of one stack."""

    environment: str
    clusters: dict[str, ClusterConfig] = Field(default_factory=dict)
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    accounts: dict[str, AccountConfig] = Field(default_factory=dict)
    retain_on_delete: bool = False
    role_path: str = "/"
    permissions_boundary: Optional[str] = None
    max_session_duration: int = 3600
    default_identity: Identity = "irsa"
    tags: dict[str, str] = Field(default_factory=dict)
    trust_policy_max_chars: int = Quotas.trust_policy_chars
    max_managed_policies: int = Quotas.managed_policies_per_role

    # Derived views ------------------------------------------------------------------------------

    @property
    def quotas(self) -> Quotas:
        return Quotas(
            trust_policy_chars=self.trust_policy_max_chars, managed_policies_per_role=self.max_managed_policies
        )

    def identity_of(self, key: str) -> Identity:
        return self.services[key].identity or self.default_identity

    def uses_irsa(self, key: str) -> bool:
        return self.identity_of(key) in ("irsa", "both")

    def uses_pod_identity(self, key: str) -> bool:
        return self.identity_of(key) in ("pod-identity", "both")

    def clusters_of(self, key: str) -> list[str]:
        chosen = self.services[key].clusters
        return list(chosen) if chosen is not None else list(self.clusters)

    def service_account_of(self, key: str) -> str:
        """The service account (default: the service's first key, so a rename keeps what the pods run as)."""
        service = self.services[key]
        return service.service_account or (service.renamed_from[0] if service.renamed_from else key)

    def addon_of(self, key: str) -> Optional[addons.Addon]:
        """The built-in add-on the service runs, if any."""
        name = self.services[key].addon
        return addons.CATALOGUE[name] if name else None

    def service_accounts_of(self, key: str) -> list[kubernetes.ServiceAccountRef]:
        """Every service account of the service: its own, then the add-on's other ones (same namespace)."""
        namespace = self.services[key].namespace
        addon = self.addon_of(key)
        extra = addon.extra_service_accounts if addon else ()
        return [kubernetes.ServiceAccountRef(namespace, sa) for sa in (self.service_account_of(key), *extra)]

    def role_name_of(self, key: str) -> str:
        service = self.services[key]
        if service.role_name:
            return service.role_name
        original = service.renamed_from[0] if service.renamed_from else key
        return names.role_name(self.environment, original)

    def account_of(self, key: str) -> Optional[str]:
        """The irsa:accounts key the service's role lives in; None for the stack's own account."""
        return self.services[key].account

    def accounts_in_use(self) -> list[str]:
        """Account keys some service uses, in declaration order (only these get an AWS provider)."""
        used = {s.account for s in self.services.values() if s.account}
        return [a for a in self.accounts if a in used]

    def retain_of(self, key: str) -> bool:
        """Whether the service's IAM resources are kept in AWS when it is removed (service, else environment)."""
        own = self.services[key].retain_on_delete
        return self.retain_on_delete if own is None else own

    def permissions_boundary_of(self, key: str) -> Optional[str]:
        """The service's boundary, else its account's, else the environment's."""
        service = self.services[key]
        account = self.accounts.get(service.account) if service.account else None
        return (
            service.permissions_boundary
            or (account.permissions_boundary if account else None)
            or self.permissions_boundary
            or None
        )

    def association_role_name_of(self, key: str) -> str:
        """The Pod Identity association role of a cross-account service (in the cluster account)."""
        return names.role_name(self.role_name_of(key), "pod-identity")

    def bucket_name_of(self, cluster_key: str) -> str:
        """The issuer bucket of a self-hosted cluster."""
        sh = self.clusters[cluster_key].self_hosted
        assert sh is not None
        return sh.bucket_name or default_bucket_name(self.environment, cluster_key)

    def tags_of(self, key: str) -> dict[str, str]:
        return {
            **self.tags,
            **self.services[key].tags,
            "environment": self.environment,
            "service": key,
            "managed-by": "irsa-components",
        }
