"""What of the graph gets drawn: whole services in order of priority up to a node cap, grouped, and a
"… N more" node for the rest. The tables (Markdown, the HTML report) stay the complete record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .graph import AccessGraph, GroupBy, Node, Part, merge_parts, plan_parts
from .model import Plan

MORE_ID = "more"


def select(parts: Mapping[str, Part], order: Sequence[str], max_nodes: int) -> tuple[list[str], list[str]]:
    """(shown, hidden) service keys: services in ``order`` while their nodes fit ``max_nodes`` (the first always)."""
    shown: list[str] = []
    seen: set[str] = set()
    for i, key in enumerate(order):
        new = {n.id for n in parts[key].nodes} - seen
        if shown and len(seen) + len(new) > max_nodes:
            return shown, list(order[i:])
        shown.append(key)
        seen |= new
    return shown, []


def assemble(
    parts: Mapping[str, Part],
    order: Sequence[str],
    *,
    title: str,
    group_by: GroupBy,
    max_nodes: int,
    total: int,
    diff: bool = False,
) -> AccessGraph:
    """The graph of the services in ``order`` (the rest of ``total`` are left out on purpose, e.g. unchanged)."""
    shown, hidden = select(parts, order, max_nodes)
    nodes, edges = merge_parts(parts[k] for k in shown)
    if hidden:
        noun = "service" if len(hidden) == 1 else "services"
        nodes.append(Node(MORE_ID, "more", f"… {len(hidden)} more {noun}", ("not drawn: see the table",), services=()))
    groups: dict[str, str] = {}
    for key in shown:
        group = parts[key].group
        if group and group not in groups and any(n.group == group for n in nodes):
            groups[group] = group
    return AccessGraph(
        title=title,
        nodes=nodes,
        edges=edges,
        groups=groups,
        group_by=group_by,
        shown_services=shown,
        hidden_services=hidden,
        total_services=total,
        diff=diff,
        search={k: parts[k].search for k in parts},
    )


def plan_graph(plan: Plan, *, group_by: GroupBy = "namespace", max_nodes: int = 60) -> AccessGraph:
    """The access map of a plan; services with weaknesses first, then by key."""
    parts = plan_parts(plan, group_by)
    order = sorted(parts, key=lambda k: (not parts[k].flagged, k))
    return assemble(
        parts,
        order,
        title=f"Access map of stack {plan.stack}",
        group_by=group_by,
        max_nodes=max_nodes,
        total=len(parts),
    )
