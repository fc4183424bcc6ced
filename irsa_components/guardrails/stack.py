"""Stack-level guardrails: rules that connect resources (a role and what attaches to it or refers to it).

Resources are connected the way the engine lets a policy connect them: by a property's value (a role
name or ARN) or, while values are still unknown during preview, by the property's dependencies (the
URNs of the resources whose outputs flow into it). What cannot be connected yet is left for the run
after ``pulumi up``; what is connected but cannot be decided (its answer depends on a value not known
yet) is returned as undecided, which the policy reports, never as a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.arns import eks_cluster_arn, parse_arn, partition_for_region
from ..core.evaluate import Decision, Request, evaluate, pod_identity_requests, web_identity_request
from ..core.kubernetes import AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION, ServiceAccountRef
from ..core.queries import kleene_allowed
from ..core.scope import Named
from ..core.trust import DEFAULT_AUDIENCE, POD_IDENTITY_PRINCIPAL, issuer_host
from .resources import (
    OIDC_PROVIDER,
    POD_IDENTITY_ASSOCIATION,
    POLICY,
    POLICY_ATTACHMENT,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
    ROLE_TYPES,
    SERVICE_ACCOUNT_TYPES,
    SYMBOLS,
    RoleView,
    TrustView,
    read_trust,
    role_view,
    service_account_view,
)
from .rules import ADMIN_FIX, Finding, Findings, admin_statements, forbidden_managed_policies
from .values import is_unknown, known_str, read_document, string_list


@dataclass(frozen=True)
class StackResource:
    """One resource of the stack as a stack policy sees it (outputs, with unknowns during preview)."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any] = field(default_factory=dict)
    """Properties of the resource's provider (e.g. ``region``, ``namespace``); empty when not known."""
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """For each property, the URNs of the resources its value was computed from."""


@dataclass(frozen=True)
class StackRole:
    resource: StackResource
    view: RoleView
    trust: TrustView


def _arn_resource(value: str) -> str | None:
    try:
        return parse_arn(value).resource
    except ValueError:
        return None


def _names_role(value: str, role: RoleView) -> bool:
    """Whether ``value`` (a role name or ARN, as attachments and annotations hold them) names ``role``."""
    if value.startswith("arn:"):
        if role.arn:
            return value == role.arn
        resource = _arn_resource(value)
        if resource is None or not resource.startswith("role/"):
            return False
        path_and_name = resource[len("role") :]
        name = path_and_name.rsplit("/", 1)[-1]
        path = path_and_name[: -len(name)]
        return role.role_name == name and (role.path is None or role.path == path)
    return value == role.role_name


_last_index: tuple[list[StackResource], int, StackIndex] | None = None


