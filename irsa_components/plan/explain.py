"""Would STS let this workload assume the role, and if not, why: ``irsa explain``.

The verdict is ``core.evaluate.evaluate`` on the requests IRSA and EKS Pod Identity make
(``web_identity_request``, ``pod_identity_requests``), plus what STS itself refuses (a web identity
through an OIDC provider in another account than the role's); this module reads the per-condition
results back into a diagnosis a person can act on. What the request carries that the caller did not
give (the OIDC provider, the cluster ARN, the association ARN) is taken from the trust's own values
for that issuer, cluster and account, never from another's. Warnings are the weaknesses the solver
finds in the trust (``core.analysis``), with their witnesses: the same the guardrails and the plan report.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Optional
from urllib.parse import unquote

from ..core.analysis import TrustAnalysis, Weakness, analyse_trust
from ..core.arns import eks_cluster_arn, parse_arn, partition_for_region
from ..core.cross_account import EXTERNAL_ID_KEY, PRINCIPAL_ARN_KEY, pod_identity_chained_requests
from ..core.cross_account import pod_identity_external_id as documented_external_id
from ..core.errors import InputError, Problem, did_you_mean
from ..core.evaluate import (
    ConditionResult,
    Decision,
    Request,
    StatementResult,
    association_arn_of,
    evaluate,
    glob_match,
    pod_identity_requests,
    web_identity_request,
)
from ..core.scope import statements_named
from ..core.trust import (
    DEFAULT_AUDIENCE,
    SOURCE_ACCOUNT_KEY,
    TAG_CLUSTER_ARN,
    TAG_CLUSTER_NAME,
    TAG_NAMESPACE,
    TAG_SERVICE_ACCOUNT,
    issuer_host,
    request_tag,
)
from .access import subject_of
from .model import Plan, is_plan_data, plan_from_data

TrustSourceKind = Literal["get-role", "policy", "plan"]


@dataclass(frozen=True)
class TrustSource:
    """A trust policy read from a file, and the plan it came from (if any)."""

    document: dict[str, Any]
    kind: TrustSourceKind
    plan: Optional[Plan] = None
    service: Optional[str] = None
    role_arn: Optional[str] = None
    """The role's ARN when the file says it (``get-role`` output, a plan): STS needs its account."""


def _decode_policy(value: Any, source: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        for text in (value, unquote(value)):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(parsed, dict):
                return parsed
    raise InputError([Problem(source, "AssumeRolePolicyDocument", str(value)[:60], "is not a policy document")])


def read_trust_source(text: str, source: str, service: Optional[str] = None) -> TrustSource:
    """Accept ``aws iam get-role`` output, a bare policy document, or a plan JSON (with ``service``)."""
    stripped = text.strip()
    if stripped.startswith("%"):
        stripped = unquote(stripped)
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, "(file)", stripped[:40], f"is not JSON: {exc}")]) from None
    if is_plan_data(data):
        plan = plan_from_data(data, source)
        if not service:
            raise InputError(
                [
                    Problem(
                        source,
                        "--service",
                        None,
                        f"is required with a plan; services: {', '.join(plan.services) or '(none)'}",
                    )
                ]
            )
        if service not in plan.services:
            hint = did_you_mean(service, plan.services)
            raise InputError(
                [
                    Problem(
                        source,
                        "--service",
                        service,
                        f"is not a service of the plan{hint}; services: {', '.join(plan.services)}",
                    )
                ]
            )
        role = plan.services[service].role
        return TrustSource(role.trust_policy, "plan", plan, service, role.arn)
    if isinstance(data, dict) and isinstance(data.get("Role"), Mapping):
        data = data["Role"]
    if isinstance(data, dict) and "AssumeRolePolicyDocument" in data:
        arn = data.get("Arn") if isinstance(data.get("Arn"), str) else None
        return TrustSource(_decode_policy(data["AssumeRolePolicyDocument"], source), "get-role", role_arn=arn)
    if isinstance(data, dict) and "Statement" in data:
        return TrustSource(data, "policy")
    raise InputError(
        [
            Problem(
                source,
                "(file)",
                type(data).__name__,
                "is neither `aws iam get-role` output, a policy document (with Statement) nor an irsa plan",
            )
        ]
    )


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    hint: Optional[str] = None

    def to_data(self) -> dict[str, Any]:
        return {"code": self.code, "hint": self.hint, "message": self.message}


