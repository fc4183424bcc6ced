"""OidcProvider: the IAM OIDC identity provider for a cluster's service-account issuer."""

import re
from collections.abc import Mapping, Sequence
from typing import Optional, TypedDict

import pulumi
import pulumi_aws as aws

from ..core.arns import eks_cluster_name_problem, oidc_provider_arn_problem
from ..core.errors import Problems
from ..core.limits import OIDC_CLIENT_ID_MAX, OIDC_THUMBPRINTS_MAX, Quotas
from ..core.trust import DEFAULT_AUDIENCE, issuer_host, issuer_host_from_provider_arn, issuer_url_problem
from ..core.validate import check_tags
from ._inputs import plain_list, subject
from ._keys import check_keys
from ._lookups import aws_provider_of, eks_issuer_url
from ._partition import Partitions, after

TYPE = "irsa-components:index:OidcProvider"
_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}\Z")


class OidcProviderArgs(TypedDict, total=False):
    """Inputs of OidcProvider. Give issuer_url, cluster_name or existing_provider_arn."""

    issuer_url: pulumi.Input[str]
    """The cluster's OIDC issuer URL (https://...)."""
    cluster_name: pulumi.Input[str]
    """An EKS cluster whose issuer URL is looked up (one lookup), instead of issuer_url."""
    existing_provider_arn: pulumi.Input[str]
    """Adopt this existing IAM OIDC provider instead of creating one (nothing is created or deleted)."""
    client_ids: Sequence[str]
    """Client IDs (audiences) the provider accepts. Default ['sts.amazonaws.com']."""
    thumbprints: Sequence[str]
    """Server certificate thumbprints (40 hex characters). IAM no longer needs them for EKS; none by default."""
    tags: Mapping[str, str]
    """Tags for the created provider."""
    protect: bool
    """Protect the created provider from deletion, since every IRSA role of the cluster depends on it. Default true."""


class OidcProvider(pulumi.ComponentResource):
    """The IAM OIDC identity provider for a cluster's issuer, created (protected) or adopted by ARN."""

    arn: pulumi.Output[str]
    """ARN of the IAM OIDC provider: the Federated principal of IRSA trust policies."""
    issuer_url: pulumi.Output[str]
    """The issuer URL (https://...)."""
    issuer_host: pulumi.Output[str]
    """The issuer without https://: the prefix of the trust condition keys (<host>:sub, <host>:aud)."""
    provider: Optional[aws.iam.OpenIdConnectProvider]
    """The created IAM resource (absent when an existing provider was adopted)."""

    def __init__(self, name: str, args: OidcProviderArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        problems = Problems(subject("OidcProvider", name))
        if not check_keys(problems, args, OidcProviderArgs):
            problems.raise_if_any()
        url, cluster, existing = (
            args.get("issuer_url"),
            args.get("cluster_name"),
            args.get("existing_provider_arn"),
        )
        if url is None and cluster is None and existing is None:
            problems.add("issuer_url", None, "give issuer_url, cluster_name or existing_provider_arn")
        if url is not None and cluster is not None:
            problems.add("cluster_name", cluster, "give either issuer_url or cluster_name, not both")
        if isinstance(url, str):
            problems.check("issuer_url", url, issuer_url_problem(url))
        if isinstance(cluster, str):
            problems.check("cluster_name", cluster, eks_cluster_name_problem(cluster))
        partitions = Partitions(problems, opts)
        if isinstance(existing, str):
            problems.check("existing_provider_arn", existing, oidc_provider_arn_problem(existing))
            partitions.add("existing_provider_arn", existing)
            partitions.check()
            if isinstance(url, str) and not problems and issuer_host(url) != issuer_host_from_provider_arn(existing):
                problems.add("issuer_url", url, f"does not match the issuer of existing_provider_arn {existing!r}")
        client_ids = plain_list(args.get("client_ids", [DEFAULT_AUDIENCE])) or []
        if not client_ids:
            problems.add("client_ids", args.get("client_ids"), "at least one client ID is required")
        for i, cid in enumerate(client_ids):
            if not isinstance(cid, str) or not 1 <= len(cid) <= OIDC_CLIENT_ID_MAX:
                problems.add(f"client_ids[{i}]", cid, f"must be 1-{OIDC_CLIENT_ID_MAX} characters")
        thumbprints = plain_list(args.get("thumbprints")) or []
        if len(thumbprints) > OIDC_THUMBPRINTS_MAX:
            problems.add("thumbprints", thumbprints, f"IAM accepts at most {OIDC_THUMBPRINTS_MAX} thumbprints")
        for i, tp in enumerate(thumbprints):
            if not isinstance(tp, str) or not _THUMBPRINT.match(tp):
                problems.add(f"thumbprints[{i}]", tp, "must be 40 hexadecimal characters (a SHA-1 fingerprint)")
        check_tags(problems, "tags", args.get("tags"), Quotas.tags_per_resource)
        problems.raise_if_any()

        super().__init__(TYPE, name, None, opts)
        self.provider = None
        if existing is not None:
            partitions.bind(self)
            self.arn = pulumi.Output.from_input(
                after(partitions.checked("existing_provider_arn", existing), partitions.guard())
            )
            host = self.arn.apply(issuer_host_from_provider_arn)
            self.issuer_host = host
            self.issuer_url = pulumi.Output.from_input(url) if url is not None else host.apply(lambda h: f"https://{h}")
        else:
            issuer: pulumi.Output[str] = (
                pulumi.Output.from_input(url) if url is not None else eks_issuer_url(cluster, aws_provider_of(self))  # type: ignore[arg-type]
            )
            self.provider = aws.iam.OpenIdConnectProvider(
                name,
                url=issuer,
                client_id_lists=client_ids,
                thumbprint_lists=thumbprints or None,
                tags=args.get("tags"),
                opts=pulumi.ResourceOptions(parent=self, protect=args.get("protect", True)),
            )
            self.arn = self.provider.arn
            self.issuer_url = issuer
            self.issuer_host = issuer.apply(issuer_host)
        self.register_outputs(
            {
                "arn": self.arn,
                "issuer_url": self.issuer_url,
                "issuer_host": self.issuer_host,
                "provider": self.provider,
            }
        )
