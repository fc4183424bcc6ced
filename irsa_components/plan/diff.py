"""Semantic difference of two plans: who gains or loses access to what, classified for review.

Every change is ``widening`` (someone can do more, or the trust got weaker), ``narrowing`` (less) or
``neutral``. Principals are re-derived from the trust documents the plans carry (see ``access``),
so the diff judges the documents, not a summary of them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..core.evaluate import glob_match
from .access import ClusterIndex, audiences_cover, service_principals, subject_covers
from .model import ANY, Cluster, Permissions, PermissionStatement, Plan, Principal, Service, Weakness

Classification = Literal["widening", "narrowing", "neutral"]
ORDER: dict[str, int] = {"widening": 0, "narrowing": 1, "neutral": 2}
DIFF_FORMAT_VERSION = 1

# Weaknesses whose effect the principal comparison already reports (subjects and audiences).
_COVERED_BY_PRINCIPALS = frozenset(
    {"missing-sub", "sub-wildcard-broad", "sub-namespace-wildcard", "missing-aud", "aud-wildcard", "aud-unexpected"}
)
# Weaknesses that break the role rather than widen who can use it.
_BREAKING = frozenset({"missing-tag-session"})


@dataclass(frozen=True)
class Change:
    classification: Classification
    kind: str
    service: str
    summary: str
    before: str | None = None
    after: str | None = None
    replacement: bool = False

    def to_data(self) -> dict[str, Any]:
        return {
            "after": self.after,
            "before": self.before,
            "classification": self.classification,
            "kind": self.kind,
            "replacement": self.replacement,
            "service": self.service,
            "summary": self.summary,
        }


@dataclass
class PlanDiff:
    base: str
    head: str
    changes: list[Change] = field(default_factory=list)

    def count(self, classification: Classification) -> int:
        return sum(1 for c in self.changes if c.classification == classification)

    @property
    def widening(self) -> bool:
        return self.count("widening") > 0

    @property
    def replacements(self) -> list[Change]:
        return [c for c in self.changes if c.replacement]

    @property
    def retained(self) -> list[Change]:
        """Roles that leave the stack (removed or replaced) but stay in AWS, unmanaged (``retainOnDelete``)."""
        return [c for c in self.changes if c.kind == "role-retained"]

    def to_data(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "changes": [c.to_data() for c in self.changes],
            "formatVersion": DIFF_FORMAT_VERSION,
            "head": self.head,
            "summary": {
                "narrowing": self.count("narrowing"),
                "neutral": self.count("neutral"),
                "replacements": len(self.replacements),
                "retained": len(self.retained),
                "widening": self.count("widening"),
            },
        }


# Describing things ----------------------------------------------------------------------------


def _via(p: Principal) -> str:
    return {"irsa": "IRSA", "pod-identity": "Pod Identity", "other": "another principal"}[p.mechanism]


def describe_principal(p: Principal) -> str:
    through = f" through role `{p.chained_through}`" if p.chained_through else ""
    if p.mechanism == "other":
        return f"`{p.subject}`{through}"
    where = "any cluster" if p.cluster == ANY else f"cluster `{p.cluster}`"
    extra = " (bound by the association only)" if p.pinned_by == "association" else ""
    return f"`{p.subject}` at {where} via {_via(p)}{through}{extra}"


def _account_label(plan: Plan, service: Service) -> str:
    """Where the service's role lives, for people: ``account `shared` (222233334444)`` or the stack's own."""
    account_id = service.role.account_id or plan.account
    if service.account:
        return f"account `{service.account}` ({account_id})"
    return f"the stack's account ({account_id})"


def _aud(values: list[str] | None) -> str:
    return "any audience" if values is None else ", ".join(values)


# Trust ------------------------------------------------------------------------------------------


def _derived(plan: Plan, service: Service) -> tuple[list[Principal], list[Weakness]]:
    return service_principals(service, ClusterIndex.of(plan.clusters, plan.accounts))


def _by_key(principals: Iterable[Principal]) -> dict[tuple[str, str, str], Principal]:
    out: dict[tuple[str, str, str], Principal] = {}
    for p in principals:
        if p.key in out and p.audiences is not None:
            merged = out[p.key].audiences
            audiences = None if merged is None else sorted({*merged, *p.audiences})
            out[p.key] = out[p.key].model_copy(update={"audiences": audiences})
        elif p.key in out:
            out[p.key] = out[p.key].model_copy(update={"audiences": None})
        else:
            out[p.key] = p
    return out


def _principal_changes(key: str, base: list[Principal], head: list[Principal]) -> list[Change]:
    changes: list[Change] = []
    old, new = _by_key(base), _by_key(head)
    for k in sorted(new.keys() - old.keys()):
        p = new[k]
        if any(subject_covers(o, p) for o in old.values()):
            changes.append(
                Change("neutral", "principal-added", key, f"{describe_principal(p)} (already admitted by a pattern)")
            )
        elif p.mechanism == "irsa" and p.subject.endswith(f":{ANY}:{ANY}") and p.subject.count(ANY) == 2:
            changes.append(
                Change(
                    "widening",
                    "trust-sub-dropped",
                    key,
                    f"no `sub` condition: every service account at {describe_principal(p).split(' at ', 1)[1]}",
                )
            )
        elif p.pattern:
            changes.append(Change("widening", "trust-wildcard-introduced", key, f"wildcard {describe_principal(p)}"))
        else:
            changes.append(Change("widening", "principal-added", key, f"newly admitted: {describe_principal(p)}"))
    for k in sorted(old.keys() - new.keys()):
        p = old[k]
        if any(subject_covers(n, p) for n in new.values()):
            changes.append(
                Change("neutral", "principal-removed", key, f"{describe_principal(p)} (still admitted by a pattern)")
            )
        else:
            changes.append(
                Change("narrowing", "principal-removed", key, f"no longer admitted: {describe_principal(p)}")
            )
    for k in sorted(old.keys() & new.keys()):
        o, n = old[k], new[k]
        if o.mechanism == "irsa" and o.audiences != n.audiences:
            who = describe_principal(n)
            before, after = _aud(o.audiences), _aud(n.audiences)
            if n.audiences is None:
                changes.append(
                    Change("widening", "trust-aud-dropped", key, f"`aud` no longer pinned for {who}", before, after)
                )
            elif audiences_cover(o.audiences, n.audiences):
                changes.append(
                    Change("narrowing", "trust-aud-changed", key, f"fewer audiences for {who}", before, after)
                )
            else:
                changes.append(
                    Change("widening", "trust-aud-changed", key, f"audience changed for {who}", before, after)
                )
        if o.pinned_by != n.pinned_by:
            cls: Classification = "widening" if n.pinned_by == "association" else "narrowing"
            changes.append(
                Change(
                    cls,
                    "trust-pinning-changed",
                    key,
                    f"{describe_principal(n)}: pinned by the {o.pinned_by} before, by the {n.pinned_by} now",
                    o.pinned_by,
                    n.pinned_by,
                )
            )
        if o.chained_through != n.chained_through:
            changes.append(
                Change(
                    "neutral",
                    "trust-chain-changed",
                    key,
                    f"{describe_principal(n)}: reached through another role",
                    o.chained_through or "(directly)",
                    n.chained_through or "(directly)",
                )
            )
        if sorted(o.source_accounts) != sorted(n.source_accounts):
            cls = (
                "widening" if not n.source_accounts or set(n.source_accounts) - set(o.source_accounts) else "narrowing"
            )
            changes.append(
                Change(
                    cls,
                    "trust-source-account-changed",
                    key,
                    f"aws:SourceAccount changed for {describe_principal(n)}",
                    ", ".join(o.source_accounts) or "(none)",
                    ", ".join(n.source_accounts) or "(none)",
                )
            )
    return changes


def _weakness_changes(key: str, base: list[Weakness], head: list[Weakness]) -> list[Change]:
    def relevant(ws: list[Weakness]) -> dict[tuple[str, str, str], Weakness]:
        return {(w.trust, w.code, w.message): w for w in ws if w.code not in _COVERED_BY_PRINCIPALS}

    def where(trust: str) -> str:
        return "association role: " if trust == "association-role" else ""

    old, new = relevant(base), relevant(head)
    changes = []
    for trust, code, message in sorted(new.keys() - old.keys()):
        cls: Classification = "neutral" if code in _BREAKING else "widening"
        note = " (the role cannot be assumed this way)" if code in _BREAKING else ""
        changes.append(Change(cls, "trust-weakened", key, f"{where(trust)}{code}: {message}{note}"))
    for trust, code, message in sorted(old.keys() - new.keys()):
        cls = "neutral" if code in _BREAKING else "narrowing"
        changes.append(Change(cls, "trust-strengthened", key, f"{where(trust)}fixed {code}: {message}"))
    return changes


# Permissions ------------------------------------------------------------------------------------

_Grant = tuple[str, str, str, str]  # effect, action, resource, condition JSON ("" for none)


def _grants(statements: Iterable[PermissionStatement]) -> set[_Grant]:
    out: set[_Grant] = set()
    for s in statements:
        condition = json.dumps(s.condition, sort_keys=True) if s.condition else ""
        if s.not_actions or s.not_resources:
            whole = json.dumps(
                {
                    "NotAction": s.not_actions,
                    "Action": s.actions,
                    "Resource": s.resources,
                    "NotResource": s.not_resources,
                },
                sort_keys=True,
            )
            out.add((s.effect, whole, "", condition))
            continue
        for action in s.actions:
            for resource in s.resources or [ANY]:
                out.add((s.effect, action, resource, condition))
    return out


def _covered(grant: _Grant, others: set[_Grant]) -> bool:
    effect, action, resource, condition = grant
    for o_effect, o_action, o_resource, o_condition in others:
        if o_effect != effect or (o_condition and o_condition != condition) or not o_resource:
            continue
        if glob_match(o_action, action, case_sensitive=False) and glob_match(o_resource, resource):
            return True
    return False


_Group = tuple[str, str, bool, bool, tuple[str, ...], list[str]]
"""effect, condition, fresh (the action is new / gone altogether), covered, resources, actions."""


def _describe_grant(actions: list[str], resources: list[str], condition: str) -> str:
    where = ", ".join(f"`{r}`" for r in resources if r)
    text = ", ".join(f"`{a}`" for a in actions) + (f" on {where}" if where else "")
    return text + (f" when `{condition}`" if condition else "")


def _permission_changes(key: str, base: Service, head: Service) -> list[Change]:
    changes = _grant_changes(key, base.permissions, head.permissions)
    ob, nb = base.role.permissions_boundary, head.role.permissions_boundary
    if ob != nb:
        if nb is None:
            changes.append(Change("widening", "boundary-removed", key, "permissions boundary removed", ob, nb))
        elif ob is None:
            changes.append(Change("narrowing", "boundary-added", key, "permissions boundary added", ob, nb))
        else:
            changes.append(
                Change("widening", "boundary-changed", key, "permissions boundary replaced (review it)", ob, nb)
            )
    ba, ha = base.association_role, head.association_role
    if ba is not None and ha is not None:
        changes += _grant_changes(key, ba.permissions, ha.permissions, "association role: ")
    return changes


def _grant_changes(key: str, base: Permissions, head: Permissions, who: str = "") -> list[Change]:
    """Managed policies attached or detached and statements' grants added or removed, between two roles' permissions."""
    changes: list[Change] = []
    old_m, new_m = set(base.managed_policies), set(head.managed_policies)
    for arn in sorted(new_m - old_m):
        changes.append(Change("widening", "managed-policy-attached", key, f"{who}managed policy `{arn}` attached"))
    for arn in sorted(old_m - new_m):
        changes.append(Change("narrowing", "managed-policy-detached", key, f"{who}managed policy `{arn}` detached"))
    old, new = _grants(base.statements()), _grants(head.statements())
    old_actions = {(g[0], g[1]) for g in old}
    new_actions = {(g[0], g[1]) for g in new}

    def grouped(grants: set[_Grant], other: set[_Grant], other_actions: set[tuple[str, str]]) -> list[_Group]:
        """Grants with the same effect, condition, resources, kind and coverage share one change."""
        resources: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for effect, action, resource, condition in grants:
            resources[(effect, action, condition)].append(resource)
        groups: dict[tuple[str, str, bool, bool, tuple[str, ...]], list[str]] = defaultdict(list)
        for (effect, action, condition), rs in resources.items():
            covered = all(_covered((effect, action, r, condition), other) for r in rs)
            fresh = (effect, action) not in other_actions
            groups[(effect, condition, fresh, covered, tuple(sorted(rs)))].append(action)
        return [(*k, sorted(v)) for k, v in sorted(groups.items())]

    for effect, condition, fresh, covered, resources, actions in grouped(new - old, old, old_actions):
        allow = effect == "Allow"
        cls: Classification = "neutral" if covered else ("widening" if allow else "narrowing")
        note = " (already covered by a wildcard)" if covered else ""
        what = _describe_grant(actions, list(resources), condition)
        changes.append(
            Change(
                cls,
                "action-added" if fresh else "resource-added",
                key,
                f"{who}now {'allows' if allow else 'denies'} {what}{note}",
            )
        )
    for effect, condition, fresh, covered, resources, actions in grouped(old - new, new, new_actions):
        allow = effect == "Allow"
        cls = "neutral" if covered else ("narrowing" if allow else "widening")
        note = " (still covered by a wildcard)" if covered else ""
        what = _describe_grant(actions, list(resources), condition)
        changes.append(
            Change(
                cls,
                "action-removed" if fresh else "resource-removed",
                key,
                f"{who}no longer {'allows' if allow else 'denies'} {what}{note}",
            )
        )
    return changes


# Role and Kubernetes ----------------------------------------------------------------------------


def _moved(base: Service, head: Service) -> bool:
    """Whether the service's role moves to another AWS account (a new role there)."""
    return base.account != head.account or base.role.account_id != head.role.account_id


