"""Resource-level guardrails as plain functions: (type, name, props, settings) -> findings.

Every judgement of a trust policy comes from ``core.analysis`` (who a statement admits and how weakly)
and every admin check from ``core.permissions``; this module decides which weaknesses are violations,
skips what is not known yet, and words the message: the resource, the rule and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.analysis import Weakness, WebIdentityGrant
from ..core.documents import as_list
from ..core.permissions import ADMIN_MANAGED_POLICIES, admin_actions, admin_managed_policies
from ..core.trust import DEFAULT_AUDIENCE
from .resources import RoleView, TrustView, read_trust, role_view
from .values import known_number, read_document, string_list

DEFAULT_MAX_SESSION_SECONDS = 3600
AWS_DEFAULT_MAX_SESSION_SECONDS = 3600

# A StringLike subject whose namespace is literal stays inside that namespace whatever the name
# pattern is: the API server never puts ':' in a namespace or service-account name.
_NAMESPACE_SCOPED = re.compile(r"^system:serviceaccount:(?P<ns>[a-z0-9]([-a-z0-9]*[a-z0-9])?):")


@dataclass(frozen=True)
class Finding:
    """One violation: a stable code, the message shown to the user, and what it is about."""

    code: str
    message: str
    urn: str | None = None
    """The resource to attach the violation to (stack rules); None for the resource being validated."""
    subjects: tuple[str, ...] = ()
    """Names that identify the resources concerned (logical names, IAM role names, namespace/name), for exemptions."""


_WEB_FIXES = {
    "missing-sub": (
        'pin the token subject: Condition.StringEquals {"<issuer>:sub": "system:serviceaccount:<namespace>:<name>"}'
        " listing exactly the service accounts that use the role (irsa_components.IrsaRole writes this for you)"
    ),
    "missing-aud": 'pin the token audience: Condition.StringEquals {"<issuer>:aud": "sts.amazonaws.com"}',
    "sub-wildcard-broad": (
        "list the service accounts with StringEquals; if a wildcard is unavoidable keep it inside one namespace"
        " (system:serviceaccount:<namespace>:*)"
    ),
    "sub-namespace-wildcard": (
        "list the service accounts with StringEquals, or add the namespace to this policy's allowedNamespaces"
    ),
    "aud-unexpected": (
        "pin aud to sts.amazonaws.com (or the audience of the service account's eks.amazonaws.com/audience"
        " annotation, added to this policy's allowedAudiences)"
    ),
    "aud-wildcard": "pin aud with StringEquals to the exact audience, e.g. sts.amazonaws.com",
    "federated-not-oidc-provider": (
        "set Principal.Federated to the cluster's IAM OIDC provider ARN"
        " (arn:<partition>:iam::<account>:oidc-provider/<issuer host>)"
    ),
    "principal-star": 'replace Principal "*" with {"Federated": "<the cluster\'s IAM OIDC provider ARN>"}',
    "no-condition": "add a Condition pinning <issuer>:sub and <issuer>:aud with StringEquals",
    "condition-host-mismatch": (
        "use condition keys of this statement's own provider: <issuer host of Principal.Federated>:sub and :aud"
    ),
}

_POD_FIXES = {
    "missing-tag-session": 'allow both actions: "Action": ["sts:AssumeRole", "sts:TagSession"]',
    "missing-source-account": 'scope it to your account: Condition.StringEquals {"aws:SourceAccount": "<account id>"}',
    "source-account-not-allowed": "scope aws:SourceAccount to one of this policy's allowedSourceAccounts",
    "unpinned-cluster": (
        'pin the cluster: Condition.StringEquals {"aws:RequestTag/eks-cluster-arn": "<cluster ARN>"}'
        " (service accounts are unique only within one cluster)"
    ),
    "unpinned-namespace": 'pin the namespace: Condition.StringEquals {"aws:RequestTag/kubernetes-namespace": "<ns>"}',
    "unpinned-service-account": (
        'pin the service account: Condition.StringEquals {"aws:RequestTag/kubernetes-service-account": "<name>"}'
    ),
}

# The statement fields a weakness depends on: it is reported only once those are known.
_DEPENDS = {
    "principal-star": ("Principal",),
    "federated-not-oidc-provider": ("Principal",),
    "no-condition": ("Condition",),
    "missing-tag-session": ("Action",),
}
_WEB_DEFAULT_DEPENDS = ("Principal", "Condition")
_POD_DEFAULT_DEPENDS = ("Condition",)

POD_PINNING_CODES = frozenset({"unpinned-cluster", "unpinned-namespace", "unpinned-service-account"})
WEB_ADVISORY_CODES = frozenset({"sub-namespace-wildcard"})


def _fix(code: str) -> str:
    return _WEB_FIXES.get(code) or _POD_FIXES.get(code) or "build the trust with irsa_components.IrsaRole"


def _trust_message(role: RoleView, statement: int, kind: str, weakness: Weakness) -> str:
    return (
        f"{role.label}: {kind} trust statement {statement}: {weakness.message} [{weakness.code}]. "
        f"Fix: {_fix(weakness.code)}."
    )


def _subjects(role: RoleView) -> tuple[str, ...]:
    return tuple(n for n in (role.logical_name, role.role_name) if n)


def subject_patterns(grant: WebIdentityGrant) -> list[tuple[str, str | None]]:
    """(pattern, namespace) of each wildcard sub pattern; namespace is None when it spans namespaces."""
    if grant.subject_operator != "StringLike":
        return []
    out: list[tuple[str, str | None]] = []
    for pattern in grant.subjects:
        if "*" in pattern or "?" in pattern:
            match = _NAMESPACE_SCOPED.match(pattern)
            out.append((pattern, match.group("ns") if match else None))
    return out


def web_identity_weaknesses(grant: WebIdentityGrant) -> list[Weakness]:
    """The grant's weaknesses as ``core.analysis`` classifies them (a sub pattern with a literal namespace
    stays in that namespace: advisory; anything broader: mandatory)."""
    return list(grant.weaknesses)


def _role_and_trust(
    resource_type: str, name: str, props: Mapping[str, Any], audiences: Sequence[str] = (DEFAULT_AUDIENCE,)
) -> tuple[RoleView, TrustView] | None:
    role = role_view(resource_type, name, props)
    if role is None:
        return None
    trust = read_trust(role.trust, audiences)
    if trust.analysis is None:
        return None
    return role, trust


def web_identity_trust_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    allowed_audiences: Sequence[str] = (DEFAULT_AUDIENCE,),
) -> list[Finding]:
    """Mandatory: web-identity statements that do not pin sub and aud tightly to one OIDC provider."""
    found = _role_and_trust(resource_type, name, props, allowed_audiences or (DEFAULT_AUDIENCE,))
    if found is None:
        return []
    role, trust = found
    assert trust.analysis is not None
    findings = []
    for grant in trust.analysis.web_identity:
        for weakness in web_identity_weaknesses(grant):
            if weakness.code in WEB_ADVISORY_CODES:
                continue
            if not trust.decidable(grant.statement, *_DEPENDS.get(weakness.code, _WEB_DEFAULT_DEPENDS)):
                continue
            findings.append(
                Finding(
                    weakness.code,
                    _trust_message(role, grant.statement, "web-identity", weakness),
                    subjects=_subjects(role),
                )
            )
    return findings


def namespace_wildcard_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    allowed_namespaces: Sequence[str] = (),
) -> list[Finding]:
    """Advisory: web-identity statements admitting every (matching) service account of a namespace."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return []
    role, trust = found
    assert trust.analysis is not None
    findings = []
    for grant in trust.analysis.web_identity:
        if not trust.decidable(grant.statement, *_WEB_DEFAULT_DEPENDS):
            continue
        for pattern, namespace in subject_patterns(grant):
            if namespace is None or namespace in allowed_namespaces:
                continue
            weakness = Weakness(
                "sub-namespace-wildcard",
                f"{pattern!r} admits every matching service account anyone can create in namespace {namespace!r}",
            )
            findings.append(
                Finding(
                    weakness.code,
                    _trust_message(role, grant.statement, "web-identity", weakness),
                    subjects=(*_subjects(role), namespace),
                )
            )
    return findings


