"""Semantic difference of two plans: who gains or loses access to what, classified for review.

Every change is ``widening`` (someone can do more, or a credential lives longer), ``narrowing``
(less) or ``neutral``. Roles are matched across the plans by their identity (account and name); a
service whose role changes identity is a replacement. Whether a role's trust or permissions widen
is decided by the solver on the documents the plans carry (``diff_access``), so a plan edited by hand
is judged by its documents; principal-level details are listed beside, classified by that decision.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping

from .access import ClusterIndex, audiences_cover, service_principals, subject_covers
from .changes import DIFF_FORMAT_VERSION, ORDER, Change, Classification, PlanDiff
from .diff_access import Comparison, compare, document_changes, new_role_admin, permission_changes, reclassify
from .model import ANY, Cluster, PermissionStatement, Plan, Principal, Service, Weakness

__all__ = ["DIFF_FORMAT_VERSION", "ORDER", "Change", "Classification", "PlanDiff", "changes_by_service", "diff_plans"]

# Weaknesses that break the role rather than widen who can use it.
_BREAKING = frozenset({"missing-tag-session"})


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


def _derived(plan: Plan, service: Service, judge: bool = False) -> tuple[list[Principal], list[Weakness]]:
    # Who the trusts name, for the detail lines; whether they admit more is the trust comparison's question.
    # Weaknesses are judged again (``judge``) only for a trust that changed: a plan file may be edited by hand.
    return service_principals(service, ClusterIndex.of(plan.clusters, plan.accounts), judge=judge)


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
    """Weakness codes that appear or go (the witnesses themselves are in the trust's own change)."""

    def codes(ws: list[Weakness]) -> dict[tuple[str, str], Weakness]:
        return {(w.trust, w.code): w for w in ws if w.about == "trust" and w.code != "other-principal"}

    def where(trust: str) -> str:
        return "association role: " if trust == "association-role" else ""

    old, new = codes(base), codes(head)
    changes = []
    for trust, code in sorted(new.keys() - old.keys()):
        cls: Classification = "neutral" if code in _BREAKING else "widening"
        note = " (the role cannot be assumed this way)" if code in _BREAKING else ""
        changes.append(Change(cls, "trust-weakened", key, f"{where(trust)}{code}: {new[(trust, code)].message}{note}"))
    for trust, code in sorted(old.keys() - new.keys()):
        cls = "neutral" if code in _BREAKING else "narrowing"
        changes.append(
            Change(cls, "trust-strengthened", key, f"{where(trust)}fixed {code}: {old[(trust, code)].message}")
        )
    return changes


# Permissions ------------------------------------------------------------------------------------


def _permission_changes(key: str, base: Service, head: Service) -> list[Change]:
    account = head.role.account_id or None
    changes, _ = permission_changes(key, base.permissions, head.permissions, account)
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
        extra, _ = permission_changes(key, ba.permissions, ha.permissions, ha.account_id or None, "association role: ")
        changes += extra
    return changes


def _statements_text(statements: Iterable[PermissionStatement]) -> str:
    parts = []
    for s in statements:
        verb = "allows" if s.effect == "Allow" else "denies"
        actions = ", ".join(f"`{a}`" for a in s.actions) or "every action except " + ", ".join(
            f"`{a}`" for a in s.not_actions
        )
        parts.append(f"{verb} {actions}")
    return "; ".join(parts)


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
        longer = n.max_session_duration > o.max_session_duration
        changes.append(
            Change(
                "widening" if longer else "narrowing",
                "max-session-duration-changed",
                key,
                (
                    "credential lifetime widened: sessions (and leaked credentials) may now last up to "
                    f"{n.max_session_duration} s"
                    if longer
                    else f"credential lifetime narrowed to {n.max_session_duration} s"
                ),
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


def _identity(service: Service) -> tuple[str, str]:
    """An IAM role's identity: its account and name (IAM role names are unique per account, ignoring case)."""
    return (service.role.account_id, service.role.name.lower())


def _match_services(base: Plan, head: Plan) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(pairs of base and head keys, removed base keys, added head keys).

    A role is matched by its identity (account and name), whatever its service key; what remains is
    matched by service key (or ``renamedFrom``): the same service with a role of another identity, a
    replacement.
    """
    by_identity = {_identity(s): k for k, s in base.services.items()}
    pairs: list[tuple[str, str]] = []
    removed = set(base.services)
    added = []
    for key, service in head.services.items():
        old = by_identity.get(_identity(service))
        if old is not None and old in removed:
            pairs.append((old, key))
            removed.discard(old)
        else:
            added.append(key)
    for key in list(added):
        service = head.services[key]
        old = key if key in removed else next((k for k in service.renamed_from if k in removed), None)
        if old is not None:
            pairs.append((old, key))
            removed.discard(old)
            added.remove(key)
    return sorted(pairs), sorted(removed), sorted(added)


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


def _trust_comparison(base: Service, head: Service) -> tuple[Comparison, Comparison | None]:
    account = head.role.account_id or None
    role = compare(base.role.trust_policy, head.role.trust_policy, "trust", account)
    ba, ha = base.association_role, head.association_role
    chain = None
    if ba is not None and ha is not None:
        chain = compare(ba.trust_policy, ha.trust_policy, "trust", ha.account_id or None)
    return role, chain


def _same_trust(base: Service, head: Service, role: Comparison, chain: Comparison | None) -> bool:
    """No trust document changed, nor the associations that bind Pod Identity principals."""
    same_chain = (chain is None and base.association_role is None and head.association_role is None) or (
        chain is not None and chain.same_text
    )
    return (
        role.same_text
        and same_chain
        and base.kubernetes.pod_identity_associations == head.kubernetes.pod_identity_associations
    )


def _trust_changes(base_plan: Plan, head_plan: Plan, key: str, b: Service, h: Service) -> list[Change]:
    role, chain = _trust_comparison(b, h)
    changes = document_changes(key, "the trust", role, "trust")
    if chain is not None:
        changes += document_changes(key, "the association role's trust", chain, "trust")
    if _same_trust(b, h, role, chain) and base_plan.clusters == head_plan.clusters and not _moved(b, h):
        return changes  # the same documents, read against the same clusters: the same principals
    bp, bw = _derived(base_plan, b, judge=True)
    hp, hw = _derived(head_plan, h, judge=True)
    widened = Comparison(role.wider, role.narrower, role.same_text)
    if chain is not None:
        widened = Comparison(
            role.wider if role.widens else chain.wider, role.narrower if role.narrows else chain.narrower, False
        )
    if _moved(b, h):
        return changes + _moved_principal_changes(base_plan, head_plan, key, b, h, bp, hp)
    details = _principal_changes(key, bp, hp) + _weakness_changes(key, bw, hw)
    return changes + reclassify(details, widened)


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
            managed = ", ".join(f"`{m}`" for m in service.permissions.managed_policies)
            text = _statements_text(service.permissions.statements())
            parts = [p for p in (f"managed {managed}" if managed else "", text) if p]
            changes.append(Change(cls, "service-permissions", key, f"new role permissions: {'; '.join(parts)}"))
        changes += new_role_admin(key, service.permissions)
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
        changes.extend(_role_changes(base, head, new_key, b, h))
        changes.extend(_trust_changes(base, head, new_key, b, h))
        if b.role.retain_on_delete and not _moved(b, h) and _replacement_reasons(base, b, head, h):
            changes.extend(_retained_changes(base, new_key, b, "the role is replaced")[:1])
        changes.extend(_permission_changes(new_key, b, h))
        changes.extend(_kubernetes_changes(new_key, b, h))
    changes.extend(_cluster_changes(base, head))
    changes.extend(_account_changes(base, head))
    changes.sort(key=lambda c: c.sort_key)
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
