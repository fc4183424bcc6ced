#!/usr/bin/env python3
"""Benchmark: the stack program at platform scale, beside the Pulumi SDK floor measured in the same run.

    python benchmarks/run.py                 # N = 100 and 1,000 services per environment
    python benchmarks/run.py --large         # also N = 3,000
    python benchmarks/run.py --services 50   # one N only
    python benchmarks/run.py --json          # a JSON object on the last line
    python benchmarks/run.py --peers         # also AWS CDK's synth of the same workload (installs it with npm)
    python benchmarks/run.py --engine        # also the real engine's preview at N = 100 and 1,000 (tasks.py engine)

Method and results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from benchmarks.analysis import analysis_times  # noqa: E402
from benchmarks.floor import program_component_classes, replay_program, replay_regrouped, replay_shaped  # noqa: E402
from benchmarks.peers import cdk_synth, ensure_cdk_peer  # noqa: E402
from benchmarks.synthetic import ENVIRONMENTS, MODES, flat_config, stack_file, uniform_flat_config  # noqa: E402
from irsa_components.core import documents, kubernetes, trust  # noqa: E402
from irsa_components.offline import run_program  # noqa: E402
from irsa_components.stack.program import main  # noqa: E402


def _timed_run(kind: str, env: str, services: int, sim_file: Path) -> dict[str, float | int]:
    """One timed run in this process: the stack program (saving its registrations) or their replay."""
    config = flat_config(env, services)
    program: Callable[[], None] = main
    if kind != "program":
        recorded = pickle.loads(sim_file.read_bytes())
        if kind == "floor-shaped":
            program = replay_shaped(recorded, program_component_classes())
        elif kind in BOUNDS:
            program = replay_regrouped(recorded, per_service=kind == "bound-per-service")
        else:
            program = replay_program(recorded, dependencies=kind == "floor-deps")
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    sim = run_program(program, config=config, stack=env, source_positions=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if kind == "program":
        sim_file.write_bytes(pickle.dumps(sim))
    return {
        "wall": wall,
        "cpu": cpu,
        "resources": len(sim.resources),
        "invokes": len(sim.invokes),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _in_fresh_process(kind: str, env: str, services: int, sim_file: Path) -> dict[str, float | int]:
    """Each run gets its own interpreter, so no run inherits another's heap (or its garbage)."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--env", env, "--services", str(services), str(sim_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{done.stderr}")
    result: dict[str, float | int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


CDK_ENV = "prod"
"""The environment the CDK peer synthesises (one environment, as one CDK app)."""


FLOORS = {"floor": "sdk_floor", "floor-deps": "sdk_floor_deps", "floor-shaped": "sdk_floor_shaped"}
"""The replays of the program's registrations (benchmarks/floor.py) and the keys their times are reported under."""

BOUNDS = {"bound-per-service": "floor_one_component_per_service_s", "bound-no-components": "floor_no_components_s"}
"""With --peers: the program's cloud resources alone under one component per service, or under none
(``replay_regrouped``): the cheapest a Pulumi Python program of these resources can be, beside CDK's synth."""


def measure(services: int, repeat: int, peers: bool = False) -> dict[str, float | int]:
    """The 3 environments' stacks and, alternating with them, the replays of their registrations (the floors).

    Every run is a fresh process; program and floors alternate so drifts of the machine hit all; the
    fastest of the repeats counts (the least disturbed). With ``peers``, CDK's synth of the CDK_ENV
    environment (defaults, then template validation off) runs after each program/floor round of it.
    """
    program_s = program_cpu = rss = 0.0
    floor_s = dict.fromkeys(FLOORS, 0.0)
    floor_cpu = dict.fromkeys(FLOORS, 0.0)
    resources = invokes = 0
    cdk: dict[str, list[float]] = {
        "cdk_synth_s": [],
        "cdk_synth_no_validation_s": [],
        "cdk_env_program_s": [],
        **{key: [] for key in BOUNDS.values()},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for env in ENVIRONMENTS:
            sim_file = Path(tmp) / f"{env}.pickle"
            runs: list[dict[str, float | int]] = []
            floors: dict[str, list[dict[str, float | int]]] = {k: [] for k in FLOORS}
            for _ in range(repeat):
                runs.append(_in_fresh_process("program", env, services, sim_file))
                for kind in FLOORS:
                    floors[kind].append(_in_fresh_process(kind, env, services, sim_file))
                    assert floors[kind][-1]["resources"] == runs[-1]["resources"]
                if peers and env == CDK_ENV:
                    cdk["cdk_env_program_s"].append(runs[-1]["wall"])
                    cdk["cdk_synth_s"].append(cdk_synth(env, services)["synth_s"])
                    cdk["cdk_synth_no_validation_s"].append(cdk_synth(env, services, validation=False)["synth_s"])
                    for kind, key in BOUNDS.items():
                        cdk[key].append(_in_fresh_process(kind, env, services, sim_file)["wall"])
            program_s += min(r["wall"] for r in runs)
            program_cpu += min(r["cpu"] for r in runs)
            for kind, replays in floors.items():
                floor_s[kind] += min(f["wall"] for f in replays)
                floor_cpu[kind] += min(f["cpu"] for f in replays)
            rss = max(rss, *(r["rss_mb"] for r in runs))
            resources += int(runs[0]["resources"])
            invokes = max(invokes, int(runs[0]["invokes"]))
    keys: dict[str, float] = {}
    for kind, key in FLOORS.items():
        ratio = key.replace("sdk_floor", "ratio_to_sdk_floor")
        keys |= {
            f"{key}_s": round(floor_s[kind], 3),
            f"{key}_cpu_s": round(floor_cpu[kind], 3),
            ratio: round(program_s / floor_s[kind], 3),
            f"{ratio}_cpu": round(program_cpu / floor_cpu[kind], 3),
        }
    return {
        "services": services,
        "resources": resources,
        "program_s": round(program_s, 3),
        "program_cpu_s": round(program_cpu, 3),
        **keys,
        "peak_rss_mb": round(rss, 1),
        "invokes": invokes,
        "resources_per_service": round(resources / (services * len(ENVIRONMENTS)), 2),
        **{k: round(min(v), 3) for k, v in cdk.items() if v},
    }


def registrations_per_service() -> dict[str, dict[str, float]]:
    """Registrations one more service adds, per identity mode: components, cloud resources (and total).

    Measured as the difference between stacks of 8 and 4 services of one mode (every other one with a
    managed policy, as in the synthetic workload), so stack-level registrations cancel out. "mix" is the
    synthetic workload's cycle of modes.
    """

    def count(mode: str | None, n: int) -> tuple[int, int]:
        config = flat_config(CDK_ENV, n) if mode is None else uniform_flat_config(CDK_ENV, n, mode)
        sim = run_program(main, config=config, stack=CDK_ENV)
        cloud = sum(1 for r in sim.resources if r.custom and not r.type.startswith("pulumi:providers:"))
        components = sum(1 for r in sim.resources if not r.custom)
        return components, cloud

    out: dict[str, dict[str, float]] = {}
    for mode in [*dict.fromkeys(MODES), None]:
        (c4, r4), (c8, r8) = count(mode, 4), count(mode, 8)
        components, cloud = (c8 - c4) / 4, (r8 - r4) / 4
        out[mode or "mix"] = {"components": components, "cloud": cloud, "total": components + cloud}
    return out


def trust_capacity(quota: int = 2048) -> dict[str, int]:
    """How many clusters / service accounts one IRSA role can trust within the default quota."""

    def fits(clusters: int, accounts: int) -> bool:
        arns = [trust.estimate_provider_arn(f"c{i}") for i in range(clusters)]
        sas = [kubernetes.ServiceAccountRef("payments", f"payments-api-{i:02d}") for i in range(accounts)]
        return documents.size(trust.workload_trust_policy(sas, arns)) <= quota

    clusters = 1
    while fits(clusters + 1, 1):
        clusters += 1
    accounts = 1
    while fits(1, accounts + 1):
        accounts += 1
    return {"max_clusters_per_irsa_role": clusters, "max_service_accounts_per_irsa_role": accounts}


def plan_wall_time(services: int, repeat: int) -> float | None:
    """Wall time of `irsa plan` (a fresh process, as a user runs it) on the prod stack of N services.

    The fastest of ``repeat`` runs, like the other measurements.
    """
    irsa = Path(sys.executable).parent / "irsa"
    if not irsa.exists():
        return None
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Pulumi.bench.yaml"
        path.write_text(yaml.safe_dump(stack_file("prod", services)))
        for _ in range(repeat):
            start = time.perf_counter()
            done = subprocess.run(
                [str(irsa), "plan", "--config-file", str(path), "--format", "json", "--output", os.devnull],
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                print(done.stdout, done.stderr, file=sys.stderr)
                return None
    return round(min(times), 2)


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, help="run only this N (services per environment)")
    parser.add_argument("--large", action="store_true", help="also run N = 3,000")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement; the fastest counts")
    parser.add_argument("--quick", action="store_true", help="one run each, no plan timing (CI smoke)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    parser.add_argument("--peers", action="store_true", help="also AWS CDK's synth (benchmarks/peers/cdk, npm)")
    parser.add_argument("--engine", action="store_true", help="also the real engine's preview (benchmarks/engine.py)")
    parser.add_argument("--worker", choices=["program", *FLOORS, *BOUNDS], help=argparse.SUPPRESS)
    parser.add_argument("--env", help=argparse.SUPPRESS)
    parser.add_argument("sim_file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_timed_run(args.worker, args.env, args.services, Path(args.sim_file))))
        return
    sizes = [args.services] if args.services else [100, 1000, *([3000] if args.large else [])]
    repeat = 1 if args.quick else args.repeat
    if args.peers:
        ensure_cdk_peer()
    rows = [measure(n, repeat, args.peers) for n in sizes]
    capacity = trust_capacity()
    registrations = registrations_per_service()
    largest = rows[-1]
    plan_s = None if args.quick else plan_wall_time(int(largest["services"]), repeat)
    peak_rss_mb = max(r["peak_rss_mb"] for r in rows)
    engine_rows = _engine_rows(sizes, repeat) if args.engine else []
    analysis = analysis_times(int(largest["services"]), repeat)  # diff_s, guardrails_s (benchmarks/analysis.py)

    print(
        f"{'services/env':>12} {'resources':>9} {'program s':>9} {'floor s':>8} {'ratio':>6} "
        f"{'program cpu':>11} {'floor cpu':>9} {'invokes':>7}"
    )
    for r in rows:
        print(
            f"{r['services']:>12} {r['resources']:>9} {r['program_s']:>9} {r['sdk_floor_s']:>8} "
            f"{r['ratio_to_sdk_floor']:>6} {r['program_cpu_s']:>11} {r['sdk_floor_cpu_s']:>9} {r['invokes']:>7}"
        )
    for r in rows:
        print(
            f"{r['services']:>12} services: floor with the program's dependencies {r['sdk_floor_deps_s']} s "
            f"({r['sdk_floor_deps_cpu_s']} s CPU), ratio {r['ratio_to_sdk_floor_deps']} "
            f"({r['ratio_to_sdk_floor_deps_cpu']} CPU)"
        )
        print(
            f"{r['services']:>12} services: floor in the program's shape {r['sdk_floor_shaped_s']} s "
            f"({r['sdk_floor_shaped_cpu_s']} s CPU), ratio {r['ratio_to_sdk_floor_shaped']} "
            f"({r['ratio_to_sdk_floor_shaped_cpu']} CPU)"
        )
    print(f"resources per service and environment: {largest['resources_per_service']}")
    print(
        "registrations per service: "
        + ", ".join(f"{m} {r['total']:g} ({r['components']:g} components)" for m, r in registrations.items())
    )
    for r in rows if args.peers else []:
        print(
            f"CDK synth, {r['services']} services of {CDK_ENV}: {r['cdk_synth_s']} s "
            f"({r['cdk_synth_no_validation_s']} s with template validation off); this program "
            f"{r['cdk_env_program_s']} s, ratio {round(r['cdk_env_program_s'] / r['cdk_synth_s'], 2)}; "
            f"its cloud resources alone, one component per service {r['floor_one_component_per_service_s']} s, "
            f"no components {r['floor_no_components_s']} s"
        )
    for r in engine_rows:
        print(
            f"real engine, preview of a new stack, {r['services']} services: program {r['engine_preview_s']} s, "
            f"floor {r['engine_floor_s']} s, ratio {r['engine_ratio']}, "
            f"shaped floor {r['engine_floor_shaped_s']} s, ratio {r['engine_ratio_shaped']}, "
            f"{r['engine_resources']} resources ({r['engine_resources_per_service']} per service)"
        )
    print(f"peak RSS of a stack program run: {peak_rss_mb} MB")
    print(
        f"trust capacity at 2048 characters: {capacity['max_clusters_per_irsa_role']} clusters (1 service account), "
        f"{capacity['max_service_accounts_per_irsa_role']} service accounts (1 cluster)"
    )
    print(f"irsa plan, {largest['services']} services: {'not measured' if plan_s is None else f'{plan_s} s'}")
    print(f"irsa diff of two such plans: {analysis['diff_s']} s; offline guardrails: {analysis['guardrails_s']} s")
    if args.json:
        print(
            json.dumps(
                {
                    **{
                        k: largest[k]
                        for k in (
                            "services",
                            "resources",
                            "program_s",
                            "sdk_floor_s",
                            "ratio_to_sdk_floor",
                            "sdk_floor_deps_s",
                            "ratio_to_sdk_floor_deps",
                            "sdk_floor_shaped_s",
                            "ratio_to_sdk_floor_shaped",
                            "invokes",
                        )
                    },
                    "peak_rss_mb": peak_rss_mb,
                    **capacity,
                    "plan_s": plan_s,
                    "registrations_per_service": registrations,
                    **_cdk_keys(largest),
                    **_engine_keys(engine_rows),
                    "diff_s": analysis["diff_s"],
                    "guardrails_s": analysis["guardrails_s"],
                }
            )
        )


def _engine_rows(sizes: list[int], repeat: int) -> list[dict[str, float | int]]:
    from benchmarks.engine import measure_engine  # needs the engine build and the test fixtures

    return measure_engine(sorted({*sizes, 100, 1000}) if len(sizes) > 1 else sizes, max(repeat, 3))


def _engine_keys(rows: list[dict[str, float | int]]) -> dict[str, object]:
    """The real engine's JSON keys (None without --engine): the largest N, and every N under ``engine``."""
    keys = (
        "engine_preview_s",
        "engine_floor_s",
        "engine_ratio",
        "engine_floor_shaped_s",
        "engine_ratio_shaped",
        "engine_resources",
    )
    if not rows:
        return dict.fromkeys(keys)
    return {**{k: rows[-1][k] for k in keys}, "engine": rows}


def _cdk_keys(row: dict[str, float | int]) -> dict[str, float | None]:
    """The CDK peer's JSON keys (None without --peers): one environment's synth against this program's."""
    keys = ("cdk_synth_s", "cdk_synth_no_validation_s", "cdk_env_program_s", *BOUNDS.values())
    if "cdk_synth_s" not in row:
        return {**dict.fromkeys(keys), "program_to_cdk": None}
    return {
        **{k: row[k] for k in keys},
        "program_to_cdk": round(row["cdk_env_program_s"] / row["cdk_synth_s"], 3),
    }


if __name__ == "__main__":
    main_cli()
