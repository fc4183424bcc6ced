"""What the schema tests run the real CLI with: its environment, the codegen language host, npm packages.

``pulumi package gen-sdk`` hands the bound schema to the language host of the target language. The
real hosts cannot be built here (the Go module proxy refuses their modules), so ``codegen_host/`` is
one that serves only GeneratePackage, with the SDK generators of the pinned pulumi release; it is
built once per test session with the Go toolchain the engine build uses (Go modules only).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from tests.fixtures import automation as engine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CODEGEN_HOST = HERE / "codegen_host"
SDK_CHECK = HERE / "sdk_check"  # package.json and package-lock.json of what generated TypeScript compiles against
NPM_CACHE = ROOT / ".test-output" / "standin-npm"
LANGUAGES = ("nodejs", "python", "go")


def engine_bin(pulumi: Path) -> Path:
    """The engine build's plugins (pulumi-resource-kubernetes, pulumi-language-yaml): $IRSA_ENGINE_BIN."""
    return Path(os.environ.get("IRSA_ENGINE_BIN") or pulumi.parent)


@dataclass
class Cli:
    """The real CLI with the stand-ins on PATH, a fresh PULUMI_HOME (no cached schemas) and a file backend."""

    pulumi: Path
    root: Path
    extra_path: tuple[Path, ...] = ()

    def env(self, log: Optional[Path] = None) -> dict[str, str]:
        env = {**os.environ, **engine.engine_env(self.root / "state", self.root / "home", log)}
        front = [*self.extra_path, engine.BIN, engine_bin(self.pulumi)]
        env["PATH"] = os.pathsep.join([*map(str, front), env["PATH"]])
        env["IRSA_PYTHON"] = sys.executable  # the component package's plugin runs provider/ with it
        return env

    def run(
        self, *args: str | Path, cwd: Optional[Path] = None, log: Optional[Path] = None, timeout: int = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.pulumi), *map(str, args)],
            cwd=cwd or self.root,
            env=self.env(log),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def errors(result: subprocess.CompletedProcess[str]) -> str:
    """The CLI's output without its warnings about plugins taken from PATH (the stand-ins, on purpose)."""
    lines = (result.stdout + result.stderr).splitlines()
    return "\n".join(line for line in lines if "from $PATH" not in line and "expected to have version" not in line)


def build_codegen_host(out: Path) -> Path:
    """``codegen_host`` built into ``out``, linked as pulumi-language-<language> for each language; ``out``."""
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("go is not on PATH: the codegen language host of the schema tests is built with it")
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly"}
    binary = out / "pulumi-codegen-host"
    built = subprocess.run(
        [go, "build", "-o", str(binary), "."], cwd=CODEGEN_HOST, env=env, capture_output=True, text=True, check=False
    )
    if built.returncode:
        raise RuntimeError(f"building {CODEGEN_HOST} failed:\n{built.stdout}{built.stderr}")
    for language in LANGUAGES:
        (out / f"pulumi-language-{language}").symlink_to(binary.name)
    return out


def npm_modules() -> Path:
    """node_modules of ``sdk_check`` (npm ci once per lock file, shared by the test processes)."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH: generated TypeScript SDKs are compiled against npm packages")
    lock = (SDK_CHECK / "package-lock.json").read_bytes()
    target = NPM_CACHE / hashlib.sha256(lock).hexdigest()[:16]
    target.mkdir(parents=True, exist_ok=True)
    with open(NPM_CACHE / ".lock", "a") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        done = target / ".installed"
        if not done.exists():
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(SDK_CHECK / name, target / name)
            installed = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=target,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if installed.returncode:
                raise RuntimeError(f"npm ci in {target} failed:\n{installed.stdout}{installed.stderr}")
            done.write_text("ok\n")
    return target / "node_modules"


def tsc(sdk: Path, modules: Path) -> subprocess.CompletedProcess[str]:
    """Type-check a generated TypeScript SDK (its own tsconfig.json) against ``modules``."""
    link = sdk / "node_modules"
    if not link.exists():
        link.symlink_to(modules)
    return subprocess.run(
        [str(modules / ".bin" / "tsc"), "--noEmit", "-p", str(sdk)],
        cwd=sdk,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def forget_yaml_schema_cache() -> None:
    """Remove what the YAML language host cached beside the plugin directory (tests/fixtures/schema-*.json).

    pulumi-yaml runs on an older pulumi SDK whose loader caches a plugin's schema there and uses it while
    it is newer than tests/fixtures/bin: after a change to the stand-in it would type-check with the old one.
    """
    for cached in engine.FIXTURES.glob("schema-*.json"):
        cached.unlink(missing_ok=True)


def write_yaml_project(work: Path, program: str, config: Mapping[str, str]) -> Path:
    """A Pulumi YAML project in ``work`` (stack ``dev``) with ``program`` and the stack ``config``."""
    import yaml

    work.mkdir(parents=True, exist_ok=True)
    (work / "Pulumi.yaml").write_text(program)
    (work / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": dict(config)}))
    return work
