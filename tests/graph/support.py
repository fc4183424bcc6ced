"""Plans for the graph tests, and the Node side: Mermaid's parser (jsdom) and Chromium (playwright-core).

The npm packages live in tests/browser/node_modules, installed from its package-lock.json by
``python3 tasks.py test`` (``ensure_browser_tools``), as are Debian's chromium and graphviz. A missing
tool fails the test with what to install: it is never skipped.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from irsa_components.plan.model import Plan
from irsa_components.plan.run import StackSource, load_source, plan_from_config
from tests.cli.helpers import ROOT

BROWSER = ROOT / "tests" / "browser"
OUTPUT = ROOT / ".test-output" / "browser"
"""Screenshots land here (git-ignored), for people to look at."""
GOLDEN_GRAPH = ROOT / "tests" / "golden" / "graph"
UPDATE = os.environ.get("IRSA_UPDATE_GOLDEN") == "1"
CHROMIUM = os.environ.get("IRSA_CHROMIUM", "/usr/bin/chromium")


def stack_irsa(stack: str) -> dict[str, Any]:
    """A committed stack's ``irsa:*`` settings, as a dict to edit (e.g. into a pull request's head)."""
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k.removeprefix("irsa:"): copy.deepcopy(v) for k, v in data.items() if k.startswith("irsa:")}


def stack_plan(stack: str, irsa: dict[str, Any] | None = None) -> Plan:
    """The plan of a committed stack (read as ``irsa plan`` reads it), its ``irsa:*`` settings replaced by ``irsa``."""
    project, config, secrets = load_source(StackSource(ROOT, stack=stack))
    for key, value in (irsa or {}).items():
        config[f"irsa:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return plan_from_config(config, project=project, stack=stack, secret_keys=secrets)


def prod_pull_request() -> dict[str, Any]:
    """A pull request on prod that widens, narrows and adds: the diff tests' and the diff golden's head."""
    irsa = stack_irsa("prod")
    services = irsa["services"]
    services["ledger-exporter"]["clusters"] = ["blue", "green"]  # a new cluster: widening
    services["reports"]["policyStatements"][0]["Action"].append("s3:DeleteObject")  # wider permissions
    services["payments-api"]["policyStatements"] = services["payments-api"]["policyStatements"][:1]  # narrower
    services["orders-worker"]["identity"] = "pod-identity"  # the IRSA admission goes
    services["audit-reader"] = {
        "namespace": "audit",
        "serviceAccount": "reader",
        "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],  # admin-like: highlighted
        "tags": {"team": "security"},
    }
    return irsa


# Node ----------------------------------------------------------------------------------------------------------


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js 20+) is needed for the Mermaid and browser tests: apt-get install nodejs")
    if not (BROWSER / "node_modules" / "mermaid").is_dir():
        pytest.fail(f"npm packages missing in {BROWSER}: run python3 tasks.py test (or npm ci there)")
    return node


def _run(script: str, *args: str, stdin: str | None = None, timeout: int = 180) -> Any:
    result = subprocess.run(
        [_node(), str(BROWSER / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=BROWSER,
        env={**os.environ, "IRSA_CHROMIUM": CHROMIUM},
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stderr[-4000:]}"
    return json.loads(result.stdout)


def mermaid_parse(texts: list[str]) -> list[dict[str, Any]]:
    """Mermaid's own parser on each text: ``ok``/``error``, and the vertices, edges and subgraphs it read."""
    results: list[dict[str, Any]] = _run("mermaid_parse.mjs", stdin=json.dumps(texts))
    return results


def _chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install chromium (python3 tasks.py test does), or set IRSA_CHROMIUM"
        )


def mermaid_render(texts: list[str], name: str, tmp_path: Path) -> dict[str, Any]:
    """Each text rendered by Mermaid in Chromium: node and edge labels as shown; screenshots in OUTPUT."""
    _chromium()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(texts))
    out: dict[str, Any] = _run("mermaid_render.mjs", str(source), str(OUTPUT / name))
    return out


def open_report(report: Path, steps: list[dict[str, Any]], name: str, tmp_path: Path) -> dict[str, Any]:
    """Open an HTML report in Chromium, run ``steps`` (see tests/browser/report.mjs); observations by name."""
    _chromium()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    steps_file = tmp_path / f"{name}-steps.json"
    steps_file.write_text(json.dumps(steps))
    out: dict[str, Any] = _run("report.mjs", str(report), str(steps_file), str(OUTPUT / name))
    out["seen"] = {o["name"]: o for o in out["observations"]}
    return out


_PLACEHOLDER_NUMERIC = re.compile("\ufb02\u00b0\u00b0(\\d+)\u00b6\u00df")
_PLACEHOLDER_NAMED = re.compile("\ufb02\u00b0(\\w+)\u00b6\u00df")


def parsed_text(text: str) -> str:
    """A label as Mermaid's parser holds it, with its entity placeholders decoded (as its renderer does)."""
    text = _PLACEHOLDER_NUMERIC.sub(lambda m: chr(int(m.group(1))), text)
    return _PLACEHOLDER_NAMED.sub(lambda m: html.unescape(f"&{m.group(1)};"), text)
