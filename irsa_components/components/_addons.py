"""Built-in add-ons on a component's role: the input type, the preview-time checks, the policy resources.

The catalogue (``irsa_components.addons``) decides, at preview, how many customer managed policies
each add-on needs (``addons.layout``); this module registers exactly those, with documents built once
the role's partition, region and account are known, and attaches them and the add-on's AWS managed
policies to the role.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Optional, Required, TypedDict, cast

import pulumi
import pulumi_aws as aws

from ..addons.layout import STAND_IN_ACCOUNT, AddonLayout, layout
from ..addons.model import PolicySource
from ..core.arns import account_problem, aws_managed_policy_arn
from ..core.errors import Problem, Problems
from ..core.names import addon_managed_attachment_name, addon_policy_names
from ._keys import check_keys, declared
from ._lookups import AwsEnvironment, aws_environment, aws_provider_of


class AddonArgs(TypedDict, total=False):
    """A built-in add-on whose least-privilege permissions the role gets (docs/addons.md lists them)."""

    name: Required[str]
    """Name of the built-in add-on, e.g. 'external-dns' or 'karpenter' (docs/addons.md lists them and their scope inputs)."""
    scope: Mapping[str, Any]
    """The add-on's scope inputs (hosted zones, cluster name, buckets, ...) by snake_case or camelCase name: a string, a list of strings, or a boolean for flags. Plain values only, no Outputs: they decide the policy resources at preview."""
    policy: str
    """'custom': the built-in least-privilege documents (the default where the add-on has them); 'managed': AWS's managed policies for it."""
    namespace: str
    """Namespace the add-on runs in. Default: its chart's (the add-on's other service accounts follow it)."""
    service_account: str
    """The add-on's (primary) service account. Default: its chart's."""


_SETTINGS = tuple(sorted(declared(AddonArgs)))
_POLICIES = ("custom", "managed")


def _outputs_in(value: object, field: str) -> list[str]:
    """The fields under ``field`` that hold an Output."""
    if isinstance(value, pulumi.Output):
        return [field]
    if isinstance(value, Mapping):
        return [f for k, v in value.items() for f in _outputs_in(v, f"{field}.{k}")]
    if isinstance(value, list | tuple):
        return [f for i, v in enumerate(value) for f in _outputs_in(v, f"{field}[{i}]")]
    return []


def _renamed(problem: Problem, entry: str) -> Problem:
    """The catalogue names some fields as its resolver sees them ('addon', 'policy'); here they are under ``addons[i]``."""
    field = problem.field
    if not field.startswith(entry):
        field = f"{entry}.name" if field == "addon" else f"{entry}.{field}"
    return Problem(problem.subject, field, problem.value, problem.message)


def check_addons(problems: Problems, value: object, partition: Optional[str] = None) -> Optional[list[AddonLayout]]:
    """Validate the ``addons`` input (plain values only) and lay out each add-on's policies.

    ``partition``: the role's, when known at preview (the scope's ARNs must be in it); else the scope
    must fit some partition, and is checked again once the role's partition is known. Adds every
    problem to ``problems``; returns None when there is any.
    """
    if value is None:
        return []
    before = len(problems)
    if isinstance(value, pulumi.Output) or isinstance(value, str | Mapping) or not isinstance(value, Sequence):
        problems.add(
            "addons",
            value,
            "must be a list of add-ons ({name, scope, ...}) given as plain values: they decide the policy "
            "resources at preview",
        )
        return None
    layouts: list[AddonLayout] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(value):
        where = f"addons[{i}]"
        if isinstance(entry, pulumi.Output) or not isinstance(entry, Mapping):
            problems.add(where, entry, "must be an add-on: {name, scope, policy, namespace, service_account}")
            continue
        unknown = [k for k in entry if k not in _SETTINGS]
        check_keys(problems, entry, AddonArgs, prefix=f"{where}.", what="an add-on setting")
        outputs = _outputs_in({k: entry[k] for k in _SETTINGS if k in entry}, where)
        for field in outputs:
            problems.add(
                field,
                "<Output>",
                "is an Output; add-on settings and scope must be plain values (strings, lists of strings, "
                "booleans), because they decide the policy resources at preview",
            )
        if unknown or outputs:
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            problems.add(f"{where}.name", name, "is required: the name of a built-in add-on")
            continue
        if name in seen:
            problems.add(f"{where}.name", name, f"is listed twice (also addons[{seen[name]}])")
            continue
        seen[name] = i
        policy = entry.get("policy")
        if policy is not None and policy not in _POLICIES:
            problems.add(f"{where}.policy", policy, "must be 'custom' or 'managed'")
            continue
        planned, found = layout(
            name,
            entry.get("scope"),
            namespace=entry.get("namespace"),
            service_account=entry.get("service_account"),
            policy=cast(Optional[PolicySource], policy),
            partitions=(partition,) if partition else None,
            subject=problems.subject,
            field_prefix=f"{where}.scope.",
        )
        problems.extend(_renamed(p, where) for p in found)
        if planned is not None:
            layouts.append(planned)
    return layouts if len(problems) == before else None


