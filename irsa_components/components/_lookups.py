"""Provider invokes, made once per AWS provider per program and shared by every component.

Components and the stack program ask here for the account, partition and region instead of
invoking per component, so the number of invokes does not grow with the number of services.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
from pulumi.runtime.settings import get_root_resource


@dataclass(frozen=True)
class AwsEnvironment:
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: pulumi.Output[str]
    account_partition_region: pulumi.Output[list[str]]
    """The three together, combined once: a component that needs all three applies this one Output."""


def _options(provider: Optional[pulumi.ProviderResource]) -> Optional[pulumi.InvokeOutputOptions]:
    return pulumi.InvokeOutputOptions(provider=provider) if provider is not None else None


def aws_provider_of(resource: Optional[pulumi.Resource]) -> Optional[pulumi.ProviderResource]:
    return resource.get_provider("aws::") if resource is not None else None


def aws_environment(provider: Optional[pulumi.ProviderResource] = None) -> AwsEnvironment:
    """Account, partition and region of ``provider`` (the default AWS provider when None)."""
    # The cache lives on the root stack resource: one per program run (and per mocked test run).
    root = get_root_resource()
    cache: dict[Optional[int], AwsEnvironment] = root.__dict__.setdefault("_irsa_aws_environments", {}) if root else {}
    key = id(provider) if provider is not None else None
    env = cache.get(key)
    if env is None:
        opts = _options(provider)
        identity = aws.get_caller_identity_output(opts=opts)
        partition = aws.get_partition_output(opts=opts)
        region = aws.get_region_output(opts=opts)
        account_id = identity.account_id.apply(_answered("getCallerIdentity", "accountId"))
        partition_name = partition.partition.apply(_answered("getPartition", "partition"))
        region_name = region.region.apply(_answered("getRegion", "region"))
        env = AwsEnvironment(
            account_id=account_id,
            partition=partition_name,
            region=region_name,
            account_partition_region=pulumi.Output.all(account_id, partition_name, region_name),
        )
        cache[key] = env
    return env


def _run_cache(key: str) -> dict[Any, Any]:
    """A dict that lives as long as the program run (on the root stack resource, like the invokes')."""
    root = get_root_resource()
    return root.__dict__.setdefault(key, {}) if root else {}


def combined(values: Sequence[pulumi.Input[Any]]) -> pulumi.Output[list[Any]]:
    """``Output.all(*values)``, made once per program run for the same values (the same objects).

    The roles of a stack trust the same clusters' OIDC providers: their ARNs are a few Outputs shared by
    hundreds of roles, and Output.all wraps each input in an apply of its own. Combined once, each role
    applies the one result (which carries the same resources, so the same dependencies).
    """
    cache = _run_cache("_irsa_combined")
    key = tuple(id(v) for v in values)
    hit = cache.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], values, strict=True)):
        return hit[1]  # type: ignore[no-any-return]
    out = pulumi.Output.all(*values)
    cache[key] = (tuple(values), out)  # the values are kept, so their ids stay theirs
    return out


_MOCKS_HINT = (
    "test mocks that answer lookups with nothing? irsa_components.testing answers them as AWS does (docs/testing.md)"
)


def _answered(lookup: str, field: str) -> Callable[[Optional[str]], str]:
    """A lookup's answer, or a clear error where mocks answered nothing (instead of ``arn:None:...`` documents)."""

    def check(value: Optional[str]) -> str:
        if not value:
            raise LookupAnswerError(f"the AWS lookup {lookup} answered no {field} ({_MOCKS_HINT})")
        return value

    return check


class LookupAnswerError(RuntimeError):
    """An AWS lookup answered without the value the components need (only mocks do that)."""


def eks_issuer_url(cluster_name: pulumi.Input[str], provider: Optional[pulumi.ProviderResource]) -> pulumi.Output[str]:
    """The OIDC issuer URL of an EKS cluster (one invoke)."""
    cluster = aws.eks.get_cluster_output(name=cluster_name, opts=_options(provider))

    def issuer(c: Any) -> str:
        oidcs = [o for i in (c.identities or []) for o in (i.oidcs or [])]
        if not oidcs or not oidcs[0].issuer:
            raise LookupAnswerError(
                f"the AWS lookup eks.getCluster({c.name!r}) answered no OIDC issuer ({_MOCKS_HINT})"
            )
        return str(oidcs[0].issuer)

    return cluster.apply(issuer)
