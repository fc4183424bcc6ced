"""Peers measured beside the stack program: the same synthetic workload in other tools.

``cdk/``: AWS CDK v2 (plain JavaScript, aws-cdk-lib pinned in package.json and package-lock.json),
installed with ``npm ci`` on first use (``benchmarks/run.py --peers``), never by the tests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.synthetic import ACCOUNTS, stack_config

CDK = Path(__file__).resolve().parent / "cdk"
_STAMP = CDK / "node_modules" / ".installed-lock"


def ensure_cdk_peer() -> None:
    """``npm ci`` in peers/cdk unless the installed modules match package-lock.json; RuntimeError without npm."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise RuntimeError("the CDK peer needs node and npm on PATH")
    wanted = hashlib.sha256((CDK / "package-lock.json").read_bytes()).hexdigest()
    if _STAMP.exists() and _STAMP.read_text() == wanted:
        return
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CDK, check=True)
    _STAMP.write_text(wanted)


def cdk_synth(env: str, services: int, *, validation: bool = True) -> dict[str, Any]:
    """One fresh ``node app.js`` synth of environment ``env`` with N services: its JSON line (synth_s, cpu_s, ...)."""
    node = shutil.which("node")
    assert node is not None
    with tempfile.TemporaryDirectory() as tmp:
        workload = Path(tmp) / "workload.json"
        workload.write_text(
            json.dumps({"account": ACCOUNTS[env], "region": "eu-west-1", "config": stack_config(env, services)})
        )
        cmd = [node, "app.js", str(workload), *([] if validation else ["--no-validation"])]
        done = subprocess.run(cmd, cwd=CDK, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"CDK synth failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