def _component_of(urn: str) -> str:
    """The type chain of a URN (``...IrsaRole$aws:iam/role:Role``): which component registers the role."""
    return urn.rsplit("::", 1)[0].rsplit("::", 1)[-1]


def _replacement_reasons(base_plan: Plan, base: Service, head_plan: Plan, head: Service) -> list[str]:
    o, n = base.role, head.role
    reasons = []
    if o.name != n.name:
        reasons.append("name")
    if o.path != n.path:
        reasons.append("path")
    if _moved(base, head):
        reasons.append(f"account ({_account_label(base_plan, base)} → {_account_label(head_plan, head)})")
    elif _component_of(o.urn) != _component_of(n.urn):
        reasons.append("component (another resource registers it, e.g. an identity switch into an account)")
    return reasons


def _role_changes(base_plan: Plan, head_plan: Plan, key: str, base: Service, head: Service) -> list[Change]:
    changes: list[Change] = []
    o, n = base.role, head.role
    reasons = _replacement_reasons(base_plan, base, head_plan, head)
    if reasons:
        verb = "changes" if len(reasons) == 1 else "change"
        old_fate = (
            "the old role is retained: it stays in AWS, unmanaged" if o.retain_on_delete else "the old role is deleted"
        )
        changes.append(
            Change(
                "neutral",
                "role-replaced",
                key,
                f"role {' and '.join(reasons)} {verb}: IAM replaces the role (new ARN; sessions and annotations move "
                f"to it); {old_fate}",
                o.arn,
                n.arn,
                replacement=True,
            )
        )
    if o.max_session_duration != n.max_session_duration:
        changes.append(
            Change(
                "neutral",
                "max-session-duration-changed",
                key,
                "maximum session duration changed",
                str(o.max_session_duration),
                str(n.max_session_duration),
            )
        )
    if o.description != n.description:
        changes.append(
            Change("neutral", "description-changed", key, "role description changed", o.description, n.description)
        )
    if o.tags != n.tags:
        keys = sorted(k for k in o.tags.keys() | n.tags.keys() if o.tags.get(k) != n.tags.get(k))
        changes.append(
            Change(
                "neutral",
                "tags-changed",
                key,
                f"role tags changed: {', '.join(keys)}",
                json.dumps({k: o.tags.get(k) for k in keys}, sort_keys=True),
                json.dumps({k: n.tags.get(k) for k in keys}, sort_keys=True),
            )
        )
    if base.identity != head.identity:
        changes.append(
            Change("neutral", "identity-changed", key, "identity mode changed", base.identity, head.identity)
        )
    return changes


