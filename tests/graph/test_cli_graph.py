"""The graph through the command line: Markdown of plan and diff, --format html, --group-by, --max-nodes."""

from __future__ import annotations

from pathlib import Path

from irsa_components.plan.diff import diff_plans
from irsa_components.plan.model import plan_from_json
from tests.cli.helpers import GOLDEN, ROOT, invoke, write_plan

from .support import GOLDEN_GRAPH, mermaid_parse, prod_pull_request, stack_plan


def _block(markdown: str) -> str:
    return markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0] + "\n"


def test_plan_markdown_embeds_the_access_map_before_the_tables() -> None:
    result = invoke("plan", "--stack", "prod", "--project-dir", ROOT, "--format", "markdown")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("## Access map") < out.index("```mermaid") < out.index("## Clusters") < out.index("## Services")
    assert _block(out) == (GOLDEN_GRAPH / "prod.mmd").read_text()
    assert "5 services drawn · grouped by namespace. The tables below are the complete record." in out


def test_diff_markdown_carries_the_graph_of_the_changes(tmp_path: Path) -> None:
    base, head = stack_plan("prod"), stack_plan("prod", prod_pull_request())
    a, b = write_plan(tmp_path / "base.json", base), write_plan(tmp_path / "head.json", head)
    result = invoke("diff", a, b, "--format", "markdown")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("irsa diff: 6 widening") < out.index("#### Access graph of the changes")
    assert out.index("```mermaid") < out.index("| Class | Service | Change | Details |")
    assert "5 changed services drawn · 1 unchanged not drawn" in out
    assert "Legend: green, thick: new" in out
    # The same graph as the golden (the golden's names are base.json/head.json; the graph does not show them).
    assert _block(out) == (GOLDEN_GRAPH / "prod-pull-request.mmd").read_text()
    [parsed] = mermaid_parse([_block(out)])
    assert parsed["ok"], parsed.get("error")
    assert diff_plans(base, head).widening


def test_no_change_no_graph(tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "p.json", plan_from_json((GOLDEN / "dev.json").read_text()))
    out = invoke("diff", plan, plan).stdout
    assert "no changes" in out and "mermaid" not in out


def test_options_group_by_and_max_nodes(tmp_path: Path) -> None:
    out = invoke(
        "plan", "--stack", "prod", "-p", ROOT, "-f", "markdown", "--group-by", "team", "--max-nodes", "4"
    ).stdout
    block = _block(out)
    assert 'subgraph g1["team platform"]' in block  # external-dns (flagged) first
    assert "#8230; 4 more services" in block  # the "… 4 more" node (entity-encoded ellipsis)
    assert "1 service drawn · 4 more not drawn (node cap; `--max-nodes` to raise it) · grouped by team" in out
    flat = _block(invoke("plan", "--stack", "dev", "-p", ROOT, "-f", "markdown", "--group-by", "none").stdout)
    assert "subgraph" not in flat
    bad = invoke("plan", "--stack", "dev", "-p", ROOT, "-f", "markdown", "--max-nodes", "0")
    assert bad.exit_code == 2


def test_html_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report" / "prod.html"
    result = invoke("plan", "--stack", "prod", "-p", ROOT, "--format", "html", "--output", out)
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "Access plan: stack prod" in html
    base = write_plan(tmp_path / "base.json", stack_plan("prod"))
    head = write_plan(tmp_path / "head.json", stack_plan("prod", prod_pull_request()))
    diff = invoke("diff", base, head, "--format", "html", "--fail-on-widening")
    assert diff.exit_code == 1  # the report is written, and the widening still fails the gate
    assert "changes only" in diff.stdout and "prod-audit-reader" in diff.stdout