@dataclass
class Explanation:
    mechanism: Literal["irsa", "pod-identity"]
    caller: dict[str, str]
    evaluations: list[tuple[Request, Decision]]
    findings: list[Finding] = field(default_factory=list)
    """Why STS denies (empty when allowed)."""
    warnings: list[Finding] = field(default_factory=list)
    """Weaknesses of the statement that admits the caller (allowed) or notes about the input."""
    target_from: Optional[int] = None
    """Role chaining: where the target role's requests start in ``evaluations`` (before: the association role's)."""
    refused_by_sts: bool = False
    """STS refuses the request before any policy is read (a provider in another account than the role's)."""

    @property
    def allowed(self) -> bool:
        return not self.refused_by_sts and all(d.allowed for _, d in self.evaluations)

    def _matched(self, evaluations: Sequence[tuple[Request, Decision]]) -> list[int]:
        return sorted({s.index for _, d in evaluations for s in d.statements if s.matched and s.effect == "Allow"})

    @property
    def matched_statements(self) -> list[int]:
        """Statements of the explained trust that admit the caller (for a chain: of the target role's)."""
        return self._matched(self.evaluations[self.target_from or 0 :])

    @property
    def association_matched_statements(self) -> list[int]:
        """Role chaining: the association role's statements that admit the pod."""
        return self._matched(self.evaluations[: self.target_from]) if self.target_from is not None else []

    def to_data(self) -> dict[str, Any]:
        chained = (
            {}
            if self.target_from is None
            else {"associationRoleMatchedStatements": self.association_matched_statements}
        )
        return {
            **chained,
            "allowed": self.allowed,
            "caller": dict(sorted(self.caller.items())),
            "findings": [f.to_data() for f in self.findings],
            "matchedStatements": self.matched_statements,
            "mechanism": self.mechanism,
            "requests": [
                {
                    "action": r.action,
                    "outcome": d.outcome,
                    "principal": r.principal,
                    "statements": [_statement_data(s) for s in d.statements],
                }
                for r, d in self.evaluations
            ],
            "warnings": [f.to_data() for f in self.warnings],
        }


def _statement_data(s: StatementResult) -> dict[str, Any]:
    return {
        "actionMatched": s.action_matched,
        "conditions": [
            {
                "actual": list(c.actual) if c.actual is not None else None,
                "expected": list(c.expected),
                "key": c.key,
                "operator": c.operator,
                "passed": c.passed,
                "reason": c.reason,
            }
            for c in s.conditions
        ],
        "effect": s.effect,
        "index": s.index,
        "matched": s.matched,
        "principalMatched": s.principal_matched,
        "sid": s.sid,
    }


# Shared diagnosis helpers -------------------------------------------------------------------------