class StackIndex:
    """The roles and customer managed policies of a stack, and how other resources refer to them."""

    @classmethod
    def of(cls, resources: Iterable[StackResource]) -> StackIndex:
        """The index of ``resources``, built once for the stack rules that get the very same list in a row."""
        global _last_index
        if isinstance(resources, list):
            # The list itself is kept (so its identity cannot pass to another), and its length checked.
            if _last_index is not None and _last_index[0] is resources and _last_index[1] == len(resources):
                return _last_index[2]
            index = cls(resources)
            _last_index = (resources, len(resources), index)
            return index
        return cls(resources)

    def __init__(self, resources: Iterable[StackResource]) -> None:
        self.resources = list(resources)
        self.roles: list[StackRole] = []
        for r in self.resources:
            view = role_view(r.type, r.name, r.props) if r.type in ROLE_TYPES else None
            if view is not None:
                self.roles.append(StackRole(r, view, read_trust(view.trust)))
        self.roles_by_urn = {role.resource.urn: role for role in self.roles}
        # A role can only be named by its IAM name (alone, or as the last part of its ARN): candidates by name.
        self._by_name: dict[str | None, list[StackRole]] = {}
        for role in self.roles:
            self._by_name.setdefault(role.view.role_name, []).append(role)
        self.policies = [r for r in self.resources if r.type == POLICY]
        self.policies_by_urn = {p.urn: p for p in self.policies}

    def _named(self, value: str, among: Sequence[StackRole] | None = None) -> list[StackRole]:
        """The roles ``value`` (a name or ARN) names, among ``among`` (default: every role)."""
        if among is None:
            name = value.rsplit("/", 1)[-1] if value.startswith("arn:") else value
            candidates = [*self._by_name.get(name, ()), *self._by_name.get(None, ())]
            if value.startswith("arn:"):
                candidates += [r for r in self.roles if r.view.arn == value and r not in candidates]
            among = candidates
        return [r for r in among if _names_role(value, r.view)]

    def of_type(self, *types: str) -> list[StackResource]:
        return [r for r in self.resources if r.type in types]

    def _role_deps(self, resource: StackResource, prop: str) -> list[StackRole]:
        urns = resource.property_dependencies.get(prop) or ()
        return [self.roles_by_urn[u] for u in urns if u in self.roles_by_urn]

    def role_for(self, resource: StackResource, prop: str, value: object) -> StackRole | None:
        """The stack's role that ``resource.props[prop]`` (a name or ARN) refers to; None when not decidable."""
        deps = self._role_deps(resource, prop)
        if len(deps) == 1:
            return deps[0]
        name = known_str(value)
        if name is None:
            return None
        matches = self._named(name, deps or None)
        return matches[0] if len(matches) == 1 else None

    def roles_for(self, resource: StackResource, prop: str, values: object) -> list[StackRole]:
        """Every stack role a list property (e.g. PolicyAttachment.roles) refers to."""
        found = {r.resource.urn: r for r in self._role_deps(resource, prop)}
        names, _ = string_list(values)
        for name in names:
            matches = self._named(name)
            if len(matches) == 1:
                found.setdefault(matches[0].resource.urn, matches[0])
        return list(found.values())

    def policies_for(self, resource: StackResource, prop: str, arns: Sequence[str]) -> list[StackResource]:
        """The stack's customer managed policies that ``resource.props[prop]`` refers to."""
        found = {
            u: self.policies_by_urn[u]
            for u in resource.property_dependencies.get(prop) or ()
            if u in self.policies_by_urn
        }
        for arn in arns:
            for policy in self.policies:
                policy_arn = known_str(policy.props.get("arn"))
                if policy_arn == arn or (policy_arn is None and _names_policy(arn, policy.props)):
                    found.setdefault(policy.urn, policy)
        return list(found.values())


def _names_policy(arn: str, props: Mapping[str, Any]) -> bool:
    resource = _arn_resource(arn)
    name = known_str(props.get("name"))
    if resource is None or not resource.startswith("policy/") or name is None:
        return False
    path = known_str(props.get("path")) or "/"
    return resource == f"policy{path}{name}"


def _resource_label(resource: StackResource) -> str:
    return f"{resource.type} {resource.name!r}"


# Administrator permissions reaching a workload role through other resources ----------------------------