def pod_identity_trust_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    allowed_source_accounts: Sequence[str] = (),
) -> list[Finding]:
    """Mandatory: Pod Identity statements without sts:TagSession or without an account scope."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return []
    role, trust = found
    assert trust.analysis is not None
    findings = []
    for grant in trust.analysis.pod_identity:
        weaknesses = [w for w in grant.weaknesses if w.code not in POD_PINNING_CODES]
        outside = [a for a in grant.source_accounts if a not in allowed_source_accounts]
        if allowed_source_accounts and grant.source_accounts and outside:
            weaknesses.append(
                Weakness(
                    "source-account-not-allowed",
                    f"aws:SourceAccount {outside} is not one of {list(allowed_source_accounts)}",
                )
            )
        for weakness in weaknesses:
            if not trust.decidable(grant.statement, *_DEPENDS.get(weakness.code, _POD_DEFAULT_DEPENDS)):
                continue
            findings.append(
                Finding(
                    weakness.code,
                    _trust_message(role, grant.statement, "Pod Identity", weakness),
                    subjects=_subjects(role),
                )
            )
    return findings


def pod_identity_pinning_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    require_cluster: bool = True,
) -> list[Finding]:
    """Advisory: Pod Identity statements not pinned to a namespace and service account (and cluster)."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return []
    role, trust = found
    assert trust.analysis is not None
    wanted = POD_PINNING_CODES if require_cluster else POD_PINNING_CODES - {"unpinned-cluster"}
    findings = []
    for grant in trust.analysis.pod_identity:
        if not trust.decidable(grant.statement, *_POD_DEFAULT_DEPENDS):
            continue
        for weakness in grant.weaknesses:
            if weakness.code in wanted:
                findings.append(
                    Finding(
                        weakness.code,
                        _trust_message(role, grant.statement, "Pod Identity", weakness),
                        subjects=_subjects(role),
                    )
                )
    return findings


