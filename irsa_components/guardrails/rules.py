"""Resource-level guardrails as plain functions: (type, name, props, settings) -> findings.

Every judgement of a trust policy comes from ``core.analysis`` (what a trust admits beyond what it
names, decided by the solver, each finding with a witness) and every admin check from
``core.permissions``; this module decides which findings are violations of which rule and words the
message: the resource, the rule, the witness and the fix. A rule never passes silently on what it
cannot decide (a value not known yet that the answer depends on): it returns the question as
``undecided`` and the policy reports it (advisory) instead of passing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.analysis import Weakness
from ..core.permissions import ADMIN_MANAGED_POLICIES, admin_grants, admin_managed_policies
from ..core.trust import DEFAULT_AUDIENCE
from .resources import SYMBOLS, RoleView, TrustView, read_trust, role_view, symbolic
from .values import has_unknown, is_unknown, known_number, read_document, string_list

DEFAULT_MAX_SESSION_SECONDS = 3600
AWS_DEFAULT_MAX_SESSION_SECONDS = 3600


@dataclass(frozen=True)
class Finding:
    """One violation: a stable code, the message shown to the user, and what it is about."""

    code: str
    message: str
    urn: str | None = None
    """The resource to attach the violation to (stack rules); None for the resource being validated."""
    subjects: tuple[str, ...] = ()
    """Names that identify the resources concerned (logical names, IAM role names, namespace/name), for exemptions."""


@dataclass
class Findings:
    """A rule's violations, and the questions it could not decide (never a silent pass)."""

    violations: list[Finding] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)


_FIXES = {
    "provider-unpinned": (
        'name the cluster\'s IAM OIDC provider: Principal {"Federated": "arn:<partition>:iam::<account>:oidc-provider/'
        '<issuer host>"} (not "*")'
    ),
    "sub-unpinned": (
        'pin the token subject: Condition.StringEquals {"<issuer>:sub": "system:serviceaccount:<namespace>:<name>"}'
        " listing exactly the service accounts that use the role (irsa_components.IrsaRole writes this for you);"
        " if a wildcard is unavoidable keep it inside one namespace (system:serviceaccount:<namespace>:*)"
    ),
    "aud-unexpected": (
        'pin the token audience: Condition.StringEquals {"<issuer>:aud": "sts.amazonaws.com"} (or the audience of'
        " the service account's eks.amazonaws.com/audience annotation, added to this policy's allowedAudiences)"
    ),
    "open-principal": (
        "name the principals that may assume the role (an account root pinned with ArnEquals aws:PrincipalArn, or the"
        ' role itself), never "*" or {"AWS": "*"}'
    ),
    "admits-outside": "build the trust with irsa_components.IrsaRole, which admits exactly the service's identities",
    "sub-namespace-wildcard": (
        "list the service accounts with StringEquals, or add the namespace to this policy's allowedNamespaces"
    ),
    "missing-tag-session": 'allow both actions: "Action": ["sts:AssumeRole", "sts:TagSession"]',
    "account-unpinned": 'scope it to your account: Condition.StringEquals {"aws:SourceAccount": "<account id>"}',
    "cluster-unpinned": (
        'pin the cluster: Condition.StringEquals {"aws:RequestTag/eks-cluster-arn": "<cluster ARN>"}'
        " (service accounts are unique only within one cluster)"
    ),
    "namespace-unpinned": 'pin the namespace: Condition.StringEquals {"aws:RequestTag/kubernetes-namespace": "<ns>"}',
    "service-account-unpinned": (
        'pin the service account: Condition.StringEquals {"aws:RequestTag/kubernetes-service-account": "<name>"}'
    ),
}

# Which rule reports which finding of core.analysis.
WEB_CODES = ("provider-unpinned", "sub-unpinned", "aud-unexpected")
POD_CODES = ("missing-tag-session", "account-unpinned")
ANY_WORKLOAD_CODES = ("open-principal", "admits-outside")
POD_PINNING_CODES = ("cluster-unpinned", "namespace-unpinned", "service-account-unpinned")


def _fix(code: str) -> str:
    return _FIXES.get(code, "build the trust with irsa_components.IrsaRole")


def _trust_message(role: RoleView, kind: str, weakness: Weakness) -> str:
    where = f" statement {weakness.statement}" if weakness.statement is not None else ""
    return f"{role.label}: {kind} trust{where}: {weakness.message} [{weakness.code}]. Fix: {_fix(weakness.code)}."


