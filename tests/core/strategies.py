"""Hypothesis strategies for the names, accounts and issuers of the trust properties."""

from __future__ import annotations

from hypothesis import strategies as st

from irsa_components.core.arns import eks_cluster_arn, oidc_provider_arn
from irsa_components.core.kubernetes import ServiceAccountRef

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_DIGITS = "0123456789"

# DNS-1123 labels (namespaces) and subdomains (service-account names), kept short for speed; built from
# plain text strategies because st.from_regex is several times slower to draw from.
_edge = st.sampled_from(_ALNUM)
labels = _edge | st.builds(lambda a, middle, z: a + middle + z, _edge, st.text(_ALNUM + "-", max_size=10), _edge)
subdomains = st.lists(labels, min_size=1, max_size=2).map(".".join)
accounts = st.text(_DIGITS, min_size=12, max_size=12)
partitions = st.sampled_from(["aws", "aws-cn", "aws-us-gov"])
regions = st.sampled_from(["eu-west-1", "us-east-1", "ap-southeast-4", "cn-north-1", "us-gov-west-1"])
issuer_ids = st.text("0123456789ABCDEF", min_size=32, max_size=32)
cluster_names = st.builds(lambda a, rest: a + rest, st.sampled_from("abcdefghij"), st.text(_ALNUM + "-", max_size=15))

service_accounts = st.builds(ServiceAccountRef, labels, subdomains)
service_account_sets = st.lists(service_accounts, min_size=1, max_size=4, unique=True)


@st.composite
def providers(draw: st.DrawFn) -> tuple[str, str]:
    """(provider ARN, issuer host) of an EKS cluster's IAM OIDC provider."""
    host = f"oidc.eks.{draw(regions)}.amazonaws.com/id/{draw(issuer_ids)}"
    return oidc_provider_arn(draw(partitions), draw(accounts), host), host


@st.composite
def clusters(draw: st.DrawFn, account: str, partition: str = "aws", region: str = "eu-west-1") -> tuple[str, str]:
    """(cluster ARN, cluster name) of an EKS cluster in ``account``."""
    name = draw(cluster_names)
    return eks_cluster_arn(partition, region, account, name), name
