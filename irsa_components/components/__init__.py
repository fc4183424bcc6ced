"""The Pulumi components: thin shells over the functional core."""

from ._addons import AddonArgs
from .irsa_role import IrsaRole, IrsaRoleArgs
from .oidc_provider import OidcProvider, OidcProviderArgs
from .pod_identity import PodIdentityAssociation, PodIdentityAssociationArgs
from .service_account import AnnotatedServiceAccount, AnnotatedServiceAccountArgs

COMPONENTS = (OidcProvider, IrsaRole, PodIdentityAssociation, AnnotatedServiceAccount)

__all__ = [
    "COMPONENTS",
    "AddonArgs",
    "AnnotatedServiceAccount",
    "AnnotatedServiceAccountArgs",
    "IrsaRole",
    "IrsaRoleArgs",
    "OidcProvider",
    "OidcProviderArgs",
    "PodIdentityAssociation",
    "PodIdentityAssociationArgs",
]
