"""The stack config contract (``irsa:*`` keys), parsed and validated with pydantic.

No Pulumi imports: the offline plan, the tests and the program all validate the same way.
Every problem of every entry is collected and reported at once, naming the entry, the field
(as written in the stack file) and the value.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Mapping
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .. import addons, self_hosted
from ..addons import model as addon_model
from ..addons.layout import AddonLayout, layout
from ..core import arns, cross_account, kubernetes, names, trust, validate
from ..core.errors import InputError, Problem, Problems
from ..core.limits import Quotas

Identity = Literal["irsa", "pod-identity", "both"]
AddonPolicy = Literal["custom", "managed"]
_KEY = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
KEY_MAX = 40


def _key_problem(key: str) -> str | None:
    if not _KEY.match(key) or len(key) > KEY_MAX:
        return f"keys are 1-{KEY_MAX} lowercase letters, digits and '-' (they become role and resource names)"
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


def default_bucket_name(environment: str, cluster_key: str) -> str:
    """The issuer bucket of a self-hosted cluster that names none (stable: the issuer URL derives from it)."""
    return f"irsa-{environment}-{cluster_key}-oidc"


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
    """Earlier keys of this service, oldest first: resources are aliased and the role keeps its name."""
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
            _check(_key_problem(key))
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
        return self.services[key].service_account or key

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


# Parsing -----------------------------------------------------------------------------------------

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


_TOP_FIELDS = {f.alias or n: n for n, f in StackConfig.model_fields.items()}


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _nested_model(annotation: Any) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model declaring the last element of ``loc`` (``selfHosted.bucketNmae`` -> SelfHostedConfig)."""
    current = model
    for part in loc[:-1]:
        fields = {**current.model_fields, **{f.alias: f for f in current.model_fields.values() if f.alias}}
        field = fields.get(str(part))
        if field is None:
            continue  # a list index or mapping key: stay in the model found so far
        nested = _nested_model(field.annotation)
        if nested is None:
            break
        current = nested
    return current


