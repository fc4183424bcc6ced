"""benchmarks/floor.py: the replays the stack program is measured against register what it registered.

Issue 16 measures the library's overhead as the program's time over a replay of its registrations with
no library logic. A replay that registered less (another provider, fewer dependencies) or in a cheaper
shape than the one the library must have would flatter or blame the library; these tests pin what each
replay sends, under the SDK's mocks.
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import resource as sdk_resource

from benchmarks.floor import (
    SERVICE_COMPONENT,
    _is_custom,
    _shaped_class,
    program_component_classes,
    replay_program,
    replay_regrouped,
    replay_shaped,
)
from benchmarks.synthetic import flat_config
from irsa_components.components.irsa_role import IrsaRole
from irsa_components.offline import Simulation, run_program
from irsa_components.stack.program import main

CONFIG = flat_config("prod", 8)  # every identity mode, two clusters, managed and inline policies


@pytest.fixture(scope="module")
def recorded() -> Simulation:
    return run_program(main, config=CONFIG, stack="prod")


def _sent(sim: Simulation) -> dict[str, tuple[Any, ...]]:
    """What the engine would be told of each resource, by URN."""
    return {
        r.urn: (
            r.type,
            r.parent,
            r.custom,
            r.inputs,
            set(r.dependencies),
            {k: set(v) for k, v in r.property_dependencies.items()},
            r.provider,
            r.providers,
        )
        for r in sim.resources
    }


def test_the_shaped_replay_registers_exactly_what_the_program_registered(recorded: Simulation) -> None:
    shaped = run_program(replay_shaped(recorded, program_component_classes()), config=CONFIG, stack="prod")
    assert len(shaped.resources) == len(recorded.resources)
    assert _sent(shaped) == _sent(recorded)
    assert any(r.provider for r in recorded.resources)  # the ServiceAccounts' cluster providers are compared too
    assert shaped.invokes == recorded.invokes


def test_the_flat_replays_send_the_programs_providers(recorded: Simulation) -> None:
    for dependencies in (False, True):
        flat = run_program(replay_program(recorded, dependencies=dependencies), config=CONFIG, stack="prod")
        assert {r.urn: (r.provider, r.providers) for r in flat.resources} == {
            r.urn: (r.provider, r.providers) for r in recorded.resources
        }


def test_shaped_components_declare_the_programs_annotations() -> None:
    classes = program_component_classes()
    assert classes["irsa-components:index:IrsaRole"] is IrsaRole
    shaped = _shaped_class(IrsaRole)
    assert inspect.get_annotations(shaped) == inspect.get_annotations(IrsaRole)
    assert shaped.__module__ == IrsaRole.__module__  # where the SDK resolves the annotations' names


def _recorded_depths(program: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of frames the SDK records for each registration (its source positions)."""
    depths: list[int] = []
    original = sdk_resource._get_stack_trace

    def recording() -> Any:
        trace = original()
        depths.append(len(trace.frames))
        return trace

    with monkeypatch.context() as patch:
        patch.setattr(sdk_resource, "_get_stack_trace", recording)
        run_program(program, config=CONFIG, stack="prod", source_positions=True)
    return depths


def _mean(values: list[int]) -> float:
    return sum(values) / len(values)


def test_the_shaped_replay_registers_as_deep_as_the_program(
    recorded: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _mean(_recorded_depths(main, monkeypatch))
    shaped = _mean(_recorded_depths(replay_shaped(recorded, program_component_classes()), monkeypatch))
    flat = _mean(_recorded_depths(replay_program(recorded), monkeypatch))
    assert abs(program - shaped) <= 0.5
    assert flat <= program - 2  # the flat loop is the shallower floor


def _cloud(sim: Simulation) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Each cloud resource (providers included) by type and name: its inputs, providers and the cloud
    resources its properties depend on (by type and name too, since a regrouping changes URNs)."""
    key = {r.urn: (r.type, r.name) for r in sim.resources}
    custom = {r.urn for r in sim.resources if _is_custom(r)}
    return {
        key[r.urn]: (
            r.inputs,
            r.provider.rsplit("::", 2)[-2] if r.provider else None,  # the provider's name, not its URN
            {k: {key[u] for u in v if u in custom} for k, v in r.property_dependencies.items()},
        )
        for r in sim.resources
        if r.urn in custom
    }


@pytest.mark.parametrize("per_service", [True, False], ids=["one-component-per-service", "no-components"])
def test_the_regrouped_replays_register_the_programs_cloud_resources(recorded: Simulation, per_service: bool) -> None:
    regrouped = run_program(replay_regrouped(recorded, per_service), config=CONFIG, stack="prod")
    assert _cloud(regrouped) == _cloud(recorded)
    assert any(deps for _, _, deps in _cloud(recorded).values())  # dependencies are compared, not only inputs
    components = [r for r in regrouped.resources if not _is_custom(r)]
    if not per_service:
        assert components == []
        return
    assert [c.type for c in components] == [SERVICE_COMPONENT] * 8  # CONFIG's eight services
    for component in components:
        children = [r for r in regrouped.resources if r.parent == component.urn]
        # service-2 holds its role, policies, associations and ServiceAccounts, and nothing of service-20
        assert children and all(c.name == component.name or c.name.startswith(f"{component.name}-") for c in children)
    in_components = {r.urn for r in recorded.resources if not r.custom}
    assert sum(1 for r in regrouped.resources if r.parent in {c.urn for c in components}) == sum(
        1 for r in recorded.resources if r.custom and r.parent in in_components
    )  # every resource the program parented to a component is in a service's


def test_the_benchmark_times_the_regrouped_replays_of_its_recorded_program(tmp_path: Path) -> None:
    from benchmarks.run import BOUNDS, _timed_run  # the workers `run.py --peers` and `ab.py --peers` start

    sim_file = tmp_path / "prod.pickle"
    program = _timed_run("program", "prod", 8, sim_file)
    recorded: Simulation = pickle.loads(sim_file.read_bytes())
    components = sum(1 for r in recorded.resources if not r.custom)
    assert components and program["resources"] == len(recorded.resources)
    registered = {kind: _timed_run(kind, "prod", 8, sim_file)["resources"] for kind in BOUNDS}
    assert registered == {
        "bound-per-service": len(recorded.resources) - components + 8,  # one component for each of 8 services
        "bound-no-components": len(recorded.resources) - components,
    }
