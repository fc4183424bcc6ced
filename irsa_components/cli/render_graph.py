"""The access graph in each output: Mermaid sections for Markdown, the HTML report. Defaults live here."""

from __future__ import annotations

from ..plan.diff import PlanDiff
from ..plan.graph import GroupBy
from ..plan.graph_diff import diff_graph
from ..plan.graph_view import plan_graph
from ..plan.model import Plan
from .render_html import diff_html, plan_html
from .render_mermaid import mermaid_section

MARKDOWN_MAX_NODES = 60
"""GitHub renders up to a few hundred nodes, but a PR comment is read at a glance."""
HTML_MAX_NODES = 400
"""Graphviz lays out a few hundred nodes in seconds; the report's table lists every service anyway."""


def plan_mermaid(plan: Plan, group_by: GroupBy = "namespace", max_nodes: int | None = None) -> list[str]:
    graph = plan_graph(plan, group_by=group_by, max_nodes=max_nodes or MARKDOWN_MAX_NODES)
    return mermaid_section(graph, "## Access map")


def diff_mermaid(
    base: Plan, head: Plan, diff: PlanDiff, group_by: GroupBy = "namespace", max_nodes: int | None = None
) -> list[str]:
    graph = diff_graph(base, head, diff, group_by=group_by, max_nodes=max_nodes or MARKDOWN_MAX_NODES)
    return mermaid_section(graph, "#### Access graph of the changes")


def plan_report(plan: Plan, group_by: GroupBy = "namespace", max_nodes: int | None = None) -> str:
    return plan_html(plan, plan_graph(plan, group_by=group_by, max_nodes=max_nodes or HTML_MAX_NODES))


def diff_report(
    base: Plan, head: Plan, diff: PlanDiff, group_by: GroupBy = "namespace", max_nodes: int | None = None
) -> str:
    graph = diff_graph(base, head, diff, group_by=group_by, max_nodes=max_nodes or HTML_MAX_NODES, unchanged=True)
    return diff_html(diff, base, head, graph)
