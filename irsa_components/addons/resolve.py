"""Resolving an add-on and its scope into what a role needs: managed policy ARNs, documents, service accounts."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import documents
from ..core.arns import PARTITIONS, account_problem, partition_for_region, region_problem
from ..core.errors import InputError, Problem, Problems, did_you_mean
from ..core.kubernetes import namespace_problem, service_account_name_problem
from ..core.limits import Quotas
from .catalogue import CATALOGUE
from .model import DNS_SUFFIXES, Addon, ChartSetting, PolicySource, Scope, ScopeInput, ScopeValue, Statement, snake

MANAGED_POLICY_CHARS = Quotas().managed_policy_chars


@dataclass(frozen=True)
class ResolvedAddon:
    """Everything a component needs to give one workload an add-on's permissions."""

    name: str
    namespace: str
    service_account: str
    extra_service_accounts: tuple[str, ...]
    """Other service accounts of the add-on (same namespace) the role should trust too."""
    policy_source: PolicySource
    managed_policy_arns: tuple[str, ...]
    """AWS managed policies to attach (policy_source 'managed')."""
    statements: tuple[Statement, ...]
    """The custom least-privilege statements (policy_source 'custom'); empty otherwise."""
    documents: tuple[documents.Document, ...]
    """``statements`` packed into policy documents that each fit the managed policy size limit."""
    chart_values: tuple[tuple[str, ChartSetting, str], ...] = ()
    """(Helm value, value, why) the controller's chart needs for this scope (``Addon.chart_values``)."""

    @property
    def service_accounts(self) -> tuple[str, ...]:
        """Every service account to trust, as 'namespace/name' (the primary first)."""
        return tuple(f"{self.namespace}/{sa}" for sa in (self.service_account, *self.extra_service_accounts))

    @property
    def policy_count(self) -> int:
        """Managed policy attachments the role needs (AWS managed plus one customer managed per document)."""
        return len(self.managed_policy_arns) + len(self.documents)

    def policy_json(self) -> tuple[str, ...]:
        """Each document as the compact JSON IAM receives."""
        return tuple(documents.to_json(doc) for doc in self.documents)


def addon_names() -> tuple[str, ...]:
    return tuple(CATALOGUE)


