"""``--format html``: one self-contained report (inline SVG, style and script; nothing loaded from the network).

The graph is laid out by Graphviz (``cli/graphviz.py``); search and filters (namespace, cluster, service,
weaknesses only, changes only) dim what does not match, in the graph and in the tables below it, which
stay the complete record. Every text from the plan is HTML-escaped; the graph's index is JSON with
``<``, ``>`` and ``&`` escaped, so nothing in a plan can close the script element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from ..plan.diff import PlanDiff
from ..plan.graph import AccessGraph
from ..plan.model import Plan, Service
from . import graphviz
from .html_assets import CSP, CSS, JS
from .render_diff import _KIND_LABELS, summary_line
from .render_dot import dot
from .render_mermaid import LEGEND, WARN, edge_label, node_lines
from .render_plan import account_note, principal_detail, statement_line


def _json_script(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _index(graph: AccessGraph, ids: Mapping[str, str], edge_ids: Mapping[int, str], meta: Mapping[str, Any]) -> str:
    nodes = {
        ids[n.id]: {
            "kind": n.kind,
            "cluster": n.cluster,
            "services": list(n.services),
            "status": n.status,
            "flags": [f.category for f in n.flags],
            "label": " / ".join(node_lines(n)),
        }
        for n in graph.nodes
    }
    edges = {
        eid: {
            "source": ids[graph.edges[i].source],
            "target": ids[graph.edges[i].target],
            "services": list(graph.edges[i].services),
            "kind": graph.edges[i].kind,
            "status": graph.edges[i].status,
            "label": edge_label(graph.edges[i]),
        }
        for i, eid in edge_ids.items()
    }
    groups = {f"g{g}": [ids[n.id] for n in graph.nodes if n.group == key] for g, key in enumerate(graph.groups, 1)}
    return _json_script({"nodes": nodes, "edges": edges, "groups": groups, "services": meta})


def _options(element: str, label: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in sorted(set(values)))
    return f'<label>{label} <select id="{element}"><option value="">all</option>{options}</select></label>'


def _weakness_list(graph: AccessGraph) -> str:
    items = []
    for n in graph.nodes:
        for f in n.flags:
            services = " ".join(n.services)
            pick = (
                f'<button class="link" data-pick="{escape(n.services[0])}">{escape(n.services[0])}</button>'
                if len(n.services) == 1
                else escape(", ".join(n.services) or "-")
            )
            items.append(
                f'<li data-service="{escape(services)}"><span class="cat cat-{f.category}">{f.category}</span> '
                f"{pick}: {escape(n.title)}: {escape(f.text)}</li>"
            )
    for e in graph.edges:
        for f in e.flags:
            items.append(
                f'<li data-service="{escape(" ".join(e.services))}"><span class="cat cat-{f.category}">{f.category}'
                f"</span> {escape(', '.join(e.services))}: {escape(e.label)}: {escape(f.text)}</li>"
            )
    body = "".join(dict.fromkeys(items)) or "<li>none</li>"
    return f'<aside><h2>{WARN} Weaknesses</h2><ul id="weaknesses">{body}</ul></aside>'


def _legend(graph: AccessGraph) -> str:
    parts = ['<span><span class="swatch" style="border-color:#cf222e"></span>weakness</span>']
    if graph.diff:
        colours = {
            "added": "#1a7f37",
            "wider": "#bc4c00",
            "narrowed": "#6e7781",
            "removed": "#8c959f",
            "changed": "#0969da",
        }
        parts = [
            f'<span><span class="swatch" style="border-color:{c}"></span>{escape(LEGEND[s])}</span>'
            for s, c in colours.items()
        ] + parts
    return f'<p class="legend">{"".join(parts)}</p>'


def _caption(graph: AccessGraph) -> str:
    drawn, hidden = len(graph.shown_services), len(graph.hidden_services)
    text = f"{drawn} of {graph.total_services} services drawn"
    if hidden:
        text += f" ({hidden} beyond the node cap, --max-nodes raises it)"
    return f'<p class="sub">{escape(text)}; grouped by {escape(graph.group_by)}. The table is the complete record.</p>'


def page(
    *,
    title: str,
    subtitle: str,
    summary: str,
    graph: AccessGraph,
    meta: Mapping[str, Any],
    tables: str,
) -> str:
    """The whole report. ``meta``: service key -> namespace, clusters, search text, flagged, changed."""
    dot_text, ids, edge_ids = dot(graph)
    svg = graphviz.svg(dot_text) if graph.nodes else "<p>Nothing to draw.</p>"
    namespaces = [m["namespace"] for m in meta.values()]
    clusters = [c for m in meta.values() for c in m["clusters"]]
    changed = '<label><input type="checkbox" id="changed-only"> changes only</label>' if graph.diff else ""
    controls = (
        '<div class="controls">'
        '<input type="search" id="q" placeholder="Search service, namespace, service account, role, cluster" '
        'aria-label="Search">'
        f"{_options('namespace', 'Namespace', namespaces)}{_options('cluster', 'Cluster', clusters)}"
        f"{_options('service', 'Service', meta)}"
        f'<label><input type="checkbox" id="weak-only"> weaknesses only</label>{changed}'
        '<button id="reset" type="button">Reset</button><button id="zoom" type="button">Fit / actual size</button>'
        '<span id="match-count"></span></div>'
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><div class="sub">{escape(subtitle)}</div>'
        f'<div class="summary">{escape(summary)}</div></header>'
        f"{controls}<main>{_caption(graph)}{_legend(graph)}"
        f'<div class="layout"><div id="graph">{svg}</div>{_weakness_list(graph)}</div>'
        f"{tables}</main>"
        f'<script type="application/json" id="graph-data">{_index(graph, ids, edge_ids, meta)}</script>'
        f"<script>{JS}</script></body></html>\n"
    )


def _meta(graph: AccessGraph, services: Mapping[str, Service | None], changed: set[str]) -> dict[str, Any]:
    flagged = {s for n in graph.nodes if n.flags for s in n.services}
    flagged |= {s for e in graph.edges if e.flags for s in e.services}
    out: dict[str, Any] = {}
    for key in sorted(graph.search):
        service = services.get(key)
        out[key] = {
            "namespace": service.namespace if service else "",
            "clusters": list(service.clusters) if service else [],
            "search": " ".join(graph.search[key]).lower(),
            "flagged": key in flagged,
            "changed": key in changed,
        }
    return out


def _list(items: Iterable[str]) -> str:
    shown = [f"<li>{i}</li>" for i in items]
    return f"<ul>{''.join(shown)}</ul>" if shown else "none"


def _service_rows(plan: Plan) -> str:
    rows = []
    for key, s in plan.services.items():
        admitted = [
            f"<code>{escape(p.subject)}</code> at {escape(p.cluster)}: {escape(principal_detail(p))}"
            for p in s.principals
        ]
        weak = [f'<span class="weak">{escape(w.code)}</span>: {escape(w.message)}' for w in s.weaknesses]
        perms = [f"managed <code>{escape(arn)}</code>" for arn in s.permissions.managed_policies]
        perms += [
            f"{escape(what)} on <code>{escape(where)}</code>"
            for what, where in map(statement_line, s.permissions.statements())
        ]
        role = f"<code>{escape(s.role.arn)}</code><br>{escape(account_note(plan, s))}"
        if s.association_role is not None:
            role += f"<br>via association role <code>{escape(s.association_role.arn)}</code>"
        rows.append(
            f'<tr data-service="{escape(key)}"><td><code>{escape(key)}</code></td>'
            f"<td><code>{escape(s.namespace)}/{escape(s.service_account)}</code></td>"
            f"<td>{escape(', '.join(s.clusters))}</td><td>{escape(s.identity)}</td><td>{role}</td>"
            f"<td>{_list(admitted)}</td><td>{_list(weak)}</td><td>{_list(perms)}</td></tr>"
        )
    return (
        '<h2>Services</h2><table id="services"><thead><tr><th>Service</th><th>Namespace/service account</th>'
        "<th>Clusters</th><th>Identity</th><th>Role</th><th>Admitted</th><th>Weaknesses</th><th>Permissions</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def plan_html(plan: Plan, graph: AccessGraph) -> str:
    return page(
        title=f"Access plan: stack {plan.stack}",
        subtitle=f"project {plan.project} · environment {plan.environment} · account {plan.account} · "
        f"{plan.region} ({plan.partition})",
        summary=f"{len(plan.services)} service(s) on {len(plan.clusters)} cluster(s)",
        graph=graph,
        meta=_meta(graph, dict(plan.services), set()),
        tables=_service_rows(plan),
    )


def diff_html(diff: PlanDiff, base: Plan, head: Plan, graph: AccessGraph) -> str:
    rows = []
    for c in diff.changes:
        values = ""
        if c.before is not None or c.after is not None:
            values = f" (<code>{escape(c.before or '(none)')}</code> → <code>{escape(c.after or '(none)')}</code>)"
        rows.append(
            f'<tr data-service="{escape(c.service)}"><td class="{c.classification}">{c.classification}</td>'
            f"<td><code>{escape(c.service) or '(stack)'}</code></td><td>{escape(_KIND_LABELS.get(c.kind, c.kind))}</td>"
            f"<td>{escape(c.summary)}{values}</td></tr>"
        )
    table = (
        '<h2>Changes</h2><table id="changes"><thead><tr><th>Class</th><th>Service</th><th>Change</th><th>Details</th>'
        f"</tr></thead><tbody>{''.join(rows) or '<tr><td colspan=4>no changes</td></tr>'}</tbody></table>"
    )
    services: dict[str, Service | None] = {**dict(base.services), **dict(head.services)}
    return page(
        title=f"Access diff: {diff.base} → {diff.head}",
        subtitle=f"stack {base.stack} → {head.stack}",
        summary=summary_line(diff),
        graph=graph,
        meta=_meta(graph, services, {c.service for c in diff.changes if c.service}),
        tables=table,
    )
