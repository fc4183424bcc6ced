"""irsa-components: Pulumi components for IRSA and EKS Pod Identity, correct by construction."""

from .components import (
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