def _subjects(role: RoleView) -> tuple[str, ...]:
    return tuple(n for n in (role.logical_name, role.role_name) if n)


def _role_and_trust(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    audiences: Sequence[str] = (DEFAULT_AUDIENCE,),
    allowed_namespaces: Sequence[str] = (),
    allowed_accounts: Sequence[str] = (),
) -> tuple[RoleView, TrustView] | None:
    role = role_view(resource_type, name, props)
    if role is None:
        return None
    account = role.arn.split(":")[4] if role.arn and role.arn.count(":") >= 5 else None
    trust = read_trust(
        role.trust,
        tuple(audiences) or (DEFAULT_AUDIENCE,),
        allowed_namespaces=allowed_namespaces,
        allowed_accounts=allowed_accounts,
        role_account=account,
    )
    return role, trust


def _trust_findings(
    role: RoleView, trust: TrustView, kind: str, codes: Sequence[str], when: bool | None, found: Findings
) -> Findings:
    """The weaknesses with ``codes`` as violations, if the role is trusted this way (``when``)."""
    if trust.analysis is None:
        if trust.unknown:
            found.undecided.append(f"{role.label}: its trust policy is not known yet")
        return found
    if when is None:
        found.undecided.append(f"{role.label}: cannot decide whether {kind} can assume it")
    if not when:
        return found
    for weakness in trust.analysis.weaknesses:
        if weakness.code in codes and weakness.level != "undecided":
            found.violations.append(
                Finding(weakness.code, _trust_message(role, kind, weakness), subjects=_subjects(role))
            )
        elif weakness.code in codes:
            found.undecided.append(f"{role.label}: {kind} trust: {weakness.message}")
    return found


def web_identity_trust_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    allowed_audiences: Sequence[str] = (DEFAULT_AUDIENCE,),
) -> Findings:
    """Mandatory: a web-identity (IRSA) trust admitting a token outside the providers, service accounts and
    audiences it names, or any principal it does not name."""
    found = _role_and_trust(resource_type, name, props, audiences=allowed_audiences)
    if found is None:
        return Findings()
    role, trust = found
    web = trust.analysis.web_identity if trust.analysis else None
    return _trust_findings(role, trust, "web-identity", (*WEB_CODES, *ANY_WORKLOAD_CODES), web, Findings())


def namespace_wildcard_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    allowed_namespaces: Sequence[str] = (),
) -> Findings:
    """Advisory: web-identity trust admitting every (matching) service account of a namespace."""
    found = _role_and_trust(resource_type, name, props, allowed_namespaces=allowed_namespaces)
    if found is None:
        return Findings()
    role, trust = found
    web = trust.analysis.web_identity if trust.analysis else None
    return _trust_findings(role, trust, "web-identity", ("sub-namespace-wildcard",), web, Findings())


def pod_identity_trust_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    allowed_source_accounts: Sequence[str] = (),
) -> Findings:
    """Mandatory: a Pod Identity trust that EKS cannot use (no sts:TagSession) or that admits another account,
    or (when the role is not also a web-identity one) any principal it does not name."""
    found = _role_and_trust(resource_type, name, props, allowed_accounts=allowed_source_accounts)
    if found is None:
        return Findings()
    role, trust = found
    analysis = trust.analysis
    pods = analysis.pod_identity if analysis else None
    codes: tuple[str, ...] = POD_CODES
    if analysis is not None and analysis.web_identity is False:
        codes = (*codes, *ANY_WORKLOAD_CODES)  # the web-identity rule reports them otherwise
    findings = _trust_findings(role, trust, "Pod Identity", codes, pods, Findings())
    if allowed_source_accounts:
        findings.violations = [
            Finding(
                "source-account-not-allowed",
                f.message.replace("[account-unpinned]", "[source-account-not-allowed]"),
                f.urn,
                f.subjects,
            )
            if f.code == "account-unpinned"
            else f
            for f in findings.violations
        ]
    return findings


