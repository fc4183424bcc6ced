"""The built-in add-on catalogue, by name."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .compute import CLUSTER_AUTOSCALER, KARPENTER, KEDA, NODE_TERMINATION_HANDLER
from .model import Addon
from .networking import (
    AWS_GATEWAY_CONTROLLER,
    AWS_LOAD_BALANCER_CONTROLLER,
    AWS_LOAD_BALANCER_CONTROLLER_TGB,
    EXTERNAL_DNS,
    VPC_CNI,
)
from .observability import ADOT_COLLECTOR, AMAZON_MANAGED_PROMETHEUS, AWS_FOR_FLUENT_BIT, CLOUDWATCH_OBSERVABILITY, LOKI
from .security import AWS_PRIVATECA_ISSUER, CERT_MANAGER, EXTERNAL_SECRETS, SECRETS_STORE_CSI_PROVIDER_AWS
from .storage import EBS_CSI, EFS_CSI, FSX_LUSTRE_CSI, FSX_OPENZFS_CSI, MOUNTPOINT_S3_CSI, VELERO

_ALL: tuple[Addon, ...] = (
    AWS_LOAD_BALANCER_CONTROLLER,
    AWS_LOAD_BALANCER_CONTROLLER_TGB,
    EXTERNAL_DNS,
    CERT_MANAGER,
    AWS_PRIVATECA_ISSUER,
    CLUSTER_AUTOSCALER,
    KARPENTER,
    NODE_TERMINATION_HANDLER,
    KEDA,
    EBS_CSI,
    EFS_CSI,
    FSX_LUSTRE_CSI,
    FSX_OPENZFS_CSI,
    MOUNTPOINT_S3_CSI,
    VELERO,
    EXTERNAL_SECRETS,
    SECRETS_STORE_CSI_PROVIDER_AWS,
    VPC_CNI,
    AWS_GATEWAY_CONTROLLER,
    AMAZON_MANAGED_PROMETHEUS,
    CLOUDWATCH_OBSERVABILITY,
    ADOT_COLLECTOR,
    AWS_FOR_FLUENT_BIT,
    LOKI,
)

CATALOGUE: Mapping[str, Addon] = MappingProxyType({addon.name: addon for addon in _ALL})
"""Every built-in add-on by name (read-only)."""

if len(CATALOGUE) != len(_ALL):  # pragma: no cover - a definition error caught at import
    raise RuntimeError("two built-in add-ons share a name")
