"""The access map as a graph: who (cluster, namespace/service account) reaches which role, and what it may do.

Plain data, no rendering: ``cli/render_mermaid.py`` writes it as Mermaid for Markdown, ``cli/render_dot.py``
as Graphviz DOT for the HTML report. One service gives a *part* (its nodes and edges); parts are merged,
grouped (by namespace or team) and capped with a "… N more" node (``graph_view``). ``graph_diff`` marks
a diff's parts. Principals and weaknesses are re-derived from the trust documents, as the diff does.

Nodes: clusters, workloads (namespace/service-account pairs, or another principal), roles (name, account),
permission summaries. Edges: a workload at a cluster, IRSA, Pod Identity, another principal's assume-role,
role chaining (the association role of cross-account Pod Identity, or ``sts:AssumeRole`` grants), grants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..core.evaluate import glob_match
from ..core.permissions import policy_name
from .access import ClusterIndex, permission_weaknesses, service_principals
from .model import ANY, Permissions, Plan, Principal, Role, Service, Weakness

NodeKind = Literal["cluster", "workload", "principal", "role", "permissions", "more"]
EdgeKind = Literal["at", "irsa", "pod-identity", "other", "chain", "grants"]
Status = Literal["same", "added", "wider", "narrowed", "removed", "changed"]
FlagCategory = Literal["admin", "wildcard", "unpinned", "weak"]
GroupBy = Literal["namespace", "team", "none"]

STATUS_RANK: dict[str, int] = {"same": 0, "changed": 1, "narrowed": 2, "wider": 3, "removed": 4, "added": 5}
"""Which status wins when two marks meet: structural (added/removed) over wider over narrowed over changed."""
MAX_LINES = 5
"""Lines of a permission summary before "+N more" (the table has every statement)."""
NO_TEAM = "(no team tag)"
NEW = "+ "
"""Prefix of a node line that the diff's head has and its base had not."""
GONE = "\u2212 "  # MINUS SIGN
"""Prefix of a node line that the diff's base had and its head has not (drawn struck through)."""


@dataclass(frozen=True)
class Flag:
    """A weakness to highlight: a wildcard, an admin-like grant, unpinned trust, or another weakness code."""

    category: FlagCategory
    code: str
    text: str


@dataclass(frozen=True)
class Node:
    id: str
    """Stable and content-based (``cluster:blue``, ``role:<account>/<name>``), so a diff matches nodes across plans."""
    kind: NodeKind
    title: str
    lines: tuple[str, ...] = ()
    status: Status = "same"
    flags: tuple[Flag, ...] = ()
    services: tuple[str, ...] = ()
    """The services whose access runs through it (filters select services, and show their nodes)."""
    cluster: str = ""
    """For a cluster node: the stack's cluster key ("" for an unknown or unpinned cluster)."""
    group: str = ""
    """Key of the group (namespace or team) it is drawn in; "" at the top level."""

    def merged(self, other: Node) -> Node:
        """The same node seen from another service: services and flags combined, top level unless one group."""
        return replace(
            self,
            services=_union(self.services, other.services),
            flags=tuple(dict.fromkeys((*self.flags, *other.flags))),
            group=self.group if self.group == other.group else "",
        )


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    status: Status = "same"
    flags: tuple[Flag, ...] = ()
    services: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.target, self.kind)

    def merged(self, other: Edge) -> Edge:
        return replace(
            self,
            services=_union(self.services, other.services),
            flags=tuple(dict.fromkeys((*self.flags, *other.flags))),
        )


@dataclass
class Part:
    """The nodes and edges of one service (shared ones, such as clusters, appear in several parts)."""

    service: str
    group: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    search: tuple[str, ...] = ()
    """What a search for this service matches: key, namespace, service account, role name and ARN, clusters, team."""

    @property
    def flagged(self) -> bool:
        return any(n.flags for n in self.nodes) or any(e.flags for e in self.edges)


