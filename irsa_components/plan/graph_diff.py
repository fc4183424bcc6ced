"""The graph of a diff: the two plans' graphs laid over each other, marked.

Structure comes from the plans: a node or edge only in the head is ``added``, only in the base
``removed``; an edge in both is ``wider`` when it gained a weakness (any audience, bound by the
association only), ``narrowed`` when it lost one. What the diff judges comes from its changes,
through one narrow adapter (``marks``):
a widening change marks its service's role (trust) or permissions node ``wider``, a narrowing one
``narrowed``, a neutral one ``changed``. Retained roles (``role-retained``) stay drawn: they are
still in AWS and still admit their IRSA principals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from .diff import Change, PlanDiff
from .graph import (
    GONE,
    NEW,
    STATUS_RANK,
    AccessGraph,
    Edge,
    GroupBy,
    Node,
    Part,
    Status,
    merge_parts,
    plan_parts,
    role_id,
    with_status,
)
from .graph_view import assemble
from .model import Plan

_STATUS: dict[str, Status] = {"widening": "wider", "narrowing": "narrowed", "neutral": "changed"}
_PERMISSION_KINDS = ("action-", "resource-", "managed-policy-", "boundary-", "service-permissions", "permission")
_STRUCTURAL = frozenset({"service-added", "service-removed", "service-renamed", "role-retained", "access-kept"})
EdgeKey = tuple[str, str, str]
_CLUSTER = re.compile(r"cluster `([^`]+)`")
RETAINED_LINE = "retained: stays in AWS, unmanaged"


@dataclass
class Marks:
    """What the diff's changes say about each service's nodes, and about clusters."""

    role: dict[str, Status] = field(default_factory=dict)
    permissions: dict[str, Status] = field(default_factory=dict)
    association: dict[str, Status] = field(default_factory=dict)
    association_permissions: dict[str, Status] = field(default_factory=dict)
    clusters: dict[str, Status] = field(default_factory=dict)
    retained: set[str] = field(default_factory=set)
    renamed: dict[str, str] = field(default_factory=dict)
    """Old service key -> new key."""
    severity: dict[str, int] = field(default_factory=dict)
    """Service key -> 0 widening, 1 narrowing, 2 neutral (its most severe change)."""


def _mark(target: dict[str, Status], key: str, status: Status) -> None:
    if STATUS_RANK[status] > STATUS_RANK[target.get(key, "same")]:
        target[key] = status


def marks(changes: Iterable[Change]) -> Marks:
    """Map the diff's changes onto nodes by kind; an unknown kind marks the service's role (never dropped)."""
    out = Marks()
    for c in changes:
        status = _STATUS[c.classification]
        if not c.service:
            for cluster in _CLUSTER.findall(c.summary):
                _mark(out.clusters, cluster, status)
            continue
        rank = {"widening": 0, "narrowing": 1, "neutral": 2}[c.classification]
        out.severity[c.service] = min(rank, out.severity.get(c.service, 3))
        if c.kind == "role-retained":
            out.retained.add(c.service)
        if c.kind == "service-renamed" and c.before and c.after:
            out.renamed[c.before] = c.after
        if c.kind in _STRUCTURAL:
            continue
        on_association = c.summary.startswith("association role")
        if c.kind.startswith(_PERMISSION_KINDS):
            _mark(out.association_permissions if on_association else out.permissions, c.service, status)
        else:
            _mark(out.association if on_association else out.role, c.service, status)
    return out


def _lines(head: Node, base: Node) -> tuple[str, ...]:
    """Head's lines, new ones marked ``NEW``, and the base's lines that are gone, marked ``GONE``."""
    old, new = set(base.lines), set(head.lines)
    out = [(NEW if line not in old and not line.startswith("+") else "") + line for line in head.lines]
    out += [GONE + line for line in base.lines if line not in new and not line.startswith("+")]
    return tuple(out)


def _overlay(base: Mapping[str, Node], head: Mapping[str, Node]) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for nid in [*head, *(k for k in base if k not in head)]:
        if nid in head and nid in base:
            h, b = head[nid], base[nid]
            out[nid] = replace(h.merged(b), lines=_lines(h, b), group=h.group)
        elif nid in head:
            out[nid] = replace(head[nid], status="added")
        else:
            out[nid] = replace(base[nid], status="removed")
    return out


def _edge_overlay(base: Mapping[EdgeKey, Edge], head: Mapping[EdgeKey, Edge]) -> dict[EdgeKey, Edge]:
    out: dict[EdgeKey, Edge] = {}
    for k in [*head, *(k for k in base if k not in head)]:
        if k in head and k in base:
            weaker, stronger = set(head[k].flags) - set(base[k].flags), set(base[k].flags) - set(head[k].flags)
            status: Status = "wider" if weaker else "narrowed" if stronger else "same"
            out[k] = replace(head[k], status=status)  # the head's flags: what holds now
        elif k in head:
            out[k] = replace(head[k], status="added", label=_prefixed("new", head[k]))
        else:
            out[k] = replace(base[k], status="removed", label=_prefixed("removed", base[k]))
    return out


def _prefixed(word: str, edge: Edge) -> str:
    """Admission and chaining edges say so in words too (colour is not everywhere); the others by style only."""
    if edge.kind in ("at", "grants"):
        return edge.label
    return f"{word}: {edge.label}" if edge.label else word


def diff_graph(
    base: Plan,
    head: Plan,
    diff: PlanDiff,
    *,
    group_by: GroupBy = "namespace",
    max_nodes: int = 60,
    unchanged: bool = False,
) -> AccessGraph:
    """The diff as a graph: changed services first (widening, narrowing, neutral); unchanged ones only if asked."""
    m = marks(diff.changes)
    base_parts, head_parts = plan_parts(base, group_by), plan_parts(head, group_by)
    base_parts = {m.renamed.get(k, k): _renamed(p, m.renamed) for k, p in base_parts.items()}
    base_nodes, base_edges = merge_parts(base_parts.values())
    head_nodes, head_edges = merge_parts(head_parts.values())
    nodes = _overlay({n.id: n for n in base_nodes}, {n.id: n for n in head_nodes})
    edges = _edge_overlay({e.key: e for e in base_edges}, {e.key: e for e in head_edges})

    base_services = {m.renamed.get(k, k): s for k, s in base.services.items()}
    for key in m.retained:
        if key in base_services:
            _keep_retained(role_id(base_services[key].role), nodes, edges)
    for key, service in head.services.items():
        _apply(nodes, role_id(service.role), m.role.get(key))
        _apply(nodes, f"perm:{role_id(service.role).removeprefix('role:')}", m.permissions.get(key))
        if service.association_role is not None:
            assoc = role_id(service.association_role)
            _apply(nodes, assoc, m.association.get(key))
            _apply(nodes, f"perm:{assoc.removeprefix('role:')}", m.association_permissions.get(key))
    for nid, n in list(nodes.items()):
        if n.kind == "cluster" and n.cluster:
            before, after = base.clusters.get(n.cluster), head.clusters.get(n.cluster)
            status = m.clusters.get(n.cluster) or ("changed" if before and after and before != after else None)
            _apply(nodes, nid, status)
        if n.status == "removed" and any(e.status != "removed" and nid in (e.source, e.target) for e in edges.values()):
            nodes[nid] = replace(n, status="same")  # still reached through a kept edge (a retained role)

    parts: dict[str, Part] = {}
    for key in sorted({*base_parts, *head_parts}):
        ids = [n.id for p in (head_parts.get(key), base_parts.get(key)) if p for n in p.nodes]
        keys = [e.key for p in (head_parts.get(key), base_parts.get(key)) if p for e in p.edges]
        group = (head_parts.get(key) or base_parts[key]).group
        search = (head_parts.get(key) or base_parts[key]).search
        parts[key] = Part(
            key, group, [nodes[i] for i in dict.fromkeys(ids)], [edges[k] for k in dict.fromkeys(keys)], search
        )

    def severity(key: str) -> int:
        part = parts[key]
        statuses = {n.status for n in part.nodes} | {e.status for e in part.edges}
        structural = (
            0
            if statuses & {"added", "wider"}
            else 1
            if statuses & {"removed", "narrowed"}
            else 2
            if statuses - {"same"}
            else 3
        )
        return min(structural, m.severity.get(key, 3))

    order = sorted(parts, key=lambda k: (severity(k), k))
    if not unchanged:
        order = [k for k in order if severity(k) < 3]
    return assemble(
        parts,
        order,
        title=f"Access changes {diff.base} → {diff.head}",
        group_by=group_by,
        max_nodes=max_nodes,
        total=len(parts),
        diff=True,
    )


def _renamed(part: Part, renamed: Mapping[str, str]) -> Part:
    """A base part under the head's service keys (a renamed service is one service)."""
    if part.service not in renamed:
        return part

    def keys(services: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({renamed.get(s, s) for s in services}))

    return replace(
        part,
        service=renamed[part.service],
        nodes=[replace(n, services=keys(n.services)) for n in part.nodes],
        edges=[replace(e, services=keys(e.services)) for e in part.edges],
    )


def _apply(nodes: dict[str, Node], nid: str, status: Status | None) -> None:
    if status is not None and nid in nodes:
        nodes[nid] = with_status(nodes[nid], status)


def _keep_retained(rid: str, nodes: dict[str, Node], edges: dict[EdgeKey, Edge]) -> None:
    """A retained role leaves the stack but not AWS: it, its permissions and its IRSA (and other) admissions stay.

    Its Pod Identity admissions go (the associations are deleted), as the diff says."""
    kept = {rid, f"perm:{rid.removeprefix('role:')}"}
    for nid in kept:
        if nid in nodes and nodes[nid].status == "removed":
            lines = nodes[nid].lines + ((RETAINED_LINE,) if nid == rid else ())
            nodes[nid] = replace(nodes[nid], status="changed" if nid == rid else "same", lines=lines)
    for k, e in list(edges.items()):
        if e.status == "removed" and e.target in kept and e.kind in ("irsa", "other", "grants"):
            label = e.label.removeprefix("removed: ").removeprefix("removed")
            edges[k] = replace(e, status="same", label=f"{label} (retained role)" if label else "")
