"""Build the plan from what the stack program registered under the mocks (no Pulumi here).

One pass indexes the registrations by URN and parent; everything after is a lookup, so the work is
linear in the number of resources.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core import arns
from ..core.kubernetes import ROLE_ARN_ANNOTATION
from ..core.trust import DEFAULT_AUDIENCE, issuer_host
from ..stack.config import StackConfig
from .access import ClusterIndex, permission_statements, principals_from_trust
from .model import (
    Cluster,
    CustomerManagedPolicy,
    Kubernetes,
    Permissions,
    Placeholder,
    Plan,
    PodIdentityAssociation,
    Role,
    Service,
    ServiceAccount,
)

if TYPE_CHECKING:
    from ..offline import Registration, Simulation

IRSA_ROLE = "irsa-components:index:IrsaRole"
POD_IDENTITY = "irsa-components:index:PodIdentityAssociation"
ANNOTATED_SA = "irsa-components:index:AnnotatedServiceAccount"
OIDC_PROVIDER = "irsa-components:index:OidcProvider"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
K8S_SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
K8S_PROVIDER = "pulumi:providers:kubernetes"
OPENID_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"

SECRET_VALUE = "[secret]"
_SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # how the Pulumi SDK marks a serialized secret
_PLACEHOLDER = re.compile(r"<(account-id|issuer-id:[^>]+|endpoint-of-[^>]+)>")


@dataclass(frozen=True)
class StackFacts:
    """What the plan needs besides the registrations: where it ran and as which account."""

    project: str
    stack: str
    account: str
    region: str


class _Index:
    def __init__(self, resources: Sequence[Registration]) -> None:
        self.by_urn: dict[str, Registration] = {}
        self.children: dict[str, list[Registration]] = defaultdict(list)
        self.by_type: dict[str, list[Registration]] = defaultdict(list)
        self._named: dict[str, dict[str, Registration]] = {}
        for r in resources:
            self.by_urn[r.urn] = r
            self.children[r.parent].append(r)
            self.by_type[r.type].append(r)

    def named(self, type_: str) -> dict[str, Registration]:
        """Registrations of ``type_`` by name (built once per type)."""
        if type_ not in self._named:
            self._named[type_] = {r.name: r for r in self.by_type.get(type_, [])}
        return self._named[type_]

    def child(self, parent: Registration, type_: str) -> list[Registration]:
        return [r for r in self.children.get(parent.urn, []) if r.type == type_]


def _value(reg: Registration, key: str) -> Any:
    """A property of a registration: the engine's state when present, else the inputs."""
    if key in reg.state:
        return reg.state[key]
    return reg.inputs.get(key)


