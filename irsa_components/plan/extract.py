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

from .. import addons, self_hosted
from ..core import arns
from ..core.errors import InputError
from ..core.kubernetes import ROLE_ARN_ANNOTATION
from ..core.trust import DEFAULT_AUDIENCE, issuer_host
from ..stack.config import StackConfig
from .access import ClusterIndex, permission_statements, permission_weaknesses, service_principals
from .model import (
    Account,
    AddonSettings,
    AssociationRole,
    ChartValue,
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
    role_account,
)

if TYPE_CHECKING:
    from ..offline import Registration, Simulation

IRSA_ROLE = "irsa-components:index:IrsaRole"
POD_IDENTITY = "irsa-components:index:PodIdentityAssociation"
CROSS_ACCOUNT_POD_IDENTITY = "irsa-components:index:CrossAccountPodIdentity"
CROSS_ACCOUNT_ROLE = "irsa-components:index:CrossAccountRole"
SELF_HOSTED_ISSUER = "irsa-components:index:SelfHostedOidcIssuer"
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


def _account_providers(outputs: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``accountOidcProviders`` (flat ``<account>/<cluster>`` keys) as account -> cluster -> provider ARN."""
    flat = _plain(outputs.get("accountOidcProviders")) or {}
    out: dict[str, dict[str, str]] = defaultdict(dict)
    if isinstance(flat, Mapping):
        for key, arn in flat.items():
            account, _, cluster = str(key).partition("/")
            if cluster and arn:
                out[account][cluster] = str(arn)
    return out


def _accounts(config: StackConfig, facts: StackFacts, outputs: Mapping[str, Any]) -> dict[str, Account]:
    providers = _account_providers(outputs)
    return {
        key: Account(
            account_id=account.account_id,
            role_arn=account.role_arn,
            region=account.region or facts.region,
            create_oidc_providers=account.create_oidc_providers,
            oidc_providers=dict(sorted(providers.get(key, {}).items())),
        )
        for key, account in config.accounts.items()
    }


def _clusters(
    config: StackConfig,
    facts: StackFacts,
    index: _Index,
    outputs: Mapping[str, Any],
    accounts: Mapping[str, Account],
) -> dict[str, Cluster]:
    partition = arns.partition_for_region(facts.region)
    providers = _plain(outputs.get("oidcProviders")) or {}
    published = _plain(outputs.get("selfHostedClusters")) or {}
    created = index.named(OIDC_PROVIDER)
    issuers = index.named(SELF_HOSTED_ISSUER)
    out = {}
    for key, cluster in config.clusters.items():
        provider_arn = providers.get(key) if isinstance(providers, Mapping) else None
        provider_arn = str(provider_arn) if provider_arn else cluster.oidc_provider_arn
        mode: Any = None
        if key in created or key in issuers:
            mode = "created"
        elif cluster.oidc_provider_arn:
            mode = "adopted"
        elif provider_arn:
            mode = "account"
        if cluster.self_hosted is not None:
            own = published.get(key) if isinstance(published, Mapping) else None
            own = own if isinstance(own, Mapping) else {}
            bucket = config.bucket_name_of(key)
            url = str(
                own.get("issuerUrl")
                or cluster.self_hosted.issuer_url
                or self_hosted.s3_issuer_url(bucket, facts.region, partition)
            )
            out[key] = Cluster(
                kind="self-hosted",
                issuer_url=url,
                issuer_host=issuer_host(url),
                issuer_bucket=bucket,
                oidc_provider_arn=provider_arn or own.get("oidcProviderArn") or None,
                oidc_provider=mode,
            )
            continue
        host = None
        elsewhere = [a.oidc_providers[key] for a in accounts.values() if key in a.oidc_providers]
        if cluster.oidc_issuer_url:
            host = issuer_host(cluster.oidc_issuer_url)
        else:
            for arn in (provider_arn, *elsewhere):
                if arn and ":oidc-provider/" in arn:
                    host = arn.split(":oidc-provider/", 1)[1]
                    break
        out[key] = Cluster(
            name=cluster.name or None,  # a user program's cluster may be known only by its issuer
            arn=arns.eks_cluster_arn(partition, facts.region, facts.account, cluster.name) if cluster.name else None,
            issuer_url=cluster.oidc_issuer_url or (f"https://{host}" if host else None),
            issuer_host=host,
            oidc_provider_arn=provider_arn,
            oidc_provider=mode,
        )
    return out


def _role_fields(reg: Registration) -> dict[str, Any]:
    tags = _plain(_value(reg, "tags")) or {}
    arn = str(_value(reg, "arn") or "")
    return {
        "name": str(_value(reg, "name") or reg.name),
        "arn": arn,
        "path": str(_value(reg, "path") or "/"),
        "urn": reg.urn,
        "description": _value(reg, "description"),
        "max_session_duration": int(_value(reg, "maxSessionDuration") or 3600),
        "permissions_boundary": _value(reg, "permissionsBoundary") or None,
        "tags": {str(k): str(v) for k, v in sorted(tags.items())},
        "trust_policy": _json_doc(_value(reg, "assumeRolePolicy")),
        "account_id": role_account(arn),
        "retain_on_delete": reg.retain_on_delete,
    }


def _role(reg: Registration) -> Role:
    return Role(**_role_fields(reg))


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
    # An add-on's other service accounts have their own association component, "<key>-<service account>".
    owners = {key: key for key in config.services}
    for key in config.services:
        for extra in config.service_accounts_of(key)[1:]:
            owners[f"{key}-{extra.name}"] = key
    for component in index.by_type.get(POD_IDENTITY, []):
        parent = index.by_urn.get(component.parent)
        if parent is None:
            owner = owners.get(component.name, component.name)  # a service's own (top level)
        elif parent.type == CROSS_ACCOUNT_POD_IDENTITY:
            owner = parent.name  # the associations of a cross-account service, with its target role
        else:
            continue
        if owner not in sides:
            continue
        for assoc in index.child(component, ASSOCIATION):
            cluster_name = str(_value(assoc, "clusterName"))
            cluster, _ = cluster_index.of_cluster_name(cluster_name)
            sides[owner][1].append(
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


@dataclass(frozen=True)
class _Found:
    """The registrations of one service's role: the component holding it and its permissions."""

    component: Registration
    role: Registration
    association: Registration | None = None
    """Cross-account Pod Identity: the component holding the association role and its chain permission."""
    association_role: Registration | None = None


def _top_level(index: _Index, registration: Registration) -> bool:
    return registration.parent not in index.by_urn  # the stack itself is not among the registrations


def _role_registration(index: _Index, key: str) -> _Found | None:
    """The service's role: the IrsaRole's, a role the PodIdentityAssociation created, or a cross-account target role."""
    for type_ in (IRSA_ROLE, POD_IDENTITY):
        component = index.named(type_).get(key)
        if component is not None and _top_level(index, component):
            roles = index.child(component, ROLE)
            if roles:
                return _Found(component, roles[0])
    chain = index.named(CROSS_ACCOUNT_POD_IDENTITY).get(key)
    if chain is None:
        return None
    targets = index.child(chain, CROSS_ACCOUNT_ROLE)
    target = next((t for t in targets if t.name == f"{key}-target"), targets[0] if targets else None)
    target_roles = index.child(target, ROLE) if target is not None else []
    if target is None or not target_roles:
        return None
    own = index.child(chain, ROLE)
    association_role = next((r for r in own if r.name == f"{key}-pod-identity"), own[0] if own else None)
    return _Found(target, target_roles[0], chain, association_role)


def _association_role(index: _Index, found: _Found) -> AssociationRole | None:
    if found.association is None or found.association_role is None:
        return None
    return AssociationRole(**_role_fields(found.association_role), permissions=_permissions(index, found.association))


def _service_account_key(config: StackConfig, roles: Any, key: str) -> str | None:
    """The service's ``irsa:accounts`` key: the stack output ``roles.<key>.account``, else the config's."""
    entry = roles.get(key) if isinstance(roles, Mapping) else None
    entry = _plain(entry)
    if isinstance(entry, Mapping) and entry.get("account"):
        return str(entry["account"])
    return config.account_of(key)


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


def _addon_settings(config: StackConfig, key: str, region: str) -> AddonSettings | None:
    """The chart values the service's add-on needs for its scope (the same resolution the stack program does)."""
    service = config.services[key]
    if service.addon is None:
        return None
    addon = addons.get(service.addon)
    try:
        resolved = addons.resolve(
            addon.name,
            service.addon_scope,
            partition=arns.partition_for_region(region),
            region=region,
            namespace=service.namespace,
            service_account=config.service_account_of(key),
            policy=service.addon_policy,
        )
    except InputError as exc:
        return AddonSettings(name=addon.name, chart=addon.chart, problem=str(exc))
    values = [ChartValue(key=k, value=v, reason=why) for k, v, why in resolved.chart_values]
    return AddonSettings(name=addon.name, chart=addon.chart, chart_values=values)


def build_plan(config: StackConfig, simulation: Simulation, facts: StackFacts) -> Plan:
    """The access map of one stack run: per service the role, its principals and permissions."""
    index = _Index(simulation.resources)
    accounts = _accounts(config, facts, simulation.outputs)
    clusters = _clusters(config, facts, index, simulation.outputs, accounts)
    cluster_index = ClusterIndex.of(clusters, accounts)
    sides = _kubernetes_side(config, index, clusters)
    services: dict[str, Service] = {}
    roles = simulation.outputs.get("roles")
    for key, service in config.services.items():
        found = _role_registration(index, key)
        if found is None:
            continue
        role = _role(found.role)
        account = _service_account_key(config, roles, key)
        if not role.account_id:
            role = role.model_copy(
                update={"account_id": accounts[account].account_id if account in accounts else facts.account}
            )
        sas, associations = sides[key]
        audience = service.audience or DEFAULT_AUDIENCE
        entry = Service(
            identity=config.identity_of(key),
            clusters=config.clusters_of(key),
            namespace=service.namespace,
            service_account=config.service_account_of(key),
            token_audience=audience,
            renamed_from=list(service.renamed_from),
            account=account,
            role=role,
            association_role=_association_role(index, found),
            permissions=_permissions(index, found.component),
            kubernetes=Kubernetes(service_accounts=sas, pod_identity_associations=associations),
            addon=_addon_settings(config, key, accounts[account].region if account in accounts else facts.region),
        )
        principals, weaknesses = service_principals(entry, cluster_index)
        weaknesses = [*weaknesses, *permission_weaknesses(entry.permissions)]
        services[key] = entry.model_copy(update={"principals": principals, "weaknesses": weaknesses})
    plan = Plan(
        project=facts.project,
        stack=facts.stack,
        environment=config.environment,
        account=facts.account,
        partition=arns.partition_for_region(facts.region),
        region=facts.region,
        accounts=accounts,
        clusters=clusters,
        services=dict(sorted(services.items())),
    )
    text = json.dumps(plan.model_dump(mode="json"), sort_keys=True)
    return plan.model_copy(update={"placeholders": _placeholders(text, facts.region)})
