"""The IAM role, its policy attachments and inline policy: shared by IrsaRole and PodIdentityAssociation."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from ..addons.layout import AddonLayout
from ..core import documents
from ..core.arns import parse_arn
from ..core.errors import InputError, Problems
from ..core.limits import Quotas
from ..core.names import attachment_names
from ..core.validate import check_role
from ._addons import addon_attachment_names, addon_managed_policies, create_addon_policies
from ._inputs import is_known, plain_list, with_placeholders
from ._partition import Partitions

# The role inputs IrsaRole and PodIdentityAssociation both declare (flat, each with its docstring,
# because the schema analyzer reads docstrings only from the class that declares a field).
ROLE_FIELDS = (
    "role_name",
    "path",
    "description",
    "max_session_duration",
    "permissions_boundary",
    "managed_policy_arns",
    "policy_statements",
    "tags",
    "max_managed_policies",
    "addons",
    "retain_on_delete",
)


@dataclass
class RoleSettings:
    """Validated role settings; Outputs are kept as they are and checked once known."""

    role_name: str
    path: str
    description: Optional[str]
    max_session_duration: Optional[int]
    permissions_boundary: Optional[pulumi.Input[str]]
    managed_policy_arns: list[pulumi.Input[str]]
    policy_statements: list[Any]
    tags: dict[str, str]
    quotas: Quotas
    extra_tags: dict[str, str] = field(default_factory=dict)
    addons: list[AddonLayout] = field(default_factory=list)
    """The built-in add-ons whose policies the role gets (laid out at preview)."""
    retain_on_delete: bool = False
    """Register the role, its policies and attachments with retainOnDelete (children do not inherit the option)."""


def check_role_settings(
    problems: Problems,
    args: Mapping[str, Any],
    default_name: str,
    quotas: Quotas,
    addons: Sequence[AddonLayout] = (),
) -> Optional[RoleSettings]:
    """Validate the role inputs of ``args`` (plain values now, Outputs later); None when invalid.

    ``addons`` are the add-ons already checked (``_addons.check_addons``): their attachments count
    towards the managed-policy quota and must not repeat the user's.
    """
    arns = plain_list(args.get("managed_policy_arns"))
    if arns is None:
        problems.add("managed_policy_arns", args.get("managed_policy_arns"), "must be a list of ARNs")
        arns = []
    statements = plain_list(args.get("policy_statements"))
    if statements is None:
        problems.add("policy_statements", args.get("policy_statements"), "must be a list of statements")
        statements = []
    role_name = args.get("role_name", default_name)
    path = args.get("path", "/")
    tags = args.get("tags") or {}
    retain = args.get("retain_on_delete", False)
    before = len(problems)
    if not isinstance(retain, bool):
        problems.add("retain_on_delete", retain, "must be true or false")
    check_role(
        problems,
        role_name=role_name,
        path=path,
        description=args.get("description"),
        max_session_duration=args.get("max_session_duration"),
        permissions_boundary=args.get("permissions_boundary"),
        managed_policy_arns=arns,
        policy_statements=with_placeholders(statements) if statements else None,
        tags=tags,
        quotas=quotas,
    )
    if addons:
        _check_addon_attachments(problems, arns, addons, quotas)
    if len(problems) > before:
        return None
    return RoleSettings(
        role_name=role_name,
        path=path,
        description=args.get("description"),
        max_session_duration=args.get("max_session_duration"),
        permissions_boundary=args.get("permissions_boundary"),
        managed_policy_arns=arns,
        policy_statements=statements,
        tags=dict(tags),
        quotas=quotas,
        addons=list(addons),
        retain_on_delete=retain is True,
    )


def add_role_arns(partitions: Partitions, args: Mapping[str, Any], *, statements: str = "policy_statements") -> None:
    """The role inputs that are ARNs: permissions boundary, managed policies, the statements' resources."""
    partitions.add("permissions_boundary", args.get("permissions_boundary"))
    managed = plain_list(args.get("managed_policy_arns"))
    partitions.add_all("managed_policy_arns", managed)
    partitions.add_statements(statements, args.get(statements))


def checked_role_arns(partitions: Partitions, settings: RoleSettings) -> None:
    """The role's ARN inputs that are Outputs, checked against the role's partition once known."""
    if settings.permissions_boundary is not None:
        settings.permissions_boundary = partitions.checked("permissions_boundary", settings.permissions_boundary)
    settings.managed_policy_arns = [
        partitions.checked(f"managed_policy_arns[{i}]", arn) for i, arn in enumerate(settings.managed_policy_arns)
    ]


