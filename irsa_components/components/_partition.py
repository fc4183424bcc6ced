"""A component's ARN inputs, all in the partition of its AWS provider's region.

At preview the partition is known when the component uses the default AWS provider and the stack
sets ``aws:region``: plain ARNs are checked then, before anything is registered. Otherwise (an
explicit provider, no ``aws:region``) they must at least agree with one another, and are checked
against the provider's partition once its lookup answers (``_lookups.aws_environment``: once per
provider, shared by every component). ARNs that are Outputs are checked once known, where they are
used.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Optional

import pulumi

from ..core.arns import literal_partition
from ..core.errors import InputError, Problems
from ..core.validate import ArnInput, check_partitions, region_partition, statement_arns
from ._lookups import aws_environment, aws_provider_of


def _declares_aws_provider(opts: Optional[pulumi.ResourceOptions]) -> bool:
    """Whether the component gets an explicit AWS provider (its own options or its parent's)."""
    if opts is None:
        return False
    parent = opts.parent
    if parent is not None and parent.get_provider("aws::") is not None:
        return True
    providers: Any = opts.providers
    if isinstance(providers, Mapping):
        if "aws" in providers:
            return True
    elif providers:
        if any(getattr(p, "package", None) == "aws" for p in providers):
            return True
    provider = opts.provider
    return provider is not None and getattr(provider, "package", None) == "aws"


def preview_partition(opts: Optional[pulumi.ResourceOptions]) -> Optional[tuple[str, str]]:
    """(partition, where it comes from) when known without a lookup: the default provider's ``aws:region``."""
    if _declares_aws_provider(opts):
        return None
    region = pulumi.Config("aws").get("region")
    partition = region_partition(region)
    return (partition, f"the stack's region {region} (aws:region)") if partition and region else None


class Partitions:
    """Collects a component's ARN inputs; checks the plain ones now and the rest once known."""

    _UNSET: Any = object()

    def __init__(
        self, problems: Problems, opts: Optional[pulumi.ResourceOptions], known: Optional[tuple[str, str]] = _UNSET
    ) -> None:
        """``known``: the partition and where it comes from, when the caller knows better than ``opts`` (None: unknown)."""
        self.problems = problems
        self.known = preview_partition(opts) if known is Partitions._UNSET else known
        self.plain: list[ArnInput] = []
        self._env_partition: Optional[pulumi.Output[tuple[str, str]]] = None
        self._component: Optional[pulumi.Resource] = None
        self._outputs = False
        """Whether an Output ARN is to be checked (then the provider's partition is needed)."""

    @property
    def partition(self) -> Optional[str]:
        """The partition known at preview, if any."""
        return self.known[0] if self.known else None

    def add(self, field: str, value: object) -> None:
        """One ARN input; only plain strings are collected (Outputs go through ``checked`` where used)."""
        if isinstance(value, str):
            self.plain.append((field, value))

    def add_all(self, field: str, values: Optional[Sequence[object]]) -> None:
        for i, value in enumerate(values or []):
            self.add(f"{field}[{i}]", value)

    def add_statements(self, field: str, statements: object) -> None:
        self.plain.extend(statement_arns(field, statements))

    def check(self) -> None:
        """The plain ARNs: in the stack region's partition when known, else in one partition."""
        partition, where = self.known or (None, "")
        check_partitions(self.problems, self.plain, partition, where)

    @property
    def needs_lookup(self) -> bool:
        """Whether the plain ARNs still need the provider's partition (it was not known at preview)."""
        return self.known is None and any(literal_partition(v) for _, v in self.plain)

    def bind(self, component: pulumi.Resource) -> None:
        """After the component is registered: its provider answers for the partition when it was not known.

        The lookup (once per provider) is made only when something is left to check.
        """
        self._component = component
        if self.needs_lookup or self._outputs:
            self._lookup()

    def _lookup(self) -> None:
        if self.known is not None or self._env_partition is not None or self._component is None:
            return
        env = aws_environment(aws_provider_of(self._component))
        self._env_partition = pulumi.Output.all(env.partition, env.region).apply(
            lambda v: (str(v[0]), f"the AWS provider's region {v[1]}")
        )

    def _expected(self) -> pulumi.Output[tuple[str, str]]:
        if self.known is not None:
            return pulumi.Output.from_input(self.known)
        assert self._env_partition is not None, "bind() first"
        return self._env_partition

    def guard(self) -> Optional[pulumi.Output[bool]]:
        """Checks the plain ARNs against the provider's partition once its lookup answers; None if done at preview."""
        if not self.needs_lookup:
            return None
        subject, plain = self.problems.subject, list(self.plain)

        def verify(expected: tuple[str, str]) -> bool:
            _refuse_other_partitions(subject, plain, expected)
            return True

        return self._expected().apply(verify)

    def checked(self, field: str, value: pulumi.Input[Any]) -> pulumi.Input[Any]:
        """``value`` as given when plain (checked already); an Output is checked once it and the partition are known.

        May be called before ``bind``: the check runs in a callback, after the component's constructor.
        """
        if not isinstance(value, pulumi.Output):
            return value
        self._outputs = True
        self._lookup()  # made now, in the constructor, if the component is bound already
        subject = self.problems.subject

        def verify(arn: Any) -> Any:
            arns = [(f"{field}[{i}]", a) for i, a in enumerate(arn)] if isinstance(arn, list) else [(field, arn)]

            def against(expected: tuple[str, str]) -> Any:
                _refuse_other_partitions(subject, arns, expected)
                return arn

            return self._expected().apply(against)

        return value.apply(verify)


def after(value: pulumi.Input[Any], guard: Optional[pulumi.Output[bool]]) -> pulumi.Input[Any]:
    """``value``, available only once ``guard`` passed (so a failed check stops what uses it)."""
    if guard is None:
        return value
    return pulumi.Output.all(value, guard).apply(lambda v: v[0])


__all__ = ["Partitions", "after", "preview_partition"]


def _refuse_other_partitions(subject: str, arns: Any, expected: tuple[str, str]) -> None:
    """Raise the partition problems of ``arns`` (field, ARN pairs) against the provider's (partition, region)."""
    problems = Problems(subject)
    check_partitions(problems, arns, expected[0], expected[1])
    if problems:
        raise InputError(problems)
