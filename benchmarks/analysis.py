"""Benchmark of the semantic analysis: ``irsa diff`` of two N-service plans, the offline guardrails of an
N-service stack. Both are timed in a fresh process, after their inputs were built (plans, the stack
program's registrations) in another: the clock covers the analysis and nothing before it, solver
caches starting cold, as for a user running ``irsa diff`` or the pack.

The diff's head plan changes every 20th service of the base (5 %), a different change in turn: a second
service account, a wider resource pattern, an extra action, an audience pinned no more, a longer
session. The other 95 % are identical documents, which need no solver call.

    python benchmarks/analysis.py --services 1000    # standalone; run.py --json reports the same keys
"""

from __future__ import annotations

import argparse
import copy
import json
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import flat_config  # noqa: E402

ENV = "prod"


def _changed(data: dict[str, Any], every: int = 20) -> dict[str, Any]:
    """The plan data with every ``every``-th service changed (cycling through five kinds of change)."""
    head = copy.deepcopy(data)
    for n, key in enumerate(sorted(head["services"])):
        if n % every:
            continue
        service = head["services"][key]
        trust = service["role"]["trustPolicy"]["Statement"]
        kind = (n // every) % 5
        if kind == 0 and any("Federated" in s.get("Principal", {}) for s in trust):
            statement = next(s for s in trust if "Federated" in s.get("Principal", {}))
            equals = statement["Condition"]["StringEquals"]
            sub = next(k for k in equals if k.endswith(":sub"))
            equals[sub] = [equals[sub], f"{equals[sub]}-extra"] if isinstance(equals[sub], str) else equals[sub]
        elif kind == 1 and service["permissions"]["inline"]:
            resources = service["permissions"]["inline"][0]["resources"]
            service["permissions"]["inline"][0]["resources"] = [r.rsplit("-", 1)[0] + "-*" for r in resources]
        elif kind == 2 and service["permissions"]["inline"]:
            service["permissions"]["inline"][0]["actions"].append("sqs:SendMessage")
        elif kind == 3 and any("Federated" in s.get("Principal", {}) for s in trust):
            statement = next(s for s in trust if "Federated" in s.get("Principal", {}))
            equals = statement["Condition"]["StringEquals"]
            del equals[next(k for k in equals if k.endswith(":aud"))]
        else:
            service["role"]["maxSessionDuration"] = 7200
    return head


def _build(services: int, work: Path) -> None:
    """The inputs, built once: the base and head plans (JSON), the stack program's registrations (pickle)."""
    from irsa_components.offline import run_program
    from irsa_components.plan.model import plan_to_data
    from irsa_components.plan.run import plan_from_config
    from irsa_components.stack.program import main

    config = flat_config(ENV, services)
    base = plan_to_data(plan_from_config(config, stack=ENV))
    (work / "base.json").write_text(json.dumps(base))
    (work / "head.json").write_text(json.dumps(_changed(base)))
    simulation = run_program(main, config=config, stack=ENV)
    (work / "simulation.pickle").write_bytes(pickle.dumps((simulation, config)))


def _timed(kind: str, work: Path) -> dict[str, Any]:
    """One timed run in this (fresh) process."""
    if kind == "diff":
        from irsa_components.plan.diff import diff_plans
        from irsa_components.plan.model import plan_from_json

        base = plan_from_json((work / "base.json").read_text())
        head = plan_from_json((work / "head.json").read_text())
        start = time.perf_counter()
        result = diff_plans(base, head)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "changes": len(result.changes), "widening": result.count("widening")}
    from irsa_components.guardrails.offline import mandatory, run_policies

    simulation, config = pickle.loads((work / "simulation.pickle").read_bytes())
    start = time.perf_counter()
    violations = run_policies(simulation, config=config)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "violations": len(violations), "mandatory": len(mandatory(violations))}


def _fresh(kind: str, work: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(work)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def analysis_times(services: int, repeat: int = 1) -> dict[str, float]:
    """``diff_s`` and ``guardrails_s`` for N services: the fastest of ``repeat`` fresh-process runs each."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _build(services, work)
        diff = [_fresh("diff", work) for _ in range(repeat)]
        guardrails = [_fresh("guardrails", work) for _ in range(repeat)]
    if any(g["mandatory"] for g in guardrails):
        raise RuntimeError(f"the synthetic stack violates a mandatory guardrail: {guardrails}")
    return {
        "diff_s": round(min(d["seconds"] for d in diff), 2),
        "diff_changes": diff[0]["changes"],
        "guardrails_s": round(min(g["seconds"] for g in guardrails), 2),
    }


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker", choices=["diff", "guardrails"], help=argparse.SUPPRESS)
    parser.add_argument("work", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_timed(args.worker, Path(args.work))))
        return
    print(json.dumps(analysis_times(args.services, args.repeat)))


if __name__ == "__main__":
    main_cli()
