#!/usr/bin/env python3
"""Developer tasks; needs only Python 3.11+. Each task installs what it needs into .venv first.

python3 tasks.py plan [irsa plan options]   # the main job: offline access plan of the dev stack
python3 tasks.py test                       # every check CI runs: lint, types, tests, benchmark smoke
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"


def _run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_browser_tools() -> None:
    """What the graph tests (tests/graph) need besides .venv: Debian's chromium and graphviz, and the npm
    packages of tests/browser (mermaid, jsdom, playwright-core) from its package-lock.json. Fast when present."""
    import shutil

    chromium = os.environ.get("IRSA_CHROMIUM", "/usr/bin/chromium")
    wanted = [p for p, ok in (("chromium", Path(chromium).exists()), ("graphviz", shutil.which("dot"))) if not ok]
    wanted += ["nodejs", "npm"] if not shutil.which("npm") else []
    if wanted and shutil.which("apt-get") and os.name == "posix" and os.geteuid() == 0:
        _run("apt-get", "update", "-qq")
        _run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted)
    elif wanted:
        print(f"tests/graph need {', '.join(wanted)}: install them (or set IRSA_CHROMIUM)", flush=True)
    browser = ROOT / "tests" / "browser"
    lock = hashlib.sha256((browser / "package-lock.json").read_bytes()).hexdigest()
    stamp = browser / "node_modules" / ".installed"
    npm = shutil.which("npm")
    if npm and not (stamp.exists() and stamp.read_text() == lock):
        print("+ npm ci (tests/browser)", flush=True)
        if subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=browser).returncode:
            sys.exit("npm ci failed in tests/browser")
        stamp.write_text(lock)


def ensure_environment() -> None:
    """Create .venv and install requirements-dev.txt unless the installed set is already current."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs on whatever python3 the machine has
        sys.exit("Python 3.11 or newer is required")
    wanted = hashlib.sha256(
        b"".join((ROOT / f).read_bytes() for f in ("requirements.txt", "requirements-dev.txt", "pyproject.toml"))
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements-dev.txt")
    STAMP.write_text(wanted)


def plan(args: list[str]) -> None:
    ensure_environment()
    _run(BIN / "irsa", "plan", "--stack", "dev", *args)


def test(args: list[str]) -> None:
    ensure_environment()
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    ensure_browser_tools()
    _run(BIN / "pytest", "-n", "auto", "-q", *args)
    _run(PYTHON, "benchmarks/run.py", "--services", "10", "--quick")


TASKS = {"plan": plan, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    TASKS[sys.argv[1]](sys.argv[2:])
