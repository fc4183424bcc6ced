"""The stack config contract (``irsa:*`` keys), parsed and validated with pydantic.

No Pulumi imports: the offline plan, the tests and the program all validate the same way.
Every problem of every entry is collected and reported at once, naming the entry, the field
(as written in the stack file) and the value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ..core import arns, kubernetes, names, trust, validate
from ..core.errors import InputError, Problem, Problems
from ..core.limits import Quotas

Identity = Literal["irsa", "pod-identity", "both"]
_KEY = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
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


class ClusterConfig(_Model):
    """One EKS cluster of the environment (``irsa:clusters.<key>``)."""

    name: str
    """EKS cluster name."""
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

    @model_validator(mode="after")
    def _consistent(self) -> ClusterConfig:
        if self.create_oidc_provider and self.oidc_provider_arn:
            raise ValueError("createOidcProvider and oidcProviderArn exclude each other: adopt or create, not both")
        if self.oidc_provider_arn and self.oidc_issuer_url:
            if trust.issuer_host(self.oidc_issuer_url) != trust.issuer_host_from_provider_arn(self.oidc_provider_arn):
                raise ValueError("oidcProviderArn is not the provider of oidcIssuerUrl")
        return self


class ServiceConfig(_Model):
    """One workload (``irsa:services.<key>``): exactly one IAM role in this environment."""

    namespace: str
    service_account: Optional[str] = None
    """Default: the service key."""
    identity: Optional[Identity] = None
    """irsa, pod-identity or both (the migration window). Default: irsa:defaultIdentity."""
    clusters: Optional[list[str]] = None
    """Cluster keys; default every cluster of the environment."""
    managed_policy_arns: list[str] = Field(default_factory=list)
    policy_statements: list[dict[str, Any]] = Field(default_factory=list)
    create_service_account: bool = True
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

    @field_validator("managed_policy_arns")
    @classmethod
    def _arns(cls, v: list[str]) -> list[str]:
        problems = [f"[{i}] {a!r} {p}" for i, a in enumerate(v) if (p := arns.policy_arn_problem(a))]
        if len(set(v)) != len(v):
            problems.append("lists a policy twice")
        _check("; ".join(problems) or None)
        return v

    @field_validator("permissions_boundary")
    @classmethod
    def _boundary(cls, v: Optional[str]) -> Optional[str]:
        if v:
            _check(arns.policy_arn_problem(v))
        return v or None

    @field_validator("role_name")
    @classmethod
    def _role_name(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check(names.role_name_problem(v))
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

    def role_name_of(self, key: str) -> str:
        service = self.services[key]
        if service.role_name:
            return service.role_name
        original = service.renamed_from[0] if service.renamed_from else key
        return names.role_name(self.environment, original)

    def tags_of(self, key: str) -> dict[str, str]:
        return {
            **self.tags,
            **self.services[key].tags,
            "environment": self.environment,
            "service": key,
            "managed-by": "irsa-components",
        }


# Parsing -----------------------------------------------------------------------------------------

_TOP_FIELDS = {f.alias or n: n for n, f in StackConfig.model_fields.items()}


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _problems_from(subject: str, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    fields = sorted({f.alias or n for n, f in model.model_fields.items()})
    out = []
    for e in error.errors():
        loc = ".".join(str(p) for p in e["loc"])
        message = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            message = f"is not a setting{_suggest(str(e['loc'][-1]), fields)}"
        elif e["type"] == "missing":
            message = "is required"
        out.append(Problem(subject, loc or "(entry)", e.get("input"), message))
    return out


def parse_stack_config(raw: Mapping[str, Any]) -> StackConfig:
    """Validate the ``irsa:`` config of a stack; raise InputError listing every problem."""
    problems: list[Problem] = []
    top = Problems("stack config")
    for key in raw:
        if key not in _TOP_FIELDS:
            top.add(f"irsa:{key}", raw[key], f"is not a setting{_suggest(key, sorted(_TOP_FIELDS))}")
    if not raw.get("environment"):
        top.add("irsa:environment", raw.get("environment"), "is required: it is part of every role name and tag")
    elif _key_problem(str(raw["environment"])):
        top.add("irsa:environment", raw["environment"], "must be 1-40 lowercase letters, digits and '-'")
    problems.extend(top)

    clusters: dict[str, ClusterConfig] = {}
    raw_clusters = raw.get("clusters") or {}
    if not isinstance(raw_clusters, Mapping):
        problems.append(Problem("stack config", "irsa:clusters", raw_clusters, "must be a mapping of cluster keys"))
        raw_clusters = {}
    for key, entry in raw_clusters.items():
        subject = f"cluster {key!r}"
        if (p := _key_problem(str(key))) is not None:
            problems.append(Problem(subject, "(key)", key, p))
        try:
            clusters[key] = ClusterConfig.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_problems_from(subject, exc, ClusterConfig))

    services: dict[str, ServiceConfig] = {}
    raw_services = raw.get("services") or {}
    if not isinstance(raw_services, Mapping):
        problems.append(Problem("stack config", "irsa:services", raw_services, "must be a mapping of service keys"))
        raw_services = {}
    for key, entry in raw_services.items():
        subject = f"service {key!r}"
        if (p := _key_problem(str(key))) is not None:
            problems.append(Problem(subject, "(key)", key, p))
        try:
            services[key] = ServiceConfig.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_problems_from(subject, exc, ServiceConfig))
            problems.extend(_unknown_cluster_refs(subject, entry, set(raw_clusters)))

    scalars = {k: v for k, v in raw.items() if k in _TOP_FIELDS and k not in ("clusters", "services")}
    try:
        config = StackConfig.model_validate(
            {
                **scalars,
                "environment": str(raw.get("environment") or "invalid"),
                "clusters": clusters,
                "services": services,
            }
        )
    except ValidationError as exc:
        problems.extend(_problems_from("stack config", exc, StackConfig))
        raise InputError(problems) from None
    problems.extend(_cross_checks(config, raw_services, set(raw_clusters)))
    if problems:
        raise InputError(problems)
    return config


def _unknown_cluster_refs(subject: str, entry: Any, cluster_keys: set[str]) -> list[Problem]:
    refs = entry.get("clusters") if isinstance(entry, Mapping) else None
    if not isinstance(refs, list):
        return []
    return [
        Problem(
            subject,
            f"clusters[{i}]",
            ref,
            f"is not a cluster of this environment{_suggest(str(ref), sorted(cluster_keys))}"
            f" (known: {', '.join(sorted(cluster_keys)) or 'none'})",
        )
        for i, ref in enumerate(refs)
        if ref not in cluster_keys
    ]


def _cross_checks(config: StackConfig, raw_services: Mapping[str, Any], cluster_keys: set[str]) -> list[Problem]:
    """What no single entry can know: references between entries, collisions, quotas."""
    problems: list[Problem] = []
    top = Problems("stack config")
    top.check("irsa:rolePath", config.role_path, names.role_path_problem(config.role_path))
    if config.permissions_boundary:
        top.check(
            "irsa:permissionsBoundary",
            config.permissions_boundary,
            arns.policy_arn_problem(config.permissions_boundary),
        )
    validate.check_max_session_duration(top, "irsa:maxSessionDuration", config.max_session_duration)
    validate.check_tags(top, "irsa:tags", config.tags, Quotas.tags_per_resource, reserved=3)
    problems.extend(top)
    if config.services and not cluster_keys:
        problems.append(Problem("stack config", "irsa:clusters", {}, "services are declared but no cluster is"))

    claimed: dict[tuple[str, str, str], str] = {}
    role_names: dict[str, str] = {}
    all_keys = set(config.services)
    for key, service in config.services.items():
        p = Problems(f"service {key!r}")
        for i, cluster in enumerate(service.clusters or []):
            if cluster not in cluster_keys:  # an invalid cluster entry is reported on its own
                p.add(
                    f"clusters[{i}]",
                    cluster,
                    f"is not a cluster of this environment{_suggest(cluster, sorted(cluster_keys))}"
                    f" (known: {', '.join(sorted(cluster_keys)) or 'none'})",
                )
        if service.clusters == []:
            p.add("clusters", [], "a service needs at least one cluster")
        sa = config.service_account_of(key)
        if "serviceAccount" not in (raw_services.get(key) or {}):
            p.check("serviceAccount", sa, kubernetes.service_account_name_problem(sa))
        for cluster in config.clusters_of(key):
            if cluster not in config.clusters:
                continue
            claim = (config.clusters[cluster].name, service.namespace, sa)
            if claim in claimed:
                p.add(
                    "serviceAccount",
                    f"{service.namespace}/{sa}",
                    f"is also claimed by service {claimed[claim]!r} on cluster {cluster!r}: one service account "
                    "can be annotated with, or associated to, only one role",
                )
            else:
                claimed[claim] = key
        role_name = config.role_name_of(key)
        p.check("roleName", role_name, names.role_name_problem(role_name))
        if role_name.lower() in role_names:
            p.add(
                "roleName",
                role_name,
                f"collides with the role of service {role_names[role_name.lower()]!r} "
                "(IAM role names are unique per account, ignoring case)",
            )
        role_names.setdefault(role_name.lower(), key)
        for old in service.renamed_from:
            if old in all_keys:
                p.add("renamedFrom", old, "is the key of another current service")
        if service.audience and config.identity_of(key) == "pod-identity":
            p.add("audience", service.audience, "applies to IRSA tokens only; this service uses pod-identity")
        if service.disable_session_tags and config.identity_of(key) == "irsa":
            p.add("disableSessionTags", True, "applies to Pod Identity only; this service uses irsa")
        validate.check_role(
            p,
            path=None,
            max_session_duration=service.max_session_duration,
            permissions_boundary=service.permissions_boundary,
            managed_policy_arns=service.managed_policy_arns,
            policy_statements=service.policy_statements,
            tags=config.tags_of(key),
            quotas=config.quotas,
        )
        if not p:
            problems.extend(_trust_size_problems(config, key))
        problems.extend(p)
    return _rename_fields(problems)


def _trust_size_problems(config: StackConfig, key: str) -> list[Problem]:
    """Size the service's trust with stand-ins for the values only the cloud knows."""
    service = config.services[key]
    sa = kubernetes.ServiceAccountRef(service.namespace, config.service_account_of(key))
    clusters = [c for c in config.clusters_of(key) if c in config.clusters]
    provider_arns = []
    if config.uses_irsa(key):
        for c in clusters:
            cluster = config.clusters[c]
            provider_arns.append(cluster.oidc_provider_arn or trust.ESTIMATE_PROVIDER_ARN)
    cluster_arns = []
    if config.uses_pod_identity(key):
        cluster_arns = [
            arns.eks_cluster_arn(
                trust.ESTIMATE_PARTITION, trust.ESTIMATE_REGION, trust.ESTIMATE_ACCOUNT, config.clusters[c].name
            )
            for c in clusters
        ]
    if not provider_arns and not cluster_arns:
        return []
    doc = trust.workload_trust_policy(
        [sa],
        sorted(set(provider_arns)) if provider_arns else [],
        [service.audience or trust.DEFAULT_AUDIENCE],
        cluster_arns,
        account_id=trust.ESTIMATE_ACCOUNT,
        session_tags=not service.disable_session_tags,
    )
    p = Problems(f"service {key!r}")
    validate.check_trust_size(p, "clusters", doc, config.trust_policy_max_chars, f" with {len(clusters)} cluster(s)")
    return list(p)


_CAMEL = {
    "max_session_duration": "maxSessionDuration",
    "permissions_boundary": "permissionsBoundary",
    "managed_policy_arns": "managedPolicyArns",
    "policy_statements": "policyStatements",
}


def _rename_fields(problems: list[Problem]) -> list[Problem]:
    """Core checks name fields in snake_case; the stack file spells them in camelCase."""
    out = []
    for p in problems:
        field = p.field
        for snake, camel in _CAMEL.items():
            if field.startswith(snake):
                field = camel + field[len(snake) :]
        out.append(Problem(p.subject, field, p.value, p.message))
    return out