@dataclass
class AccessGraph:
    title: str
    nodes: list[Node]
    edges: list[Edge]
    groups: dict[str, str]
    """Group key -> label, in drawing order."""
    group_by: GroupBy
    shown_services: list[str]
    hidden_services: list[str]
    total_services: int
    diff: bool = False
    search: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Service key -> the texts a search matches (see ``Part.search``)."""


def _union(a: Sequence[str], b: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({*a, *b}))


# Weaknesses -> flags ---------------------------------------------------------------------------------


def flag_category(code: str) -> FlagCategory:
    """Which highlight a weakness code gets. Unknown codes (the weakness list grows) are still flagged: ``weak``."""
    if "admin" in code:
        return "admin"
    if "wildcard" in code or "star" in code or code == "missing-sub":
        return "wildcard"
    if "unpinned" in code or code.startswith("missing-") or code == "no-condition":
        return "unpinned"
    return "weak"


def weakness_flag(w: Weakness) -> Flag:
    return Flag(flag_category(w.code), w.code, w.message)


def permission_flags(perms: Permissions) -> list[Flag]:
    """Admin-like grants (the plan's permission weaknesses, decided by ``core.permissions``: administrator
    managed policies, actions of services it never names, IAM beyond reading) and wildcards (an action
    like ``s3:*``, or any resource) among the role's visible permissions."""
    flags = [
        Flag("weak" if w.level == "undecided" else "admin", w.code, w.message) for w in permission_weaknesses(perms)
    ]
    statements = perms.statements()
    for s in statements:
        if s.effect != "Allow" or s.not_actions:
            continue
        wild = [a for a in s.actions if "*" in a and a not in ("*", "*:*")]
        if wild:
            flags.append(Flag("wildcard", "action-wildcard", f"actions {', '.join(wild)}"))
        what = ", ".join(s.actions) or "actions"
        if ANY in s.resources:
            flags.append(Flag("wildcard", "resource-wildcard", f"{what} on any resource"))
        elif s.not_resources:
            flags.append(Flag("wildcard", "resource-wildcard", f"{what} on every resource except {s.not_resources}"))
    return list(dict.fromkeys(flags))


# Permission summaries -----------------------------------------------------------------------------


def permission_items(perms: Permissions) -> list[str]:
    """A short summary: managed policies by name, then actions grouped by effect and service prefix."""
    items = [f"managed {policy_name(arn)}" for arn in perms.managed_policies]
    items += [f"policy {p.name}" for p in perms.customer_managed if not p.statements]
    grouped: dict[tuple[str, str], list[str]] = {}
    for s in perms.statements():
        if s.not_actions:
            items.append(f"{s.effect} every action except {', '.join(s.not_actions)}")
            continue
        for action in s.actions:
            prefix, _, name = action.partition(":")
            key = (s.effect, prefix if name else "")
            names = grouped.setdefault(key, [])
            if (name or action) not in names:
                names.append(name or action)
    for (effect, prefix), names in grouped.items():
        shown = ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:2])} +{len(names) - 2} more"
        lead = "" if effect == "Allow" else f"{effect} "
        every = " (every action)" if names == [ANY] else ""
        items.append(f"{lead}{prefix}: {shown}" if prefix else f"{lead}{shown}{every}")
    return items


def _chain_grants(perms: Permissions) -> list[tuple[str, bool]]:
    """(role ARN or pattern, conditional) the permissions allow ``sts:AssumeRole`` on, by an sts action
    (``*`` itself is flagged as admin-like instead)."""
    out: list[tuple[str, bool]] = []
    for s in perms.statements():
        if s.effect != "Allow" or s.not_actions:
            continue
        if not any(a not in ("*", "*:*") and glob_match(a, "sts:AssumeRole", case_sensitive=False) for a in s.actions):
            continue
        out += [(r, bool(s.condition)) for r in s.resources if r == ANY or ":role/" in r]
    return list(dict.fromkeys(out))


def _only_chaining(perms: Permissions) -> bool:
    """Whether every permission is the chain grant itself (drawn as the chain edge, no summary node needed)."""
    if perms.managed_policies or perms.customer_managed:
        return False
    chain = {"sts:assumerole", "sts:tagsession"}
    return all(
        s.effect == "Allow" and not s.not_actions and {a.lower() for a in s.actions} <= chain for s in perms.inline
    )


# One service -> its part ---------------------------------------------------------------------------


def role_id(role: Role) -> str:
    """A role's identity across plans: account and name (a change of either is another role)."""
    return f"role:{role.account_id}/{role.name}"


def _role_node(plan: Plan, role: Role, title: str, account_key: str | None, flags: Iterable[Flag]) -> Node:
    account = role.account_id or plan.account
    lines = [f"account {account_key} ({account})" if account_key else f"account {account}"]
    if role.retain_on_delete:
        lines.append("retained on delete")
    return Node(role_id(role), "role", f"{title} {role.name}", tuple(lines), flags=tuple(dict.fromkeys(flags)))


