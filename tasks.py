#!/usr/bin/env python3
"""Developer tasks; needs only Python 3.11+. Each task installs what it needs into .venv first.

python3 tasks.py plan [irsa plan options]   # the main job: offline access plan of the dev stack (installs
                                            # only requirements.txt into .venv on its first run)
python3 tasks.py test                       # every check CI runs: lint, types, tests, benchmark smoke
python3 tasks.py pulumi ARGS...             # the real Pulumi CLI, offline: local state, stand-in providers
python3 tasks.py engine                     # only build the Pulumi engine (tests/fixtures/engine/build.py)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"
PLAN_STAMP = VENV / ".installed-plan"


def _run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_browser_tools() -> None:
    """What the graph tests (tests/graph) need besides .venv: a Chromium (Debian's chromium; IRSA_CHROMIUM names
    another), Graphviz's dot, and the npm packages of tests/browser from its package-lock.json. Fast when present."""
    import shutil

    candidates = [os.environ.get("IRSA_CHROMIUM"), "/usr/bin/chromium", shutil.which("google-chrome")]
    browser = next((b for b in candidates if b and Path(b).exists()), None)
    tools = {"chromium": browser, "graphviz": shutil.which("dot"), "npm": shutil.which("npm")}
    wanted = [package for package, found in tools.items() if not found]
    sudo = [] if os.name != "posix" or os.geteuid() == 0 else ["sudo", "-n"] if shutil.which("sudo") else None
    if wanted and shutil.which("apt-get") and sudo is not None:
        _run(*sudo, "apt-get", "update", "-qq")
        _run(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted)
        browser = browser or "/usr/bin/chromium"
    elif wanted:
        print(f"tests/graph need {', '.join(wanted)}: install them (IRSA_CHROMIUM names a Chromium)", flush=True)
    if browser:
        os.environ["IRSA_CHROMIUM"] = browser  # the tests' browser
    here = ROOT / "tests" / "browser"
    lock = hashlib.sha256((here / "package-lock.json").read_bytes()).hexdigest()
    stamp = here / "node_modules" / ".installed"
    npm = shutil.which("npm")
    if npm and not (stamp.exists() and stamp.read_text() == lock):
        print("+ npm ci (tests/browser)", flush=True)
        if subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=here).returncode:
            sys.exit("npm ci failed in tests/browser")
        stamp.write_text(lock)


def _digest(*files: str) -> str:
    return hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in files)).hexdigest()


def _create_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs on whatever python3 the machine has
        sys.exit("Python 3.11 or newer is required")
    if not PYTHON.exists():
        print(f"Creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)


def ensure_environment() -> None:
    """Create .venv and install requirements-dev.txt unless the installed set is already current."""
    wanted = _digest("requirements.txt", "requirements-dev.txt", "pyproject.toml")
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    _create_venv()
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements-dev.txt")
    STAMP.write_text(wanted)
    PLAN_STAMP.write_text(_digest("requirements.txt"))


def ensure_plan_environment() -> None:
    """Create .venv with only what the plan needs: the program's pinned runtime (requirements.txt).

    No build of this package (the plan runs it from the checkout) and no byte-compiling of the
    provider SDKs' thousands of modules at install: Python compiles the few the plan imports.
    """
    wanted = _digest("requirements.txt")
    if PLAN_STAMP.exists() and PLAN_STAMP.read_text() == wanted and PYTHON.exists():
        return
    started = time.monotonic()
    print("First run: installing what irsa plan needs into .venv (requirements.txt; about a minute)", flush=True)
    _create_venv()
    _run(
        PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--no-compile", "--progress-bar", "on",
        "-r", ROOT / "requirements.txt",
    )  # fmt: skip
    PLAN_STAMP.write_text(wanted)
    print(f"Installed in {time.monotonic() - started:.0f} s; now the plan", flush=True)


def ensure_engine() -> None:
    """Build the real Pulumi CLI, Kubernetes provider and YAML host from Go modules into .engine/ (seconds when
    built), and tell the tests where they are: IRSA_PULUMI (the CLI) and IRSA_ENGINE_BIN (the plugins)."""
    import json

    _run(sys.executable, ROOT / "tests" / "fixtures" / "engine" / "build.py")
    paths = json.loads((ROOT / ".engine" / "env.json").read_text())
    os.environ["IRSA_PULUMI"] = paths["pulumi"]
    os.environ["IRSA_ENGINE_BIN"] = paths["plugins"]


def engine(args: list[str]) -> None:
    ensure_engine()


def pulumi(args: list[str]) -> None:
    ensure_environment()
    ensure_engine()
    result = subprocess.run([str(PYTHON), str(ROOT / "tests" / "fixtures" / "engine" / "cli.py"), *args], cwd=ROOT)
    sys.exit(result.returncode)


def plan(args: list[str]) -> None:
    ensure_plan_environment()
    _run(PYTHON, "-m", "irsa_components.cli", "plan", "--stack", "dev", *args)


def test(args: list[str]) -> None:
    ensure_environment()
    ensure_engine()  # the end-to-end tests run the real engine
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    ensure_browser_tools()
    _run(BIN / "pytest", "-n", "auto", "--dist", "loadgroup", "-q", *args)
    _run(PYTHON, "benchmarks/run.py", "--services", "10", "--quick")


TASKS = {"plan": plan, "test": test, "pulumi": pulumi, "engine": engine}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    TASKS[sys.argv[1]](sys.argv[2:])
