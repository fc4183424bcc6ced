"""Mermaid: the text parses with Mermaid's own parser (Node, jsdom), reads back as drawn, and renders in
Chromium with the labels as written; goldens for the committed stacks and a pull request of prod."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsa_components.cli.render_mermaid import SAFE, mermaid, node_lines, text
from irsa_components.plan.diff import diff_plans
from irsa_components.plan.graph import AccessGraph, Edge, Flag, Node
from irsa_components.plan.graph_diff import diff_graph
from irsa_components.plan.graph_view import plan_graph
from irsa_components.plan.model import plan_from_json
from tests.cli.helpers import GOLDEN, STACKS

from .support import GOLDEN_GRAPH, UPDATE, mermaid_parse, mermaid_render, parsed_text, prod_pull_request, stack_plan

NASTY = [
    "quote \" and 'single'",
    "hash # and #35; and #quot; entity look-alikes",
    "<b>bold</b> <script>alert(1)</script> & &amp;",
    "[square] (round) {curly} {{hex}} ([stadium]) [/lean/] >odd]",
    "pipe | edge |label|",
    "%%{init: {'theme': 'dark'}}%% directive",
    "`markdown` **bold** _em_",
    "semi; colon: end subgraph graph flowchart click call style classDef linkStyle",
    "arrows --> ==> -.-> --- <-- o--o x--x",
    "back\\slash \\n not a newline",
    "unicode ünïcødé — ⚠ 日本語 😀 \u202e rtl",
    "tab\tand\nnewline\r\nand\x00nul\x1bescape",
    "ﬂ°°35¶ß placeholder look-alike",
]


def _shown(value: str) -> str:
    """What a label shows: runs of whitespace, control and separator characters as one space, trimmed."""
    return " ".join("".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in value).split())


def _graph(labels: list[str], edge_labels: list[str] | None = None) -> AccessGraph:
    kinds = ["cluster", "workload", "principal", "role", "permissions", "more"]
    nodes = [
        Node(f"x{i}", kinds[i % len(kinds)], label, (label[::-1],), group="g" if i % 2 else "")  # type: ignore[arg-type]
        for i, label in enumerate(labels)
    ]
    edge_labels = edge_labels if edge_labels is not None else labels
    statuses = ["same", "added", "removed"]
    edges = [
        Edge(f"x{i}", f"x{(i + 1) % len(labels)}", "irsa", edge_labels[i % len(edge_labels)], statuses[i % 3])  # type: ignore[arg-type]
        for i in range(len(labels))
    ]
    return AccessGraph("t", nodes, edges, {"g": 'group <with> "quotes"'}, "namespace", [], [], len(labels))


def _check_parsed(graph: AccessGraph, result: dict) -> None:  # type: ignore[type-arg]
    """Mermaid read exactly the graph: every node with its label, every edge with its label and style."""
    assert result["ok"], result.get("error")
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes, 1)}
    vertices = {v["id"]: v for v in result["vertices"]}
    assert set(vertices) == set(ids.values())
    for node in graph.nodes:
        lines = [_shown(line) for line in node_lines(node)]
        expected = "<br>".join(line for line in lines if line) or "-"
        assert parsed_text(vertices[ids[node.id]]["text"]) == expected
    drawn = [e for e in graph.edges if e.source in ids and e.target in ids]
    assert len(result["edges"]) == len(drawn)
    stroke = {"added": "thick", "removed": "dotted"}
    for edge, seen in zip(drawn, result["edges"], strict=True):
        assert (seen["start"], seen["end"]) == (ids[edge.source], ids[edge.target])
        assert parsed_text(seen["text"]) == _shown(edge.label)
        assert seen["stroke"] == stroke.get(edge.status, "normal")
    groups = {s["id"]: s for s in result["subgraphs"]}
    for g, key in enumerate(graph.groups, 1):
        members = {ids[n.id] for n in graph.nodes if n.group == key}
        if members:
            assert set(groups[f"g{g}"]["nodes"]) == members


def test_labels_keep_only_safe_characters_and_entities() -> None:
    for label in NASTY:
        out = text(label)
        assert set(re.sub(r"#\d+;", "", out)) <= SAFE, out
        assert re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), out) == _shown(label)


def _committed_graphs() -> dict[str, AccessGraph]:
    graphs = {s: plan_graph(plan_from_json((GOLDEN / f"{s}.json").read_text())) for s in STACKS}
    base, head = stack_plan("prod"), stack_plan("prod", prod_pull_request())
    graphs["prod-pull-request"] = diff_graph(base, head, diff_plans(base, head, "base.json", "head.json"))
    return graphs


@pytest.fixture(scope="module")
def committed() -> dict[str, AccessGraph]:
    return _committed_graphs()


def test_goldens_of_the_committed_stacks_and_a_pull_request(committed: dict[str, AccessGraph]) -> None:
    """Regenerate after an intended change: IRSA_UPDATE_GOLDEN=1 pytest tests/graph -k golden (review the diff)."""
    GOLDEN_GRAPH.mkdir(parents=True, exist_ok=True)
    stale = []
    for name, graph in committed.items():
        golden = GOLDEN_GRAPH / f"{name}.mmd"
        if UPDATE or not golden.exists():
            golden.write_text(mermaid(graph))
        elif golden.read_text() != mermaid(graph):
            stale.append(name)
    assert not stale, f"Mermaid of {stale} differs from {GOLDEN_GRAPH}; if intended, IRSA_UPDATE_GOLDEN=1"


def test_mermaid_parses_what_we_draw(committed: dict[str, AccessGraph]) -> None:
    graphs = [*committed.values(), _graph(NASTY)]
    results = mermaid_parse([mermaid(g) for g in graphs])
    for graph, result in zip(graphs, results, strict=True):
        _check_parsed(graph, result)
    assert {r["type"] for r in results} == {"flowchart-v2"}


def test_the_parser_is_strict_enough_to_catch_a_broken_label() -> None:
    """The check can fail: an unescaped quote breaks Mermaid's parse."""
    good = mermaid(_graph(["plain"]))
    [ok, broken] = mermaid_parse([good, good.replace("plain", 'pl"ain', 1)])
    assert ok["ok"] and not broken["ok"] and "Parse error" in broken["error"]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(min_size=1, max_size=30), min_size=12, max_size=12),
    st.lists(st.text(max_size=20), min_size=4, max_size=4),
)
def test_any_label_parses_and_reads_back(labels: list[str], edge_labels: list[str]) -> None:
    graph = _graph(labels, edge_labels)
    [result] = mermaid_parse([mermaid(graph)])
    _check_parsed(graph, result)


