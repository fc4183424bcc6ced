"""The guardrails as pulumi-policy policies: thin shells over ``rules`` and ``stack``.

Each policy reads its config (defaults below, overridable per policy in the pack's config), turns the
engine's property proxies into plain data (unknowns stay sentinels, so nothing raises while reading),
runs the plain rule function and reports each finding. What a rule could not decide is reported too:
after the violations, as the engine's advisory "can't run policy during preview" diagnostic (raising
``Undecided``), naming each question, so an undecided answer is never a silent pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy

from ..core.permissions import ADMIN_MANAGED_POLICIES
from ..core.trust import DEFAULT_AUDIENCE
from . import rules, stack
from .resources import ROLE_TYPES
from .rules import Finding, Findings
from .values import UNKNOWN_STRING, unwrap_secrets

PACK_NAME = "irsa-guardrails"


def plain(value: Any) -> Any:
    """The engine's (unknown-checking) proxies as plain dicts and lists; unknowns stay sentinel strings."""
    if isinstance(value, _DictProxy):
        target = value["__target"]
        return {k: plain(target[k]) for k in target}
    if isinstance(value, _ListProxy):
        target = value["__target"]
        return [plain(v) for v in target]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _props(value: Any) -> dict[str, Any]:
    props = unwrap_secrets(plain(value)) if value is not None else {}
    return props if isinstance(props, dict) else {}


# Config -------------------------------------------------------------------------------------------

EXEMPT = {
    "exempt": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": (
            "Resources this policy skips: Pulumi resource names, URNs, IAM role names or, for service accounts,"
            " namespace/name. For reviewed exceptions only."
        ),
    }
}


def _string_list_schema(default: Sequence[str], description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "default": list(default), "description": description}


def _schema(properties: dict[str, dict[str, Any]]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={**properties, **EXEMPT})


def settings(schema: PolicyConfigSchema, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The policy's config: the schema's defaults overridden by what the pack's config gives."""
    values = {k: v.get("default") for k, v in schema.properties.items()}
    values.update({k: plain(v) for k, v in (given or {}).items() if k in schema.properties})
    return values


class Undecided(UnknownValueError):
    """What a rule could not decide: the engine reports it as an advisory diagnostic of the policy."""

    def __init__(self, questions: Sequence[str]) -> None:
        super().__init__(UNKNOWN_STRING, [])
        self.message = "cannot decide: " + "; ".join(dict.fromkeys(questions))


def _report(found: Findings, urn: str | None, exempt: Sequence[str], report: ReportViolation, stack: bool) -> None:
    for finding in found.violations:
        if not _exempted(finding, urn, exempt):
            report(finding.message, finding.urn if stack else None)
    if found.undecided:
        raise Undecided(found.undecided)


def _exempted(finding: Finding, urn: str | None, exempt: Sequence[str]) -> bool:
    names = {n for n in (*finding.subjects, finding.urn, urn) if n}
    return bool(names & set(exempt))


def _resource_policy(
    name: str,
    description: str,
    level: EnforcementLevel,
    severity: Severity,
    schema: PolicyConfigSchema,
    check: Callable[[str, str, Mapping[str, Any], dict[str, Any]], Findings],
    remediation: str,
) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in ROLE_TYPES:
            return
        config = settings(schema, args.get_config())
        exempt = config.get("exempt") or []
        found = check(args.resource_type, args.name, _props(args.props), config)
        if set(exempt) & {args.name, args.urn}:
            found.undecided.clear()
        _report(found, args.urn, exempt, report_violation, stack=False)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=level,
        severity=severity,
        config_schema=schema,
        remediation_steps=remediation,
    )


_last_stack: tuple[Sequence[PolicyResource], int, list[stack.StackResource]] | None = None


def stack_resources(resources: Sequence[PolicyResource]) -> list[stack.StackResource]:
    """The engine's view of the stack as plain ``StackResource`` records.

    Converted once for the stack policies that get the very same resources in a row (the offline runner
    hands them one list; the engine, a new one per policy)."""
    global _last_stack
    if _last_stack is not None and _last_stack[0] is resources and _last_stack[1] == len(resources):
        return _last_stack[2]
    converted = _stack_resources(resources)
    _last_stack = (resources, len(resources), converted)  # the list itself kept: its identity stays its own
    return converted


def _stack_resources(resources: Sequence[PolicyResource]) -> list[stack.StackResource]:
    return [
        stack.StackResource(
            type=r.resource_type,
            urn=r.urn,
            name=r.name,
            props=_props(r.props),
            provider_props=_props(r.provider.props) if r.provider is not None else {},
            property_dependencies={k: tuple(d.urn for d in v) for k, v in (r.property_dependencies or {}).items()},
        )
        for r in resources
    ]


