"""The Pulumi components: thin shells over the functional core."""

from . import _quiet  # noqa: F401  (first: pulumi_aws.s3 imported without its deprecation noise)
from ._addons import AddonArgs
from .cross_account import (
    CrossAccountPodIdentity,
    CrossAccountPodIdentityArgs,
    CrossAccountRole,
    CrossAccountRoleArgs,
)
from .irsa_role import IrsaRole, IrsaRoleArgs
from .oidc_provider import OidcProvider, OidcProviderArgs
from .pod_identity import PodIdentityAssociation, PodIdentityAssociationArgs
from .pod_identity_webhook import PodIdentityWebhook, PodIdentityWebhookArgs
from .self_hosted_issuer import SelfHostedOidcIssuer, SelfHostedOidcIssuerArgs
from .service_account import AnnotatedServiceAccount, AnnotatedServiceAccountArgs

COMPONENTS = (
    OidcProvider,
    IrsaRole,
    PodIdentityAssociation,
    AnnotatedServiceAccount,
    CrossAccountRole,
    CrossAccountPodIdentity,
    SelfHostedOidcIssuer,
    PodIdentityWebhook,
)

__all__ = [
    "COMPONENTS",
    "AddonArgs",
    "AnnotatedServiceAccount",
    "AnnotatedServiceAccountArgs",
    "CrossAccountPodIdentity",
    "CrossAccountPodIdentityArgs",
    "CrossAccountRole",
    "CrossAccountRoleArgs",
    "IrsaRole",
    "IrsaRoleArgs",
    "OidcProvider",
    "OidcProviderArgs",
    "PodIdentityAssociation",
    "PodIdentityAssociationArgs",
    "PodIdentityWebhook",
    "PodIdentityWebhookArgs",
    "SelfHostedOidcIssuer",
    "SelfHostedOidcIssuerArgs",
]
