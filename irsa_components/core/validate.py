"""Input validation shared by the components, the stack config and the command line.

Each check adds to a ``Problems`` collector instead of raising, so callers report every mistake
at once; they return the parsed value where there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import documents
from .arns import literal_partition, partition_for_region, policy_arn_problem, region_problem
from .errors import Problems, close_match
from .evaluate import allows_all, pod_identity_requests
from .kubernetes import ServiceAccountRef, parse_service_account
from .limits import (
    DESCRIPTION_MAX,
    MAX_SESSION_DURATION,
    MIN_SESSION_DURATION,
    TAG_KEY_MAX,
    TAG_VALUE_MAX,
    Quotas,
)
from .names import role_name_problem, role_path_problem

DEFAULT_QUOTAS = Quotas()


def check_service_accounts(
    problems: Problems, field: str, values: object, *, allow_wildcard: bool = False, required: bool = True
) -> list[ServiceAccountRef]:
    if values is None or (isinstance(values, Sequence) and not isinstance(values, str) and not values):
        if required:
            problems.add(field, values, "at least one 'namespace/name' service account is required")
        return []
    if isinstance(values, str) or not isinstance(values, Sequence):
        problems.add(field, values, "must be a list of 'namespace/name' strings")
        return []
    refs: list[ServiceAccountRef] = []
    for i, value in enumerate(values):
        try:
            ref = parse_service_account(value, allow_wildcard=allow_wildcard)
        except ValueError as exc:
            problems.add(f"{field}[{i}]", value, str(exc))
            continue
        if ref in refs:
            problems.add(f"{field}[{i}]", value, "is listed twice")
        refs.append(ref)
    return refs


def check_audiences(problems: Problems, field: str, values: object) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        problems.add(field, values, "must be a non-empty list of audiences")
        return []
    out = []
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value or any(c in value for c in "*?"):
            problems.add(f"{field}[{i}]", value, "must be a literal audience (no wildcards)")
        else:
            out.append(value)
    return out


def check_max_session_duration(problems: Problems, field: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        problems.add(field, value, "must be a whole number of seconds")
    elif not MIN_SESSION_DURATION <= value <= MAX_SESSION_DURATION:
        problems.add(field, value, f"must be between {MIN_SESSION_DURATION} and {MAX_SESSION_DURATION} seconds")


def check_tags(problems: Problems, field: str, tags: object, quota: int, reserved: int = 0) -> None:
    if tags is None:
        return
    if not isinstance(tags, Mapping):
        problems.add(field, tags, "must be a mapping of tag keys to values")
        return
    if len(tags) + reserved > quota:
        problems.add(
            field,
            len(tags),
            f"{len(tags)} tags (+{reserved} added by the library) exceed the {quota}-tag limit",
        )
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX or key.lower().startswith("aws:"):
            problems.add(
                f"{field}.{key}",
                key,
                f"tag keys are 1-{TAG_KEY_MAX} characters and may not start with 'aws:'",
            )
        if not isinstance(value, str) or len(value) > TAG_VALUE_MAX:
            problems.add(f"{field}.{key}", value, f"tag values are strings of at most {TAG_VALUE_MAX} characters")


def check_policy_statements(problems: Problems, field: str, statements: object) -> list[dict[str, Any]]:
    if statements is None:
        return []
    if isinstance(statements, str | Mapping) or not isinstance(statements, Sequence):
        problems.add(field, statements, "must be a list of IAM statements")
        return []
    good: list[dict[str, Any]] = []
    for i, statement in enumerate(statements):
        found = documents.statement_problems(statement)
        # A misspelt element ("Actions") is the problem, not the element it stands for being missing.
        meant = {
            close_match(str(k), documents.STATEMENT_FIELDS)
            for k in (statement if isinstance(statement, Mapping) else ())
            if k not in documents.STATEMENT_FIELDS
        }
        for sub, value, message in found:
            if value is None and sub in meant and sub not in statement:
                continue
            problems.add(f"{field}[{i}]{'.' + sub if sub else ''}", value, message)
        if not found and isinstance(statement, Mapping):
            good.append(dict(statement))
    return good


def check_role(
    problems: Problems,
    *,
    role_name: object = None,
    path: object = "/",
    description: object = None,
    max_session_duration: object = None,
    permissions_boundary: object = None,
    managed_policy_arns: Sequence[object] = (),
    policy_statements: object = None,
    tags: object = None,
    reserved_tags: int = 0,
    quotas: Quotas = DEFAULT_QUOTAS,
) -> list[dict[str, Any]]:
    """Check every role setting; plain (known) values only. Returns the valid inline statements."""
    if role_name is not None:
        problems.check("role_name", role_name, role_name_problem(role_name))
    if path is not None:
        problems.check("path", path, role_path_problem(path))
    if description is not None and (not isinstance(description, str) or len(description) > DESCRIPTION_MAX):
        problems.add("description", description, f"must be a string of at most {DESCRIPTION_MAX} characters")
    check_max_session_duration(problems, "max_session_duration", max_session_duration)
    if isinstance(permissions_boundary, str):
        problems.check("permissions_boundary", permissions_boundary, policy_arn_problem(permissions_boundary))
    seen: set[str] = set()
    for i, arn in enumerate(managed_policy_arns):
        if isinstance(arn, str):
            problems.check(f"managed_policy_arns[{i}]", arn, policy_arn_problem(arn))
            if arn in seen:
                problems.add(f"managed_policy_arns[{i}]", arn, "is listed twice")
            seen.add(arn)
    if len(managed_policy_arns) > quotas.managed_policies_per_role:
        problems.add(
            "managed_policy_arns",
            len(managed_policy_arns),
            f"{len(managed_policy_arns)} managed policies exceed the per-role quota of "
            f"{quotas.managed_policies_per_role} (raise the quota and set the limit, or merge policies)",
        )
    statements = check_policy_statements(problems, "policy_statements", policy_statements)
    if statements:
        inline_size = documents.size(documents.document(statements))
        if inline_size > quotas.inline_policy_chars:
            problems.add(
                "policy_statements",
                f"{inline_size} characters",
                f"the inline policy exceeds IAM's {quotas.inline_policy_chars}-character limit for a role's "
                "inline policies; move statements to managed policies",
            )
    check_tags(problems, "tags", tags, quotas.tags_per_resource, reserved_tags)
    return statements


def check_trust_size(problems: Problems, field: str, trust: Mapping[str, Any], quota: int, note: str = "") -> None:
    chars = documents.size(trust)
    if chars > quota:
        problems.add(
            field,
            f"{chars} characters",
            f"the trust policy would exceed the {quota}-character trust-policy quota{note}; split the "
            "service accounts or clusters over several roles, or raise the quota (up to 4096) and set the limit",
        )


# AWS's documented ceilings for the two quotas callers may raise.
MAX_TRUST_POLICY_QUOTA = 4096
MAX_MANAGED_POLICIES_QUOTA = 25


def check_quotas(problems: Problems, trust_policy_chars: object, managed_policies: object) -> Quotas:
    """The account quotas a caller declares, checked against AWS's ceilings (defaults when absent)."""
    trust = Quotas.trust_policy_chars if trust_policy_chars is None else trust_policy_chars
    managed = Quotas.managed_policies_per_role if managed_policies is None else managed_policies
    if not isinstance(trust, int) or isinstance(trust, bool) or not 1 <= trust <= MAX_TRUST_POLICY_QUOTA:
        problems.add(
            "trust_policy_max_chars", trust, f"must be 1-{MAX_TRUST_POLICY_QUOTA} (AWS's ceiling for the quota)"
        )
        trust = Quotas.trust_policy_chars
    if not isinstance(managed, int) or isinstance(managed, bool) or not 1 <= managed <= MAX_MANAGED_POLICIES_QUOTA:
        problems.add("max_managed_policies", managed, f"must be 1-{MAX_MANAGED_POLICIES_QUOTA}")
        managed = Quotas.managed_policies_per_role
    return Quotas(trust_policy_chars=trust, managed_policies_per_role=managed)