def _check_addon_attachments(
    problems: Problems, arns: list[Any], addons: Sequence[AddonLayout], quotas: Quotas
) -> None:
    """The add-ons' attachments fit the quota next to the user's, and repeat none of them."""
    managed = addon_managed_policies(addons)
    count = len(arns) + sum(a.document_count for a in addons) + len(managed)
    if count > quotas.managed_policies_per_role:
        parts = ", ".join(f"{a.name}: {a.document_count + len(a.managed_policies)}" for a in addons)
        problems.add(
            "addons",
            count,
            f"{count} managed policies would be attached ({len(arns)} from managed_policy_arns; add-ons {parts}), "
            f"over the per-role quota of {quotas.managed_policies_per_role} (raise the quota and set "
            "max_managed_policies, or split the add-ons over several roles)",
        )
    by_name = {m: a.name for a, m in managed}
    for i, arn in enumerate(arns):
        path_name = _aws_managed_path_name(arn)
        if path_name is not None and path_name in by_name:
            problems.add(
                f"managed_policy_arns[{i}]",
                arn,
                f"is attached by add-on {by_name[path_name]!r} already; remove it here",
            )
    ours = addon_attachment_names("x", addons)
    theirs = _attachment_names("x", arns)
    for clash in sorted(set(ours) & set(theirs)):
        problems.add(
            "managed_policy_arns",
            clash.removeprefix("x-"),
            "names a policy like an add-on's policy attachment; the attachments would share a resource name",
        )


def _aws_managed_path_name(arn: object) -> Optional[str]:
    """'service-role/Foo' for ``arn:<partition>:iam::aws:policy/service-role/Foo``; None for other values."""
    if not isinstance(arn, str):
        return None
    try:
        parsed = parse_arn(arn)
    except ValueError:
        return None
    if parsed.service != "iam" or parsed.account != "aws" or not parsed.resource.startswith("policy/"):
        return None
    return parsed.resource.removeprefix("policy/")


def _attachment_names(name: str, arns: Sequence[pulumi.Input[str]]) -> list[str]:
    """Stable child names: the policy name when the ARN is known (hash-suffixed on clashes), else the index."""
    return attachment_names(name, [a if isinstance(a, str) else None for a in arns])


def _inline_json(subject: str, statements: list[Any], quota: int) -> pulumi.Output[str]:
    def render(resolved: list[Any]) -> str:
        doc = documents.document(resolved)
        chars = documents.size(doc)
        if chars > quota:
            problems = Problems(subject)
            problems.add(
                "policy_statements",
                f"{chars} characters",
                f"the inline policy exceeds IAM's {quota}-character limit",
            )
            raise InputError(problems)
        return documents.to_json(doc)

    return pulumi.Output.from_input(statements).apply(render)


def child_options(parent: pulumi.Resource, retain_on_delete: bool, **more: Any) -> pulumi.ResourceOptions:
    """Options of an IAM child of ``parent``.

    A component's own retainOnDelete option does not reach its children (pulumi 3.x Python SDK and
    engine), so components that offer retain_on_delete set it on each IAM resource they register.
    None when false keeps registrations exactly as without the input.
    """
    return pulumi.ResourceOptions(parent=parent, retain_on_delete=True if retain_on_delete else None, **more)


@dataclass
class RoleResources:
    role: aws.iam.Role
    attachments: list[aws.iam.RolePolicyAttachment]
    inline_policy: Optional[aws.iam.RolePolicy]
    addon_policies: list[aws.iam.Policy] = field(default_factory=list)
    addon_attachments: list[aws.iam.RolePolicyAttachment] = field(default_factory=list)


def create_role(
    parent: pulumi.Resource,
    name: str,
    subject: str,
    settings: RoleSettings,
    trust_policy: pulumi.Input[str],
) -> RoleResources:
    """Register the role and its permissions as children of ``parent`` (retained on delete when settings say so)."""
    child = child_options(parent, settings.retain_on_delete)
    tags = {**settings.tags, **settings.extra_tags}
    role = aws.iam.Role(
        name,
        name=settings.role_name,
        path=settings.path,
        description=settings.description,
        assume_role_policy=trust_policy,
        max_session_duration=settings.max_session_duration,
        permissions_boundary=settings.permissions_boundary,
        force_detach_policies=True,
        tags=tags or None,
        opts=child,
    )
    attachments = []
    names = _attachment_names(name, settings.managed_policy_arns)
    # Loops, not comprehensions, where resources are registered: the SDK records the caller's stack with
    # every registration, and a comprehension is one frame more in it (Python 3.11).
    for child_name, arn in zip(names, settings.managed_policy_arns, strict=True):
        attachments.append(aws.iam.RolePolicyAttachment(child_name, role=role.name, policy_arn=arn, opts=child))
    inline = None
    if settings.policy_statements:
        statements = settings.policy_statements
        policy: pulumi.Input[str]
        if is_known(statements):
            policy = documents.to_json(documents.document(statements))
        else:
            policy = _inline_json(subject, statements, settings.quotas.inline_policy_chars)
        inline = aws.iam.RolePolicy(f"{name}-inline", role=role.name, name="inline", policy=policy, opts=child)
    addon_policies, addon_attachments = create_addon_policies(
        parent,
        name,
        subject,
        role,
        settings.addons,
        role_name=settings.role_name,
        path=settings.path,
        tags=tags,
        retain_on_delete=settings.retain_on_delete,
    )
    return RoleResources(role, attachments, inline, addon_policies, addon_attachments)
