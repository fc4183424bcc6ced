"""The HTML report: self-contained, escaped, laid out by Graphviz, and used in a real browser (Chromium)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from irsa_components.cli import graphviz
from irsa_components.cli.render_dot import dot
from irsa_components.cli.render_graph import diff_report, plan_report
from irsa_components.plan.diff import diff_plans
from irsa_components.plan.graph_view import plan_graph
from irsa_components.plan.model import Plan, plan_from_json
from tests.cli.helpers import GOLDEN, STACKS, edited, invoke, write_plan

from .support import GOLDEN_GRAPH, UPDATE, open_report, prod_pull_request, stack_plan

PROD = plan_from_json((GOLDEN / "prod.json").read_text())
EVIL = "x</script><script>document.title='owned'</script><img src=http://example.invalid/x.png>"


def _index(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_dot_goldens_of_the_committed_stacks() -> None:
    """The layout's input is stable (the SVG depends on the Graphviz release): IRSA_UPDATE_GOLDEN=1 to refresh."""
    stale = []
    for stack in STACKS:
        text, _, _ = dot(plan_graph(plan_from_json((GOLDEN / f"{stack}.json").read_text()), max_nodes=400))
        golden = GOLDEN_GRAPH / f"{stack}.dot"
        if UPDATE or not golden.exists():
            golden.write_text(text)
        elif golden.read_text() != text:
            stale.append(stack)
    assert not stale, f"DOT of {stale} differs from {GOLDEN_GRAPH}; if intended, IRSA_UPDATE_GOLDEN=1"


def test_the_report_is_one_self_contained_file() -> None:
    html = plan_report(PROD)
    assert html.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # Nothing to fetch: no external scripts, styles, images or fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") == 1
    data = _index(html)
    assert set(data["services"]) == set(PROD.services)
    for nid in data["nodes"]:
        assert f'id="{nid}"' in html  # every node of the index is in the SVG


def test_everything_from_the_plan_is_escaped() -> None:
    def evil(data: dict[str, Any]) -> None:
        service = data["services"].pop("reports")
        service["namespace"] = EVIL
        service["role"]["tags"]["team"] = EVIL
        data["services"][EVIL] = service

    plan = edited(PROD, evil)
    html = plan_report(plan, group_by="team")
    assert EVIL not in html
    assert "<script>document.title" not in html
    assert html.count("<script") == 2  # the index and the report's own script
    assert EVIL in _index(html)["services"]  # the index still names it (JSON, with < > & escaped)


