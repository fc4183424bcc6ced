"""The plan of any program that uses the components: what the stack config would have said, read back.

The stack program's plan joins its config with what the program registered. A user's own program has
no ``irsa:`` config, so this module reads the equivalent from the registrations: each workload role
component (``IrsaRole``, a ``PodIdentityAssociation`` that creates its role, ``CrossAccountPodIdentity``)
is a service named like the component; each OIDC provider, self-hosted issuer or EKS cluster an
association or trust names is a cluster; ServiceAccounts and associations belong to the service whose
role they name. It then hands :func:`extract.build_plan` the registrations as the stack program lays
them out (services at the top, ``<service>-<cluster>`` ServiceAccounts), so both plans are built, and
read by ``irsa diff``, the same way. Who a role admits still comes from its trust document alone.

No Pulumi imports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..core.kubernetes import ROLE_ARN_ANNOTATION, service_account_from_subject
from ..core.scope import named
from ..core.trust import DEFAULT_AUDIENCE, issuer_host, issuer_host_from_provider_arn
from ..stack.models import ClusterConfig, SelfHostedConfig, ServiceConfig, StackConfig
from .extract import (
    ANNOTATED_SA,
    ASSOCIATION,
    CROSS_ACCOUNT_POD_IDENTITY,
    CROSS_ACCOUNT_ROLE,
    IRSA_ROLE,
    K8S_PROVIDER,
    K8S_SERVICE_ACCOUNT,
    OIDC_PROVIDER,
    OPENID_PROVIDER,
    POD_IDENTITY,
    ROLE,
    SELF_HOSTED_ISSUER,
    StackFacts,
    _value,
    build_plan,
)
from .extract import _json_doc as _json
from .model import Plan

if TYPE_CHECKING:
    from ..offline import Registration, Simulation

OURS = "irsa-components:index:"
_PLACEHOLDER_ISSUER = re.compile(r"<issuer-id:([^>]+)>")
BUCKET = "aws:s3/bucket:Bucket"


@dataclass
class _Program:
    by_urn: dict[str, Registration]
    children: dict[str, list[Registration]]

    @classmethod
    def of(cls, resources: Sequence[Registration]) -> _Program:
        children: dict[str, list[Registration]] = {}
        for r in resources:
            children.setdefault(r.parent, []).append(r)
        return cls({r.urn: r for r in resources}, children)

    def kids(self, parent: Registration, type_: str) -> list[Registration]:
        return [r for r in self.children.get(parent.urn, []) if r.type == type_]

    def inside_ours(self, r: Registration) -> bool:
        """Whether an ancestor is one of this library's components (then it is part of that one)."""
        parent = self.by_urn.get(r.parent)
        while parent is not None:
            if parent.type.startswith(OURS):
                return True
            parent = self.by_urn.get(parent.parent)
        return False


def _unique(key: str, taken: Mapping[str, Any]) -> str:
    if key not in taken:
        return key
    n = 2
    while f"{key}-{n}" in taken:
        n += 1
    return f"{key}-{n}"


def _clusters(program: _Program, resources: Sequence[Registration], region: str) -> dict[str, ClusterConfig]:
    clusters: dict[str, ClusterConfig] = {}
    for r in resources:
        if r.type == SELF_HOSTED_ISSUER and not program.inside_ours(r):
            provider = next((p for c in program.kids(r, OIDC_PROVIDER) for p in program.kids(c, OPENID_PROVIDER)), None)
            bucket = next(iter(program.kids(r, BUCKET)), None)
            url = str(_value(provider, "url")) if provider is not None else None
            clusters[_unique(r.name, clusters)] = ClusterConfig.model_construct(
                name="",
                self_hosted=SelfHostedConfig.model_construct(
                    issuer_url=url, bucket_name=str(_value(bucket, "bucket")) if bucket is not None else None
                ),
                oidc_provider_arn=str(_value(provider, "arn")) if provider is not None else None,
                create_oidc_provider=False,
            )
        elif r.type == OIDC_PROVIDER and not program.inside_ours(r):
            provider = next(iter(program.kids(r, OPENID_PROVIDER)), None)
            if provider is None:
                continue  # an adopted provider: the trusts that name it make it a cluster below
            url = str(_value(provider, "url") or "")
            found = _PLACEHOLDER_ISSUER.search(url)
            clusters[_unique(r.name, clusters)] = ClusterConfig.model_construct(
                name=found.group(1) if found else "",
                oidc_issuer_url=url or None,
                oidc_provider_arn=str(_value(provider, "arn") or "") or None,
                create_oidc_provider=True,
            )
    return clusters