def _kubernetes_changes(key: str, base: Service, head: Service) -> list[Change]:
    changes: list[Change] = []
    old_sa = {(s.cluster, s.namespace, s.name): s for s in base.kubernetes.service_accounts}
    new_sa = {(s.cluster, s.namespace, s.name): s for s in head.kubernetes.service_accounts}
    for k in sorted(new_sa.keys() - old_sa.keys()):
        changes.append(Change("neutral", "service-account-created", key, f"ServiceAccount `{k[1]}/{k[2]}` on `{k[0]}`"))
    for k in sorted(old_sa.keys() - new_sa.keys()):
        changes.append(Change("neutral", "service-account-deleted", key, f"ServiceAccount `{k[1]}/{k[2]}` on `{k[0]}`"))
    for k in sorted(old_sa.keys() & new_sa.keys()):
        o, n = old_sa[k].annotations, new_sa[k].annotations
        for name in sorted(o.keys() | n.keys()):
            if o.get(name) != n.get(name):
                changes.append(
                    Change(
                        "neutral",
                        "annotation-changed",
                        key,
                        f"ServiceAccount `{k[1]}/{k[2]}` on `{k[0]}`: `{name}`",
                        o.get(name),
                        n.get(name),
                    )
                )
    old_a = {(a.cluster, a.namespace, a.service_account): a for a in base.kubernetes.pod_identity_associations}
    new_a = {(a.cluster, a.namespace, a.service_account): a for a in head.kubernetes.pod_identity_associations}
    for k in sorted(new_a.keys() - old_a.keys()):
        changes.append(
            Change("neutral", "association-created", key, f"Pod Identity association `{k[1]}/{k[2]}` on `{k[0]}`")
        )
    for k in sorted(old_a.keys() - new_a.keys()):
        changes.append(
            Change("neutral", "association-deleted", key, f"Pod Identity association `{k[1]}/{k[2]}` on `{k[0]}`")
        )
    for k in sorted(old_a.keys() & new_a.keys()):
        o_a, n_a = old_a[k], new_a[k]
        for attr, label in (("role_arn", "role"), ("target_role_arn", "target role"), ("session_tags", "session tags")):
            before, after = getattr(o_a, attr), getattr(n_a, attr)
            if before != after:
                changes.append(
                    Change(
                        "neutral",
                        "association-changed",
                        key,
                        f"Pod Identity association `{k[1]}/{k[2]}` on `{k[0]}`: {label}",
                        str(before),
                        str(after),
                    )
                )
    return changes