@pytest.mark.parametrize("engine", ["pygraphviz", "dot"])
def test_both_graphviz_engines_lay_out_every_node(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRSA_GRAPHVIZ", engine)
    if engine == "dot" and shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is missing: apt-get install graphviz (python3 tasks.py test does)")
    assert graphviz.engine() == engine or graphviz.engine().endswith("/dot")
    text, ids, edge_ids = dot(plan_graph(PROD))
    svg = graphviz.svg(text)
    assert svg.startswith("<svg")
    for nid in [*ids.values(), *edge_ids.values()]:
        assert f'id="{nid}"' in svg
    assert 'class="node kind-cluster status-same"' in svg.replace("&#45;", "-")  # Graphviz escapes "-"


def test_without_graphviz_a_clear_error_names_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRSA_GRAPHVIZ", "dot")
    monkeypatch.setenv("PATH", str(tmp_path))
    plan = write_plan(tmp_path / "prod.json", PROD)
    result = invoke("diff", plan, plan, "--format", "html")
    assert result.exit_code == 2
    assert "pip install" in result.stderr and "apt-get install graphviz" in result.stderr


def _visible(seen: dict[str, Any], kind: str | None = None) -> set[str]:
    return {n["label"].split(" / ")[0] for n in seen["nodes"] if n["visible"] and (kind is None or n["kind"] == kind)}


def test_in_chromium_nodes_are_there_and_the_filters_work(tmp_path: Path) -> None:
    report = tmp_path / "prod.html"
    report.write_text(plan_report(PROD))
    steps: list[dict[str, Any]] = [
        {"observe": "all", "screenshot": True},
        {"select": "#namespace", "value": "payments"},
        {"observe": "namespace", "screenshot": True},
        {"click": "#reset"},
        {"fill": "#q", "value": "REPORT-gen"},
        {"observe": "search"},
        {"click": "#reset"},
        {"select": "#cluster", "value": "green"},
        {"observe": "cluster"},
        {"click": "#reset"},
        {"select": "#service", "value": "orders-worker"},
        {"observe": "service"},
        {"click": "#reset"},
        {"check": "#weak-only"},
        {"observe": "weak"},
        {"click": "#reset"},
        {"observe": "reset"},
    ]
    out = open_report(report, steps, "report-prod", tmp_path)
    assert out["errors"] == []
    assert out["requests"] == [report.as_uri()]  # the file itself, nothing else
    seen = out["seen"]
    everything = seen["all"]
    assert all(n["present"] and n["visible"] and n["width"] > 0 for n in everything["nodes"])
    assert all(e["present"] and e["visible"] for e in everything["edges"])
    assert _visible(everything, "role") == {f"role prod-{k}" for k in PROD.services}
    assert _visible(everything, "cluster") == {"cluster blue", "cluster green"}
    assert any("role prod-payments-api" in n["text"] for n in everything["nodes"])  # the SVG's own text
    assert everything["rows"] == sorted(PROD.services) and everything["count"] == "5 services"

    namespace = seen["namespace"]
    assert _visible(namespace, "role") == {"role prod-payments-api", "role prod-ledger-exporter"}
    assert _visible(namespace, "workload") == {"payments/payments-api", "payments/ledger-exporter"}
    assert set(namespace["rows"]) == {"payments-api", "ledger-exporter"}
    assert namespace["count"] == "2 of 5 services match"

    assert _visible(seen["search"], "role") == {"role prod-reports"}  # case-insensitive, on the service account
    cluster = seen["cluster"]
    assert "role prod-ledger-exporter" not in _visible(cluster)  # blue only
    assert _visible(cluster, "cluster") == {"cluster green"}
    assert _visible(seen["service"], "role") == {"role prod-orders-worker"}
    weak = seen["weak"]
    assert _visible(weak, "role") == {"role prod-external-dns"}  # route53 list actions on any resource
    assert weak["weaknesses"] and all("external-dns" in w for w in weak["weaknesses"])
    assert _visible(seen["reset"]) == _visible(everything)
    assert Path(everything["screenshot"]).stat().st_size > 20_000


@pytest.fixture(scope="module")
def pull_request() -> tuple[Plan, Plan]:
    return stack_plan("prod"), stack_plan("prod", prod_pull_request())


def test_the_diff_report_in_chromium(pull_request: tuple[Plan, Plan], tmp_path: Path) -> None:
    base, head = pull_request
    report = tmp_path / "diff.html"
    report.write_text(diff_report(base, head, diff_plans(base, head, "base.json", "head.json")))
    steps: list[dict[str, Any]] = [
        {"observe": "all", "screenshot": True},
        {"check": "#changed-only"},
        {"observe": "changed", "screenshot": True},
    ]
    out = open_report(report, steps, "report-diff", tmp_path)
    assert out["errors"] == [] and out["requests"] == [report.as_uri()]
    everything, changed = out["seen"]["all"], out["seen"]["changed"]
    status = {n["label"].split(" / ")[0]: n["status"] for n in everything["nodes"] if n["kind"] == "role"}
    assert status["role prod-audit-reader"] == "added"
    assert status["role prod-ledger-exporter"] == "wider"
    assert status["role prod-orders-worker"] == "narrowed"
    assert status["role prod-external-dns"] == "same"
    edges = {(e["kind"], e["status"]) for e in everything["edges"]}
    assert ("irsa", "removed") in edges and ("irsa", "added") in edges
    assert "role prod-external-dns" in _visible(everything) and "role prod-external-dns" not in _visible(changed)
    assert "external-dns" not in changed["rows"] and "audit-reader" in changed["rows"]
    admin = next(n for n in everything["nodes"] if "AdministratorAccess" in n["label"])
    assert "flag-admin" in admin["classes"] and "status-added" in admin["classes"]
