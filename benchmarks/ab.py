#!/usr/bin/env python3
"""Before and after in the same run: this tree's stack program against another revision's, beside the floor.

    python benchmarks/ab.py --base main --services 1000 --repeat 5          # one environment (prod)
    python benchmarks/ab.py --base main --services 1000 --repeat 5 --peers  # and the CDK synth of it, and
                                                                            # the cheapest programs of its resources
    python benchmarks/ab.py --base main --services 1000 --repeat 5 --plan   # and `irsa plan` of both trees

The base revision is exported with ``git archive`` into a temporary directory and run from there with
this tree's interpreter. Every run is a fresh process; each round runs base, program, floor (the replay of
this tree's registrations) and, with ``--peers``, CDK with and without its template validation and the
two replays of this tree's cloud resources alone (one component per service, none), in that order, so a
drift of a shared machine reaches every side. Medians and the spread (min-max) are printed,
wall and CPU, and the same as JSON on the last line. Method and results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from benchmarks.peers import cdk_synth, ensure_cdk_peer  # noqa: E402
from benchmarks.run import BOUNDS  # noqa: E402
from benchmarks.synthetic import stack_file  # noqa: E402

_IRSA = "import sys; from irsa_components.cli.main import app; sys.argv[0] = 'irsa'; app()"


def _export(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _worker(tree: Path, kind: str, env: str, services: int, sim_file: Path) -> dict[str, float]:
    script = str(tree / "benchmarks" / "run.py")
    done = subprocess.run(
        [sys.executable, script, "--worker", kind, "--env", env, "--services", str(services), str(sim_file)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tree} {kind} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _plan(tree: Path, stack: Path) -> dict[str, float]:
    """Wall and CPU (children included) of `irsa plan` of ``tree``, a fresh process, imports included."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _IRSA, "plan", "--config-file", str(stack), "--format", "json", "--output", os.devnull],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"{tree} irsa plan failed:\n{done.stderr}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu}


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="main", help="git revision to compare against")
    parser.add_argument("--base-dir", help="a directory holding the base tree instead (e.g. a git archive of it)")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--env", default="prod")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peers", action="store_true", help="also the CDK peer (installs it with npm)")
    parser.add_argument("--plan", action="store_true", help="also `irsa plan` of the prod stack, both trees")
    args = parser.parse_args()
    if args.peers:
        ensure_cdk_peer()
    sides = ["base", "program", "floor", *(["cdk", "cdk_no_validation", *BOUNDS] if args.peers else [])]
    sides += ["base_plan", "plan"] if args.plan else []
    runs: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.base_dir) if args.base_dir else _export(args.base, Path(tmp) / "base")
        sim_file, base_sim = Path(tmp) / "program.pickle", Path(tmp) / "base.pickle"
        stack = Path(tmp) / "Pulumi.bench.yaml"
        stack.write_text(yaml.safe_dump(stack_file(args.env, args.services)))
        for i in range(args.repeat):
            runs["base"].append(_worker(base, "program", args.env, args.services, base_sim))
            runs["program"].append(_worker(ROOT, "program", args.env, args.services, sim_file))
            runs["floor"].append(_worker(ROOT, "floor", args.env, args.services, sim_file))
            if args.peers:
                for side, validation in (("cdk", True), ("cdk_no_validation", False)):
                    synth = cdk_synth(args.env, args.services, validation=validation)
                    runs[side].append({"wall": synth["synth_s"], "cpu": synth["cpu_s"]})
                for kind in BOUNDS:  # this tree's cloud resources alone (benchmarks/floor.py: replay_regrouped)
                    runs[kind].append(_worker(ROOT, kind, args.env, args.services, sim_file))
            if args.plan:
                runs["base_plan"].append(_plan(base, stack))
                runs["plan"].append(_plan(ROOT, stack))
            load = os.getloadavg()[0]
            row = "  ".join(f"{s} {runs[s][-1]['wall']:.1f}/{runs[s][-1]['cpu']:.1f}" for s in sides)
            print(f"round {i + 1}: {row}  (wall/cpu s; load {load:.1f})", flush=True)
    result: dict[str, object] = {"services": args.services, "env": args.env, "base": args.base_dir or args.base}
    for s in sides:
        result[s] = {k: _summary([r[k] for r in runs[s]]) for k in ("wall", "cpu")}
    for key in ("wall", "cpu"):
        ratio = [p[key] / f[key] for p, f in zip(runs["program"], runs["floor"], strict=True)]
        base_ratio = [b[key] / f[key] for b, f in zip(runs["base"], runs["floor"], strict=True)]
        result[f"ratio_to_sdk_floor_{key}"] = _summary(ratio)
        result[f"base_ratio_to_sdk_floor_{key}"] = _summary(base_ratio)
        if args.peers:
            for side in ("program", *BOUNDS):
                result[f"{side}_to_cdk_{key}"] = _summary(
                    [p[key] / c[key] for p, c in zip(runs[side], runs["cdk"], strict=True)]
                )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
