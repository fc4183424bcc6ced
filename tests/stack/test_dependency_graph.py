"""The dependency graph the engine is told: unchanged by changes that pass plain values instead of Outputs.

For every registration of the committed stacks (and of crafted stacks covering every identity mode,
other accounts and a self-hosted cluster) this records the resources it depends on and, per input
property, the resources that property depends on, exactly as the SDK sends them to the engine. The
engine orders creation, update and deletion by them and decides with the property dependencies which
dependents a replacement reaches: a program that passes a locally known value where it passed an
Output must still send the same dependencies (``depends_on``). Regenerate deliberately with
``IRSA_UPDATE_SNAPSHOTS=1``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import flat_config
from irsa_components.offline import Simulation, run_program
from irsa_components.stack.program import main
from tests.conftest import stack_config

from .multi_account import config as accounts_config
from .multi_account import run as run_crafted
from .test_accounts import CHAINED, IRSA_INTO_SHARED

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"


def _committed(stack: str) -> Callable[[], Simulation]:
    def run() -> Simulation:
        config, secrets = stack_config(stack)
        return run_program(main, config=config, stack=stack, secret_keys=secrets)

    return run


STACKS: dict[str, Callable[[], Simulation]] = {
    **{s: _committed(s) for s in ("dev", "staging", "prod", "local")},
    # Every identity mode, with and without managed policies, on two clusters.
    "synthetic": lambda: run_program(main, config=flat_config("prod", 8), stack="prod"),
    # IRSA into another account, Pod Identity chained into another account, a self-hosted cluster.
    "accounts": lambda: run_crafted(accounts_config({**IRSA_INTO_SHARED, **CHAINED})),
}


def dependency_graph(sim: Simulation) -> dict[str, dict[str, Any]]:
    """URN -> the resources it depends on and each input property's dependencies (order carries nothing)."""
    return {
        r.urn: {
            "dependencies": sorted(r.dependencies),
            "propertyDependencies": {k: sorted(v) for k, v in sorted(r.property_dependencies.items()) if v},
        }
        for r in sim.resources
    }


@pytest.mark.parametrize("stack", list(STACKS))
def test_the_engine_is_told_the_same_dependencies(stack: str) -> None:
    path = SNAPSHOTS / f"dependencies-{stack}.json"
    now = dependency_graph(STACKS[stack]())
    if os.environ.get("IRSA_UPDATE_SNAPSHOTS"):
        path.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    assert path.exists(), f"no snapshot {path.name}: create it with IRSA_UPDATE_SNAPSHOTS=1"
    before = json.loads(path.read_text())
    assert sorted(now) == sorted(before), f"{stack}: registrations differ: {sorted(set(now) ^ set(before))}"
    changed = [urn for urn in before if now[urn] != before[urn]]
    assert not changed, f"{stack}: dependencies changed: " + "; ".join(
        f"{urn}: {before[urn]} -> {now[urn]}" for urn in changed
    )


def test_the_graph_records_both_kinds_of_dependency() -> None:
    """The snapshot is not vacuous: an attachment depends on its role, through the property that names it."""
    graph = dependency_graph(STACKS["dev"]())
    role = next(u for u in graph if u.endswith("$aws:iam/role:Role::payments-api"))
    attachment = next(u for u in graph if "rolePolicyAttachment" in u and u.split("::")[-1].startswith("payments-api"))
    assert role in graph[attachment]["dependencies"]
    assert graph[attachment]["propertyDependencies"]["role"] == [role]


def _graph(sim: Simulation) -> dict[str, tuple[set[str], dict[str, set[str]]]]:
    return {
        r.urn: (set(r.dependencies), {k: set(v) for k, v in r.property_dependencies.items()}) for r in sim.resources
    }


def test_the_benchmark_floor_with_dependencies_sends_the_programs_graph() -> None:
    # benchmarks/floor.py: the floor the library's overhead is also measured against (issue 16) sends the
    # same dependency graph as the program; the plain floor sends none, which is why it is cheaper.
    from benchmarks.floor import replay_program

    config = flat_config("prod", 8)
    recorded = run_program(main, config=config, stack="prod")
    assert any(deps for deps, _ in _graph(recorded).values())
    with_deps = run_program(replay_program(recorded, dependencies=True), config=config, stack="prod")
    assert _graph(with_deps) == _graph(recorded)
    plain = run_program(replay_program(recorded), config=config, stack="prod")
    assert all(not deps and not any(props.values()) for deps, props in _graph(plain).values())