# Services ---------------------------------------------------------------------------------------


def _match_services(base: Plan, head: Plan) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(pairs of base and head keys, removed base keys, added head keys); renames match by role name."""
    pairs = [(k, k) for k in sorted(base.services.keys() & head.services.keys())]
    removed = sorted(base.services.keys() - head.services.keys())
    added = sorted(head.services.keys() - base.services.keys())
    by_role = {base.services[k].role.name.lower(): k for k in removed}
    for new_key in list(added):
        service = head.services[new_key]
        old_key = by_role.get(service.role.name.lower())
        if old_key is None:
            old_key = next((k for k in service.renamed_from if k in removed), None)
        if old_key is not None and old_key in removed:
            pairs.append((old_key, new_key))
            removed.remove(old_key)
            added.remove(new_key)
    return pairs, removed, added


def _retained_changes(plan: Plan, key: str, service: Service, why: str) -> list[Change]:
    """A retained role leaving the stack: it stays in AWS with its trust and permissions, and nothing manages it.

    Web identity (and other) principals keep their access (the trust is the grant); Pod Identity
    principals lose it with the associations, which are deleted, until someone associates the role again.
    """
    role = service.role
    also = (
        f" (and its association role `{service.association_role.name}`)"
        if service.association_role is not None and service.association_role.retain_on_delete
        else ""
    )
    changes = [
        Change(
            "neutral",
            "role-retained",
            key,
            f"{why}, but role `{role.name}` in {_account_label(plan, service)}{also} is retained (retainOnDelete): it "
            "stays in AWS, unmanaged, with its trust and permissions; `irsa plan` no longer shows it",
            role.arn,
            role.arn,
        )
    ]
    principals, _ = _derived(plan, service)
    for p in principals:
        if p.mechanism == "pod-identity":
            changes.append(
                Change(
                    "narrowing",
                    "principal-removed",
                    key,
                    f"no longer admitted: {describe_principal(p)} (its association is deleted; the retained role "
                    f"`{role.name}` admits it again if someone associates it)",
                )
            )
        else:
            changes.append(
                Change(
                    "neutral",
                    "access-kept",
                    key,
                    f"{describe_principal(p)} can still assume the retained role `{role.name}`: its trust is the "
                    "grant (a ServiceAccount of that name gets the role, whoever creates it); delete the role or "
                    "narrow its trust once the workload is gone",
                )
            )
    return changes


def _moved_principal_changes(
    base_plan: Plan, head_plan: Plan, key: str, base: Service, head: Service, bp: list[Principal], hp: list[Principal]
) -> list[Change]:
    """The role moves to another account: its principals are admitted to a new role there, and leave the old one."""
    changes = [
        Change(
            "widening",
            "principal-added",
            key,
            f"newly admitted to a role in {_account_label(head_plan, head)}: {describe_principal(p)}",
        )
        for p in hp
    ]
    if base.role.retain_on_delete:
        return changes + _retained_changes(base_plan, key, base, f"the role moves to {_account_label(head_plan, head)}")
    changes += [
        Change(
            "narrowing",
            "principal-removed",
            key,
            f"no longer admitted to the role in {_account_label(base_plan, base)}: {describe_principal(p)}",
        )
        for p in bp
    ]
    return changes


def diff_plans(base: Plan, head: Plan, base_name: str = "base", head_name: str = "head") -> PlanDiff:
    result = PlanDiff(base_name, head_name)
    changes = result.changes
    pairs, removed, added = _match_services(base, head)
    for key in added:
        service = head.services[key]
        principals, _ = _derived(head, service)
        shown = "; ".join(describe_principal(p) for p in principals) or "nobody"
        cls: Classification = "widening" if principals else "neutral"
        where = f" in {_account_label(head, service)}" if service.account else ""
        changes.append(Change(cls, "service-added", key, f"new role `{service.role.arn}`{where} admits {shown}"))
        perms = len(service.permissions.managed_policies) + len(service.permissions.statements())
        if perms:
            grants = sorted({g[1] for g in _grants(service.permissions.statements()) if g[0] == "Allow"})
            managed = ", ".join(f"`{m}`" for m in service.permissions.managed_policies)
            text = ", ".join(f"`{g}`" for g in grants)
            parts = [p for p in (f"managed {managed}" if managed else "", f"allows {text}" if text else "") if p]
            changes.append(Change(cls, "service-permissions", key, f"new role permissions: {'; '.join(parts)}"))
    for key in removed:
        service = base.services[key]
        if service.role.retain_on_delete:
            changes.extend(_retained_changes(base, key, service, "the service is removed"))
            continue
        also = f" (and its association role `{service.association_role.name}`)" if service.association_role else ""
        changes.append(
            Change(
                "narrowing", "service-removed", key, f"role `{service.role.name}`{also} deleted", service.role.arn, None
            )
        )
    for old_key, new_key in pairs:
        b, h = base.services[old_key], head.services[new_key]
        if old_key != new_key:
            changes.append(
                Change("neutral", "service-renamed", new_key, f"service key renamed from `{old_key}`", old_key, new_key)
            )
        bp, bw = _derived(base, b)
        hp, hw = _derived(head, h)
        changes.extend(_role_changes(base, head, new_key, b, h))
        if _moved(b, h):
            changes.extend(_moved_principal_changes(base, head, new_key, b, h, bp, hp))
        else:
            changes.extend(_principal_changes(new_key, bp, hp))
            if b.role.retain_on_delete and _replacement_reasons(base, b, head, h):
                changes.extend(_retained_changes(base, new_key, b, "the role is replaced")[:1])
        changes.extend(_weakness_changes(new_key, bw, hw))
        changes.extend(_permission_changes(new_key, b, h))
        changes.extend(_kubernetes_changes(new_key, b, h))
    changes.extend(_cluster_changes(base, head))
    changes.extend(_account_changes(base, head))
    changes.sort(key=lambda c: (ORDER[c.classification], not c.replacement, c.service, c.kind, c.summary))
    return result


def _cluster_label(cluster: Cluster) -> str:
    if cluster.kind == "eks":
        return cluster.name or "EKS"
    return f"self-hosted, issuer {cluster.issuer_url or '?'}"


def _cluster_changes(base: Plan, head: Plan) -> list[Change]:
    changes = []
    for key in sorted(head.clusters.keys() - base.clusters.keys()):
        changes.append(
            Change("neutral", "cluster-added", "", f"cluster `{key}` ({_cluster_label(head.clusters[key])}) added")
        )
    for key in sorted(base.clusters.keys() - head.clusters.keys()):
        changes.append(
            Change("neutral", "cluster-removed", "", f"cluster `{key}` ({_cluster_label(base.clusters[key])}) removed")
        )
    for key in sorted(base.clusters.keys() & head.clusters.keys()):
        o, n = base.clusters[key], head.clusters[key]
        if o.kind != n.kind:
            changes.append(Change("neutral", "cluster-changed", "", f"cluster `{key}`: kind changed", o.kind, n.kind))
        for attr, label in (("name", "name"), ("issuer_url", "issuer"), ("issuer_bucket", "issuer bucket")):
            before, after = getattr(o, attr), getattr(n, attr)
            if before and after and before != after:
                changes.append(
                    Change("neutral", "cluster-changed", "", f"cluster `{key}`: {label} changed", before, after)
                )
        if o.oidc_provider == "created" and n.oidc_provider != "created":
            changes.append(
                Change(
                    "neutral",
                    "oidc-provider-released",
                    "",
                    f"cluster `{key}`: the stack no longer creates the IAM OIDC provider (it is protected; deleting it "
                    "breaks every IRSA role of the cluster)",
                    o.oidc_provider_arn,
                    n.oidc_provider_arn,
                )
            )
        elif o.oidc_provider_arn and n.oidc_provider_arn and o.oidc_provider_arn != n.oidc_provider_arn:
            changes.append(
                Change(
                    "neutral",
                    "cluster-changed",
                    "",
                    f"cluster `{key}`: OIDC provider changed",
                    o.oidc_provider_arn,
                    n.oidc_provider_arn,
                )
            )
    return changes


def _account_changes(base: Plan, head: Plan) -> list[Change]:
    """``irsa:accounts`` entries added, removed or changed, and the OIDC providers the stack uses in them."""
    changes = []
    for key in sorted(head.accounts.keys() - base.accounts.keys()):
        a = head.accounts[key]
        changes.append(Change("neutral", "account-added", "", f"account `{key}` ({a.account_id}) added"))
    for key in sorted(base.accounts.keys() - head.accounts.keys()):
        a = base.accounts[key]
        changes.append(Change("neutral", "account-removed", "", f"account `{key}` ({a.account_id}) removed"))
    for key in sorted(base.accounts.keys() & head.accounts.keys()):
        o, n = base.accounts[key], head.accounts[key]
        for attr, label in (("account_id", "account ID"), ("role_arn", "deployment role"), ("region", "region")):
            before, after = getattr(o, attr), getattr(n, attr)
            if before != after:
                changes.append(
                    Change("neutral", "account-changed", "", f"account `{key}`: {label} changed", before, after)
                )
        for cluster in sorted(o.oidc_providers.keys() | n.oidc_providers.keys()):
            before, after = o.oidc_providers.get(cluster), n.oidc_providers.get(cluster)
            if before == after:
                continue
            if before is None:
                what = "its IRSA roles now trust an IAM OIDC provider there"
            elif after is None:
                what = "no IRSA role there uses the IAM OIDC provider any more"
                if o.create_oidc_providers:
                    what += " (the stack created it and it is protected: `pulumi up` stops at it until unprotected)"
            else:
                what = "IAM OIDC provider changed"
            changes.append(
                Change("neutral", "account-changed", "", f"account `{key}`, cluster `{cluster}`: {what}", before, after)
            )
    return changes


def changes_by_service(diff: PlanDiff) -> Mapping[str, list[Change]]:
    out: dict[str, list[Change]] = defaultdict(list)
    for c in diff.changes:
        out[c.service].append(c)
    return out