# Admin permissions -------------------------------------------------------------------------------


def forbidden_managed_policies(arns: Sequence[str], extra_names: Sequence[str] = ()) -> list[str]:
    """AWS managed policies no workload role should hold: the core's list plus ``extra_names``."""
    found = list(admin_managed_policies(arns))
    extra = {n for n in extra_names if n not in ADMIN_MANAGED_POLICIES}
    for arn in arns:
        _, _, tail = arn.partition(":iam::aws:policy/")
        if arn not in found and tail and tail.rsplit("/", 1)[-1] in extra:
            found.append(arn)
    return found


def admin_statements(document: Mapping[str, Any], extra_actions: Sequence[str] = ()) -> list[str]:
    """Readable descriptions of the Allow statements that grant every action (or a forbidden one)."""
    statements = [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)]
    found = admin_actions(statements)
    extra = {a.lower() for a in extra_actions}
    if extra:
        for statement in statements:
            if statement.get("Effect") != "Allow":
                continue
            for action in as_list(statement.get("Action")):
                if isinstance(action, str) and action.lower() in extra:
                    found.append(f"Action {action!r} on {statement.get('Resource')!r}")
    return found


ADMIN_FIX = (
    "grant the workload only the actions and resources it needs (least privilege); keep"
    " AdministratorAccess, IAMFullAccess and Action '*' away from roles that pods can assume"
)


def workload_admin_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    extra_managed_policies: Sequence[str] = (),
    extra_actions: Sequence[str] = (),
) -> list[Finding]:
    """Mandatory: a workload-trusted role whose own properties give it administrator permissions."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return []
    role, trust = found
    if not trust.is_workload:
        return []
    findings = []
    arns, _ = string_list(role.managed_policy_arns)
    for arn in forbidden_managed_policies(arns, extra_managed_policies):
        findings.append(
            Finding(
                "admin-managed-policy",
                f"{role.label} is assumable by Kubernetes workloads and has managed policy {arn}"
                f" [admin-managed-policy]. Fix: remove it from managedPolicyArns; {ADMIN_FIX}.",
                subjects=_subjects(role),
            )
        )
    for policy_name, value in role.inline_policies:
        document = read_document(value)
        if document is None:
            continue
        for description in admin_statements(document, extra_actions):
            findings.append(
                Finding(
                    "admin-inline-policy",
                    f"{role.label} is assumable by Kubernetes workloads and its inline policy {policy_name!r}"
                    f" allows {description} [admin-inline-policy]. Fix: {ADMIN_FIX}.",
                    subjects=_subjects(role),
                )
            )
    return findings


def max_session_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    max_seconds: int = DEFAULT_MAX_SESSION_SECONDS,
) -> list[Finding]:
    """Advisory: a workload-trusted role whose sessions may last longer than the ceiling."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return []
    role, trust = found
    if not trust.is_workload:
        return []
    if role.max_session_duration is None:
        seconds: float | None = AWS_DEFAULT_MAX_SESSION_SECONDS
    else:
        seconds = known_number(role.max_session_duration)
    if seconds is None or seconds <= max_seconds:
        return []
    return [
        Finding(
            "max-session-duration",
            f"{role.label} is assumable by Kubernetes workloads and allows sessions of {int(seconds)} seconds,"
            f" above the {max_seconds}-second ceiling [max-session-duration]. Fix: set maxSessionDuration to"
            f" {max_seconds} or less (SDKs refresh workload credentials automatically; a shorter session"
            " limits how long leaked credentials stay valid), or raise this policy's maxSeconds.",
            subjects=_subjects(role),
        )
    ]
