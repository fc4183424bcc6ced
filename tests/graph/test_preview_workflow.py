"""The preview workflow's diff step, run as GitHub would run it: its PR comment carries the diff's graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.cli.helpers import ROOT, write_plan

from .support import mermaid_parse, prod_pull_request, stack_plan

WORKFLOW = ROOT / ".github" / "workflows" / "preview.yml"


def _job() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["access-diff"]  # type: ignore[no-any-return]


def test_the_comment_is_the_diff_markdown_with_its_graph(tmp_path: Path) -> None:
    steps = _job()["steps"]
    [diff_step] = [s for s in steps if s.get("name", "").startswith("Diff them")]
    [comment] = [s for s in steps if "sticky-pull-request-comment" in s.get("uses", "")]
    assert comment["with"]["path"] == "diff.md"
    assert steps.index(diff_step) < steps.index(comment)
    # Run the step's script on a pull request of prod, with this checkout's irsa as .venv/bin/irsa.
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "irsa").symlink_to(Path(sys.executable).parent / "irsa")
    write_plan(tmp_path / "base.json", stack_plan("prod"))
    write_plan(tmp_path / "head.json", stack_plan("prod", prod_pull_request()))
    script = diff_step["run"].replace("${{ matrix.stack }}", "prod")
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    comment_text = (tmp_path / "diff.md").read_text()
    assert "#### Access graph of the changes" in comment_text and "```mermaid" in comment_text
    assert comment_text.index("```mermaid") < comment_text.index("| Class | Service | Change | Details |")
    assert "artifact `access-diff-prod`" in comment_text
    assert len(comment_text) < 60000
    block = comment_text.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    [parsed] = mermaid_parse([block])
    assert parsed["ok"], parsed.get("error")
    report = (tmp_path / "access-diff.html").read_text()
    assert report.startswith("<!DOCTYPE html>") and "<svg" in report


def test_the_head_installs_what_the_html_report_needs() -> None:
    plan_step = next(s for s in _job()["steps"] if s.get("name", "").startswith("Plan the base"))
    assert '.venv/bin/pip install -q -e ".[html]"' in plan_step["run"]
