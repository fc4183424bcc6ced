"""The stack config contract (``irsa:*`` keys), parsed and validated with pydantic.

No Pulumi imports: the offline plan, the tests and the program all validate the same way.
Every problem of every entry is collected and reported at once, naming the entry, the field
(as written in the stack file) and the value.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .. import addons
from ..addons import model as addon_model
from ..addons.layout import AddonLayout, layout
from ..core import arns, kubernetes, names, trust, validate
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


def parse_stack_config(raw: Mapping[str, Any], *, region: Optional[str] = None) -> StackConfig:
    """Validate the ``irsa:`` config of a stack; raise InputError listing every problem.

    ``region`` (the stack's ``aws:region``) gives the partition add-on scopes are checked in; without
    it they must be valid in some partition, and the program checks them again once the partition is known.
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
    clusters = _parse_entries("cluster", raw_clusters, ClusterConfig, problems)
    services = _parse_entries("service", raw_services, ServiceConfig, problems)

    scalars = {k: v for k, v in raw.items() if k in _TOP_FIELDS and k not in ("clusters", "services")}
    try:
        config = StackConfig.model_validate(
            {**scalars, "environment": str(environment or "invalid"), "clusters": clusters, "services": services}
        )
    except ValidationError as exc:
        problems.extend(_problems_from("stack config", exc, StackConfig))
        raise InputError(problems) from None
    problems.extend(_environment_checks(config))
    partitions = (arns.partition_for_region(region),) if region else None
    layouts: dict[str, AddonLayout] = {}
    for key, entry in raw_services.items():
        if isinstance(entry, Mapping):
            problems.extend(_addon_checks(str(key), entry, partitions, layouts))
    problems.extend(_cross_checks(config, raw_services, set(raw_clusters), layouts))
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
    return parsed


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


def _cross_checks(
    config: StackConfig,
    raw_services: Mapping[str, Any],
    cluster_keys: set[str],
    layouts: Optional[Mapping[str, AddonLayout]] = None,
) -> list[Problem]:
    """What no single entry can know. Runs on the raw entries, so entries with other problems take part."""
    problems: list[Problem] = []
    if raw_services and not cluster_keys:
        problems.append(Problem("stack config", "irsa:clusters", {}, "services are declared but no cluster is"))
    claimed: dict[tuple[str, str, str], str] = {}
    role_names: dict[str, str] = {}
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
            cluster_name = config.clusters[cluster].name if cluster in config.clusters else cluster
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
        renamed_raw = entry.get("renamedFrom")
        renamed: list[Any] = renamed_raw if isinstance(renamed_raw, list) else []
        role_name = entry.get("roleName") if isinstance(entry.get("roleName"), str) else None
        role_name = role_name or names.role_name(config.environment, str(renamed[0] if renamed else key))
        if role_name.lower() in role_names:
            p.add(
                "roleName",
                role_name,
                f"collides with the role of service {role_names[role_name.lower()]!r} "
                "(IAM role names are unique per account, ignoring case)",
            )
        role_names.setdefault(role_name.lower(), key)
        for old in renamed:
            if old in raw_services:
                p.add("renamedFrom", old, "is the key of another current service")
        if key in config.services:
            _parsed_service_checks(config, key, p, (layouts or {}).get(key))
        problems.extend(p)
    problems.extend(_association_name_clashes(config))
    return problems


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


def _parsed_service_checks(config: StackConfig, key: str, p: Problems, planned: Optional[AddonLayout]) -> None:
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
        p.extend(_trust_size_problems(config, key))


def _trust_size_problems(config: StackConfig, key: str) -> list[Problem]:
    """Size the service's trust with stand-ins for the values only the cloud knows."""
    service = config.services[key]
    sas = config.service_accounts_of(key)
    clusters = [c for c in config.clusters_of(key) if c in config.clusters]
    provider_arns = []
    if config.uses_irsa(key):
        for c in clusters:
            cluster = config.clusters[c]
            provider_arns.append(cluster.oidc_provider_arn or trust.estimate_provider_arn(c, cluster.oidc_issuer_url))
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
        sas,
        provider_arns,
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
