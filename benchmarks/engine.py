"""Real-engine benchmark: ``pulumi preview`` of a new stack at N services, beside the SDK floor, same engine.

The engine is the Pulumi CLI built from Go modules (``python3 tasks.py engine``), the AWS provider the
moto-backed stand-in of tests/fixtures, Kubernetes the real pulumi-kubernetes provider rendering
YAML. Both sides preview a new stack (fresh file backend each run) of the same synthetic environment:
the stack program, and the SDK floor (the program's registrations recorded under the SDK's mocks and
replayed with no library logic, benchmarks/floor.py). Runs alternate program, floor, shaped floor, program, ...;
the medians count. Both sides pay the same engine and plugin costs, so the ratio is the library's. The
floor in the program's shape (``replay_shaped``) runs beside them too.

Checkpoints are off (``PULUMI_SKIP_CHECKPOINTS``) unless ``checkpoints=True``: with them the CLI's
preview grows with the square of the resources (17 s at 900 resources, 138 s at 2,700, over 25 minutes
at 9,000, unfinished), which would measure the snapshot writer rather than the program.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from benchmarks.floor import program_component_classes, replay_program, replay_shaped
from benchmarks.synthetic import stack_file
from irsa_components.offline import run_program
from irsa_components.stack.program import main as stack_program
from tests.fixtures import automation
from tests.fixtures.moto_server import MotoServer

ROOT = Path(__file__).resolve().parent.parent
ENV = "dev"


def _engine() -> tuple[Path, Path]:
    paths = json.loads((ROOT / ".engine" / "env.json").read_text())
    return Path(paths["pulumi"]), Path(paths["plugins"])


def _stack_config(services: int, manifests: Path, moto_url: str) -> dict[str, Any]:
    config: dict[str, Any] = stack_file(ENV, services)["config"]
    for key, cluster in config["irsa:clusters"].items():
        cluster.pop("kubeconfig", None)
        cluster["renderYamlToDirectory"] = str(manifests / key)
    aws = {k: v.value for k, v in automation.aws_config(moto_url, "eu-west-1").items()}
    aws["aws:endpoints"] = json.loads(aws["aws:endpoints"])
    for key in ("aws:skipCredentialsValidation", "aws:skipRequestingAccountId", "aws:skipMetadataApiCheck"):
        aws[key] = aws[key] == "true"
    config.update(aws)
    return config


def _flat(config: dict[str, Any]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def _preview(
    program: Callable[[], None],
    config: dict[str, Any],
    work: Path,
    command: auto.PulumiCommand,
    checkpoints: bool = False,
) -> tuple[float, int]:
    project = work / "project"
    (project / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copyfile(ROOT / name, project / name)
    (project / "stacks" / f"Pulumi.{ENV}.yaml").write_text(yaml.safe_dump({"config": config}))
    _, plugins = _engine()
    env = automation.engine_env(work / "state", work / "home")
    env["PATH"] = os.pathsep.join([env["PATH"], str(plugins)])
    if not checkpoints:
        # The CLI (3.274.1) re-serialises and verifies the whole snapshot after every step, in a preview
        # too (SnapshotManager.saveSnapshot: 61 % of its CPU at N = 200): quadratic in the resources, the
        # same for both sides, and what the engine's own PULUMI_SKIP_CHECKPOINTS turns off.
        env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    stack = auto.create_or_select_stack(
        stack_name=ENV,
        project_name="irsa",
        program=program,
        opts=auto.LocalWorkspaceOptions(work_dir=str(project), pulumi_command=command, env_vars=env),
    )
    started = time.perf_counter()
    result = stack.preview()
    elapsed = time.perf_counter() - started
    return elapsed, int(result.change_summary.get("create", 0))


def measure_engine(sizes: list[int], repeat: int, checkpoints: bool = False) -> list[dict[str, float | int]]:
    """Per N: the medians of ``repeat`` previews of each side, their ratio and the resources per service."""
    cli, _ = _engine()
    rows = []
    with tempfile.TemporaryDirectory() as scratch, MotoServer(account_id="111111111111") as moto:
        tmp = Path(scratch)
        command = automation.pulumi_command(cli, tmp)
        for services in sizes:
            config = _stack_config(services, tmp / "manifests", moto.url)
            recorded = run_program(stack_program, config=_flat(config), stack=ENV)
            sides = {
                "program": stack_program,
                "floor": replay_program(recorded),
                "shaped": replay_shaped(recorded, program_component_classes()),
            }
            times: dict[str, list[float]] = {kind: [] for kind in sides}
            created = {}
            for i in range(repeat):
                for kind, program in sides.items():
                    seconds, created[kind] = _preview(
                        program, config, tmp / f"{services}-{kind}-{i}", command, checkpoints
                    )
                    times[kind].append(seconds)
                    print(
                        f"  engine preview, {services} services, {kind}: {seconds:.1f} s", file=sys.stderr, flush=True
                    )
            program_s, floor_s = statistics.median(times["program"]), statistics.median(times["floor"])
            shaped_s = statistics.median(times["shaped"])
            rows.append(
                {
                    "services": services,
                    "engine_preview_s": round(program_s, 2),
                    "engine_floor_s": round(floor_s, 2),
                    "engine_ratio": round(program_s / floor_s, 3),
                    "engine_floor_shaped_s": round(shaped_s, 2),
                    "engine_ratio_shaped": round(program_s / shaped_s, 3),
                    "engine_resources": created["program"],
                    "engine_floor_resources": created["floor"],
                    "engine_resources_per_service": round(created["program"] / services, 2),
                    "engine_spread_s": [round(min(times["program"]), 2), round(max(times["program"]), 2)],
                }
            )
    return rows