# Partitions ----------------------------------------------------------------------------------------

ArnInput = tuple[str, object]
"""(field, value) of one ARN a component or config entry was given."""


def statement_arns(field: str, statements: object) -> list[ArnInput]:
    """The literal ARNs in the ``Resource``/``NotResource`` of permission statements, by field."""
    if isinstance(statements, str | Mapping) or not isinstance(statements, Sequence):
        return []
    found: list[ArnInput] = []
    for i, statement in enumerate(statements):
        if not isinstance(statement, Mapping):
            continue
        for key in ("Resource", "NotResource"):
            values = documents.as_list(statement.get(key))
            for j, value in enumerate(values):
                if literal_partition(value) is not None:
                    found.append((f"{field}[{i}].{key}" + (f"[{j}]" if len(values) > 1 else ""), value))
    return found


def region_partition(region: object) -> str | None:
    """The partition of a valid region name, else None."""
    return partition_for_region(region) if isinstance(region, str) and region_problem(region) is None else None


def check_partitions(problems: Problems, arns: Sequence[ArnInput], expected: str | None, where: str = "") -> None:
    """Every literal ARN in ``expected`` (the partition of the provider's or stack's region), or all in one.

    IAM, STS and EKS never reach across partitions: an ARN of another partition is refused by IAM at
    deploy time (or never matches). ``where`` says where ``expected`` comes from, e.g. "the stack's
    region eu-west-1". Without ``expected``, the partition most ARNs share is taken as the intended one.
    """
    found = [(f, v, p) for f, v in arns if (p := literal_partition(v)) is not None]
    if expected is not None:
        for field, value, partition in found:
            if partition != expected:
                problems.add(
                    field,
                    value,
                    f"is in partition {partition!r}, but {where or 'the AWS provider'} is in partition {expected!r}: "
                    "IAM, STS and EKS never reach across partitions",
                )
        return
    counts: dict[str, int] = {}
    for _, _, partition in found:
        counts[partition] = counts.get(partition, 0) + 1
    if len(counts) < 2:
        return
    majority = max(counts, key=lambda p: counts[p])  # ties: the first seen
    others = [f for f, _, p in found if p == majority]
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    for field, value, partition in found:
        if partition != majority:
            problems.add(
                field,
                value,
                f"is in partition {partition!r}, but {shown} {'is' if len(others) == 1 else 'are'} in "
                f"{majority!r}: all of its ARNs must be in one partition (IAM never reaches across partitions)",
            )


# Pod Identity onto a given role -------------------------------------------------------------------


def pod_identity_refusals(
    trust: Mapping[str, Any],
    *,
    account_id: str,
    clusters: Sequence[tuple[str, str]],
    namespace: str,
    service_account: str,
    session_tags: bool = True,
) -> list[str]:
    """The clusters (``(name, arn)``) on which ``trust`` would not let EKS Pod Identity assume the role.

    Asks the core's evaluator exactly what STS is asked: the ``AssumeRole`` (and ``TagSession``) requests
    EKS makes for a pod of ``namespace/service_account`` on that cluster of ``account_id``.
    """
    refused = []
    for name, arn in clusters:
        requests = pod_identity_requests(
            account_id=account_id,
            cluster_arn=arn,
            cluster_name=name,
            namespace=namespace,
            service_account=service_account,
            session_tags=session_tags,
        )
        if not allows_all(trust, requests):
            refused.append(name)
    return refused