def _add_trusted_clusters(clusters: dict[str, ClusterConfig], trusts: Mapping[str, dict[str, Any]]) -> None:
    """Every OIDC provider a trust names and no cluster is, as a cluster known by its issuer host."""
    known = {c.oidc_provider_arn for c in clusters.values() if c.oidc_provider_arn}
    for trust in trusts.values():
        for provider_arn in _oidc_providers(trust):
            if provider_arn in known:
                continue
            known.add(provider_arn)
            host = issuer_host_from_provider_arn(provider_arn)
            found = _PLACEHOLDER_ISSUER.search(host)
            # Known by the EKS cluster whose issuer it is, when the offline run looked it up; else by its issuer.
            key = found.group(1) if found else host
            clusters[_unique(key, clusters)] = ClusterConfig.model_construct(
                name=found.group(1) if found else "",
                oidc_issuer_url=f"https://{host}",
                oidc_provider_arn=provider_arn,
                create_oidc_provider=False,
            )


def _oidc_providers(trust: Mapping[str, Any]) -> list[str]:
    """The IAM OIDC providers a trust names (this only reads the components' own trusts back into a
    config; who they admit is the solver's question, asked by the plan)."""
    return [p for p in named(trust).providers if ":oidc-provider/" in p]


def _add_association_clusters(clusters: dict[str, ClusterConfig], names: Sequence[str]) -> None:
    by_name = {c.name for c in clusters.values() if c.name}
    for name in names:
        if name and name not in by_name:
            by_name.add(name)
            clusters[_unique(name, clusters)] = ClusterConfig.model_construct(name=name, create_oidc_provider=False)


@dataclass
class _Service:
    component: Registration
    role: Registration
    associations: list[Registration]


def _services(program: _Program, resources: Sequence[Registration]) -> dict[str, _Service]:
    out: dict[str, _Service] = {}
    for r in resources:
        if program.inside_ours(r):
            continue
        if r.type in (IRSA_ROLE, POD_IDENTITY):
            roles = program.kids(r, ROLE)
            if roles:
                out[_unique(r.name, out)] = _Service(r, roles[0], program.kids(r, ASSOCIATION))
        elif r.type == CROSS_ACCOUNT_POD_IDENTITY:
            target = next(iter(program.kids(r, CROSS_ACCOUNT_ROLE)), None)
            roles = program.kids(target, ROLE) if target is not None else []
            associations = [a for c in program.kids(r, POD_IDENTITY) for a in program.kids(c, ASSOCIATION)]
            if roles:
                out[_unique(r.name, out)] = _Service(r, roles[0], associations)
    return out


def _service_config(found: _Service, trust: dict[str, Any], clusters: Mapping[str, ClusterConfig]) -> ServiceConfig:
    """The stack-config view of one workload role: its service account, mechanism and clusters."""
    names = named(trust)
    namespace, service_account = "default", "default"
    if found.associations:
        first = found.associations[0]
        namespace, service_account = str(_value(first, "namespace")), str(_value(first, "serviceAccount"))
    else:
        refs = [ref for ref in map(service_account_from_subject, names.subjects) if ref is not None]
        if refs:
            namespace, service_account = refs[0].namespace, refs[0].name
        elif names.pod_namespaces:
            namespace = names.pod_namespaces[0]
            service_account = names.pod_service_accounts[0] if names.pod_service_accounts else service_account
    providers = _oidc_providers(trust)
    irsa = bool(providers)
    pods = names.pod_identity or bool(found.associations)
    identity = "both" if irsa and pods else "pod-identity" if pods else "irsa"
    hosts = {issuer_host_from_provider_arn(p) for p in providers}
    cluster_names = {str(_value(a, "clusterName")) for a in found.associations}
    cluster_names |= {
        *names.cluster_names,
        *(a.rsplit(":cluster/", 1)[1] for a in names.cluster_arns if ":cluster/" in a),
    }
    chosen = [
        key
        for key, c in clusters.items()
        if (c.oidc_issuer_url and issuer_host(c.oidc_issuer_url) in hosts)
        or (c.oidc_provider_arn and c.oidc_provider_arn.split(":oidc-provider/", 1)[-1] in hosts)
        or (c.name and c.name in cluster_names)
    ]
    audiences = list(names.audiences)
    return ServiceConfig.model_construct(
        namespace=namespace,
        service_account=service_account,
        identity=identity,
        clusters=chosen,
        audience=audiences[0] if audiences and audiences[0] != DEFAULT_AUDIENCE else None,
        renamed_from=[],
        managed_policy_arns=[],
        policy_statements=[],
        create_service_account=False,
        tags={},
        addon=None,
        addon_scope={},
        account=None,
        disable_session_tags=False,
    )