def _plain(value: Any) -> Any:
    """Unwrap the SDK's secret envelopes; secrets stay masked."""
    if isinstance(value, Mapping):
        if _SECRET_SIGNATURE in value:
            return SECRET_VALUE
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json_doc(value: Any) -> dict[str, Any]:
    value = _plain(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return dict(value) if isinstance(value, Mapping) else {}


def _clusters(config: StackConfig, facts: StackFacts, index: _Index, outputs: Mapping[str, Any]) -> dict[str, Cluster]:
    partition = arns.partition_for_region(facts.region)
    providers = _plain(outputs.get("oidcProviders")) or {}
    created = index.named(OIDC_PROVIDER)
    out = {}
    for key, cluster in config.clusters.items():
        provider_arn = providers.get(key) if isinstance(providers, Mapping) else None
        provider_arn = str(provider_arn) if provider_arn else cluster.oidc_provider_arn
        host = None
        if cluster.oidc_issuer_url:
            host = issuer_host(cluster.oidc_issuer_url)
        elif provider_arn and ":oidc-provider/" in provider_arn:
            host = provider_arn.split(":oidc-provider/", 1)[1]
        mode: Any = None
        if key in created:
            mode = "created"
        elif cluster.oidc_provider_arn:
            mode = "adopted"
        elif provider_arn:
            mode = "account"
        out[key] = Cluster(
            name=cluster.name,
            arn=arns.eks_cluster_arn(partition, facts.region, facts.account, cluster.name),
            issuer_url=cluster.oidc_issuer_url or (f"https://{host}" if host else None),
            issuer_host=host,
            oidc_provider_arn=provider_arn,
            oidc_provider=mode,
        )
    return out


def _role(reg: Registration) -> Role:
    tags = _plain(_value(reg, "tags")) or {}
    return Role(
        name=str(_value(reg, "name") or reg.name),
        arn=str(_value(reg, "arn") or ""),
        path=str(_value(reg, "path") or "/"),
        urn=reg.urn,
        description=_value(reg, "description"),
        max_session_duration=int(_value(reg, "maxSessionDuration") or 3600),
        permissions_boundary=_value(reg, "permissionsBoundary") or None,
        tags={str(k): str(v) for k, v in sorted(tags.items())},
        trust_policy=_json_doc(_value(reg, "assumeRolePolicy")),
    )


def _permissions(index: _Index, parent: Registration) -> Permissions:
    created = {
        str(_value(p, "arn")): CustomerManagedPolicy(
            name=str(_value(p, "name") or p.name),
            arn=str(_value(p, "arn")),
            statements=permission_statements(_json_doc(_value(p, "policy"))),
        )
        for p in index.child(parent, MANAGED_POLICY)
    }
    attached = {str(_value(a, "policyArn")) for a in index.child(parent, ATTACHMENT)}
    inline = []
    for policy in sorted(index.child(parent, ROLE_POLICY), key=lambda r: r.name):
        inline.extend(permission_statements(_json_doc(_value(policy, "policy"))))
    return Permissions(
        managed_policies=sorted(attached - set(created)),
        inline=inline,
        customer_managed=[created[arn] for arn in sorted(attached & set(created))],
    )


def _sa_cluster(index: _Index, component: Registration, sa: Registration, cluster_keys: Iterable[str]) -> str:
    provider_urn = sa.provider.rsplit("::", 1)[0] if sa.provider else ""
    provider = index.by_urn.get(provider_urn)
    if provider is not None and provider.type == K8S_PROVIDER:
        return provider.name
    for key in sorted(cluster_keys, key=len, reverse=True):
        if component.name.endswith(f"-{key}"):
            return key
    return ""


def _service_key(component: Registration, cluster: str, services: Mapping[str, Any]) -> str | None:
    if cluster and component.name.endswith(f"-{cluster}") and component.name[: -len(cluster) - 1] in services:
        return component.name[: -len(cluster) - 1]
    candidates = [k for k in services if component.name.startswith(f"{k}-")]
    return max(candidates, key=len) if candidates else None


def _kubernetes_side(
    config: StackConfig, index: _Index, clusters: Mapping[str, Cluster]
) -> dict[str, tuple[list[ServiceAccount], list[PodIdentityAssociation]]]:
    sides: dict[str, tuple[list[ServiceAccount], list[PodIdentityAssociation]]] = {k: ([], []) for k in config.services}
    cluster_index = ClusterIndex.of(clusters)
    for component in index.by_type.get(ANNOTATED_SA, []):
        for sa in index.child(component, K8S_SERVICE_ACCOUNT):
            cluster = _sa_cluster(index, component, sa, clusters)
            key = _service_key(component, cluster, config.services)
            if key is None:
                continue
            meta = _plain(_value(sa, "metadata")) or {}
            annotations = {
                str(k): str(v) for k, v in sorted((meta.get("annotations") or {}).items()) if "eks.amazonaws.com/" in k
            }
            sides[key][0].append(
                ServiceAccount(
                    cluster=cluster,
                    namespace=str(meta.get("namespace") or "default"),
                    name=str(meta.get("name") or sa.name),
                    role_arn=annotations.get(ROLE_ARN_ANNOTATION),
                    annotations=annotations,
                )
            )
    for component in index.by_type.get(POD_IDENTITY, []):
        if component.name not in sides:
            continue
        for assoc in index.child(component, ASSOCIATION):
            cluster_name = str(_value(assoc, "clusterName"))
            cluster, _ = cluster_index.of_cluster_name(cluster_name)
            sides[component.name][1].append(
                PodIdentityAssociation(
                    cluster=cluster,
                    cluster_name=cluster_name,
                    namespace=str(_value(assoc, "namespace")),
                    service_account=str(_value(assoc, "serviceAccount")),
                    role_arn=str(_value(assoc, "roleArn")),
                    target_role_arn=_value(assoc, "targetRoleArn") or None,
                    session_tags=not bool(_value(assoc, "disableSessionTags")),
                )
            )
    for sas, associations in sides.values():
        sas.sort(key=lambda s: (s.cluster, s.namespace, s.name))
        associations.sort(key=lambda a: (a.cluster, a.namespace, a.service_account))
    return sides


def _role_registration(index: _Index, key: str) -> tuple[Registration, Registration] | None:
    """(component, role) of a service: the IrsaRole's, else a role the PodIdentityAssociation created."""
    for type_ in (IRSA_ROLE, POD_IDENTITY):
        component = index.named(type_).get(key)
        if component is not None:
            roles = index.child(component, ROLE)
            if roles:
                return component, roles[0]
    return None


def _placeholders(text: str, region: str) -> list[Placeholder]:
    found = sorted(set(_PLACEHOLDER.findall(text)))
    out = []
    for token in found:
        if token == "account-id":
            meaning = (
                "the AWS account ID, known at deploy time; set aws:allowedAccountIds to exactly one account to show it"
            )
        elif token.startswith("issuer-id:"):
            meaning = (
                f"the OIDC issuer ID of EKS cluster {token.split(':', 1)[1]!r} in {region}, looked up at deploy time; "
                "set oidcIssuerUrl on the cluster to show it"
            )
        else:
            meaning = (
                f"the API endpoint of EKS cluster {token.removeprefix('endpoint-of-')!r}, looked up at deploy time"
            )
        out.append(Placeholder(value=f"<{token}>", meaning=meaning))
    if SECRET_VALUE in text:
        out.append(Placeholder(value=SECRET_VALUE, meaning="a secret config value; it cannot be decrypted offline"))
    return out


def build_plan(config: StackConfig, simulation: Simulation, facts: StackFacts) -> Plan:
    """The access map of one stack run: per service the role, its principals and permissions."""
    index = _Index(simulation.resources)
    clusters = _clusters(config, facts, index, simulation.outputs)
    cluster_index = ClusterIndex.of(clusters)
    sides = _kubernetes_side(config, index, clusters)
    services: dict[str, Service] = {}
    for key, service in config.services.items():
        found = _role_registration(index, key)
        if found is None:
            continue
        component, role_reg = found
        role = _role(role_reg)
        sas, associations = sides[key]
        audience = service.audience or DEFAULT_AUDIENCE
        principals, weaknesses = principals_from_trust(role.trust_policy, cluster_index, associations, (audience,))
        services[key] = Service(
            identity=config.identity_of(key),
            clusters=config.clusters_of(key),
            namespace=service.namespace,
            service_account=config.service_account_of(key),
            token_audience=audience,
            renamed_from=list(service.renamed_from),
            role=role,
            principals=principals,
            weaknesses=weaknesses,
            permissions=_permissions(index, component),
            kubernetes=Kubernetes(service_accounts=sas, pod_identity_associations=associations),
        )
    plan = Plan(
        project=facts.project,
        stack=facts.stack,
        environment=config.environment,
        account=facts.account,
        partition=arns.partition_for_region(facts.region),
        region=facts.region,
        clusters=clusters,
        services=dict(sorted(services.items())),
    )
    text = json.dumps(plan.model_dump(mode="json"), sort_keys=True)
    return plan.model_copy(update={"placeholders": _placeholders(text, facts.region)})
