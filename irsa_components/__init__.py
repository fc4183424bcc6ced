"""irsa-components: Pulumi components for IRSA and EKS Pod Identity, correct by construction."""

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
from .core.errors import InputError, Problem

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