def _stack_policy(
    name: str,
    description: str,
    level: EnforcementLevel,
    severity: Severity,
    schema: PolicyConfigSchema,
    check: Callable[[list[stack.StackResource], dict[str, Any]], Findings],
    remediation: str,
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = settings(schema, args.get_config())
        _report(
            check(stack_resources(args.resources), config), None, config.get("exempt") or [], report_violation, True
        )

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=level,
        severity=severity,
        config_schema=schema,
        remediation_steps=remediation,
    )


def _int(value: Any, default: int) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


# The policies ----------------------------------------------------------------------------------------

WEB_IDENTITY_SCHEMA = _schema(
    {
        "allowedAudiences": _string_list_schema(
            [DEFAULT_AUDIENCE],
            "Token audiences (aud) a web-identity trust may accept; add the value of any"
            " eks.amazonaws.com/audience annotation you use.",
        )
    }
)
NAMESPACE_WILDCARD_SCHEMA = _schema(
    {
        "allowedNamespaces": _string_list_schema(
            [], "Namespaces where a trust may admit every service account (system:serviceaccount:<ns>:*)."
        )
    }
)
POD_IDENTITY_SCHEMA = _schema(
    {
        "allowedSourceAccounts": _string_list_schema(
            [], "When not empty, aws:SourceAccount of a Pod Identity trust must be one of these account IDs."
        )
    }
)
POD_PINNING_SCHEMA = _schema(
    {
        "requireCluster": {
            "type": "boolean",
            "default": True,
            "description": "Also require the cluster to be pinned (aws:RequestTag/eks-cluster-arn or -name).",
        }
    }
)
ADMIN_SCHEMA_PROPERTIES = {
    "additionalForbiddenManagedPolicies": _string_list_schema(
        [],
        "Names of further AWS managed policies a workload role must not hold (always forbidden: "
        + ", ".join(ADMIN_MANAGED_POLICIES)
        + ").",
    ),
    "additionalForbiddenActions": _string_list_schema(
        [],
        "Further actions (e.g. iam:PassRole, ec2:*) a workload role's policies must not allow (always forbidden:"
        " actions of services they never name, as '*' and NotAction grant, and IAM actions beyond reading).",
    ),
}
ADMIN_SCHEMA = _schema(dict(ADMIN_SCHEMA_PROPERTIES))
ADMIN_ATTACHED_SCHEMA = _schema(dict(ADMIN_SCHEMA_PROPERTIES))
MAX_SESSION_SCHEMA = _schema(
    {
        "maxSeconds": {
            "type": "integer",
            "minimum": 3600,
            "maximum": 43200,
            "default": rules.DEFAULT_MAX_SESSION_SECONDS,
            "description": "Ceiling for maxSessionDuration of workload roles, in seconds.",
        }
    }
)
SERVICE_ACCOUNT_SCHEMA = _schema(
    {
        "defaultAudience": {
            "type": "string",
            "default": DEFAULT_AUDIENCE,
            "description": "Token audience when a ServiceAccount has no eks.amazonaws.com/audience annotation"
            " (the pod identity webhook's --token-audience).",
        }
    }
)
ASSOCIATION_SCHEMA = _schema({})
OIDC_PROVIDER_SCHEMA = _schema(
    {"requiredClientIds": _string_list_schema([DEFAULT_AUDIENCE], "Client IDs every IRSA OIDC provider must list.")}
)