def _cluster_of_provider(program: _Program, provider_ref: str, clusters: Mapping[str, ClusterConfig]) -> str:
    provider = program.by_urn.get(provider_ref.rsplit("::", 1)[0]) if provider_ref else None
    if provider is not None and provider.type == K8S_PROVIDER and provider.name in clusters:
        return provider.name
    return next(iter(clusters)) if len(clusters) == 1 else ""


def plan_of_program(simulation: Simulation, facts: StackFacts) -> Plan:
    """The access plan of a program built from the components, read from what it registered."""
    from ..offline import Simulation as _Simulation

    resources = list(simulation.resources)
    program = _Program.of(resources)
    clusters = _clusters(program, resources, facts.region)
    services = _services(program, resources)
    trusts = {key: _json(_value(s.role, "assumeRolePolicy")) for key, s in services.items()}
    _add_trusted_clusters(clusters, trusts)
    _add_association_clusters(
        clusters, [str(_value(a, "clusterName")) for s in services.values() for a in s.associations]
    )
    owners = {str(_value(s.role, "arn")): key for key, s in services.items()}
    # A Pod Identity ServiceAccount names no role: it belongs to the service associated with it.
    associated = {
        (str(_value(a, "namespace")), str(_value(a, "serviceAccount"))): key
        for key, s in services.items()
        for a in s.associations
    }
    configs = {key: _service_config(s, trusts[key], clusters) for key, s in services.items()}

    # The registrations as the stack program lays them out: services at the top under their keys,
    # their ServiceAccounts as "<service>-<cluster>", associations onto a service's role under its key.
    renamed: dict[str, Registration] = {}
    for key, s in services.items():
        renamed[s.component.urn] = replace(s.component, name=key, parent="")
    for r in resources:
        if r.type == ANNOTATED_SA and not program.inside_ours(r):
            sa = next(iter(program.kids(r, K8S_SERVICE_ACCOUNT)), None)
            meta = _value(sa, "metadata") if sa is not None else None
            annotations = meta.get("annotations") or {} if isinstance(meta, Mapping) else {}
            owner = owners.get(str(annotations.get(ROLE_ARN_ANNOTATION)))
            if owner is None and isinstance(meta, Mapping):
                owner = associated.get((str(meta.get("namespace") or "default"), str(meta.get("name"))))
            if owner is None or sa is None:
                continue
            cluster = _cluster_of_provider(program, sa.provider, clusters) or "unknown"
            renamed[r.urn] = replace(r, name=f"{owner}-{cluster}", parent="")
            if sa.provider and (provider := program.by_urn.get(sa.provider.rsplit("::", 1)[0])) is not None:
                if provider.type == K8S_PROVIDER and cluster != "unknown":
                    renamed[provider.urn] = replace(provider, name=cluster)
        elif r.type == POD_IDENTITY and r.urn not in renamed and not program.inside_ours(r):
            roles = {str(_value(a, "roleArn")) for a in program.kids(r, ASSOCIATION)}
            owner = next((owners[arn] for arn in roles if arn in owners), None)
            if owner is not None:
                renamed[r.urn] = replace(r, name=owner, parent="")
    adapted = _Simulation(
        resources=[renamed.get(r.urn, r) for r in resources],
        invokes=list(simulation.invokes),
        outputs={},
    )
    config = StackConfig.model_construct(
        environment=facts.stack,
        clusters=clusters,
        services=configs,
        accounts={},
        retain_on_delete=False,
        role_path="/",
        permissions_boundary=None,
        max_session_duration=3600,
        default_identity="irsa",
        tags={},
        trust_policy_max_chars=2048,
        max_managed_policies=10,
    )
    return build_plan(config, adapted, facts)


__all__ = ["plan_of_program"]
