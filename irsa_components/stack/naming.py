"""The names the stack program registers, and the check that no two of them collide.

Pulumi identifies a resource by its URN: its type, its ancestors' types and its name. Names here are
built by joining keys with '-' (``<service>-<cluster>``), so two different pairs of keys can give one
name (service ``a`` on cluster ``b-c``, service ``a-b`` on cluster ``c``), and the engine refuses the
second resource. Keys stay as readable as they are and every deployed URN stays what it is: instead
of another scheme, :func:`name_clashes` lists every name built from more than one key, for every
resource type where that happens, and reports any two that meet, before anything is registered.

``tests/stack/test_naming.py`` runs the program and checks that this list is exactly what it registers.
No Pulumi imports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Optional

from ..addons.layout import AddonLayout
from ..core import names
from ..core.errors import Problem
from .models import StackConfig

IRSA_ROLE = "irsa-components:index:IrsaRole"
POD_IDENTITY = "irsa-components:index:PodIdentityAssociation"
SERVICE_ACCOUNT = "irsa-components:index:AnnotatedServiceAccount"
OIDC_PROVIDER = "irsa-components:index:OidcProvider"
CROSS_ACCOUNT_POD_IDENTITY = "irsa-components:index:CrossAccountPodIdentity"
CROSS_ACCOUNT_ROLE = "irsa-components:index:CrossAccountRole"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY = "aws:iam/policy:Policy"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
K8S_SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
OPENID_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
SESSION_NAME_MAX = 64  # sts:AssumeRole RoleSessionName, 2-64 characters


# The names themselves (the program uses these) -------------------------------------------------


def extra_suffix(service_account: str, primary: str) -> str:
    """'' for the service's own service account, '-<name>' for an add-on's other ones."""
    return "" if service_account == primary else f"-{service_account}"


def association_name(key: str, service_account: str, primary: str) -> str:
    """The PodIdentityAssociation component of one of the service's service accounts."""
    return key + extra_suffix(service_account, primary)


def service_account_name(key: str, service_account: str, primary: str, cluster: str) -> str:
    """The AnnotatedServiceAccount component of one service account of the service on one cluster."""
    return f"{key}{extra_suffix(service_account, primary)}-{cluster}"


def account_oidc_provider_name(cluster: str, account: str) -> str:
    """The OidcProvider component another account (``irsa:accounts``) gets for a cluster's issuer."""
    return f"{cluster}-{account}"


def account_provider_name(account: str) -> str:
    return f"account-{account}"


def session_name(environment: str, account: str) -> str:
    """The session name the deployment assumes an account's role with (hash-shortened to STS's 64)."""
    return names.shorten(f"irsa-{environment}-{account}", SESSION_NAME_MAX)


# What the program registers under names built from several keys ------------------------------------


@dataclass(frozen=True)
class Planned:
    urn_type: str
    """The URN's type: the types of the resource's ancestors and its own, joined by '$'."""
    name: str
    owner: str
    """Whose it is, as problems name it: "service 'payments'", "cluster 'blue'", "account 'shared'"."""
    what: str
    """What it is, for the message: "the ServiceAccount component on cluster 'blue'"."""


def _chain(*types: str) -> str:
    return "$".join(types)


def _role_children(
    config: StackConfig, key: str, chain: tuple[str, ...], parent: str, layout: Optional[AddonLayout]
) -> Iterator[Planned]:
    service = config.services[key]
    owner = f"service {key!r}"
    for arn, name in zip(
        service.managed_policy_arns, names.attachment_names(parent, list(service.managed_policy_arns)), strict=True
    ):
        yield Planned(_chain(*chain, ATTACHMENT), name, owner, f"the attachment of {arn}")
    if layout is None:
        return
    for name in names.addon_policy_names(parent, layout.name, layout.document_count):
        yield Planned(_chain(*chain, POLICY), name, owner, f"a policy of add-on {layout.name!r}")
        yield Planned(_chain(*chain, ATTACHMENT), name, owner, f"an attachment of add-on {layout.name!r}")
    for managed in dict.fromkeys(layout.managed_policies):
        name = names.addon_managed_attachment_name(parent, layout.name, managed)
        what = f"the attachment of {managed} (add-on {layout.name!r})"
        yield Planned(_chain(*chain, ATTACHMENT), name, owner, what)