web_identity_trust = _resource_policy(
    "irsa-web-identity-trust",
    "Web-identity (IRSA) trust must admit only the service accounts, providers and audiences it names, and no"
    " other principal.",
    EnforcementLevel.MANDATORY,
    Severity.HIGH,
    WEB_IDENTITY_SCHEMA,
    lambda t, n, p, c: rules.web_identity_trust_findings(t, n, p, allowed_audiences=c["allowedAudiences"] or []),
    "Build the trust with irsa_components.IrsaRole, or pin Condition.StringEquals on <issuer>:sub"
    " (system:serviceaccount:<namespace>:<name>) and <issuer>:aud (sts.amazonaws.com) under a Federated"
    " oidc-provider/ principal.",
)
namespace_wildcard = _resource_policy(
    "irsa-web-identity-namespace-wildcard",
    "Web-identity trust should name service accounts, not every service account of a namespace.",
    EnforcementLevel.ADVISORY,
    Severity.LOW,
    NAMESPACE_WILDCARD_SCHEMA,
    lambda t, n, p, c: rules.namespace_wildcard_findings(t, n, p, allowed_namespaces=c["allowedNamespaces"] or []),
    "Replace system:serviceaccount:<namespace>:* with the service accounts that need the role.",
)
pod_identity_trust = _resource_policy(
    "irsa-pod-identity-trust",
    "EKS Pod Identity trust must allow sts:TagSession, admit only the accounts it names (aws:SourceAccount), and no"
    " other principal.",
    EnforcementLevel.MANDATORY,
    Severity.HIGH,
    POD_IDENTITY_SCHEMA,
    lambda t, n, p, c: rules.pod_identity_trust_findings(
        t, n, p, allowed_source_accounts=c["allowedSourceAccounts"] or []
    ),
    'Use "Action": ["sts:AssumeRole", "sts:TagSession"] and Condition.StringEquals aws:SourceAccount.',
)
pod_identity_pinning = _resource_policy(
    "irsa-pod-identity-pinning",
    "EKS Pod Identity trust should be pinned to a cluster, a namespace and a service account.",
    EnforcementLevel.ADVISORY,
    Severity.LOW,
    POD_PINNING_SCHEMA,
    lambda t, n, p, c: rules.pod_identity_pinning_findings(t, n, p, require_cluster=bool(c["requireCluster"])),
    "Pin aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace and"
    " aws:RequestTag/kubernetes-service-account with StringEquals.",
)
workload_admin = _resource_policy(
    "irsa-workload-role-not-admin",
    "A role that Kubernetes workloads can assume must not hold administrator permissions.",
    EnforcementLevel.MANDATORY,
    Severity.CRITICAL,
    ADMIN_SCHEMA,
    lambda t, n, p, c: rules.workload_admin_findings(
        t,
        n,
        p,
        extra_managed_policies=c["additionalForbiddenManagedPolicies"] or [],
        extra_actions=c["additionalForbiddenActions"] or [],
    ),
    "Grant only the actions and resources the workload needs.",
)
max_session = _resource_policy(
    "irsa-workload-role-max-session",
    "A role that Kubernetes workloads can assume should keep sessions short.",
    EnforcementLevel.ADVISORY,
    Severity.LOW,
    MAX_SESSION_SCHEMA,
    lambda t, n, p, c: rules.max_session_findings(
        t, n, p, max_seconds=_int(c["maxSeconds"], rules.DEFAULT_MAX_SESSION_SECONDS)
    ),
    "Lower maxSessionDuration.",
)
attached_admin = _stack_policy(
    "irsa-workload-role-not-admin-attached",
    "Policies attached to a role that Kubernetes workloads can assume must not grant administrator permissions.",
    EnforcementLevel.MANDATORY,
    Severity.CRITICAL,
    ADMIN_ATTACHED_SCHEMA,
    lambda rs, c: stack.attached_admin_findings(
        rs,
        extra_managed_policies=c["additionalForbiddenManagedPolicies"] or [],
        extra_actions=c["additionalForbiddenActions"] or [],
    ),
    "Remove the attachment or narrow the policy to what the workload needs.",
)
service_account_trusted = _stack_policy(
    "irsa-service-account-trusted",
    "A ServiceAccount annotated with a role of the stack must be admitted by that role's trust.",
    EnforcementLevel.MANDATORY,
    Severity.MEDIUM,
    SERVICE_ACCOUNT_SCHEMA,
    lambda rs, c: stack.service_account_findings(rs, default_audience=str(c["defaultAudience"] or DEFAULT_AUDIENCE)),
    "Add the service account (and its audience) to the role's trust, or fix the annotation.",
)
association_trusted = _stack_policy(
    "irsa-pod-identity-association-trusted",
    "An EKS Pod Identity association's role must trust pods.eks.amazonaws.com for its namespace and service account.",
    EnforcementLevel.MANDATORY,
    Severity.MEDIUM,
    ASSOCIATION_SCHEMA,
    lambda rs, c: stack.pod_identity_association_findings(rs),
    "Pin the role's Pod Identity statement to the association's cluster, namespace and service account.",
)
oidc_provider_client_ids = _stack_policy(
    "irsa-oidc-provider-client-ids",
    "An IRSA OIDC provider must list sts.amazonaws.com (and every audience its roles accept) as client IDs.",
    EnforcementLevel.MANDATORY,
    Severity.MEDIUM,
    OIDC_PROVIDER_SCHEMA,
    lambda rs, c: stack.oidc_provider_findings(rs, required_client_ids=c["requiredClientIds"] or []),
    "Add the missing client IDs to the provider's clientIdLists.",
)

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    web_identity_trust,
    namespace_wildcard,
    pod_identity_trust,
    pod_identity_pinning,
    workload_admin,
    max_session,
    attached_admin,
    service_account_trusted,
    association_trusted,
    oidc_provider_client_ids,
]
