"""Deciding an add-on's policy documents before the role's partition, region and account are known.

A component learns where its role lives only from provider invokes (Outputs), yet it must register
one policy resource per document at preview. :func:`layout` resolves the add-on with stand-ins: for
every partition the scope is valid in, a region name longer than any real one of that partition and a
12-digit account. It groups the statements (by index) so that each document fits the size limit in
every one of those places. :meth:`AddonLayout.render` later resolves with the real values and builds the
documents by the same grouping: they fit too, because no real value is longer than its stand-in.

Plain data and functions, no Pulumi.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core import documents
from ..core.arns import PARTITIONS, aws_managed_policy_arn, partition_for_region
from ..core.errors import InputError, Problem, Problems
from .model import DNS_SUFFIXES, PolicySource, ScopeValue
from .resolve import MANAGED_POLICY_CHARS, ResolvedAddon, resolve

STAND_IN_ACCOUNT = "000000000000"
"""A 12-digit account: every real account ID has exactly as many characters."""

STAND_IN_REGION_CHARS = 20
"""Region stand-ins are this long; the longest real region names have 15 characters (us-isof-south-1)."""

_REGION_PREFIXES: Mapping[str, str] = {
    "aws": "us-",
    "aws-cn": "cn-",
    "aws-us-gov": "us-gov-",
    "aws-iso": "us-iso-",
    "aws-iso-b": "us-isob-",
    "aws-iso-e": "eu-isoe-",
    "aws-iso-f": "us-isof-",
    "aws-eusc": "eusc-",
}

CANDIDATE_PARTITIONS: tuple[str, ...] = tuple(p for p in PARTITIONS if p in DNS_SUFFIXES and p in _REGION_PREFIXES)
"""Partitions a role may be in when nothing tells which (every partition the catalogue builds for)."""


def stand_in_region(partition: str) -> str:
    """A syntactically valid region name of ``partition``, longer than any real one (only its length counts)."""
    prefix = _REGION_PREFIXES[partition]
    region = prefix + "x" * (STAND_IN_REGION_CHARS - len(prefix) - 2) + "-9"
    assert partition_for_region(region) == partition, region
    return region


@dataclass(frozen=True)
class AddonLayout:
    """What a role gets from one add-on, decided without knowing its partition, region or account."""

    name: str
    scope: Mapping[str, ScopeValue]
    """The scope inputs as given (plain values)."""
    namespace: str
    service_account: str
    extra_service_accounts: tuple[str, ...]
    namespace_override: str | None
    service_account_override: str | None
    policy: PolicySource | None
    """The policy source as given (None: the add-on's default)."""
    policy_source: PolicySource
    managed_policies: tuple[str, ...]
    """AWS managed policies to attach, as 'path/name' under ``arn:<partition>:iam::aws:policy/``."""
    statement_count: int
    groups: tuple[tuple[int, ...], ...]
    """Indices of the statements of each document, in order."""
    partitions: tuple[str, ...]
    """The partitions the scope is valid in (the grouping fits each of them)."""
    max_policy_chars: int = MANAGED_POLICY_CHARS

    @property
    def service_accounts(self) -> tuple[str, ...]:
        """Every service account to trust, as 'namespace/name' (the primary first)."""
        return tuple(f"{self.namespace}/{sa}" for sa in (self.service_account, *self.extra_service_accounts))

    @property
    def document_count(self) -> int:
        return len(self.groups)

    @property
    def policy_count(self) -> int:
        """Managed policy attachments the role needs: AWS managed plus one customer managed per document."""
        return len(self.managed_policies) + len(self.groups)

    def managed_policy_arns(self, partition: str) -> tuple[str, ...]:
        return tuple(aws_managed_policy_arn(partition, name) for name in self.managed_policies)

    def resolve(
        self, *, partition: str, region: str, account_id: str, subject: str | None = None, field_prefix: str = ""
    ) -> ResolvedAddon:
        """Resolve with the real values (InputError when the scope does not fit them, e.g. another partition)."""
        return resolve(
            self.name,
            self.scope,
            partition=partition,
            region=region,
            account_id=account_id,
            namespace=self.namespace_override,
            service_account=self.service_account_override,
            policy=self.policy,
            max_policy_chars=self.max_policy_chars,
            subject=subject,
            field_prefix=field_prefix,
        )

    def render(
        self, *, partition: str, region: str, account_id: str, subject: str | None = None, field_prefix: str = ""
    ) -> tuple[str, ...]:
        """The documents as compact JSON, built with the real values and grouped as decided at preview."""
        resolved = self.resolve(
            partition=partition, region=region, account_id=account_id, subject=subject, field_prefix=field_prefix
        )
        problems = Problems(subject or f"add-on {self.name!r}")
        statements = resolved.statements
        if len(statements) != self.statement_count:
            problems.add(
                f"{field_prefix}(statements)",
                len(statements),
                f"add-on {self.name!r} built {len(statements)} statements in {partition}/{region}, but "
                f"{self.statement_count} at preview; the policies registered at preview cannot hold them",
            )
            raise InputError(problems)
        out = []
        for k, group in enumerate(self.groups):
            text = documents.to_json(documents.document([statements[i] for i in group]))
            if documents.size(text) > self.max_policy_chars:  # cannot happen while stand-ins are longest
                problems.add(
                    f"{field_prefix}(document {k + 1})",
                    f"{documents.size(text)} characters",
                    f"add-on {self.name!r}: the document exceeds IAM's {self.max_policy_chars}-character limit",
                )
            out.append(text)
        problems.raise_if_any()
        return tuple(out)


def layout(
    name: str,
    scope: Mapping[str, ScopeValue] | None = None,
    *,
    namespace: str | None = None,
    service_account: str | None = None,
    policy: PolicySource | None = None,
    partitions: Sequence[str] | None = None,
    max_policy_chars: int = MANAGED_POLICY_CHARS,
    subject: str | None = None,
    field_prefix: str = "",
) -> tuple[AddonLayout | None, list[Problem]]:
    """Decide the add-on's documents for a role in any of ``partitions`` (default: every one).

    Returns the layout and no problems when the scope is valid in at least one of the partitions;
    otherwise None and the problems of the partition with the fewest (the first on a tie), so a scope
    written for one partition is judged in that partition.
    """
    candidates = tuple(partitions) if partitions is not None else CANDIDATE_PARTITIONS
    found: dict[str, list[Problem]] = {}
    resolved: dict[str, ResolvedAddon] = {}
    for partition in candidates:
        region = stand_in_region(partition) if partition in _REGION_PREFIXES else None
        try:
            resolved[partition] = resolve(
                name,
                scope,
                partition=partition,
                region=region,
                account_id=STAND_IN_ACCOUNT,
                namespace=namespace,
                service_account=service_account,
                policy=policy,
                max_policy_chars=max_policy_chars,
                subject=subject,
                field_prefix=field_prefix,
            )
        except InputError as exc:  # the same problems check() lists
            found[partition] = list(exc.problems)
    if not resolved:
        if not found:
            return None, [Problem(subject or f"add-on {name!r}", "partition", candidates, "no partition to check")]
        fewest = min(found.values(), key=len)
        return None, fewest
    first = next(iter(resolved.values()))
    for partition, other in resolved.items():
        same = (
            other.service_accounts == first.service_accounts
            and other.policy_source == first.policy_source
            and _managed_names(other) == _managed_names(first)
            and len(other.statements) == len(first.statements)
        )
        if not same:  # a definition bug: what a role gets must not depend on where it lives
            raise RuntimeError(f"add-on {name!r} resolves differently in {partition!r} than in another partition")
    groups = _group([list(r.statements) for r in resolved.values()], max_policy_chars)
    return (
        AddonLayout(
            name=first.name,
            scope=copy.deepcopy(dict(scope or {})),
            namespace=first.namespace,
            service_account=first.service_account,
            extra_service_accounts=first.extra_service_accounts,
            namespace_override=namespace,
            service_account_override=service_account,
            policy=policy,
            policy_source=first.policy_source,
            managed_policies=_managed_names(first),
            statement_count=len(first.statements),
            groups=groups,
            partitions=tuple(resolved),
            max_policy_chars=max_policy_chars,
        ),
        [],
    )


def _managed_names(resolved: ResolvedAddon) -> tuple[str, ...]:
    return tuple(arn.split(":policy/", 1)[1] for arn in resolved.managed_policy_arns)


def _group(variants: Sequence[Sequence[documents.Statement]], max_chars: int) -> tuple[tuple[int, ...], ...]:
    """Pack statement indices, in order, into as few documents as fit ``max_chars`` in every variant.

    ``variants`` are the same statements resolved in different places (equal in number). Each
    statement fits alone: ``resolve`` already packed every variant.
    """
    count = len(variants[0]) if variants else 0

    def fits(indices: list[int]) -> bool:
        return all(documents.size(documents.document([v[i] for i in indices])) <= max_chars for v in variants)

    groups: list[tuple[int, ...]] = []
    current: list[int] = []
    for i in range(count):
        if not current or fits([*current, i]):
            current.append(i)
            continue
        groups.append(tuple(current))
        current = [i]
    if current:
        groups.append(tuple(current))
    return tuple(groups)