def attached_admin_findings(
    resources: Iterable[StackResource],
    *,
    extra_managed_policies: Sequence[str] = (),
    extra_actions: Sequence[str] = (),
) -> Findings:
    """Mandatory: administrator permissions attached to a workload-trusted role by separate resources.

    Covers RolePolicyAttachment, RolePolicy, RolePolicyAttachmentsExclusive, PolicyAttachment, and
    customer managed policies of the stack (aws:iam/policy:Policy) named by any of them or by the
    role's own managedPolicyArns. The role's own inline policies and AWS managed ARNs are the
    resource-level rule's job.
    """
    index = StackIndex.of(resources)
    out = Findings()
    findings = out.violations
    seen: set[tuple[str, str]] = set()

    def report(attacher: StackResource, role: StackRole, key: str, what: str, fix: str) -> None:
        if role.trust.is_workload is False or (role.resource.urn, key) in seen:
            return
        seen.add((role.resource.urn, key))
        via = "" if attacher.urn == role.resource.urn else f" through {_resource_label(attacher)}"
        if role.trust.is_workload is None:
            out.undecided.append(
                f"{role.view.label} gets {what}{via}, and whether workloads can assume it is not known yet"
            )
            return
        findings.append(
            Finding(
                "admin-attached",
                f"{role.view.label} is assumable by Kubernetes workloads and gets {what}{via} [admin-attached]."
                f" Fix: {fix}; {ADMIN_FIX}.",
                urn=attacher.urn,
                subjects=tuple(n for n in (attacher.name, role.view.logical_name, role.view.role_name) if n),
            )
        )

    def check_managed(attacher: StackResource, roles: list[StackRole], prop: str, arns: list[str], aws: bool) -> None:
        if not roles:
            return
        fix = f"remove the policy from {_resource_label(attacher)}"
        if aws:
            for arn in forbidden_managed_policies(arns, extra_managed_policies):
                for role in roles:
                    report(attacher, role, arn, f"managed policy {arn}", fix)
        for policy in index.policies_for(attacher, prop, arns):
            document = read_document(policy.props.get("policy"))
            descriptions, undecided = admin_statements(document, extra_actions) if document else ([], [])
            out.undecided += [f"{_resource_label(policy)}: {u}" for u in undecided]
            if descriptions:
                what = f"{_resource_label(policy)}, which {'; and '.join(descriptions)}"
                for role in roles:
                    report(attacher, role, policy.urn, what, fix)

    for r in index.resources:
        props = r.props
        if r.type == ROLE_POLICY_ATTACHMENT:
            role = index.role_for(r, "role", props.get("role"))
            arns, _ = string_list(props.get("policyArn"))
            check_managed(r, [role] if role else [], "policyArn", arns, aws=True)
        elif r.type == ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
            role = index.role_for(r, "roleName", props.get("roleName"))
            arns, _ = string_list(props.get("policyArns"))
            check_managed(r, [role] if role else [], "policyArns", arns, aws=True)
        elif r.type == POLICY_ATTACHMENT:
            arns, _ = string_list(props.get("policyArn"))
            check_managed(r, index.roles_for(r, "roles", props.get("roles")), "policyArn", arns, aws=True)
        elif r.type in ROLE_TYPES and r.urn in index.roles_by_urn:
            # AWS managed ARNs of the role itself are reported by the resource policy.
            arns, _ = string_list(props.get("managedPolicyArns"))
            check_managed(r, [index.roles_by_urn[r.urn]], "managedPolicyArns", arns, aws=False)
        elif r.type == ROLE_POLICY:
            role = index.role_for(r, "role", props.get("role"))
            document = read_document(props.get("policy"))
            if role is None or document is None:
                continue
            descriptions, undecided = admin_statements(document, extra_actions)
            out.undecided += [f"{_resource_label(r)}: {u}" for u in undecided]
            if descriptions:
                what = f"an inline policy that {'; and '.join(descriptions)}"
                report(r, role, r.urn, what, f"narrow {_resource_label(r)}")
    return out


# Service accounts annotated with a role of the stack -----------------------------------------------


def _failed_reasons(decision: Decision, indexes: Iterable[int], action: str) -> list[str]:
    results = {s.index: s for s in decision.statements}
    if decision.outcome == "explicit-deny":
        return [f"statement {s.index} (Deny) matches" for s in decision.statements if s.matched and s.effect == "Deny"]
    reasons = []
    for i in indexes:
        result = results.get(i)
        if result is None:
            continue
        if not result.principal_matched:
            reasons.append(f"statement {i}: the principal does not match")
        elif not result.action_matched:
            reasons.append(f"statement {i}: {action} is not allowed")
        else:
            reasons.extend(f"statement {i}: {c.reason}" for c in result.failed_conditions)
    return reasons


def _providers(named: Named) -> list[tuple[str, str]]:
    """(provider, issuer host) of the web-identity providers a trust names."""
    out = []
    for provider in named.providers:
        host = provider.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in provider else provider
        out.append((provider, host))
    return out


def _verdict(document: Mapping[str, Any], requests: Sequence[Request]) -> bool | None:
    """Whether ``document`` allows every request; None when that depends on a part not known yet."""
    values = [kleene_allowed(document, r) for r in requests]
    if all(v is True for v in values):
        return True
    return False if any(v is False for v in values) else None