def _problems_from(subject: str, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    out = []
    for e in error.errors():
        loc = ".".join(str(p) for p in e["loc"])
        message = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            owner = _model_at(model, tuple(e["loc"]))
            fields = sorted({f.alias or n for n, f in owner.model_fields.items()})
            message = f"is not a setting{_suggest(str(e['loc'][-1]), fields)}"
        elif e["type"] == "missing":
            message = "is required"
        out.append(Problem(subject, loc or "(entry)", e.get("input"), message))
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
        if key not in _TOP_FIELDS:
            top.add(f"irsa:{key}", raw[key], f"is not a setting{_suggest(key, sorted(_TOP_FIELDS))}")
    environment = raw.get("environment")
    if not environment:
        top.add("irsa:environment", environment, "is required: it is part of every role name and tag")
    elif _key_problem(str(environment)):
        top.add("irsa:environment", environment, "must be 1-40 lowercase letters, digits and '-'")
    problems.extend(top)

    raw_clusters = _mapping(raw, "clusters", problems)
    raw_services = _mapping(raw, "services", problems)
    raw_accounts = _mapping(raw, "accounts", problems)
    clusters = _parse_entries("cluster", raw_clusters, ClusterConfig, problems)
    services = _parse_entries("service", raw_services, ServiceConfig, problems)
    accounts = _parse_entries("account", raw_accounts, AccountConfig, problems)

    entries = ("clusters", "services", "accounts")
    scalars = {k: v for k, v in raw.items() if k in _TOP_FIELDS and k not in entries}
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
        problems.extend(_problems_from("stack config", exc, StackConfig))
        raise InputError(problems) from None
    problems.extend(_environment_checks(config))
    problems.extend(_self_hosted_checks(config, raw_clusters, raw_services))
    problems.extend(_account_checks(config, raw_accounts, raw_services, account_id))
    partitions = (arns.partition_for_region(region),) if region else None
    layouts: dict[str, AddonLayout] = {}
    for key, entry in raw_services.items():
        if isinstance(entry, Mapping):
            problems.extend(_addon_checks(str(key), entry, partitions, layouts))
    problems.extend(_cross_checks(config, raw_services, set(raw_clusters), layouts, raw_accounts, region))
    if problems:
        raise InputError(_camel_fields(problems))
    return config


def _mapping(raw: Mapping[str, Any], key: str, problems: list[Problem]) -> Mapping[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        problems.append(Problem("stack config", f"irsa:{key}", value, f"must be a mapping of {key[:-1]} keys"))
        return {}
    return value


def _parse_entries(kind: str, raw: Mapping[str, Any], model: type[Any], problems: list[Problem]) -> dict[str, Any]:
    """Validate each entry on its own, so one bad entry hides no problem of another."""
    parsed: dict[str, Any] = {}
    for key, entry in raw.items():
        subject = f"{kind} {key!r}"
        if (p := _key_problem(str(key))) is not None:
            problems.append(Problem(subject, "(key)", key, p))
        errored: set[str] = set()
        try:
            parsed[key] = model.model_validate(entry)
        except ValidationError as exc:
            found = _problems_from(subject, exc, model)
            problems.extend(found)
            errored = {f.field.split(".")[0].split("[")[0] for f in found}
        if model is ServiceConfig and isinstance(entry, Mapping):
            problems.extend(_service_field_checks(subject, entry, errored))
        if model is ClusterConfig and isinstance(entry, Mapping):
            problems.extend(_cluster_field_checks(subject, entry))
    return parsed


_EKS_ONLY = ("oidcIssuerUrl", "oidcProviderArn", "createOidcProvider")


def _cluster_field_checks(subject: str, entry: Mapping[str, Any]) -> list[Problem]:
    """An EKS cluster by name or a self-hosted one, exactly; the self-hosted issuer's own inputs."""
    p = Problems(subject)
    sh = entry.get("selfHosted", entry.get("self_hosted"))
    if sh is None:
        if "name" not in entry:
            p.add("name", None, "is required: the EKS cluster's name (or selfHosted: {...} for a self-hosted cluster)")
        return list(p)
    if "name" in entry:
        p.add("name", entry["name"], "give name (an EKS cluster) or selfHosted (a self-hosted cluster), not both")
    for field in _EKS_ONLY:
        if field in entry:
            p.add(
                field,
                entry[field],
                "does not apply to a self-hosted cluster: selfHosted publishes its issuer and creates its IAM OIDC "
                "provider",
            )
    if not isinstance(sh, Mapping):
        return list(p)  # pydantic reports the type
    pems, pem = sh.get("signingKeyPublicPems"), sh.get("signingKeyPublicPem")
    if pems is not None and pem is not None:
        p.add("selfHosted.signingKeyPublicPem", "(PEM)", "give signingKeyPublicPems or signingKeyPublicPem, not both")
    elif pems is None and pem is None:
        p.add(
            "selfHosted.signingKeyPublicPems",
            None,
            "is required: the PEM public key(s) of the cluster's service-account signing key (never the private key)",
        )
    else:
        field = "selfHosted.signingKeyPublicPems" if pems is not None else "selfHosted.signingKeyPublicPem"
        keys = pems if pems is not None else [pem]
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):  # else pydantic reports the type
            for i, message in self_hosted.key_problems(keys):
                where = f"{field}[{i}]" if i >= 0 and pems is not None else field
                p.add(where, "(PEM)", message.replace("public_keys", "signingKeyPublicPems"))
    if sh.get("webhook") is not None and sh.get("installWebhook") is not True:
        p.add("selfHosted.webhook", "(set)", "applies only with installWebhook: true")
    bucket = sh.get("bucketName")
    if bucket is not None:
        p.check("selfHosted.bucketName", bucket, self_hosted.bucket_name_problem(bucket))
    return list(p)


def _service_field_checks(subject: str, entry: Mapping[str, Any], errored: set[str]) -> list[Problem]:
    """The core's role checks on the raw entry, with exact field paths; fields pydantic refused are skipped."""
    p = Problems(subject)

    def given(field: str, kind: type | tuple[type, ...]) -> Any:
        value = entry.get(field)
        return value if field not in errored and isinstance(value, kind) else None

    arns_ = given("managedPolicyArns", list) or []
    validate.check_role(
        p,
        path=None,
        max_session_duration=given("maxSessionDuration", int),
        permissions_boundary=given("permissionsBoundary", str) or None,
        managed_policy_arns=arns_,
        policy_statements=given("policyStatements", list),
        tags=given("tags", dict),
        reserved_tags=3,
        quotas=Quotas(managed_policies_per_role=10**6),  # the quota is the environment's: checked later
    )
    if isinstance(role_name := given("roleName", str), str):
        p.check("roleName", role_name, names.role_name_problem(role_name))
    return list(p)


def _environment_checks(config: StackConfig) -> list[Problem]:
    top = Problems("stack config")
    top.check("irsa:rolePath", config.role_path, names.role_path_problem(config.role_path))
    if config.permissions_boundary:
        top.check(
            "irsa:permissionsBoundary",
            config.permissions_boundary,
            arns.policy_arn_problem(config.permissions_boundary),
        )
    validate.check_max_session_duration(top, "irsa:maxSessionDuration", config.max_session_duration)
    quota_problems = Problems("stack config")
    validate.check_quotas(quota_problems, config.trust_policy_max_chars, config.max_managed_policies)
    names_in_stack = {
        "trust_policy_max_chars": "irsa:trustPolicyMaxChars",
        "max_managed_policies": "irsa:maxManagedPolicies",
    }
    for q in quota_problems:
        top.add(names_in_stack[q.field], q.value, q.message)
    validate.check_tags(top, "irsa:tags", config.tags, Quotas.tags_per_resource, reserved=3)
    return list(top)


def _unknown_cluster_refs(subject: str, refs: Any, cluster_keys: set[str]) -> list[Problem]:
    if not isinstance(refs, list):
        return []
    known = ", ".join(sorted(cluster_keys)) or "none"
    return [
        Problem(
            subject,
            f"clusters[{i}]",
            ref,
            f"is not a cluster of this environment{_suggest(str(ref), sorted(cluster_keys))} (known: {known})",
        )
        for i, ref in enumerate(refs)
        if ref not in cluster_keys
    ]


def _raw_addon(entry: Mapping[str, Any]) -> Optional[addons.Addon]:
    name = entry.get("addon")
    return addons.CATALOGUE.get(name) if isinstance(name, str) else None


def _raw_identity(key: str, entry: Mapping[str, Any]) -> tuple[Any, Any, tuple[str, ...]]:
    """Namespace, service account and the add-on's other service accounts of a raw entry, defaults applied."""
    addon = _raw_addon(entry)
    namespace = entry.get("namespace", addon.namespace if addon else None)
    default_sa = addon.service_account if addon and addon.service_account else key
    sa = entry.get("serviceAccount", default_sa)
    return namespace, sa, addon.extra_service_accounts if addon else ()


_ADDON_FIELDS = {
    "addon": "addon",
    "policy": "addonPolicy",
    "namespace": "namespace",
    "service_account": "serviceAccount",
}


def _addon_checks(
    key: str, entry: Mapping[str, Any], partitions: Optional[tuple[str, ...]], layouts: dict[str, AddonLayout]
) -> list[Problem]:
    """The add-on's scope, policy and service account, checked by the catalogue (``addonScope.<input>``)."""
    p = Problems(f"service {key!r}")
    addon = _raw_addon(entry)
    if addon is None:
        for field in ("addonScope", "addonPolicy"):
            if field in entry and "addon" not in entry:
                p.add(field, entry[field], "applies to add-on services only: set addon too")
        return list(p)  # an unknown add-on name is reported with the entry's fields
    scope, policy = entry.get("addonScope", {}), entry.get("addonPolicy")
    if not isinstance(scope, Mapping) or policy not in (None, "custom", "managed"):
        return []  # reported with the entry's fields
    namespace, sa, extra = _raw_identity(key, entry)
    if sa in extra:
        p.add("serviceAccount", sa, f"is one of add-on {addon.name!r}'s other service accounts; choose another name")
    # Names the entry's own checks refused are replaced, so each problem is reported once.
    if not isinstance(namespace, str) or kubernetes.namespace_problem(namespace):
        namespace = addon.namespace or "default"
    if not isinstance(sa, str) or kubernetes.service_account_name_problem(sa):
        sa = addon.service_account or "default"
    planned, found = layout(
        addon.name,
        scope,
        namespace=namespace,
        service_account=sa,
        policy=policy,
        partitions=partitions,
        subject=p.subject,
        field_prefix="addonScope.",
    )
    written = {addon_model.snake(str(k)): str(k) for k in scope}
    for problem in found:
        field = problem.field
        if field.startswith("addonScope."):
            head, sep, rest = field.removeprefix("addonScope.").partition("[")
            field = f"addonScope.{written.get(head, addon_model.camel(head))}{sep}{rest}"
        else:
            field = _ADDON_FIELDS.get(field, field)
        p.add(field, problem.value, problem.message)
    if planned is not None:
        layouts[key] = planned
    return list(p)


def _raw_clusters_of(entry: Mapping[str, Any], cluster_keys: set[str] | Mapping[str, Any]) -> list[Any]:
    refs = entry.get("clusters")
    return list(refs) if isinstance(refs, list) else sorted(cluster_keys)


def _raw_creates_service_account(entry: Mapping[str, Any]) -> bool:
    given = entry.get("createServiceAccount")
    return given if isinstance(given, bool) else _raw_addon(entry) is None


def _self_hosted_checks(
    config: StackConfig, raw_clusters: Mapping[str, Any], raw_services: Mapping[str, Any]
) -> list[Problem]:
    """Each self-hosted cluster: its own bucket and issuer, and a kubeconfig when anything goes into it."""
    out: list[Problem] = []
    buckets: dict[str, str] = {}
    issuers: dict[str, str] = {}
    for key, cluster in config.clusters.items():
        sh = cluster.self_hosted
        if sh is None:
            continue
        p = Problems(f"cluster {key!r}")
        bucket = config.bucket_name_of(key)
        if sh.bucket_name is None:
            problem = self_hosted.bucket_name_problem(bucket)
            if problem:
                p.add(
                    "selfHosted.bucketName",
                    bucket,
                    f"the default bucket name (irsa-<environment>-<key>-oidc) {problem}: set bucketName",
                )
        if bucket in buckets:
            p.add(
                "selfHosted.bucketName",
                bucket,
                f"is also the issuer bucket of cluster {buckets[bucket]!r}: each cluster needs its own issuer",
            )
        buckets.setdefault(bucket, key)
        if sh.issuer_url:
            if sh.issuer_url in issuers:
                p.add(
                    "selfHosted.issuerUrl", sh.issuer_url, f"is also the issuer of cluster {issuers[sh.issuer_url]!r}"
                )
            issuers.setdefault(sh.issuer_url, key)
        if not cluster.kubeconfig:
            users = [
                str(s)
                for s, entry in raw_services.items()
                if isinstance(entry, Mapping)
                and key in _raw_clusters_of(entry, raw_clusters)
                and _raw_creates_service_account(entry)
            ]
            if users:
                p.add(
                    "kubeconfig",
                    None,
                    f"is required: {_some_services(users)} create{'s' if len(users) == 1 else ''} ServiceAccounts here "
                    "(createServiceAccount) and a self-hosted cluster cannot be looked up like an EKS one; give its "
                    "kubeconfig (as a secret), or set createServiceAccount: false",
                )
            if sh.install_webhook:
                p.add("kubeconfig", None, "is required to install the pod identity webhook (selfHosted.installWebhook)")
        out.extend(p)
    return out


def _raw_account_id(entry: Any) -> Optional[str]:
    """The AWS account of a raw ``irsa:accounts`` entry (its roleArn's), when the ARN is valid."""
    role_arn = entry.get("roleArn") if isinstance(entry, Mapping) else None
    if not isinstance(role_arn, str) or arns.role_arn_problem(role_arn):
        return None
    return arns.account_of(role_arn)


def _foreign_boundary(boundary: Any, account_id: str) -> Optional[str]:
    """The account of ``boundary`` when it is a customer managed policy of another account than ``account_id``."""
    if not isinstance(boundary, str) or not boundary or arns.policy_arn_problem(boundary):
        return None
    owner = arns.account_of(boundary)
    return None if owner in ("aws", account_id) else owner


def _account_checks(
    config: StackConfig, raw_accounts: Mapping[str, Any], raw_services: Mapping[str, Any], own_account: Optional[str]
) -> list[Problem]:
    """Each AWS account declared once, not the stack's own, with permissions boundaries of its own."""
    out: list[Problem] = []
    seen: dict[str, str] = {}
    for key, entry in raw_accounts.items():
        aid = _raw_account_id(entry)
        if aid is None or not isinstance(entry, Mapping):
            continue  # reported with the entry's fields
        p = Problems(f"account {key!r}")
        if aid in seen:
            p.add(
                "roleArn",
                entry["roleArn"],
                f"is in AWS account {aid}, like account {seen[aid]!r}: declare each AWS account once (its roles and "
                "OIDC providers would be created twice)",
            )
        seen.setdefault(aid, str(key))
        if own_account and aid == own_account:
            p.add(
                "roleArn",
                entry["roleArn"],
                f"is in the stack's own account {aid} (aws:allowedAccountIds): services without account create their "
                "roles there already",
            )
        boundary = entry.get("permissionsBoundary")
        if (owner := _foreign_boundary(boundary, aid)) is not None:
            p.add(
                "permissionsBoundary",
                boundary,
                f"is a policy of account {owner}: roles in account {key!r} ({aid}) can use only a policy of their own "
                "account or an AWS managed one",
            )
        elif not boundary and (owner := _foreign_boundary(config.permissions_boundary, aid)) is not None:
            users = [
                str(s)
                for s, e in raw_services.items()
                if isinstance(e, Mapping) and e.get("account") == key and not e.get("permissionsBoundary")
            ]
            if users:
                p.add(
                    "permissionsBoundary",
                    None,
                    f"is needed: irsa:permissionsBoundary ({config.permissions_boundary}) is a policy of account "
                    f"{owner}, and the roles of {_some_services(users)} are created in this account ({aid}); set a "
                    "boundary of this account here (or on each service)",
                )
        out.extend(p)
    return out


def _some_services(keys: list[str]) -> str:
    shown = ", ".join(repr(k) for k in keys[:3])
    more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
    return f"service{'s' if len(keys) > 1 else ''} {shown}{more}"


def _account_service_checks(
    config: StackConfig,
    entry: Mapping[str, Any],
    raw_accounts: Mapping[str, Any],
    p: Problems,
) -> None:
    """A service's account: declared, an identity that can span accounts, a permissions boundary that exists there."""
    account_key = entry.get("account")
    if account_key is None:
        return
    if account_key not in raw_accounts:
        known = ", ".join(sorted(raw_accounts)) or "none"
        p.add(
            "account",
            account_key,
            f"is not an account of irsa:accounts{_suggest(str(account_key), sorted(raw_accounts))} (known: {known})",
        )
    identity = entry.get("identity", config.default_identity)
    if identity == "both":
        p.add(
            "identity",
            "both",
            "cannot span accounts: the IRSA role would be in the other account and the Pod Identity association role "
            "in the cluster's, so no single role serves the migration window; move from irsa to pod-identity in one "
            "step (docs/cross-account.md)",
        )
    if identity == "pod-identity" and entry.get("addon") is not None:
        p.add(
            "addon",
            entry.get("addon"),
            "add-on policies cannot go on a cross-account Pod Identity target role; use identity irsa for this service "
            "or drop account",
        )
    aid = _raw_account_id(raw_accounts.get(account_key)) if account_key in raw_accounts else None
    own = entry.get("permissionsBoundary")
    if aid is not None and (owner := _foreign_boundary(own, aid)) is not None:
        p.add(
            "permissionsBoundary",
            own,
            f"is a policy of account {owner}, but this role is created in account {account_key!r} ({aid}): use a "
            "policy of that account or an AWS managed one",
        )


def _self_hosted_service_checks(config: StackConfig, entry: Mapping[str, Any], chosen: list[Any], p: Problems) -> None:
    """EKS Pod Identity exists only on EKS clusters."""
    identity = entry.get("identity", config.default_identity)
    if identity not in ("pod-identity", "both"):
        return
    self_hosted_ = [c for c in chosen if c in config.clusters and config.clusters[c].is_self_hosted]
    if self_hosted_:
        where = "" if "identity" in entry else " (irsa:defaultIdentity)"
        p.add(
            "identity",
            identity,
            f"EKS Pod Identity{where} works only on EKS clusters, and {', '.join(repr(c) for c in self_hosted_)} "
            f"{'is' if len(self_hosted_) == 1 else 'are'} self-hosted: use identity irsa there (or list only EKS "
            "clusters in clusters)",
        )


def _cross_checks(
    config: StackConfig,
    raw_services: Mapping[str, Any],
    cluster_keys: set[str],
    layouts: Optional[Mapping[str, AddonLayout]] = None,
    raw_accounts: Optional[Mapping[str, Any]] = None,
    region: Optional[str] = None,
) -> list[Problem]:
    """What no single entry can know. Runs on the raw entries, so entries with other problems take part."""
    problems: list[Problem] = []
    if raw_services and not cluster_keys:
        problems.append(Problem("stack config", "irsa:clusters", {}, "services are declared but no cluster is"))
    claimed: dict[tuple[str, str, str], str] = {}
    role_names: dict[tuple[str, str], tuple[str, str]] = {}
    for key, entry in raw_services.items():
        if not isinstance(entry, Mapping):
            continue
        p = Problems(f"service {key!r}")
        refs = entry.get("clusters")
        p.extend(_unknown_cluster_refs(p.subject, refs, cluster_keys))
        if refs == []:
            p.add("clusters", [], "a service needs at least one cluster")
        namespace, sa, extra = _raw_identity(key, entry)
        if "serviceAccount" not in entry:
            p.check("serviceAccount", sa, kubernetes.service_account_name_problem(sa))
        chosen = refs if isinstance(refs, list) else sorted(cluster_keys)
        for cluster in chosen:
            if cluster not in cluster_keys or not isinstance(namespace, str) or not isinstance(sa, str):
                continue
            cluster_name = config.clusters[cluster].identity(cluster) if cluster in config.clusters else cluster
            for name in (sa, *extra):
                claim = (cluster_name, namespace, name)
                if claim in claimed:
                    p.add(
                        "serviceAccount",
                        f"{namespace}/{name}",
                        f"is also claimed by service {claimed[claim]!r} on cluster {cluster!r}: one service account "
                        "can be annotated with, or associated to, only one role",
                    )
                else:
                    claimed[claim] = key
        _self_hosted_service_checks(config, entry, chosen, p)
        _account_service_checks(config, entry, raw_accounts or {}, p)
        renamed_raw = entry.get("renamedFrom")
        renamed: list[Any] = renamed_raw if isinstance(renamed_raw, list) else []
        role_name = entry.get("roleName") if isinstance(entry.get("roleName"), str) else None
        role_name = role_name or names.role_name(config.environment, str(renamed[0] if renamed else key))
        account_key = entry.get("account")
        scope = str(account_key) if account_key is not None else ""
        _claim_role_name(p, role_names, (scope, role_name), str(key), "roleName", role_name, "")
        if account_key is not None and entry.get("identity", config.default_identity) == "pod-identity":
            association = names.role_name(role_name, "pod-identity")
            _claim_role_name(
                p,
                role_names,
                ("", association),
                str(key),
                "roleName",
                role_name,
                f"its Pod Identity association role {association!r} (in the cluster's account) ",
            )
        for old in renamed:
            if old in raw_services:
                p.add("renamedFrom", old, "is the key of another current service")
        if key in config.services:
            _parsed_service_checks(config, key, p, (layouts or {}).get(key), region)
        problems.extend(p)
    problems.extend(_association_name_clashes(config))
    problems.extend(_account_provider_clashes(config))
    return problems


def _claim_role_name(
    p: Problems,
    taken: dict[tuple[str, str], tuple[str, str]],
    claim: tuple[str, str],
    service: str,
    field: str,
    value: str,
    what: str,
) -> None:
    """IAM role names are unique per account, ignoring case: one claim per (account key, lowercased name)."""
    scope, name = claim
    lowered = (scope, name.lower())
    if lowered in taken:
        other, other_what = taken[lowered]
        where = f" in account {scope!r}" if scope else ""
        p.add(
            field,
            value,
            f"{what or 'the role '}{name!r} collides with {other_what or 'the role '}of service {other!r}{where} "
            "(IAM role names are unique per account, ignoring case)",
        )
    else:
        taken[lowered] = (service, what)


def _account_provider_clashes(config: StackConfig) -> list[Problem]:
    """An account's OIDC provider for cluster c is the component ``<c>-<account>``: no cluster's own may be."""
    out = []
    for account in config.accounts_in_use():
        if not config.accounts[account].create_oidc_providers:
            continue
        for key in config.services:
            if config.account_of(key) != account or not config.uses_irsa(key):
                continue
            for c in config.clusters_of(key):
                derived = f"{c}-{account}"
                other = config.clusters.get(derived)
                if other is not None and other.create_oidc_provider:
                    out.append(
                        Problem(
                            f"cluster {derived!r}",
                            "(key)",
                            derived,
                            f"is also the name of the OIDC provider of cluster {c!r} in account {account!r}; rename "
                            "the cluster",
                        )
                    )
    return sorted(set(out), key=str)


def _association_name_clashes(config: StackConfig) -> list[Problem]:
    """An add-on's other service accounts get Pod Identity components named ``<key>-<sa>``: no service may own that."""
    out = []
    for key in config.services:
        if not config.uses_pod_identity(key):
            continue
        for ref in config.service_accounts_of(key)[1:]:
            derived = f"{key}-{ref.name}"
            if derived in config.services and config.uses_pod_identity(derived):
                out.append(
                    Problem(
                        f"service {derived!r}",
                        "(key)",
                        derived,
                        f"is also the name of the Pod Identity association of service {key!r} for {ref}; rename "
                        "one of the services",
                    )
                )
    return out


def _parsed_service_checks(
    config: StackConfig, key: str, p: Problems, planned: Optional[AddonLayout], region: Optional[str] = None
) -> None:
    service = config.services[key]
    identity = config.identity_of(key)
    if service.audience and identity == "pod-identity":
        p.add("audience", service.audience, "applies to IRSA tokens only; this service uses pod-identity")
    if service.disable_session_tags and identity == "irsa":
        p.add("disableSessionTags", True, "applies to Pod Identity only; this service uses irsa")
    if len(service.managed_policy_arns) > config.max_managed_policies:
        p.add(
            "managedPolicyArns",
            len(service.managed_policy_arns),
            f"{len(service.managed_policy_arns)} managed policies exceed the per-role quota of "
            f"{config.max_managed_policies} (raise the quota and set irsa:maxManagedPolicies, or merge policies)",
        )
    elif planned is not None and len(service.managed_policy_arns) + planned.policy_count > config.max_managed_policies:
        count = len(service.managed_policy_arns) + planned.policy_count
        p.add(
            "addon",
            service.addon,
            f"{count} managed policies would be attached ({len(service.managed_policy_arns)} from managedPolicyArns, "
            f"{planned.policy_count} for the add-on), over the per-role quota of {config.max_managed_policies} "
            "(raise the quota and set irsa:maxManagedPolicies, or move policies to another role)",
        )
    if not p:
        p.extend(_trust_size_problems(config, key, region))


def _estimate_provider_arn(config: StackConfig, key: str, region: Optional[str]) -> str:
    """A stand-in for the IAM OIDC provider ARN of cluster ``key`` (any account: account IDs have one length)."""
    cluster = config.clusters[key]
    if cluster.self_hosted is not None:
        at = region or trust.ESTIMATE_REGION
        url = cluster.self_hosted.issuer_url or self_hosted.s3_issuer_url(
            config.bucket_name_of(key), at, arns.partition_for_region(at)
        )
        return trust.estimate_provider_arn(key, url)
    return cluster.oidc_provider_arn or trust.estimate_provider_arn(key, cluster.oidc_issuer_url)


def _trust_size_problems(config: StackConfig, key: str, region: Optional[str] = None) -> list[Problem]:
    """Size the service's trust (and a cross-account target role's) with stand-ins for what only the cloud knows."""
    service = config.services[key]
    sas = config.service_accounts_of(key)
    clusters = [c for c in config.clusters_of(key) if c in config.clusters]
    provider_arns = []
    if config.uses_irsa(key):
        provider_arns = [_estimate_provider_arn(config, c, region) for c in clusters]
    cluster_arns = []
    if config.uses_pod_identity(key):
        cluster_arns = [
            arns.eks_cluster_arn(
                trust.ESTIMATE_PARTITION, trust.ESTIMATE_REGION, trust.ESTIMATE_ACCOUNT, config.clusters[c].name
            )
            for c in clusters
            if not config.clusters[c].is_self_hosted
        ]
    if not provider_arns and not cluster_arns:
        return []
    doc = trust.workload_trust_policy(
        sas,
        provider_arns,
        [service.audience or trust.DEFAULT_AUDIENCE],
        cluster_arns,
        account_id=trust.ESTIMATE_ACCOUNT,
        session_tags=not service.disable_session_tags,
    )
    p = Problems(f"service {key!r}")
    validate.check_trust_size(p, "clusters", doc, config.trust_policy_max_chars, f" with {len(clusters)} cluster(s)")
    if service.account and config.uses_pod_identity(key) and cluster_arns:
        target = cross_account.target_trust_policy(
            cross_account.pod_identity_target_statements(
                cross_account.ESTIMATE_ROLE_ARN,
                sas[0],
                cluster_arns=cluster_arns,
                session_tags=not service.disable_session_tags,
                external_ids=[
                    cross_account.pod_identity_external_id(
                        trust.ESTIMATE_REGION,
                        trust.ESTIMATE_ACCOUNT,
                        config.clusters[c].name,
                        sas[0].namespace,
                        sas[0].name,
                    )
                    for c in clusters
                ],
            )
        )
        validate.check_trust_size(
            p,
            "clusters",
            target,
            config.trust_policy_max_chars,
            f" (the target role in account {service.account!r}, with {len(clusters)} cluster(s))",
        )
    return list(p)


_CAMEL = {
    "max_session_duration": "maxSessionDuration",
    "permissions_boundary": "permissionsBoundary",
    "managed_policy_arns": "managedPolicyArns",
    "policy_statements": "policyStatements",
}


def _camel_fields(problems: list[Problem]) -> list[Problem]:
    """Core checks name fields in snake_case; the stack file spells them in camelCase."""
    out = []
    for p in problems:
        field = p.field
        for snake, camel in _CAMEL.items():
            if field.startswith(snake):
                field = camel + field[len(snake) :]
        out.append(Problem(p.subject, field, p.value, p.message))
    return out
