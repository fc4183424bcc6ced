"""The add-on catalogue's data model: definitions, scope inputs, sources, and the scope builders see."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..core.arns import aws_managed_policy_arn
from .kinds import ScopeKind

Statement = dict[str, Any]
PolicySource = Literal["custom", "managed"]
ScopeValue = str | bool | Sequence[str]
"""What a user may write for one scope input: a string, a list of strings, or a boolean for flags."""

# DNS suffix of each partition's service endpoints and principals (kms:ViaService, iam:PassedToService).
DNS_SUFFIXES: Mapping[str, str] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
    "aws-eusc": "amazonaws.eu",
}


def camel(name: str) -> str:
    """``hosted_zone_arns`` -> ``hostedZoneArns`` (the stack config's spelling)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """``hostedZoneArns`` -> ``hosted_zone_arns``; snake_case passes through."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@dataclass(frozen=True)
class ScopeInput:
    """One input that scopes an add-on's permissions (the hosted zones external-dns may change, ...)."""

    name: str
    """snake_case name; the stack config accepts the camelCase spelling too."""
    kind: ScopeKind
    description: str
    required: bool = False
    default: tuple[str, ...] | bool | None = None
    """Used when the input is not given or empty (flags default to False when this is None)."""
    multiple: bool = True
    """Whether it takes several values (a cluster name takes one)."""

    @property
    def config_key(self) -> str:
        return camel(self.name)


@dataclass(frozen=True)
class Source:
    """The published controller policy (or documentation) a definition follows."""

    url: str
    version: str
    """Release, chart version or commit the statements were checked against."""


@dataclass(frozen=True)
class Scope:
    """The validated inputs a builder turns into statements, plus where the role lives."""

    addon: str
    partition: str
    region: str | None
    account_id: str | None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    flags: Mapping[str, bool] = field(default_factory=dict)

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return self.values.get(name, ())

    def flag(self, name: str) -> bool:
        return self.flags.get(name, False)

    def first(self, name: str) -> str:
        """The single value of a required one-value input (e.g. the cluster name)."""
        return self.values[name][0]

    @property
    def region_or_any(self) -> str:
        return self.region or "*"

    @property
    def account_or_any(self) -> str:
        return self.account_id or "*"

    @property
    def dns_suffix(self) -> str:
        return DNS_SUFFIXES[self.partition]

    def arn(self, service: str, resource: str, *, regional: bool = True, in_account: bool = True) -> str:
        """An ARN in this partition; region and account are this scope's, or ``*`` when not known."""
        region = self.region_or_any if regional else ""
        account = self.account_or_any if in_account else ""
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def via(self, *services: str) -> dict[str, dict[str, str | list[str]]]:
        """A ``kms:ViaService`` condition admitting requests AWS makes for these services in this region."""
        hosts = [f"{service}.{self.region_or_any}.{self.dns_suffix}" for service in services]
        operator = "StringEquals" if self.region else "StringLike"
        return {operator: {"kms:ViaService": hosts[0] if len(hosts) == 1 else hosts}}


Builder = Callable[[Scope], list[Statement]]
ManagedSelector = Callable[[Scope], tuple[str, ...]]
ChartSetting = str | bool | int | list[str]
"""A Helm value as it goes into values.yaml."""


@dataclass(frozen=True)
class ChartValue:
    """A chart value the platform must set so that the controller stays within the policy's scope.

    ``irsa plan`` shows each for the add-on's service, with ``value`` computed from its scope; the add-on's
    page lists them with ``describe``.
    """

    key: str
    """The Helm value's path, e.g. ``zoneIdFilters`` or ``autoDiscovery.clusterName``."""
    describe: str
    """What to set it to, for the docs, e.g. 'the IDs of `hosted_zone_arns`'."""
    reason: str
    """What goes wrong otherwise."""
    value: Callable[[Scope], ChartSetting | None]
    """The value for a scope; None when the scope does not need it."""


@dataclass(frozen=True)
class Addon:
    """One built-in add-on: who runs it, what it may touch, and where its policy comes from."""

    name: str
    description: str
    namespace: str | None
    """The namespace the chart (or the EKS add-on) installs into; None when it is the workload's own."""
    service_account: str | None
    """The service account the chart creates with default values; None when it is the workload's own."""
    chart: str
    """Helm chart (repository/name) or EKS add-on whose defaults ``namespace`` and ``service_account`` follow."""
    source: Source
    build: Builder | None = None
    """Least-privilege statements from the scope; None when only AWS managed policies exist."""
    inputs: tuple[ScopeInput, ...] = ()
    managed_policies: tuple[str, ...] = ()
    """AWS managed policies ('path/name' under arn:<partition>:iam::aws:policy/) AWS publishes for it."""
    select_managed: ManagedSelector | None = None
    """Which managed policies apply to a scope (raise ValueError when none fits); default all of them."""
    default_policy: PolicySource = "custom"
    extra_service_accounts: tuple[str, ...] = ()
    """Other service accounts of the same chart that use the same role (same namespace)."""
    needs_region: bool = False
    needs_account: bool = False
    require_any: tuple[tuple[str, ...], ...] = ()
    """Groups of inputs of which at least one must be given (a flag counts when true)."""
    wildcard_resources: tuple[tuple[str, str], ...] = ()
    """(action, reason) for actions granted on Resource '*' although they support resource-level permissions."""
    tighter: tuple[str, ...] = ()
    """How the built-in policy is scoped tighter than the upstream one (for the docs)."""
    notes: tuple[str, ...] = ()
    chart_values: tuple[ChartValue, ...] = ()
    """Chart values the controller needs to match the policy's scope (docs and ``irsa plan`` show them)."""
    service_account_value: str | None = None
    """The chart value naming its service account (``serviceAccount.name``): docs and ``irsa plan`` show it set
    to the trusted one (many charts derive the default from the release name)."""

    def __post_init__(self) -> None:
        if self.build is None and not self.managed_policies:
            raise ValueError(f"add-on {self.name!r} has neither a policy builder nor managed policies")
        if self.build is None and self.default_policy == "custom":
            raise ValueError(f"add-on {self.name!r} has no policy builder, so its default must be 'managed'")
        names = [i.name for i in self.inputs]
        if len(set(names)) != len(names):
            raise ValueError(f"add-on {self.name!r} declares an input twice")
        for group in self.require_any:
            unknown = set(group) - set(names)
            if unknown:
                raise ValueError(f"add-on {self.name!r}: require_any names unknown inputs {sorted(unknown)}")

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)

    @property
    def required_inputs(self) -> tuple[ScopeInput, ...]:
        return tuple(i for i in self.inputs if i.required)

    @property
    def optional_inputs(self) -> tuple[ScopeInput, ...]:
        return tuple(i for i in self.inputs if not i.required)

    def input(self, name: str) -> ScopeInput:
        for item in self.inputs:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def wildcard_resource_reasons(self) -> dict[str, str]:
        return dict(self.wildcard_resources)

    def managed_policy_arns(self, partition: str, names: tuple[str, ...] | None = None) -> tuple[str, ...]:
        return tuple(aws_managed_policy_arn(partition, n) for n in (self.managed_policies if names is None else names))