def service_account_findings(
    resources: Iterable[StackResource], *, default_audience: str = DEFAULT_AUDIENCE
) -> Findings:
    """Mandatory: a ServiceAccount annotated with a role of the stack that the role's trust does not admit.

    Decided with the core IAM evaluator on the exact request STS sees (sub = the service account,
    aud = the eks.amazonaws.com/audience annotation or the default), through each OIDC provider the role
    names: the ServiceAccount's cluster is not known to the stack, so any one admitting it is enough.
    """
    index = StackIndex.of(resources)
    out = Findings()
    for r in index.of_type(*SERVICE_ACCOUNT_TYPES):
        default_ns = known_str(r.provider_props.get("namespace")) or "default"
        sa = service_account_view(r.props, default_ns)
        if not isinstance(sa.annotations, Mapping) or ROLE_ARN_ANNOTATION not in sa.annotations:
            continue
        role_arn = sa.annotations.get(ROLE_ARN_ANNOTATION)
        audience = sa.annotations.get(AUDIENCE_ANNOTATION) or default_audience
        namespace, name = known_str(sa.namespace), known_str(sa.name)
        role = index.role_for(r, "metadata", role_arn)
        if role is None:
            continue
        if namespace is None or name is None or is_unknown(audience):
            out.undecided.append(f"{_resource_label(r)}: its namespace, name or audience is not known yet")
            continue
        ref = ServiceAccountRef(namespace, name)
        shown_arn = known_str(role_arn) or "(the role's ARN)"
        label = f"{_resource_label(r)} ({ref})"
        subjects = (r.name, str(ref), role.view.logical_name, *([role.view.role_name] if role.view.role_name else []))
        analysis, document = role.trust.analysis, role.trust.document
        if analysis is None or document is None:
            if role.trust.unknown:
                out.undecided.append(f"{label}: the trust of {role.view.label} is not known yet")
            continue
        if analysis.web_identity is not True:
            if analysis.web_identity is None:
                out.undecided.append(f"{label}: cannot decide whether {role.view.label} trusts a web identity")
                continue
            out.violations.append(
                Finding(
                    "service-account-role-not-web-identity",
                    f"{label} is annotated {ROLE_ARN_ANNOTATION}={shown_arn}, but {role.view.label} does not trust"
                    " any OIDC provider (sts:AssumeRoleWithWebIdentity), so pods using it cannot get credentials"
                    " [service-account-role-not-web-identity]. Fix: add an IRSA trust statement for this service"
                    " account to the role, or remove the annotation and use an EKS Pod Identity association.",
                    urn=r.urn,
                    subjects=subjects,
                )
            )
            continue
        providers = _providers(analysis.named)
        requests = [web_identity_request(p, host, ref.subject, str(audience)) for p, host in providers]
        verdicts = [_verdict(document, [request]) for request in requests]
        if any(v is True for v in verdicts):
            continue
        if not providers or any(v is None for v in verdicts):
            out.undecided.append(
                f"{label}: whether {role.view.label} admits {ref.subject} depends on values not known yet"
            )
            continue
        reasons = [
            f"via {p}: "
            + "; ".join(
                _failed_reasons(
                    evaluate(document, q), analysis.named.statements.get(p, ()), "sts:AssumeRoleWithWebIdentity"
                )
            )
            for (p, _), q in zip(providers, requests, strict=True)
        ]
        out.violations.append(
            Finding(
                "service-account-not-trusted",
                f"{label} is annotated {ROLE_ARN_ANNOTATION}={shown_arn}, but the trust of {role.view.label} does"
                f" not admit {ref.subject} with audience {audience!r}: {' | '.join(reasons)}"
                " [service-account-not-trusted]. Fix: add the service account to the role's trust (sub"
                f" {ref.subject!r}, aud {audience!r}; IrsaRole service_accounts/audiences), or correct the"
                f" annotation, the namespace or the {AUDIENCE_ANNOTATION} annotation.",
                urn=r.urn,
                subjects=subjects,
            )
        )
    return out


# EKS Pod Identity associations ----------------------------------------------------------------------