def pod_identity_pinning_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    require_cluster: bool = True,
) -> Findings:
    """Advisory: Pod Identity trust not pinned to the clusters, namespaces and service accounts it names."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return Findings()
    role, trust = found
    codes = POD_PINNING_CODES if require_cluster else tuple(c for c in POD_PINNING_CODES if c != "cluster-unpinned")
    pods = trust.analysis.pod_identity if trust.analysis else None
    return _trust_findings(role, trust, "Pod Identity", codes, pods, Findings())


# Admin permissions -------------------------------------------------------------------------------


def forbidden_managed_policies(arns: Sequence[str], extra_names: Sequence[str] = ()) -> list[str]:
    """AWS managed policies no workload role should hold: the core's list plus ``extra_names``."""
    return admin_managed_policies(arns, extra_names)


_admin: dict[tuple[str, tuple[str, ...]], tuple[list[str], list[str]]] = {}


def admin_statements(document: Mapping[str, Any], extra_actions: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(descriptions of the administrator-like grants of a permission document, what could not be decided);
    each document is judged once, whichever rule asks (a role's own inline policies, attachments)."""
    key = (json.dumps(document, sort_keys=True, default=str), tuple(extra_actions))
    if key not in _admin:
        if len(_admin) > 20_000:
            _admin.clear()
        readable = symbolic(document) if has_unknown(document) else dict(document)
        grants = admin_grants(readable, extra_actions=extra_actions, symbols=SYMBOLS)
        found = [g.message for g in grants if g.code != "undecided"]
        _admin[key] = (found, [g.message for g in grants if g.code == "undecided"])
    found, undecided = _admin[key]
    return list(found), list(undecided)


ADMIN_FIX = (
    "grant the workload only the actions and resources it needs (least privilege); keep"
    " AdministratorAccess, IAMFullAccess, Action '*', iam:* and NotAction allows away from roles that pods can assume"
)


def workload_admin_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    extra_managed_policies: Sequence[str] = (),
    extra_actions: Sequence[str] = (),
) -> Findings:
    """Mandatory: a workload-trusted role whose own properties give it administrator permissions."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return Findings()
    role, trust = found
    findings = Findings()
    workload = trust.is_workload
    if workload is False:
        return findings
    violations: list[Finding] = []
    arns, unknown_arns = string_list(role.managed_policy_arns)
    if unknown_arns:
        findings.undecided.append(f"{role.label}: its managed policies are not known yet")
    for arn in forbidden_managed_policies(arns, extra_managed_policies):
        violations.append(
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
            if is_unknown(value):
                findings.undecided.append(f"{role.label}: its inline policy {policy_name!r} is not known yet")
            continue
        descriptions, undecided = admin_statements(document, extra_actions)
        findings.undecided += [f"{role.label}: inline policy {policy_name!r}: {u}" for u in undecided]
        if descriptions:
            violations.append(
                Finding(
                    "admin-inline-policy",
                    f"{role.label} is assumable by Kubernetes workloads and its inline policy {policy_name!r}"
                    f" {'; and '.join(descriptions)} [admin-inline-policy]. Fix: {ADMIN_FIX}.",
                    subjects=_subjects(role),
                )
            )
    if workload is None and violations:
        findings.undecided += [f"cannot decide whether workloads can assume it, and: {v.message}" for v in violations]
        return findings
    findings.violations += violations
    return findings


def max_session_findings(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    max_seconds: int = DEFAULT_MAX_SESSION_SECONDS,
) -> Findings:
    """Advisory: a workload-trusted role whose sessions may last longer than the ceiling."""
    found = _role_and_trust(resource_type, name, props)
    if found is None:
        return Findings()
    role, trust = found
    if trust.is_workload is False:
        return Findings()
    if role.max_session_duration is None:
        seconds: float | None = AWS_DEFAULT_MAX_SESSION_SECONDS
    else:
        seconds = known_number(role.max_session_duration)
    if seconds is None or seconds <= max_seconds:
        return Findings()
    if trust.is_workload is None:
        return Findings(
            undecided=[
                f"{role.label} allows {int(seconds)}-second sessions, and whether workloads can"
                " assume it is not known yet"
            ]
        )
    return Findings(
        [
            Finding(
                "max-session-duration",
                f"{role.label} is assumable by Kubernetes workloads and allows sessions of {int(seconds)} seconds,"
                f" above the {max_seconds}-second ceiling [max-session-duration]. Fix: set maxSessionDuration to"
                f" {max_seconds} or less (SDKs refresh workload credentials automatically; a shorter session"
                " limits how long leaked credentials stay valid), or raise this policy's maxSeconds.",
                subjects=_subjects(role),
            )
        ]
    )


__all__ = ["ADMIN_MANAGED_POLICIES", "Finding", "Findings"]