def planned(config: StackConfig, layouts: Mapping[str, AddonLayout]) -> Iterator[Planned]:
    """Every resource the stack program registers whose name joins more than one key (or name)."""
    for key in config.clusters:
        if config.clusters[key].create_oidc_provider and config.clusters[key].self_hosted is None:
            owner, what = f"cluster {key!r}", f"the OIDC provider of cluster {key!r}"
            yield Planned(OIDC_PROVIDER, key, owner, what)
            yield Planned(_chain(OIDC_PROVIDER, OPENID_PROVIDER), key, owner, what)
    for account in config.accounts_in_use():
        if not config.accounts[account].create_oidc_providers:
            continue
        for c in config.clusters:
            if any(
                config.account_of(s) == account and config.uses_irsa(s) and c in config.clusters_of(s)
                for s in config.services
            ):
                name = account_oidc_provider_name(c, account)
                what = f"the OIDC provider of cluster {c!r} in account {account!r}"
                yield Planned(OIDC_PROVIDER, name, f"account {account!r}", what)
                yield Planned(_chain(OIDC_PROVIDER, OPENID_PROVIDER), name, f"account {account!r}", what)
    for key, service in config.services.items():
        owner = f"service {key!r}"
        primary = config.service_account_of(key)
        cluster_names = [config.clusters[c].name for c in config.clusters_of(key) if c in config.clusters]
        cross_account_pods = service.account is not None and config.uses_pod_identity(key)
        if cross_account_pods:
            parent = names.child_name(key, "association")
            chain = (CROSS_ACCOUNT_POD_IDENTITY, POD_IDENTITY, ASSOCIATION)
            for cluster in cluster_names:
                yield Planned(_chain(*chain), f"{parent}-{cluster}", owner, f"the association on cluster {cluster!r}")
            target = names.child_name(key, "target")
            yield from _role_children(config, key, (CROSS_ACCOUNT_POD_IDENTITY, CROSS_ACCOUNT_ROLE), target, None)
        else:
            yield from _role_children(config, key, (IRSA_ROLE,), key, layouts.get(key))
            if config.uses_pod_identity(key):
                for sa in config.service_accounts_of(key):
                    name = association_name(key, sa.name, primary)
                    what = f"the Pod Identity association component of {sa}"
                    yield Planned(POD_IDENTITY, name, owner, what)
                    for cluster in cluster_names:
                        yield Planned(
                            _chain(POD_IDENTITY, ASSOCIATION),
                            f"{name}-{cluster}",
                            owner,
                            f"the association of {sa} on cluster {cluster!r}",
                        )
        if service.create_service_account:
            for sa in config.service_accounts_of(key):
                for c in config.clusters_of(key):
                    name = service_account_name(key, sa.name, primary, c)
                    what = f"the ServiceAccount {sa} on cluster {c!r}"
                    yield Planned(SERVICE_ACCOUNT, name, owner, what)
                    yield Planned(_chain(SERVICE_ACCOUNT, K8S_SERVICE_ACCOUNT), name, owner, what)


def name_clashes(config: StackConfig, layouts: Mapping[str, AddonLayout]) -> list[Problem]:
    """Two resources the program would register under one URN: one problem per pair of owners, naming both."""
    seen: dict[tuple[str, str], Planned] = {}
    reported: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for item in planned(config, layouts):
        first = seen.setdefault((item.urn_type, item.name), item)
        if first is item or (first.owner, item.owner) in reported:
            continue
        reported.add((first.owner, item.owner))
        services = [o for o in (first.owner, item.owner) if o.startswith("service ")]
        fix = (
            "rename one of the services (renamedFrom keeps a deployed service's resources)"
            if services
            else "rename the cluster or the account key"
        )
        out.append(
            Problem(
                item.owner,
                "(key)",
                item.name,
                f"{item.what} would be registered as {item.name!r}, like {first.what} of {first.owner}: keys joined "
                f"with '-' meet here, and Pulumi refuses two resources of one type with one name; {fix}",
            )
        )
    return out


__all__ = [
    "Planned",
    "account_oidc_provider_name",
    "account_provider_name",
    "association_name",
    "name_clashes",
    "planned",
    "service_account_name",
    "session_name",
]
