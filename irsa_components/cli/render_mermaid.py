"""The access graph as a Mermaid flowchart, for Markdown (GitHub renders it in PR comments and files).

Labels are written in quotes with everything but plain ASCII letters, digits and a few safe punctuation
characters as Mermaid entity codes (``#35;`` for ``#``): quotes, brackets of other kinds, ``#``, ``<``,
``>``, ``&``, ``%`` (``%%{init}%%`` directives), backticks (Markdown strings) and ``|`` cannot break out of
a label or be read as markup. Ids are generated (``n1``, ``g1``), never taken from the plan.
"""

from __future__ import annotations

import unicodedata

from ..plan.graph import GONE, AccessGraph, Edge, Node

SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:/_-+=@()*'!?$~^")
_SHAPES = {
    "cluster": ('{{"', '"}}'),
    "workload": ('(["', '"])'),
    "principal": ('>"', '"]'),
    "role": ('["', '"]'),
    "permissions": ('[/"', '"/]'),
    "more": ('[["', '"]]'),
}
_ARROWS = {"added": "==>", "removed": "-.->", "narrowed": "-.->"}
STATUS_CLASSES = {
    "added": "fill:#dafbe1,stroke:#1a7f37,stroke-width:3px,color:#0f3d1c",
    "wider": "fill:#fff1e5,stroke:#bc4c00,stroke-width:3px,color:#3d1a00",
    "narrowed": "fill:#f6f8fa,stroke:#6e7781,stroke-width:2px,stroke-dasharray:5 5",
    "removed": "fill:#f6f8fa,stroke:#6e7781,stroke-dasharray:5 5,color:#57606a,text-decoration:line-through",
    "changed": "stroke:#0969da,stroke-width:2px",
}
FLAG_CLASS = "stroke:#cf222e,stroke-width:3px"
MORE_CLASS = "fill:#ffffff,stroke:#8c959f,stroke-dasharray:3 3,color:#57606a"
_EDGE_STYLES = {
    "added": "stroke:#1a7f37,stroke-width:3px",
    "removed": "stroke:#6e7781,stroke-width:2px,stroke-dasharray:5 5",
    "wider": "stroke:#bc4c00,stroke-width:3px",
    "flagged": "stroke:#cf222e,stroke-width:2px",
}
WARN = "⚠"
LEGEND = {
    "added": "green, thick: new",
    "wider": "orange: wider (trust admits more, or more permissions)",
    "narrowed": "dashed: narrowed (what it lost struck through)",
    "removed": "dashed, struck through: removed",
    "changed": "blue border: changed, neither wider nor narrower",
}


def text(value: str) -> str:
    """``value`` safe inside a quoted Mermaid label: whitespace and control characters become one space."""
    flat = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in value)
    return "".join(ch if ch in SAFE else f"#{ord(ch)};" for ch in " ".join(flat.split()))


def struck(line: str) -> str:
    """A line the diff took away (``GONE``, a minus sign) struck through character by character (U+0336), so it shows
    struck in any renderer, where a style may not apply to one line of a label."""
    if not line.startswith(GONE):
        return line
    return GONE + "".join(ch + "\u0336" if not ch.isspace() else ch for ch in line[len(GONE) :])


def node_lines(node: Node) -> list[str]:
    """What a node shows: title, lines (those taken away struck through), and the categories of its weaknesses."""
    lines = [node.title, *(struck(line) for line in node.lines)]
    if node.flags:
        lines.append(f"{WARN} " + ", ".join(dict.fromkeys(f.category for f in node.flags)))
    return lines


def edge_label(edge: Edge) -> str:
    label = edge.label
    if edge.flags:
        label = f"{label} {WARN} {', '.join(dict.fromkeys(f.category for f in edge.flags))}".strip()
    return label


def mermaid(graph: AccessGraph) -> str:
    """The flowchart text (without the code fence)."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes, 1)}
    out = ["flowchart LR"]

    def declare(node: Node, indent: str) -> str:
        left, right = _SHAPES[node.kind]
        lines = [t for t in (text(line) for line in node_lines(node)) if t] or ["-"]
        return f"{indent}{ids[node.id]}{left}{'<br>'.join(lines)}{right}"

    for g, (key, label) in enumerate(graph.groups.items(), 1):
        members = [n for n in graph.nodes if n.group == key]
        if members:
            out.append(f'  subgraph g{g}["{text(label) or "-"}"]')
            out += [declare(n, "    ") for n in members]
            out.append("  end")
    out += [declare(n, "  ") for n in graph.nodes if n.group not in graph.groups]

    styles: dict[str, list[int]] = {}
    drawn = [e for e in graph.edges if e.source in ids and e.target in ids]
    for i, e in enumerate(drawn):
        arrow = _ARROWS.get(e.status, "-->")
        label = text(edge_label(e))
        middle = f'{arrow}|"{label}"|' if label else arrow
        out.append(f"  {ids[e.source]} {middle} {ids[e.target]}")
        style: str = e.status if e.status in ("added", "removed", "wider") else "flagged" if e.flags else ""
        if style:
            styles.setdefault(style, []).append(i)

    used = {n.status for n in graph.nodes} - {"same"}
    for status in STATUS_CLASSES:
        if status in used:
            out.append(f"  classDef {status} {STATUS_CLASSES[status]}")
            out.append(f"  class {','.join(ids[n.id] for n in graph.nodes if n.status == status)} {status}")
    flagged = [ids[n.id] for n in graph.nodes if n.flags]
    if flagged:
        out += [f"  classDef flagged {FLAG_CLASS}", f"  class {','.join(flagged)} flagged"]
    more = [ids[n.id] for n in graph.nodes if n.kind == "more"]
    if more:
        out += [f"  classDef more {MORE_CLASS}", f"  class {','.join(more)} more"]
    for style, indexes in styles.items():
        out.append(f"  linkStyle {','.join(map(str, indexes))} {_EDGE_STYLES[style]}")
    return "\n".join(out) + "\n"


def caption(graph: AccessGraph) -> str:
    shown, total = len(graph.shown_services), graph.total_services
    what = "changed service" if graph.diff else "service"
    parts = [f"{shown} {what}{'s' if shown != 1 else ''} drawn"]
    if graph.hidden_services:
        parts.append(f"{len(graph.hidden_services)} more not drawn (node cap; `--max-nodes` to raise it)")
    left_out = total - shown - len(graph.hidden_services)
    if graph.diff and left_out:
        parts.append(f"{left_out} unchanged not drawn")
    if graph.group_by != "none":
        parts.append(f"grouped by {graph.group_by}")
    return " · ".join(parts) + ". The tables below are the complete record."


def legend(graph: AccessGraph) -> str:
    parts = [f"{WARN} red border: a weakness (wildcard, admin-like grant, unpinned trust)"]
    if graph.diff:
        parts = [LEGEND["added"], LEGEND["wider"], LEGEND["narrowed"], LEGEND["removed"], LEGEND["changed"], *parts]
    return "Legend: " + " · ".join(parts) + "."


def mermaid_section(graph: AccessGraph, heading: str) -> list[str]:
    """Markdown lines: heading, caption, the fenced Mermaid block, legend."""
    if not graph.nodes:
        return []
    return [heading, "", caption(graph), "", "```mermaid", mermaid(graph).rstrip("\n"), "```", "", legend(graph)]
