"""Which helper group of issue 13 records which add-on, and which missing records and pages are still expected."""

from __future__ import annotations

# A group's missing records (or pages) are expected failures until the group has landed any of them; from then
# on each missing one fails, naming it. Group A's own are never expected to be missing.
GROUPS: dict[str, tuple[str, ...]] = {
    "A": (
        "aws-load-balancer-controller",
        "aws-load-balancer-controller-tgb",
        "external-dns",
        "vpc-cni",
        "aws-gateway-controller",
        "cluster-autoscaler",
        "karpenter",
        "aws-node-termination-handler",
        "keda",
    ),
    "B": ("ebs-csi", "efs-csi", "fsx-lustre-csi", "fsx-openzfs-csi", "mountpoint-s3-csi", "velero"),
    "C": (
        "cert-manager",
        "aws-privateca-issuer",
        "external-secrets",
        "secrets-store-csi-provider-aws",
        "amazon-managed-prometheus",
        "cloudwatch-observability",
        "adot-collector",
        "aws-for-fluent-bit",
        "loki",
    ),
}


def pending_and_missing(present: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(missing ones of groups that have landed none yet, missing ones that are failures)."""
    pending, missing = [], []
    for group, names in GROUPS.items():
        absent = [n for n in names if n not in present]
        landed = len(absent) < len(names)
        (missing if group == "A" or landed else pending).extend(absent)
    return sorted(pending), sorted(missing)
