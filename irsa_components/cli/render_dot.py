"""The access graph as Graphviz DOT, for the HTML report's SVG (``cli/graphviz.py`` lays it out).

Node and edge ids (``n1``, ``e1``) and classes (``kind-role status-added flagged``) go into the SVG, where
the report's script finds them. Labels are DOT quoted strings: backslashes and quotes escaped, so no
label is ever read as an escape sequence or an HTML-like label.
"""

from __future__ import annotations

import unicodedata

from ..plan.graph import AccessGraph, Edge, Node
from .render_mermaid import edge_label, node_lines

_SHAPES = {
    "cluster": "hexagon",
    "workload": "box",
    "principal": "cds",
    "role": "box",
    "permissions": "note",
    "more": "box",
}
_STYLE = {"workload": "filled,rounded", "more": "dashed"}
_STATUS = {
    "added": 'fillcolor="#dafbe1", color="#1a7f37", penwidth=3',
    "wider": 'fillcolor="#fff1e5", color="#bc4c00", penwidth=3',
    "narrowed": 'fillcolor="#f6f8fa", color="#6e7781", penwidth=2, style="filled,dashed"',
    "removed": 'fillcolor="#f6f8fa", color="#8c959f", fontcolor="#57606a", style="filled,dashed"',
    "changed": 'color="#0969da", penwidth=2',
}
_EDGE_STATUS = {
    "added": 'color="#1a7f37", fontcolor="#1a7f37", penwidth=2.5',
    "removed": 'color="#8c959f", fontcolor="#57606a", style=dashed',
    "wider": 'color="#bc4c00", fontcolor="#bc4c00", penwidth=2.5',
}


def quoted(value: str) -> str:
    """A DOT quoted string; control characters become spaces."""
    flat = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in value)
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(lines: list[str]) -> str:
    """Lines joined by DOT's ``\\n`` (outside the escaping, so it stays a line break)."""
    return '"' + "\\n".join(quoted(line)[1:-1] for line in lines) + '"'


def _strike_all(line: str) -> str:
    return "".join(ch + "\u0336" if not ch.isspace() else ch for ch in line)


def _node(node: Node, nid: str) -> str:
    lines = node_lines(node)
    if node.status == "removed":
        lines = [_strike_all(line) for line in lines]
    classes = [f"kind-{node.kind}", f"status-{node.status}", *(["flagged"] if node.flags else [])]
    classes += [f"flag-{c}" for c in dict.fromkeys(f.category for f in node.flags)]
    tooltip = [node.title, *node.lines, *(f"{f.category}: {f.text}" for f in node.flags)]
    attrs = [
        f'id="{nid}"',
        f'class="{" ".join(classes)}"',
        f"label={_label(lines)}",
        f"tooltip={_label(tooltip)}",
        f"shape={_SHAPES[node.kind]}",
        f'style="{_STYLE.get(node.kind, "filled")}"',
    ]
    if node.status in _STATUS:
        attrs.append(_STATUS[node.status])
    if node.flags:
        attrs.append('color="#cf222e", penwidth=3')
    return f"  {nid} [{', '.join(attrs)}];"


def _edge(edge: Edge, eid: str, source: str, target: str) -> str:
    classes = [f"kind-{edge.kind}", f"status-{edge.status}", *(["flagged"] if edge.flags else [])]
    attrs = [f'id="{eid}"', f'class="{" ".join(classes)}"']
    label = edge_label(edge)
    if label:
        attrs.append(f"label={quoted(label)}")
    if edge.status in _EDGE_STATUS:
        attrs.append(_EDGE_STATUS[edge.status])
    elif edge.flags:
        attrs.append('color="#cf222e", fontcolor="#cf222e", penwidth=2')
    return f"  {source} -> {target} [{', '.join(attrs)}];"


def dot(graph: AccessGraph) -> tuple[str, dict[str, str], dict[int, str]]:
    """(DOT text, node id -> DOT id, edge index -> DOT id)."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes, 1)}
    out = [
        "digraph access {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.7, id="access-graph"];',
        '  node [fontname="Helvetica", fontsize=10, fillcolor="#ffffff", color="#57606a", margin="0.15,0.06"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#57606a", fontcolor="#24292f"];',
    ]
    for g, (key, label) in enumerate(graph.groups.items(), 1):
        members = [n for n in graph.nodes if n.group == key]
        if members:
            out.append(f"  subgraph cluster_g{g} {{")
            out.append(f'    id="g{g}"; class="group"; label={quoted(label)}; style="rounded,dashed"; color="#8c959f";')
            out += ["  " + _node(n, ids[n.id]) for n in members]
            out.append("  }")
    out += [_node(n, ids[n.id]) for n in graph.nodes if n.group not in graph.groups]
    edge_ids: dict[int, str] = {}
    for i, e in enumerate(graph.edges):
        if e.source in ids and e.target in ids:
            edge_ids[i] = f"e{i + 1}"
            out.append(_edge(e, edge_ids[i], ids[e.source], ids[e.target]))
    out.append("}")
    return "\n".join(out) + "\n", ids, edge_ids