def _cluster_node(plan: Plan, p: Principal) -> Node:
    if p.cluster == ANY:
        unpinned = Flag("unpinned", "unpinned-cluster", "the trust does not pin the cluster")
        return Node("cluster:*", "cluster", "any cluster", ("cluster not pinned",), flags=(unpinned,))
    if not p.cluster_known:
        unknown = Flag("weak", "unknown-cluster", f"{p.cluster} is not a cluster of this stack")
        return Node(f"cluster:?{p.cluster}", "cluster", p.cluster, ("not a cluster of this stack",), flags=(unknown,))
    return Node(
        f"cluster:{p.cluster}", "cluster", f"cluster {p.cluster}", (plan.clusters[p.cluster].label,), cluster=p.cluster
    )


def _workload_node(p: Principal) -> Node:
    if p.mechanism == "other":
        other = Flag("weak", "other-principal", f"admits {p.subject}, not an EKS workload")
        return Node(f"other:{p.subject}", "principal", "other principal", (p.subject,), flags=(other,))
    name = f"{p.namespace}/{p.service_account}"
    flags = (Flag("wildcard", "pattern", f"a wildcard subject: {p.subject}"),) if p.pattern else ()
    return Node(f"sa:{name}", "workload", name, flags=flags)


_VIA = {"irsa": "IRSA", "pod-identity": "Pod Identity", "other": "assume role"}


class _Builder:
    """Collects one service's nodes and edges, merging repeats."""

    def __init__(self, key: str, group: str) -> None:
        self.key, self.group = key, group
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str, str], Edge] = {}

    def node(self, n: Node) -> str:
        n = replace(n, services=(self.key,), group="" if n.kind == "cluster" else self.group)
        self.nodes[n.id] = self.nodes[n.id].merged(n) if n.id in self.nodes else n
        return n.id

    def edge(self, e: Edge) -> None:
        e = replace(e, services=(self.key,))
        self.edges[e.key] = self.edges[e.key].merged(e) if e.key in self.edges else e


def service_part(plan: Plan, key: str, service: Service, group_by: GroupBy = "namespace") -> Part:
    """The nodes and edges one service contributes."""
    b = _Builder(key, group_key(service, group_by))
    principals, weaknesses = service_principals(service, ClusterIndex.of(plan.clusters, plan.accounts))
    admin = [weakness_flag(w) for w in weaknesses if flag_category(w.code) == "admin"]
    trust = [weakness_flag(w) for w in weaknesses if w.trust == "role" and flag_category(w.code) != "admin"]
    role = b.node(_role_node(plan, service.role, "role", service.account, trust))
    chain = service.association_role
    assoc: str | None = None
    if chain is not None:
        chain_weak = [weakness_flag(w) for w in weaknesses if w.trust == "association-role"]
        assoc = b.node(_role_node(plan, chain, "association role", None, chain_weak))
        b.edge(Edge(assoc, role, "chain", _chain_label(chain, service.role.arn)))

    def target_of(p: Principal) -> str:
        if p.chained_through is None:
            return role
        if assoc is not None and chain is not None and p.chained_through == chain.arn:
            return assoc
        through = b.node(_external_role(p.chained_through))
        b.edge(Edge(through, role, "chain", "role chaining"))
        return through

    admitted: dict[tuple[str, str, str], list[Principal]] = {}
    for p in principals:
        who = b.node(_workload_node(p))
        if p.mechanism != "other":
            b.edge(Edge(b.node(_cluster_node(plan, p)), who, "at"))
        admitted.setdefault((who, target_of(p), p.mechanism), []).append(p)
    for (who, target, mechanism), ps in admitted.items():
        b.edge(_admission(who, target, mechanism, ps, service))

    holders: list[tuple[str, Role, Permissions, list[Flag]]] = [(role, service.role, service.permissions, admin)]
    if assoc is not None and chain is not None:
        holders.append((assoc, chain, chain.permissions, []))
    for holder, own, perms, extra in holders:
        for arn, conditional in _chain_grants(perms):
            target_id = b.node(_role_by_arn(plan, arn) or _external_role(arn))
            if target_id != holder:
                label = _chain_label(own, arn) + (" · conditional" if conditional else "")
                b.edge(Edge(holder, target_id, "chain", label))
        if holder == assoc and _only_chaining(perms):
            continue  # the chain edge is the whole of it
        items = permission_items(perms)
        lines = items[:MAX_LINES] + ([f"+{len(items) - MAX_LINES} more"] if len(items) > MAX_LINES else [])
        flags = tuple(dict.fromkeys([*permission_flags(perms), *extra]))
        perm = b.node(
            Node(
                f"perm:{holder.removeprefix('role:')}",
                "permissions",
                "permissions",
                tuple(lines or ["none"]),
                flags=flags,
            )
        )
        b.edge(Edge(holder, perm, "grants"))

    search = [key, service.namespace, service.service_account, f"{service.namespace}/{service.service_account}"]
    search += [service.role.name, service.role.arn, *service.clusters, service.role.tags.get("team", "")]
    return Part(
        key, b.group, list(b.nodes.values()), list(b.edges.values()), tuple(dict.fromkeys(s for s in search if s))
    )