def addon_service_accounts(layouts: Sequence[AddonLayout]) -> list[str]:
    """The union of the add-ons' service accounts, 'namespace/name', in order and without repeats."""
    return list(dict.fromkeys(sa for planned in layouts for sa in planned.service_accounts))


def addon_managed_policies(layouts: Sequence[AddonLayout]) -> list[tuple[AddonLayout, str]]:
    """(add-on, 'path/name') of each AWS managed policy to attach; one shared by several add-ons comes once."""
    seen: set[str] = set()
    out = []
    for planned in layouts:
        for managed in planned.managed_policies:
            if managed not in seen:
                seen.add(managed)
                out.append((planned, managed))
    return out


def addon_attachment_names(name: str, layouts: Sequence[AddonLayout]) -> list[str]:
    """Names of the RolePolicyAttachments the add-ons add (for clash checks against the user's)."""
    names = [n for planned in layouts for n in addon_policy_names(name, planned.name, planned.document_count)]
    names += [
        addon_managed_attachment_name(name, planned.name, managed)
        for planned, managed in addon_managed_policies(layouts)
    ]
    return names


def _render(
    subject: str, planned: AddonLayout, index: int, partition: str, region: str, account: str
) -> tuple[str, ...]:
    """The add-on's documents for the real partition, region and account (InputError when the scope does not fit)."""
    prefix = f"addons[{index}].scope."
    if account_problem(account) is None:
        return planned.render(
            partition=partition, region=region, account_id=account, subject=subject, field_prefix=prefix
        )
    # Offline runs show an account they do not know as a placeholder of the same length.
    docs = planned.render(
        partition=partition, region=region, account_id=STAND_IN_ACCOUNT, subject=subject, field_prefix=prefix
    )
    return tuple(doc.replace(STAND_IN_ACCOUNT, account) for doc in docs)


def _documents(env: AwsEnvironment, subject: str, planned: AddonLayout, index: int) -> pulumi.Output[tuple[str, ...]]:
    def build(values: list[str]) -> tuple[str, ...]:
        account, partition, region = values
        return _render(subject, planned, index, partition, region, account)

    return env.account_partition_region.apply(build)


def _nth(docs: pulumi.Output[tuple[str, ...]], k: int) -> pulumi.Output[str]:
    return docs.apply(lambda d: d[k])


def _managed_arn(
    env: AwsEnvironment, subject: str, planned: AddonLayout, index: int, managed: str
) -> pulumi.Output[str]:
    """An AWS managed policy's ARN in the real partition, once the add-on's scope is checked there too."""

    def build(values: list[str]) -> str:
        account, partition, region = values
        _render(subject, planned, index, partition, region, account)
        return aws_managed_policy_arn(partition, managed)

    return env.account_partition_region.apply(build)


def create_addon_policies(
    parent: pulumi.Resource,
    name: str,
    subject: str,
    role: aws.iam.Role,
    layouts: Sequence[AddonLayout],
    *,
    role_name: str,
    path: str,
    tags: Mapping[str, str],
    retain_on_delete: bool = False,
) -> tuple[list[aws.iam.Policy], list[aws.iam.RolePolicyAttachment]]:
    """Register each add-on's customer managed policies and attach them and its AWS managed policies."""
    if not layouts:
        return [], []
    child = pulumi.ResourceOptions(parent=parent, retain_on_delete=True if retain_on_delete else None)
    env = aws_environment(aws_provider_of(parent))
    policies: list[aws.iam.Policy] = []
    attachments: list[aws.iam.RolePolicyAttachment] = []
    for index, planned in enumerate(layouts):
        if not planned.groups:
            continue
        docs = _documents(env, subject, planned, index)
        resource_names = addon_policy_names(name, planned.name, planned.document_count)
        iam_names = addon_policy_names(role_name, planned.name, planned.document_count)
        for k in range(planned.document_count):
            policy = aws.iam.Policy(
                resource_names[k],
                name=iam_names[k],
                path=path,
                # Name, path and description replace the policy when they change: keep them stable.
                description=f"Least-privilege permissions of add-on {planned.name} (irsa-components)",
                policy=_nth(docs, k),
                tags=dict(tags) or None,
                opts=child,
            )
            policies.append(policy)
            attachments.append(
                aws.iam.RolePolicyAttachment(resource_names[k], role=role.name, policy_arn=policy.arn, opts=child)
            )
    for planned, managed in addon_managed_policies(layouts):
        arn = _managed_arn(env, subject, planned, list(layouts).index(planned), managed)
        attachments.append(
            aws.iam.RolePolicyAttachment(
                addon_managed_attachment_name(name, planned.name, managed), role=role.name, policy_arn=arn, opts=child
            )
        )
    return policies, attachments


__all__ = [
    "AddonArgs",
    "addon_attachment_names",
    "addon_managed_policies",
    "addon_service_accounts",
    "check_addons",
    "create_addon_policies",
]