def get(name: str) -> Addon:
    """The built-in add-on ``name``; KeyError naming close matches when there is none."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(_unknown_addon_message(name)) from None


def _unknown_addon_message(name: object) -> str:
    hint = did_you_mean(str(name), CATALOGUE, n=3)
    return f"is not a built-in add-on{hint}; built-in: {', '.join(CATALOGUE)}"


@dataclass(frozen=True)
class _Prepared:
    addon: Addon
    scope: Scope
    namespace: str | None
    service_account: str | None
    policy: PolicySource
    managed: tuple[str, ...]


def check(
    name: str,
    scope: Mapping[str, ScopeValue] | None = None,
    *,
    partition: str,
    region: str | None = None,
    account_id: str | None = None,
    namespace: str | None = None,
    service_account: str | None = None,
    policy: PolicySource | None = None,
    max_policy_chars: int = MANAGED_POLICY_CHARS,
    subject: str | None = None,
    field_prefix: str = "",
) -> list[Problem]:
    """Every problem with resolving ``name`` for ``scope`` (empty when :func:`resolve` would succeed)."""
    problems = Problems(subject or f"add-on {name!r}")
    prepared = _prepare(
        problems, name, scope, partition, region, account_id, namespace, service_account, policy, field_prefix
    )
    if prepared is not None and not problems:
        _build(problems, prepared, max_policy_chars, field_prefix)
    return list(problems)


def resolve(
    name: str,
    scope: Mapping[str, ScopeValue] | None = None,
    *,
    partition: str,
    region: str | None = None,
    account_id: str | None = None,
    namespace: str | None = None,
    service_account: str | None = None,
    policy: PolicySource | None = None,
    max_policy_chars: int = MANAGED_POLICY_CHARS,
    subject: str | None = None,
    field_prefix: str = "",
) -> ResolvedAddon:
    """Resolve built-in add-on ``name`` with its scope inputs into policies and service accounts.

    ``scope`` maps input names (snake_case or the stack config's camelCase) to a string, a list of
    strings, or a boolean for flags. ``region`` and ``account_id`` narrow ARNs to the role's region
    and account (``*`` otherwise; some add-ons require them). ``policy`` picks the custom
    least-privilege documents (the default where there is a builder) or AWS's managed policies.
    Raises :class:`InputError` listing every problem at once.
    """
    problems = Problems(subject or f"add-on {name!r}")
    prepared = _prepare(
        problems, name, scope, partition, region, account_id, namespace, service_account, policy, field_prefix
    )
    if prepared is None or problems:
        raise InputError(problems)
    resolved = _build(problems, prepared, max_policy_chars, field_prefix)
    if resolved is None or problems:
        raise InputError(problems)
    return resolved


def _prepare(
    problems: Problems,
    name: str,
    raw_scope: Mapping[str, ScopeValue] | None,
    partition: str,
    region: str | None,
    account_id: str | None,
    namespace: str | None,
    service_account: str | None,
    policy: PolicySource | None,
    prefix: str,
) -> _Prepared | None:
    addon = CATALOGUE.get(name) if isinstance(name, str) else None
    if addon is None:
        problems.add("addon", name, _unknown_addon_message(name))
        return None
    label = f"add-on {addon.name!r}"
    if partition not in PARTITIONS or partition not in DNS_SUFFIXES:
        problems.add("partition", partition, f"is not an AWS partition (expected one of {', '.join(PARTITIONS)})")
    if region is not None:
        problem = region_problem(region)
        problems.check("region", region, problem)
        if problem is None and partition_for_region(region) != partition:
            problems.add("region", region, f"is in partition {partition_for_region(region)!r}, not {partition!r}")
    elif addon.needs_region:
        problems.add("region", None, f"{label} needs the role's region (its policy names it)")
    if account_id is not None:
        problems.check("account_id", account_id, account_problem(account_id))
    elif addon.needs_account:
        problems.add("account_id", None, f"{label} needs the role's account ID (its policy names it)")

    # Scope inputs shape the custom policy: AWS's managed policies need none, so none is required then.
    needs_inputs = (policy or addon.default_policy) == "custom"
    given = _scope_by_input(problems, addon, raw_scope, prefix)
    values: dict[str, tuple[str, ...]] = {}
    flags: dict[str, bool] = {}
    for item in addon.inputs:
        field = f"{prefix}{item.name}"
        value: object = given[item.name] if item.name in given else item.default
        if item.kind.flag:
            if value is None:
                value = False
            if not isinstance(value, bool):
                problems.add(field, value, f"{label}: must be true or false ({item.description})")
                continue
            flags[item.name] = value
            continue
        if value in (None, "", [], ()) and item.default is not None:
            value = item.default
        normalised = _normalise_list(problems, label, field, item, value, partition)
        if not item.multiple and len(normalised) > 1:
            problems.add(field, value, f"{label}: takes one value ({item.description})")
            normalised = normalised[:1]
        if needs_inputs and item.required and not normalised and not _has_problem_for(problems, field):
            problems.add(
                field,
                value,
                f"{label} requires {item.name} ({item.config_key} in stack config): {item.description}; "
                f"{item.kind.description}",
            )
        values[item.name] = normalised
    for group in addon.require_any if needs_inputs else ():
        if not any(values.get(n) or flags.get(n) for n in group):
            names = ", ".join(group)
            problems.add(
                f"{prefix}{'|'.join(group)}", None, f"{label} requires at least one of {names}: nothing to grant"
            )

    namespace = _kubernetes_name(problems, label, "namespace", namespace, addon.namespace, namespace_problem)
    service_account = _kubernetes_name(
        problems, label, "service_account", service_account, addon.service_account, service_account_name_problem
    )
    scope = Scope(addon.name, partition, region, account_id, values, flags)
    chosen, managed = _choose_policy(problems, label, addon, policy, scope)
    return _Prepared(addon, scope, namespace, service_account, chosen, managed)


def _scope_by_input(
    problems: Problems, addon: Addon, raw: Mapping[str, ScopeValue] | None, prefix: str
) -> dict[str, object]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(prefix.rstrip(".") or "scope", raw, "must be a mapping of scope input names to values")
        return {}
    given: dict[str, object] = {}
    names = addon.input_names
    for key, value in raw.items():
        name = snake(key) if isinstance(key, str) else key
        if name not in names:
            close = difflib.get_close_matches(str(name), names, n=2)
            hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
            accepted = ", ".join(names) or "none"
            problems.add(
                f"{prefix}{key}", value, f"is not an input of add-on {addon.name!r} ({hint}inputs: {accepted})"
            )
            continue
        if name in given:
            problems.add(f"{prefix}{key}", value, "is given twice (snake_case and camelCase spellings)")
            continue
        given[name] = value
    return given


def _normalise_list(
    problems: Problems, label: str, field: str, item: ScopeInput, value: object, partition: str
) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = [value]
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        items = list(value)
    else:
        problems.add(field, value, f"{label}: must be a string or a list of strings ({item.kind.description})")
        return ()
    out: list[str] = []
    for i, entry in enumerate(items):
        where = field if isinstance(value, str) else f"{field}[{i}]"
        if not isinstance(entry, str) or not entry:
            problems.add(where, entry, f"{label}: must be a non-empty string ({item.kind.description})")
            continue
        normalised, problem = item.kind.normalise(entry, partition)
        if problem or normalised is None:
            problems.add(where, entry, f"{label}: {problem} ({item.kind.description})")
            continue
        if normalised in out:
            problems.add(where, entry, f"{label}: is listed twice")
            continue
        out.append(normalised)
    return tuple(out)


def _has_problem_for(problems: Problems, field: str) -> bool:
    return any(p.field == field or p.field.startswith(field + "[") for p in problems)


def _kubernetes_name(
    problems: Problems,
    label: str,
    field: str,
    given: str | None,
    default: str | None,
    validator: Any,
) -> str | None:
    if given is None:
        if default is None:
            problems.add(field, None, f"{label} runs as the workload's own service account: give its {field}")
        return default
    problems.check(field, given, validator(given))
    return given


def _choose_policy(
    problems: Problems, label: str, addon: Addon, policy: PolicySource | None, scope: Scope
) -> tuple[PolicySource, tuple[str, ...]]:
    chosen: PolicySource = policy or addon.default_policy
    if chosen not in ("custom", "managed"):
        problems.add("policy", policy, "must be 'custom' or 'managed'")
        return addon.default_policy, ()
    if chosen == "custom":
        if addon.build is None:
            problems.add("policy", policy, f"{label} has no built-in custom policy; use its AWS managed policies")
        return chosen, ()
    if not addon.managed_policies:
        problems.add("policy", policy, f"AWS publishes no managed policy for {label}; use the custom policy")
        return chosen, ()
    if addon.select_managed is None:
        return chosen, addon.managed_policies
    try:
        return chosen, addon.select_managed(scope)
    except ValueError as exc:
        problems.add("policy", policy, f"{label}: {exc}")
        return chosen, ()


def _build(problems: Problems, prepared: _Prepared, max_chars: int, prefix: str) -> ResolvedAddon | None:
    addon, scope = prepared.addon, prepared.scope
    statements: list[Statement] = []
    docs: list[documents.Document] = []
    if prepared.policy == "custom" and addon.build is not None:
        statements = addon.build(scope)
        for statement in statements:
            found = documents.statement_problems(statement)
            if found:  # a definition bug, not a user mistake
                raise RuntimeError(f"add-on {addon.name!r} built an invalid statement {statement!r}: {found}")
        try:
            docs = [documents.document(chunk) for chunk in documents.split_statements(statements, max_chars)]
        except ValueError as exc:
            problems.add(f"{prefix}max_policy_chars", max_chars, f"add-on {addon.name!r}: {exc}")
            return None
    if prepared.namespace is None or prepared.service_account is None:
        return None
    return ResolvedAddon(
        name=addon.name,
        namespace=prepared.namespace,
        service_account=prepared.service_account,
        extra_service_accounts=addon.extra_service_accounts,
        policy_source=prepared.policy,
        managed_policy_arns=addon.managed_policy_arns(scope.partition, prepared.managed) if prepared.managed else (),
        statements=tuple(statements),
        documents=tuple(docs),
        chart_values=_chart_values(prepared),
    )


def _chart_values(prepared: _Prepared) -> tuple[tuple[str, ChartSetting, str], ...]:
    addon, scope = prepared.addon, prepared.scope
    out: list[tuple[str, ChartSetting, str]] = []
    if addon.service_account_value and prepared.service_account:
        out.append((addon.service_account_value, prepared.service_account, SERVICE_ACCOUNT_REASON))
    # The chart must match the custom policy's scope; AWS's managed policies are not scoped.
    for item in addon.chart_values if prepared.policy == "custom" else ():
        value = item.value(scope)
        if value is not None:
            out.append((item.key, value, item.reason))
    return tuple(out)


SERVICE_ACCOUNT_REASON = (
    "the role trusts exactly this service account: the chart must create it under this name (its default may "
    "follow the release name)"
)