def _closest(word: str, options: Iterable[str]) -> Optional[str]:
    close = difflib.get_close_matches(word, sorted(set(options)), n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = _closest(word, options)
    return f"did you mean {close!r}? " if close else ""


def _listing(values: Iterable[str]) -> str:
    shown = sorted(set(values))
    return ", ".join(repr(v) for v in shown) if shown else "none"


def _weakness_findings(weaknesses: Iterable[Weakness]) -> list[Finding]:
    return [Finding(w.code, w.message) for w in weaknesses if w.level != "undecided"] + [
        Finding("undecided", w.message) for w in weaknesses if w.level == "undecided"
    ]


def _account(arn: Optional[str]) -> Optional[str]:
    parts = (arn or "").split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" and parts[4] else None


def _explicit_deny(decision: Decision) -> list[Finding]:
    return [
        Finding(
            "explicit-deny",
            f"statement {s.index}{f' ({s.sid})' if s.sid else ''} is a Deny that matches the caller; "
            "an explicit Deny wins over every Allow",
            "narrow or remove the Deny statement if this caller should be admitted",
        )
        for s in decision.statements
        if s.matched and s.effect == "Deny"
    ]


def _best(candidates: Sequence[StatementResult]) -> Optional[StatementResult]:
    if not candidates:
        return None
    return min(candidates, key=lambda s: (len(s.failed_conditions), s.index))


def _split(subject: str) -> tuple[str, str]:
    parts = subject.split(":", 3)
    if len(parts) == 4 and parts[0] == "system" and parts[1] == "serviceaccount":
        return parts[2], parts[3]
    if subject.startswith("system:serviceaccount:"):
        return subject.removeprefix("system:serviceaccount:"), "*"
    return "", ""


def _namespace_matches(pattern: str, namespace: str, is_pattern: bool) -> bool:
    return glob_match(pattern, namespace) if is_pattern else pattern == namespace


def _service_account_findings(
    namespace: str, service_account: str, admitted: Sequence[tuple[str, str]], is_pattern: bool
) -> list[Finding]:
    """Diagnose a namespace/name pair against the admitted (namespace, name) pairs."""
    same_ns = [name for ns, name in admitted if _namespace_matches(ns, namespace, is_pattern)]
    if not same_ns:
        namespaces = [ns for ns, _ in admitted]
        return [
            Finding(
                "wrong-namespace",
                f"namespace {namespace!r} is not admitted; the trust admits namespace(s) {_listing(namespaces)}",
                f"{_did_you_mean(namespace, namespaces)}Run the workload in an admitted namespace, or add "
                f"{namespace}/{service_account} to the service's trust".strip(),
            )
        ]
    return [
        Finding(
            "service-account-mismatch",
            f"service account {service_account!r} is not admitted in namespace {namespace!r}; "
            f"admitted there: {_listing(same_ns)}",
            (
                f"{_did_you_mean(service_account, same_ns)}Check the ServiceAccount name and the pod's "
                "spec.serviceAccountName"
            ).strip(),
        )
    ]


def _generic(c: ConditionResult) -> Finding:
    return Finding("condition-failed", f"{c.operator} {c.key}: {c.reason}")


# IRSA ---------------------------------------------------------------------------------------------


def explain_web_identity(
    document: Mapping[str, Any],
    *,
    issuer: str,
    namespace: str,
    service_account: str,
    audience: str = DEFAULT_AUDIENCE,
    provider_arn: Optional[str] = None,
    role_arn: Optional[str] = None,
) -> Explanation:
    """Evaluate ``sts:AssumeRoleWithWebIdentity`` for a projected service-account token.

    The OIDC provider is ``provider_arn``, else the one the trust names for the token's issuer, else the
    issuer's provider in the role's account (``role_arn``) or in the account the trust's providers are in.
    """
    host = issuer_host(issuer.removeprefix("http://"))
    role_account = _account(role_arn)
    analysis = analyse_trust(document, audiences=(DEFAULT_AUDIENCE, audience), role_account=role_account)
    trusted = [p for p in analysis.named.providers if ":oidc-provider/" in p]
    warnings: list[Finding] = []
    provider = provider_arn
    if provider is None:
        same_host = [p for p in trusted if p.split(":oidc-provider/", 1)[1].lower() == host.lower()]
        in_account = [p for p in same_host if role_account is None or _account(p) == role_account]
        if in_account or same_host:
            provider = (in_account or same_host)[0]
        else:
            partition = trusted[0].split(":")[1] if trusted else "aws"
            account = role_account or (_account(trusted[0]) if trusted else None) or "<account-id>"
            provider = f"arn:{partition}:iam::{account}:oidc-provider/{host}"
    subject = subject_of(namespace, service_account)
    request = web_identity_request(provider, host, subject, audience)
    decision = evaluate(document, request)
    caller = {
        "audience": audience,
        "issuer": f"https://{host}",
        "namespace": namespace,
        "providerArn": provider,
        "serviceAccount": service_account,
        "subject": subject,
    }
    explanation = Explanation("irsa", caller, [(request, decision)], warnings=warnings)
    provider_account = _account(provider)
    if role_account is not None and provider_account is not None and provider_account != role_account:
        # STS accepts a web identity only through an OIDC provider in the role's own account.
        explanation.refused_by_sts = True
        explanation.findings.append(
            Finding(
                "provider-in-another-account",
                f"the OIDC provider {provider} is in account {provider_account}, the role in {role_account}: STS "
                "accepts web identities only through an OIDC provider in the role's own account",
                f"create an IAM OIDC provider for {host} in account {role_account} and trust that one",
            )
        )
        return explanation
    if role_account is None and provider_account is not None:
        warnings.append(
            Finding(
                "input",
                "the role's account is not known (a bare policy document): STS also requires the OIDC provider to "
                "be in the role's account, which this cannot check",
            )
        )
    if decision.allowed:
        matched = set(explanation.matched_statements)
        warnings.extend(_weakness_findings(w for w in analysis.weaknesses if w.statement in matched))
        return explanation
    explanation.findings = _diagnose_web_identity(
        analysis, decision, host, provider, provider_arn, namespace, service_account, audience
    )
    return explanation


def _diagnose_web_identity(
    analysis: TrustAnalysis,
    decision: Decision,
    host: str,
    provider: str,
    given_provider: Optional[str],
    namespace: str,
    service_account: str,
    audience: str,
) -> list[Finding]:
    if decision.outcome == "explicit-deny":
        return _explicit_deny(decision)
    if not analysis.web_identity and not analysis.named.providers:
        hint = (
            "it trusts EKS Pod Identity: use `irsa explain --pod-identity`, or set the service's identity to both"
            if analysis.pod_identity or analysis.named.pod_identity
            else "add a web-identity statement for the cluster's OIDC provider"
        )
        return [
            Finding(
                "no-web-identity-statement",
                "no statement allows sts:AssumeRoleWithWebIdentity from an OIDC provider",
                hint,
            )
        ]
    findings: list[Finding] = []
    allows = [s for s in decision.statements if s.effect == "Allow"]
    candidates = [s for s in allows if s.principal_matched and s.action_matched]
    if not candidates:
        hosts = [p.split(":oidc-provider/", 1)[1] for p in analysis.named.providers if ":oidc-provider/" in p]
        if given_provider is not None and ":oidc-provider/" in given_provider:
            given_host = given_provider.split(":oidc-provider/", 1)[1]
            if given_host != host:
                findings.append(
                    Finding(
                        "provider-issuer-mismatch",
                        f"--provider-arn names issuer {given_host!r}, but the token's issuer is {host!r}",
                        "STS uses the OIDC provider of the token's issuer (iss claim) in the role's account",
                    )
                )
        if host not in hosts:
            close = _closest(host, hosts)
            findings.append(
                Finding(
                    "issuer-not-trusted",
                    f"no statement trusts tokens of issuer {host!r}; the trust admits issuer(s) {_listing(hosts)}",
                    (f"did you mean {close!r}? " if close else "")
                    + "Is this the right cluster? Each cluster's OIDC provider needs its own trust statement "
                    "(add the cluster to the service's clusters)",
                )
            )
        else:
            trusted = sorted(
                {p for p in analysis.named.providers if p.lower().endswith(f":oidc-provider/{host}".lower())}
            )
            principal_only = [s for s in allows if s.principal_matched and not s.action_matched]
            if principal_only:
                findings.append(
                    Finding(
                        "wrong-action",
                        f"statement {principal_only[0].index} trusts the provider but does not allow "
                        "sts:AssumeRoleWithWebIdentity",
                        "IRSA calls AssumeRoleWithWebIdentity; set Action to sts:AssumeRoleWithWebIdentity",
                    )
                )
            else:
                findings.append(
                    Finding(
                        "wrong-provider-arn",
                        f"the trust names provider(s) {_listing(trusted)} for this issuer, not {provider!r}",
                        "the OIDC provider must be the one in the role's account (check the account ID and partition)",
                    )
                )
        return findings
    best = _best(candidates)
    assert best is not None
    for c in best.failed_conditions:
        key = c.key.lower()
        prefix, _, claim = c.key.rpartition(":")
        if claim.lower() in ("sub", "aud") and prefix.lower() != host.lower():
            findings.append(
                Finding(
                    "condition-issuer-mismatch",
                    f"statement {best.index} pins {c.key!r}, a claim of issuer {prefix!r}; tokens of {host!r} carry "
                    f"'{host}:{claim}', so the condition can never hold",
                    "the condition keys must start with the same issuer as the statement's Federated provider",
                )
            )
        elif key.endswith(":sub"):
            admitted = [_split(v) for v in c.expected]
            findings.extend(
                _service_account_findings(namespace, service_account, admitted, c.operator.startswith("StringLike"))
            )
        elif key.endswith(":aud"):
            expected = list(c.expected)
            if audience == DEFAULT_AUDIENCE:
                hint = (
                    f"annotate the ServiceAccount with eks.amazonaws.com/audience: {expected[0]}"
                    if len(expected) == 1
                    else "annotate the ServiceAccount with eks.amazonaws.com/audience set to an accepted audience"
                )
            else:
                hint = (
                    "the token audience comes from the ServiceAccount's eks.amazonaws.com/audience annotation "
                    f"(default {DEFAULT_AUDIENCE}); make it match, or accept {audience!r} in the trust"
                )
            findings.append(
                Finding(
                    "audience-mismatch",
                    f"the token's audience is {audience!r}; the trust accepts {_listing(expected)}",
                    hint,
                )
            )
        else:
            findings.append(_generic(c))
    return findings or [Finding("denied", "no statement admits the caller")]


# Pod Identity -------------------------------------------------------------------------------------


def _resolve_cluster(
    analysis: TrustAnalysis,
    account: str,
    cluster_arn: Optional[str],
    cluster_name: Optional[str],
    region: Optional[str],
) -> tuple[str, str, list[Finding]]:
    notes: list[Finding] = []
    if cluster_arn:
        name = cluster_arn.rsplit("/", 1)[-1]
        if cluster_name and cluster_name != name:
            notes.append(
                Finding("input", f"--cluster-name {cluster_name!r} differs from the ARN's {name!r}; using the ARN")
            )
        return cluster_arn, name, notes
    name = cluster_name or ""
    if region is not None:
        # The cluster of that name in that region and account, whatever clusters the trust pins.
        return eks_cluster_arn(partition_for_region(region), region, account, name), name, notes
    pinned = [a for a in analysis.named.cluster_arns if a.endswith(f":cluster/{name}") and f":{account}:cluster/" in a]
    if pinned:
        notes.append(
            Finding("input", f"no --region or --cluster-arn: assuming the cluster the trust pins, {pinned[0]!r}")
        )
        return pinned[0], name, notes
    arn = f"arn:aws:eks:<region>:{account}:cluster/{name}"
    notes.append(Finding("input", f"no --region or --cluster-arn: assuming cluster ARN {arn!r}"))
    return arn, name, notes


def _association_arn(document: Mapping[str, Any], cluster_arn: str, name: str) -> tuple[str, list[Finding]]:
    """The ``aws:SourceArn`` EKS passes: the association's ARN, which the caller does not give. A trust that pins
    one for this cluster names it; otherwise one with a stand-in ID (a trust pinning another fails on it)."""
    head = cluster_arn.partition(":cluster/")[0]
    prefix = f"{head}:podidentityassociation/{name}/"
    for names in statements_named(document):
        for value in names.pinned("aws:SourceArn"):
            if value.startswith(prefix) and "*" not in value and "?" not in value:
                return value, []
    arn = association_arn_of(cluster_arn, name)
    return arn, [Finding("input", f"assuming the association's ARN (aws:SourceArn) is {arn!r}")]


def explain_pod_identity(
    document: Mapping[str, Any],
    *,
    account: str,
    namespace: str,
    service_account: str,
    cluster_arn: Optional[str] = None,
    cluster_name: Optional[str] = None,
    region: Optional[str] = None,
    session_tags: bool = True,
) -> Explanation:
    """Evaluate the ``sts:AssumeRole`` (and ``sts:TagSession``) requests EKS Pod Identity makes."""
    analysis = analyse_trust(document, role_account=account)
    arn, name, notes = _resolve_cluster(analysis, account, cluster_arn, cluster_name, region)
    association, association_notes = _association_arn(document, arn, name)
    requests = pod_identity_requests(
        account_id=account,
        cluster_arn=arn,
        cluster_name=name,
        namespace=namespace,
        service_account=service_account,
        session_tags=session_tags,
        association_arn=association,
    )
    if any("aws:sourcearn" in n.pins for n in statements_named(document)):
        notes += association_notes  # only worth saying when the trust looks at it
    evaluations = [(r, evaluate(document, r)) for r in requests]
    caller = {
        "account": account,
        "clusterArn": arn,
        "clusterName": name,
        "namespace": namespace,
        "serviceAccount": service_account,
        "sessionTags": "on" if session_tags else "off",
    }
    explanation = Explanation("pod-identity", caller, evaluations, warnings=list(notes))
    if explanation.allowed:
        matched = set(explanation.matched_statements)
        explanation.warnings.extend(
            _weakness_findings(
                w
                for w in analysis.weaknesses
                if w.statement in matched and (session_tags or w.code != "missing-tag-session")
            )
        )
        return explanation
    explanation.findings = _diagnose_pod_identity(analysis, evaluations, namespace, service_account, arn, session_tags)
    return explanation


_TAG_KEYS = {
    request_tag(TAG_CLUSTER_ARN).lower(): "cluster",
    request_tag(TAG_CLUSTER_NAME).lower(): "cluster",
    request_tag(TAG_NAMESPACE).lower(): "namespace",
    request_tag(TAG_SERVICE_ACCOUNT).lower(): "service-account",
}


def _diagnose_pod_identity(
    analysis: TrustAnalysis,
    evaluations: Sequence[tuple[Request, Decision]],
    namespace: str,
    service_account: str,
    cluster_arn: str,
    session_tags: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    for _, decision in evaluations:
        if decision.outcome == "explicit-deny":
            findings.extend(f for f in _explicit_deny(decision) if f not in findings)
    if findings:
        return findings
    if not analysis.pod_identity:
        hint = (
            "it trusts IRSA (web identity): use `irsa explain --issuer ...`, or set the service's identity to both"
            if analysis.web_identity or analysis.named.providers
            else "add a statement for Principal {Service: pods.eks.amazonaws.com} with sts:AssumeRole, sts:TagSession"
        )
        return [
            Finding(
                "no-pod-identity-statement",
                "no statement allows sts:AssumeRole from pods.eks.amazonaws.com (EKS Pod Identity)",
                hint,
            )
        ]
    for request, decision in evaluations:
        if decision.allowed:
            continue
        allows = [s for s in decision.statements if s.effect == "Allow" and s.principal_matched]
        candidates = [s for s in allows if s.action_matched]
        if not candidates:
            if request.action == "sts:TagSession":
                finding = Finding(
                    "missing-tag-session",
                    "the trust allows sts:AssumeRole but not sts:TagSession; EKS Pod Identity tags every session "
                    "(eks-cluster-arn, kubernetes-namespace, ...), so the role cannot be assumed",
                    "add sts:TagSession to the statement's Action, or disable session tags on the association",
                )
            else:
                finding = Finding(
                    "wrong-action",
                    f"no statement for pods.eks.amazonaws.com allows {request.action}",
                    "EKS Pod Identity needs sts:AssumeRole and sts:TagSession",
                )
            if finding not in findings:
                findings.append(finding)
            continue
        best = _best(candidates)
        assert best is not None
        absent_tags = [c.key for c in best.failed_conditions if c.actual is None and c.key.lower() in _TAG_KEYS]
        if absent_tags and not session_tags:
            finding = Finding(
                "session-tags-disabled",
                f"session tags are off, but statement {best.index} pins {', '.join(sorted(absent_tags))} through "
                "aws:RequestTag conditions, which cannot hold without them",
                "enable session tags on the association, or (without tags) pin only aws:SourceAccount in the trust",
            )
            if finding not in findings:
                findings.append(finding)
        for c in best.failed_conditions:
            key = c.key.lower()
            what = _TAG_KEYS.get(key)
            if c.actual is None and what is not None and not session_tags:
                continue
            if key == SOURCE_ACCOUNT_KEY.lower():
                finding = Finding(
                    "wrong-account",
                    f"the association's account is {c.actual[0] if c.actual else None!r}; "
                    f"the trust requires aws:SourceAccount {_listing(c.expected)}",
                    "a Pod Identity role must be in the cluster's account (or use a target role for another account)",
                )
            elif what == "cluster":
                shown = [v.rsplit("/", 1)[-1] for v in c.expected]
                name = cluster_arn.rsplit("/", 1)[-1]
                close = _closest(name, shown)
                finding = Finding(
                    "wrong-cluster",
                    f"cluster {cluster_arn!r} is not admitted; the trust admits {_listing(c.expected)}",
                    (f"did you mean {close!r}? " if close and close != name else "")
                    + "add the cluster to the service's clusters (a same-named cluster in another account or "
                    "region is a different cluster)",
                )
            elif what == "namespace":
                finding = _service_account_findings(namespace, service_account, [(v, "") for v in c.expected], False)[0]
            elif what == "service-account":
                finding = _service_account_findings(
                    namespace, service_account, [(namespace, v) for v in c.expected], False
                )[0]
            else:
                finding = _generic(c)
            if finding not in findings:
                findings.append(finding)
    return findings or [Finding("denied", "no statement admits the caller")]


# Pod Identity with a target role (role chaining) --------------------------------------------------


def explain_chained_pod_identity(
    document: Mapping[str, Any],
    *,
    association_role_arn: str,
    association_document: Mapping[str, Any],
    account: str,
    namespace: str,
    service_account: str,
    cluster_arn: Optional[str] = None,
    cluster_name: Optional[str] = None,
    region: Optional[str] = None,
    session_tags: bool = True,
    external_id: Optional[str] = None,
) -> Explanation:
    """Both hops of EKS Pod Identity with a target role: the association role, then ``document`` (the target's trust).

    EKS first assumes the association role (``explain_pod_identity`` on ``association_document``), then calls
    ``sts:AssumeRole`` (and ``sts:TagSession``) on the target role with that session, carrying the transitive
    session tags, or ``sts:ExternalId`` when session tags are off (``core.cross_account``). Without
    ``external_id`` the documented ``region/account/cluster/namespace/service-account`` is assumed.
    """
    first = explain_pod_identity(
        association_document,
        account=account,
        namespace=namespace,
        service_account=service_account,
        cluster_arn=cluster_arn,
        cluster_name=cluster_name,
        region=region,
        session_tags=session_tags,
    )
    caller = {**first.caller, "associationRoleArn": association_role_arn}
    warnings = [Finding(f.code, f"association role: {f.message}", f.hint) for f in first.warnings]
    if not first.allowed:
        findings = [
            Finding(f.code, f"association role {association_role_arn}: {f.message}", f.hint) for f in first.findings
        ]
        return Explanation("pod-identity", caller, first.evaluations, findings, warnings, len(first.evaluations))
    arn = caller["clusterArn"]
    if not session_tags and external_id is None:
        try:
            parsed = parse_arn(arn)
        except ValueError:
            parsed = None
        if parsed is not None:
            name = parsed.resource.removeprefix("cluster/")
            external_id = documented_external_id(parsed.region, parsed.account, name, namespace, service_account)
            warnings.append(
                Finding(
                    "input",
                    f"assuming EKS passes the documented external ID {external_id!r}; the association's externalId "
                    "attribute is authoritative",
                )
            )
        caller["externalId"] = external_id or ""
    requests = pod_identity_chained_requests(
        association_role_arn,
        cluster_arn=arn,
        namespace=namespace,
        service_account=service_account,
        session_tags=session_tags,
        external_id=external_id,
    )
    second = [(r, evaluate(document, r)) for r in requests]
    explanation = Explanation(
        "pod-identity", caller, [*first.evaluations, *second], warnings=warnings, target_from=len(first.evaluations)
    )
    if not all(d.allowed for _, d in second):
        explanation.findings = _diagnose_chain(second, association_role_arn, namespace, service_account, arn)
    return explanation


def _diagnose_chain(
    evaluations: Sequence[tuple[Request, Decision]],
    association_role_arn: str,
    namespace: str,
    service_account: str,
    cluster_arn: str,
) -> list[Finding]:
    findings: list[Finding] = []

    def add(finding: Finding) -> None:
        if finding not in findings:
            findings.append(finding)

    for request, decision in evaluations:
        if decision.allowed:
            continue
        if decision.outcome == "explicit-deny":
            for f in _explicit_deny(decision):
                add(Finding(f.code, f"target role: {f.message}", f.hint))
            continue
        allows = [s for s in decision.statements if s.effect == "Allow"]
        if not any(s.principal_matched for s in allows):
            add(
                Finding(
                    "wrong-principal",
                    f"no statement of the target role's trust names the association role {association_role_arn} "
                    "(or its account) as Principal",
                    "the target trust needs Principal AWS: the association role's account root (or the role), "
                    "pinned with ArnEquals aws:PrincipalArn",
                )
            )
            continue
        candidates = [s for s in allows if s.principal_matched and s.action_matched]
        if not candidates:
            add(
                Finding(
                    "missing-tag-session" if request.action == "sts:TagSession" else "wrong-action",
                    f"the target role's trust does not allow {request.action} for the association role",
                    "EKS needs sts:AssumeRole and sts:TagSession on the target role (session tags are transitive)",
                )
            )
            continue
        best = _best(candidates)
        assert best is not None
        for c in best.failed_conditions:
            key = c.key.lower()
            what = _TAG_KEYS.get(key)
            if key == PRINCIPAL_ARN_KEY.lower():
                add(
                    Finding(
                        "wrong-source-role",
                        f"the target trust admits sessions of {_listing(c.expected)}, not of the association role "
                        f"{association_role_arn}",
                        "the association's role_arn must be the role the target trust pins with aws:PrincipalArn",
                    )
                )
            elif key == EXTERNAL_ID_KEY.lower():
                add(
                    Finding(
                        "external-id-mismatch",
                        f"EKS passes sts:ExternalId {c.actual[0] if c.actual else None!r}; the target trust pins "
                        f"{_listing(c.expected)}",
                        "pin the external ID the association reports (its externalId attribute)",
                    )
                )
            elif what == "cluster":
                add(
                    Finding(
                        "wrong-cluster",
                        f"cluster {cluster_arn!r} is not admitted by the target role; it admits {_listing(c.expected)}",
                        "add the cluster to the service's clusters",
                    )
                )
            elif what == "namespace":
                add(_service_account_findings(namespace, service_account, [(v, "") for v in c.expected], False)[0])
            elif what == "service-account":
                add(
                    _service_account_findings(namespace, service_account, [(namespace, v) for v in c.expected], False)[
                        0
                    ]
                )
            else:
                add(_generic(c))
    return findings or [Finding("denied", "the target role's trust does not admit the association role's session")]
