"""irsa-components: Pulumi components for IRSA and EKS Pod Identity, correct by construction."""

from .components import (
    AddonArgs,
    AnnotatedServiceAccount,
    AnnotatedServiceAccountArgs,
    IrsaRole,
    IrsaRoleArgs,
    OidcProvider,
    OidcProviderArgs,
    PodIdentityAssociation,
    PodIdentityAssociationArgs,
)
from .core.errors import InputError, Problem

__version__ = "0.1.0"

__all__ = [
    "AddonArgs",
    "AnnotatedServiceAccount",
    "AnnotatedServiceAccountArgs",
    "InputError",
    "IrsaRole",
    "IrsaRoleArgs",
    "OidcProvider",
    "OidcProviderArgs",
    "PodIdentityAssociation",
    "PodIdentityAssociationArgs",
    "Problem",
]