def _association_context(
    resource: StackResource, role: StackRole, cluster: str, named: Named
) -> tuple[str, str] | None:
    """(account, cluster ARN) of the request EKS makes for the association; None when not decidable."""
    props = resource.props
    account = partition = region = None
    for value in (props.get("associationArn"), props.get("roleArn"), role.view.arn):
        arn = known_str(value)
        if arn is None:
            continue
        try:
            parsed = parse_arn(arn)
        except ValueError:
            continue
        account = account or parsed.account or None
        partition = partition or parsed.partition
        if parsed.service == "eks":
            region = region or parsed.region or None
    region = known_str(props.get("region")) or region or known_str(resource.provider_props.get("region"))
    if account is None:
        accounts = set(named.source_accounts)
        account = accounts.pop() if len(accounts) == 1 else None
    pinned = list(named.cluster_arns)
    if region is not None and account is not None:
        return account, eks_cluster_arn(partition or partition_for_region(region), region, account, cluster)
    # Region unknown (preview): take the pinned ARN of this cluster name if there is exactly one.
    candidates = {a for a in pinned if a.endswith(f":cluster/{cluster}") and (account is None or f":{account}:" in a)}
    if len(candidates) == 1:
        arn = candidates.pop()
        try:
            return account or parse_arn(arn).account, arn
        except ValueError:
            return None
    if not pinned and account is not None:
        return account, eks_cluster_arn(partition or "aws", "<region>", account, cluster)
    return None


def pod_identity_association_findings(resources: Iterable[StackResource]) -> Findings:
    """Mandatory: an EKS Pod Identity association whose role (of this stack) would refuse EKS's request.

    Decided with the core IAM evaluator on the sts:AssumeRole and sts:TagSession requests EKS makes for
    a pod of that cluster, namespace and service account (without session tags when the association
    disables them), with the association's ARN as aws:SourceArn.
    """
    index = StackIndex.of(resources)
    out = Findings()
    for r in index.of_type(POD_IDENTITY_ASSOCIATION):
        props = r.props
        cluster = known_str(props.get("clusterName"))
        namespace = known_str(props.get("namespace"))
        service_account = known_str(props.get("serviceAccount"))
        disable_tags = props.get("disableSessionTags")
        role = index.role_for(r, "roleArn", props.get("roleArn"))
        if role is None:
            continue
        if cluster is None or namespace is None or service_account is None or is_unknown(disable_tags):
            out.undecided.append(f"{_resource_label(r)}: its cluster, namespace, service account or tags are not known")
            continue
        label = f"{_resource_label(r)} ({cluster}: {namespace}/{service_account})"
        subjects = (r.name, f"{namespace}/{service_account}", role.view.logical_name, role.view.role_name or "")
        analysis, document = role.trust.analysis, role.trust.document
        if analysis is None or document is None:
            if role.trust.unknown:
                out.undecided.append(f"{label}: the trust of {role.view.label} is not known yet")
            continue
        if analysis.pod_identity is not True:
            if analysis.pod_identity is None:
                out.undecided.append(f"{label}: cannot decide whether {role.view.label} trusts EKS Pod Identity")
                continue
            out.violations.append(
                Finding(
                    "association-role-not-pod-identity",
                    f"{label} uses {role.view.label}, whose trust does not admit {POD_IDENTITY_PRINCIPAL}"
                    " [association-role-not-pod-identity]. Fix: add a statement allowing sts:AssumeRole and"
                    f" sts:TagSession to Principal.Service {POD_IDENTITY_PRINCIPAL}, scoped with aws:SourceAccount"
                    " and pinned with the aws:RequestTag/eks-cluster-arn, kubernetes-namespace and"
                    " kubernetes-service-account session tags (IrsaRole pod_identity_cluster_names does this).",
                    urn=r.urn,
                    subjects=subjects,
                )
            )
            continue
        context = _association_context(r, role, cluster, analysis.named)
        if context is None:
            out.undecided.append(f"{label}: the association's account or cluster ARN is not known yet")
            continue
        account, cluster_arn = context
        requests = pod_identity_requests(
            account_id=account,
            cluster_arn=cluster_arn,
            cluster_name=cluster,
            namespace=namespace,
            service_account=service_account,
            session_tags=not bool(disable_tags),
            association_arn=known_str(props.get("associationArn")),
        )
        verdict = _verdict(document, requests)
        if verdict is True:
            continue
        if verdict is None:
            out.undecided.append(
                f"{label}: whether {role.view.label} admits EKS's request depends on values not known yet"
            )
            continue
        statements = [i for p in (POD_IDENTITY_PRINCIPAL,) for i in analysis.named.statements.get(p, ())]
        reasons = [
            f"{req.action}: " + "; ".join(_failed_reasons(d, statements, req.action))
            for req in requests
            if not (d := evaluate(document, req)).allowed
        ]
        tags = "without session tags" if disable_tags else "with session tags"
        out.violations.append(
            Finding(
                "association-not-trusted",
                f"{label} uses {role.view.label}, whose trust refuses EKS Pod Identity's request ({tags},"
                f" account {account}, cluster {cluster_arn}): {' | '.join(reasons)} [association-not-trusted]."
                " Fix: pin the role's Pod Identity statement to this cluster, namespace and service account"
                " (aws:RequestTag/eks-cluster-arn, kubernetes-namespace, kubernetes-service-account), allow"
                " sts:TagSession, and keep session tags enabled on the association while the trust pins them.",
                urn=r.urn,
                subjects=subjects,
            )
        )
    return out


