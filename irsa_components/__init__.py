"""irsa-components: Pulumi components for IRSA and EKS Pod Identity, correct by construction."""

from typing import TYPE_CHECKING, Any

from .core.errors import InputError, Problem

if TYPE_CHECKING:
    from .components import (
        AddonArgs,
        AnnotatedServiceAccount,
        AnnotatedServiceAccountArgs,
        CrossAccountPodIdentity,
        CrossAccountPodIdentityArgs,
        CrossAccountRole,
        CrossAccountRoleArgs,
        IrsaRole,
        IrsaRoleArgs,
        OidcProvider,
        OidcProviderArgs,
        PodIdentityAssociation,
        PodIdentityAssociationArgs,
        PodIdentityWebhook,
        PodIdentityWebhookArgs,
        SelfHostedOidcIssuer,
        SelfHostedOidcIssuerArgs,
    )

__version__ = "0.1.0"

__all__ = [
    "AddonArgs",
    "AnnotatedServiceAccount",
    "AnnotatedServiceAccountArgs",
    "CrossAccountPodIdentity",
    "CrossAccountPodIdentityArgs",
    "CrossAccountRole",
    "CrossAccountRoleArgs",
    "InputError",
    "IrsaRole",
    "IrsaRoleArgs",
    "OidcProvider",
    "OidcProviderArgs",
    "PodIdentityAssociation",
    "PodIdentityAssociationArgs",
    "PodIdentityWebhook",
    "PodIdentityWebhookArgs",
    "Problem",
    "SelfHostedOidcIssuer",
    "SelfHostedOidcIssuerArgs",
]

# The components import the Pulumi SDKs (over a second); load them on first use so that the plain
# parts of the package (the core, `irsa diff`, `irsa explain`) start fast.
_COMPONENTS = frozenset(__all__) - {"InputError", "Problem"}


def __getattr__(name: str) -> Any:
    if name in _COMPONENTS:
        from . import components

        return getattr(components, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