def _admission(who: str, target: str, mechanism: str, ps: list[Principal], service: Service) -> Edge:
    """One edge per workload, role and mechanism; clusters named when the mechanism covers only some of them."""
    clusters = sorted({p.cluster for p in ps if p.cluster != ANY})
    label = _VIA[mechanism]
    if mechanism != "other" and clusters and len(service.clusters) > 1 and set(clusters) != set(service.clusters):
        label += f" at {', '.join(clusters)}"
    flags: list[Flag] = []
    if any(p.pinned_by == "association" for p in ps):
        label += " · bound by association only"
        flags.append(Flag("unpinned", "pinned-by-association", "the trust does not pin namespace and service account"))
    if mechanism == "irsa" and any(p.audiences is None for p in ps):
        flags.append(Flag("unpinned", "missing-aud", "any token audience"))
    kind: EdgeKind = "irsa" if mechanism == "irsa" else "pod-identity" if mechanism == "pod-identity" else "other"
    return Edge(who, target, kind, label, flags=tuple(flags))


def _external_role(arn: str) -> Node:
    if arn == ANY:
        return Node(
            "ext:*", "role", "any role (*)", flags=(Flag("wildcard", "assume-any-role", "may assume any role"),)
        )
    name = arn.split(":role/", 1)[-1]
    account = arn.split(":")[4] if arn.count(":") >= 5 else "?"
    flags = (Flag("wildcard", "assume-role-pattern", f"may assume roles {arn}"),) if "*" in arn or "?" in arn else ()
    return Node(f"ext:{arn}", "role", f"role {name}", (f"account {account}", "not in this stack"), flags=flags)


def _role_by_arn(plan: Plan, arn: str) -> Node | None:
    """The node of a role of this plan (another service's role, or an association role) with that ARN."""
    for s in plan.services.values():
        if s.role.arn == arn:
            return _role_node(plan, s.role, "role", s.account, ())
        if s.association_role is not None and s.association_role.arn == arn:
            return _role_node(plan, s.association_role, "association role", None, ())
    return None


def _chain_label(source: Role, target_arn: str) -> str:
    target_account = target_arn.split(":")[4] if target_arn.count(":") >= 5 else ""
    cross = target_account and source.account_id and target_account != source.account_id
    return "role chaining (cross-account)" if cross else "role chaining"


def group_key(service: Service, group_by: GroupBy) -> str:
    if group_by == "namespace":
        return f"namespace {service.namespace}"
    if group_by == "team":
        return f"team {service.role.tags.get('team') or NO_TEAM}"
    return ""


def plan_parts(plan: Plan, group_by: GroupBy = "namespace") -> dict[str, Part]:
    return {key: service_part(plan, key, service, group_by) for key, service in sorted(plan.services.items())}


def merge_parts(parts: Iterable[Part]) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges of several parts, shared ones merged; in a stable order (clusters first)."""
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str, str], Edge] = {}
    for part in parts:
        for n in part.nodes:
            nodes[n.id] = nodes[n.id].merged(n) if n.id in nodes else n
        for e in part.edges:
            edges[e.key] = edges[e.key].merged(e) if e.key in edges else e
    order = {"cluster": 0, "principal": 1, "workload": 1, "role": 2, "permissions": 3, "more": 4}
    ordered = sorted(nodes.values(), key=lambda n: (order[n.kind], n.id))
    return ordered, list(edges.values())


def with_status(node_or_edge: Any, status: Status) -> Any:
    """The node or edge with ``status`` if it ranks higher than its current one."""
    if STATUS_RANK[status] > STATUS_RANK[node_or_edge.status]:
        return replace(node_or_edge, status=status)
    return node_or_edge
