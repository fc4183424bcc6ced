"""The checks of a stack config: each entry on its own (exact field paths), then across entries.

Every check adds problems instead of raising, so ``parse_stack_config`` reports every mistake at once;
cross checks read the raw entries too, so an entry with its own problems still takes part.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, Optional

from pydantic import BaseModel, ValidationError

from .. import addons, self_hosted
from ..addons import model as addon_model
from ..addons.layout import AddonLayout, layout
from ..core import arns, cross_account, kubernetes, names, trust, validate
from ..core.errors import Problem, Problems, did_you_mean
from ..core.limits import Quotas
from .models import ClusterConfig, ServiceConfig, StackConfig, key_problem
from .naming import name_clashes

TOP_FIELDS = {f.alias or n: n for n, f in StackConfig.model_fields.items()}


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


def problems_from(subject: str, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    out = []
    for e in error.errors():
        loc = ".".join(str(p) for p in e["loc"])
        message = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            owner = _model_at(model, tuple(e["loc"]))
            fields = sorted({f.alias or n for n, f in owner.model_fields.items()})
            message = f"is not a setting{did_you_mean(str(e['loc'][-1]), fields)}"
        elif e["type"] == "missing":
            message = "is required"
        out.append(Problem(subject, loc or "(entry)", e.get("input"), message))
    return out


def mapping_of(raw: Mapping[str, Any], key: str, problems: list[Problem]) -> Mapping[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        problems.append(Problem("stack config", f"irsa:{key}", value, f"must be a mapping of {key[:-1]} keys"))
        return {}
    return value


def parse_entries(kind: str, raw: Mapping[str, Any], model: type[Any], problems: list[Problem]) -> dict[str, Any]:
    """Validate each entry on its own, so one bad entry hides no problem of another."""
    parsed: dict[str, Any] = {}
    for key, entry in raw.items():
        subject = f"{kind} {key!r}"
        if (p := key_problem(str(key))) is not None:
            problems.append(Problem(subject, "(key)", key, p))
        errored: set[str] = set()
        try:
            parsed[key] = model.model_validate(entry)
        except ValidationError as exc:
            found = problems_from(subject, exc, model)
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


def environment_checks(config: StackConfig) -> list[Problem]:
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
            f"is not a cluster of this environment{did_you_mean(str(ref), sorted(cluster_keys))} (known: {known})",
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


def addon_checks(
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


def self_hosted_checks(
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
        if not cluster.kubeconfig and not cluster.render_yaml_to_directory:
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
                    "kubeconfig (as a secret), set renderYamlToDirectory, or set createServiceAccount: false",
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


def account_checks(
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
        hint = did_you_mean(str(account_key), sorted(raw_accounts))
        p.add("account", account_key, f"is not an account of irsa:accounts{hint} (known: {known})")
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


def cross_checks(
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
    problems.extend(name_clashes(config, layouts or {}))
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


def camel_fields(problems: list[Problem]) -> list[Problem]:
    """Core checks name fields in snake_case; the stack file spells them in camelCase."""
    out = []
    for p in problems:
        field = p.field
        for snake, camel in _CAMEL.items():
            if field.startswith(snake):
                field = camel + field[len(snake) :]
        out.append(Problem(p.subject, field, p.value, p.message))
    return out


def _entries(raw: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [(str(k), v) for k, v in raw.items() if isinstance(v, Mapping)]


def partition_checks(
    raw: Mapping[str, Any],
    raw_clusters: Mapping[str, Any],
    raw_services: Mapping[str, Any],
    raw_accounts: Mapping[str, Any],
    region: Optional[str],
) -> list[Problem]:
    """Every ARN of the config in the partition of ``aws:region`` (or, without it, all in one partition).

    Add-on scope ARNs are checked by the catalogue (``addon_checks``), in the same partition.
    """
    groups: list[tuple[str, list[validate.ArnInput]]] = []
    top: list[validate.ArnInput] = []
    if "permissionsBoundary" in raw:
        top.append(("irsa:permissionsBoundary", raw["permissionsBoundary"]))
    groups.append(("stack config", top))
    for key, entry in _entries(raw_clusters):
        groups.append((f"cluster {key!r}", [("oidcProviderArn", entry.get("oidcProviderArn"))]))
    for key, entry in _entries(raw_accounts):
        groups.append(
            (
                f"account {key!r}",
                [("roleArn", entry.get("roleArn")), ("permissionsBoundary", entry.get("permissionsBoundary"))],
            )
        )
    for key, entry in _entries(raw_services):
        found: list[validate.ArnInput] = [("permissionsBoundary", entry.get("permissionsBoundary"))]
        managed = entry.get("managedPolicyArns")
        if isinstance(managed, list):
            found += [(f"managedPolicyArns[{i}]", a) for i, a in enumerate(managed)]
        found += validate.statement_arns("policyStatements", entry.get("policyStatements"))
        groups.append((f"service {key!r}", found))
    expected = validate.region_partition(region)
    where = f"the stack's region {region} (aws:region)"
    if expected is None:
        counts: dict[str, int] = {}
        for _, group in groups:
            for _, value in group:
                if (partition := arns.literal_partition(value)) is not None:
                    counts[partition] = counts.get(partition, 0) + 1
        if len(counts) < 2:
            return []
        expected = max(counts, key=lambda p: counts[p])
        where = "most ARNs of this stack config (no aws:region is set)"
    out: list[Problem] = []
    for subject, group in groups:
        p = Problems(subject)
        validate.check_partitions(p, group, expected, where)
        out.extend(p)
    if region and validate.region_partition(region):
        for key, entry in _entries(raw_accounts):
            other = entry.get("region")
            theirs = validate.region_partition(other)
            if theirs is not None and theirs != expected:
                out.append(
                    Problem(
                        f"account {key!r}",
                        "region",
                        other,
                        f"is in partition {theirs!r}, but {where} is in partition {expected!r}: a role cannot be "
                        "assumed across partitions",
                    )
                )
    return out