# OIDC providers -----------------------------------------------------------------------------------------


def oidc_provider_findings(
    resources: Iterable[StackResource], *, required_client_ids: Sequence[str] = (DEFAULT_AUDIENCE,)
) -> Findings:
    """Mandatory: an IRSA OIDC provider whose client IDs lack sts.amazonaws.com or an audience its roles pin.

    STS rejects a web-identity token whose aud is not one of the provider's client IDs. A provider is an
    IRSA provider when its issuer is an EKS one (oidc.eks.*) or a role of the stack names it next to
    ``system:serviceaccount:`` subjects.
    """
    index = StackIndex.of(resources)
    users: dict[str, list[tuple[StackRole, str]]] = {}
    for role in index.roles:
        named = role.trust.analysis.named if role.trust.analysis else None
        for provider, host in _providers(named) if named else ():
            users.setdefault(host, []).append((role, provider))
    out = Findings()
    for r in index.of_type(OIDC_PROVIDER):
        url = known_str(r.props.get("url"))
        client_ids, unknown = string_list(r.props.get("clientIdLists"))
        if url is None or unknown:
            continue
        host = issuer_host(url)
        arn = known_str(r.props.get("arn"))
        trusted_by = [(role, p) for role, p in users.get(host, []) if arn is None or p == arn]
        irsa = host.startswith("oidc.eks.") or any(
            s.startswith("system:serviceaccount:")
            for role, _ in trusted_by
            for s in (role.trust.analysis.named.subjects if role.trust.analysis else ())
        )
        if not irsa:
            continue
        subjects = (r.name, host)
        missing = [c for c in required_client_ids if c not in client_ids]
        if missing:
            out.violations.append(
                Finding(
                    "client-id-missing",
                    f"{_resource_label(r)} ({host}) has client IDs {client_ids}, without {missing}: STS rejects"
                    " the projected service-account tokens of IRSA [client-id-missing]. Fix: add"
                    f" {missing} to clientIdLists.",
                    urn=r.urn,
                    subjects=subjects,
                )
            )
        for role, _ in trusted_by:
            named = role.trust.analysis.named if role.trust.analysis else None
            pinned = [a for a in (named.audiences if named else ()) if not SYMBOLS.search(a)]
            absent = [a for a in pinned if a not in client_ids and a not in missing]
            if absent and pinned == list(named.audiences if named else ()):
                out.violations.append(
                    Finding(
                        "audience-not-client-id",
                        f"{_resource_label(r)} ({host}) does not list {absent} as client IDs, but {role.view.label}"
                        f" accepts only tokens for {'that audience' if len(absent) == 1 else 'those audiences'},"
                        " so STS rejects them [audience-not-client-id]. Fix: add the audience to the provider's"
                        " clientIdLists, or pin the role's aud to one the provider lists.",
                        urn=r.urn,
                        subjects=(*subjects, role.view.logical_name),
                    )
                )
    return out