def test_rendered_in_chromium_labels_show_as_written(committed: dict[str, AccessGraph], tmp_path: Path) -> None:
    nasty = _graph(NASTY[:6])
    nasty.nodes[1] = replace(nasty.nodes[1], status="removed")
    diff = committed["prod-pull-request"]
    out = mermaid_render([mermaid(diff), mermaid(nasty)], "mermaid", tmp_path)
    assert out["requests"] == [] and out["errors"] == []
    diff_seen, nasty_seen = out["results"]
    assert diff_seen["ok"] and nasty_seen["ok"], (diff_seen, nasty_seen)
    shown = {n["text"].replace("\n", "|"): n for n in nasty_seen["nodes"]}
    for node in nasty.nodes:
        seen = shown["|".join(_shown(line) for line in node_lines(node))]
        assert seen["decoration"] == ("line-through" if node.status == "removed" else "none")
    assert any("new: IRSA" in label for label in diff_seen["edgeLabels"])
    assert any("removed: IRSA" in label for label in diff_seen["edgeLabels"])
    audit = next(n for n in diff_seen["nodes"] if "AdministratorAccess" in n["text"])
    assert "⚠ admin" in audit["text"] and "flagged" in audit["classes"] and "added" in audit["classes"]
    lost = next(n for n in diff_seen["nodes"] if "secretsmanager" in n["text"])
    assert "\u2212 k\u0336m\u0336s\u0336:\u0336" in lost["text"]  # what payments-api lost, struck through
    assert "narrowed" in lost["classes"]
    assert Path(diff_seen["screenshot"]).stat().st_size > 10_000


def test_flag_categories_show_in_the_label() -> None:
    node = Node("x", "role", "role r", flags=(Flag("wildcard", "c", "t"), Flag("admin", "d", "u")))
    assert node_lines(node)[-1] == "⚠ wildcard, admin"
